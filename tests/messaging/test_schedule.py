"""The periodic jobs are in the beat schedule with ``expires``; retries back off under the visibility timeout;
the command that runs the jobs once (cron, the demo) writes and sends."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from messaging import conf
from messaging.models import DigestSchedule, Outbox, OutboxStatus
from messaging.tasks import send_outbox_batch
from organiser.celery import collect_beat_schedule

from .conftest import volunteer_with_consent


def test_messaging_jobs_are_in_the_beat_schedule_with_expires():
    schedule = collect_beat_schedule()
    tasks = {entry["task"]: entry for entry in schedule.values()}
    for task in (
        "messaging.tasks.queue_due_reminders",
        "messaging.tasks.queue_due_digests",
        "messaging.tasks.requeue_stale_outbox",
    ):
        assert tasks[task]["options"]["expires"] > 0


def test_send_retries_back_off_well_under_the_visibility_timeout(settings):
    assert send_outbox_batch.acks_late and send_outbox_batch.reject_on_worker_lost
    assert send_outbox_batch.retry_backoff_max <= conf.visibility_timeout() // 4
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 60}
    assert conf.retry_backoff_max() == 15


@pytest.mark.django_db
def test_messages_run_command_writes_and_sends_a_digest(smtp):
    DigestSchedule.objects.filter(constituency=None).delete()
    volunteer = volunteer_with_consent()
    call_command("messages_run", "--digest-now", "--send")
    assert Outbox.objects.get(recipient=volunteer).status == OutboxStatus.SENT
    assert [message["To"] for message in smtp.messages] == [volunteer.email]
