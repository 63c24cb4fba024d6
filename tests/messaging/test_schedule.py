"""The periodic jobs are in the beat schedule with ``expires``; retries back off under the visibility timeout;
the command that runs the jobs once (cron, the demo) writes and sends."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from messaging import conf
from messaging.models import DigestSchedule, Outbox, OutboxStatus
from messaging.tasks import send_outbox_batch
from organiser.celery import collect_beat_schedule
from tests.volunteers.factories import ConstituencyFactory

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
def test_digest_now_sends_this_weeks_digest_once_and_changes_no_schedule(smtp, travel):
    # Wednesday 20:31 UK time: the default schedule (Monday 08:00) and a seat's (Friday 18:00) are not due.
    travel("2027-06-09T19:31:00+00:00")
    DigestSchedule.objects.update_or_create(constituency=None, defaults={"weekday": 0, "hour": 8})
    seat = ConstituencyFactory()
    DigestSchedule.objects.create(constituency=seat, weekday=4, hour=18)
    schedules = sorted(DigestSchedule.objects.values_list("pk", "constituency_id", "weekday", "hour"))
    anywhere, local = volunteer_with_consent(), volunteer_with_consent(home_constituency=seat)
    call_command("messages_run", "--digest-now", "--send", stdout=io.StringIO())
    assert sorted(DigestSchedule.objects.values_list("pk", "constituency_id", "weekday", "hour")) == schedules
    assert sorted(message["To"] for message in smtp.messages) == sorted([anywhere.email, local.email])
    assert set(Outbox.objects.values_list("key", flat=True)) == {"digest:2027-W23"}
    # Run again this week, and when the schedules come (Friday for the seat, then next Monday): none twice.
    call_command("messages_run", "--digest-now", "--send", stdout=io.StringIO())
    travel("2027-06-11T17:00:00+00:00")
    call_command("messages_run", "--send", stdout=io.StringIO())
    assert Outbox.objects.count() == 2
    travel("2027-06-14T07:00:00+00:00")  # Monday 08:00 BST: next week's, by the unchanged default schedule
    call_command("messages_run", "--send", stdout=io.StringIO())
    assert Outbox.objects.filter(key="digest:2027-W24").count() == 1


@pytest.mark.django_db
def test_messages_run_command_writes_and_sends_a_digest(smtp):
    DigestSchedule.objects.filter(constituency=None).delete()
    volunteer = volunteer_with_consent()
    call_command("messages_run", "--digest-now", "--send")
    assert Outbox.objects.get(recipient=volunteer).status == OutboxStatus.SENT
    assert [message["To"] for message in smtp.messages] == [volunteer.email]
