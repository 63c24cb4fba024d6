"""Exactly once, end to end: a real Redis broker, real worker processes, a real SMTP server on loopback.
Each test counts the messages the server accepted: exactly one per outbox row when a worker is killed
mid-batch and restarted, when the SMTP server refuses for a while or is down and comes back, and when the
periodic jobs run twice at once (two beat schedulers)."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter

import pytest
from django.db import connections, transaction

from messaging import services
from messaging.digests import digests_queue_due
from messaging.models import DigestSchedule, MessageKind, Outbox, OutboxStatus
from messaging.reminders import reminders_queue_due
from messaging.tasks import queue_due_digests, queue_due_reminders
from organiser import clock
from tests.conftest import make_user
from tests.volunteers.factories import ShiftFactory, SignupFactory
from volunteers.models import Role
from volunteers.services import consent_set

from .conftest import volunteer_with_consent, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

VISIBILITY_TIMEOUT = 3


def _email_url(smtp) -> str:
    return f"smtp://127.0.0.1:{smtp.port}"


def _confirmations(count: int) -> list[int]:
    """``count`` sign-ups, each with its confirmation row written in the sign-up's transaction."""
    ids = []
    shift = ShiftFactory(capacity=count + 1, minimum=0)
    for _ in range(count):
        volunteer = volunteer_with_consent()
        with transaction.atomic():
            signup = SignupFactory(shift=shift, volunteer=volunteer)
            ids += services.signup_made(signup)
    return ids


def _all_done(ids) -> bool:
    return not Outbox.objects.filter(pk__in=ids, status=OutboxStatus.PENDING).exists()


def _exactly_once(smtp, ids) -> None:
    received = Counter(smtp.outbox_ids())
    assert sorted(received) == sorted(ids)
    assert set(received.values()) == {1}, received
    assert Outbox.objects.filter(pk__in=ids, status=OutboxStatus.SENT).count() == len(ids)


def test_worker_killed_mid_batch_and_restarted_sends_each_once(start_worker, smtp, settings):
    settings.MESSAGING_SEND_CHUNK = 3
    env = {"EMAIL_URL": _email_url(smtp), "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT)}
    worker = start_worker(concurrency=2, **env)
    smtp.hold_after = 3  # the server takes three, then leaves every later message unanswered

    ids = _confirmations(8)  # three send tasks, queued on commit

    # Both worker processes are now inside an SMTP transaction the server has not answered: kill them all.
    wait_for(lambda: smtp.held == 2 and len(smtp.messages) == 3, what="both worker processes mid-send")
    worker.kill()
    connections.close_all()
    wait_for(lambda: smtp.held == 0, what="the server to see the dead connections")
    assert len(smtp.messages) == 3
    smtp.release()

    # The unacknowledged tasks come back after the visibility timeout; a new worker sends the rest, once.
    start_worker(concurrency=2, **env)
    wait_for(lambda: len(smtp.messages) >= len(ids) and _all_done(ids), what="all messages")
    _exactly_once(smtp, ids)


def test_smtp_refusing_for_a_while_then_back_sends_each_once(start_worker, smtp):
    start_worker(concurrency=2, EMAIL_URL=_email_url(smtp), MESSAGING_RETRY_BACKOFF="1", CELERY_VISIBILITY_TIMEOUT="20")
    smtp.refuse = 4  # 451 to the first four attempts

    ids = _confirmations(3)

    wait_for(lambda: len(smtp.messages) >= len(ids) and _all_done(ids), what="all messages")
    assert smtp.refused == 4
    _exactly_once(smtp, ids)
    attempts = list(Outbox.objects.filter(pk__in=ids).values_list("attempts", flat=True))
    assert max(attempts) > 1  # some were retried


def test_smtp_server_down_then_back_sends_each_once(start_worker, smtp):
    port = smtp.port
    start_worker(concurrency=2, EMAIL_URL=_email_url(smtp), MESSAGING_RETRY_BACKOFF="1", CELERY_VISIBILITY_TIMEOUT="20")
    smtp.stop()

    ids = _confirmations(3)

    wait_for(
        lambda: Outbox.objects.filter(pk__in=ids, attempts__gte=1, last_error__icontains="refused").exists(),
        what="a refused connection recorded",
    )
    smtp._port = port
    smtp.start()
    wait_for(lambda: len(smtp.messages) >= len(ids) and _all_done(ids), what="all messages")
    _exactly_once(smtp, ids)


def test_two_schedulers_running_the_periodic_jobs_at_once_send_each_once(start_worker, smtp):
    start_worker(concurrency=4, EMAIL_URL=_email_url(smtp))
    now = clock.now()
    DigestSchedule.objects.update_or_create(constituency=None, defaults={"weekday": 0, "hour": 0})  # due since Monday
    shift = ShiftFactory(starts_at=now + dt.timedelta(hours=20), ends_at=now + dt.timedelta(hours=22), minimum=0)
    volunteers = [volunteer_with_consent() for _ in range(6)]
    for volunteer in volunteers:
        SignupFactory(shift=shift, volunteer=volunteer, queued_at=now - dt.timedelta(days=3))
    organiser = make_user(Role.NATIONAL_ORGANISER)
    consent_set(user=organiser, channel="email", given=True, source="/join/")

    # Two beat schedulers fire the same jobs at the same moment, and a third run goes in this process.
    for _ in range(2):
        queue_due_reminders.delay()
        queue_due_digests.delay()
    threads = [
        threading.Thread(target=lambda: (reminders_queue_due(), connections.close_all())),
        threading.Thread(target=lambda: (digests_queue_due(), connections.close_all())),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    expected = len(volunteers) * 2 + 1  # a reminder and a digest each, and the organiser's digest
    wait_for(lambda: Outbox.objects.count() == expected and _all_done(Outbox.objects.values("pk")), what="sends")
    ids = list(Outbox.objects.values_list("pk", flat=True))
    wait_for(lambda: len(smtp.messages) >= expected, what="all messages")
    _exactly_once(smtp, ids)
    kinds = Counter(Outbox.objects.values_list("kind", flat=True))
    assert kinds == {
        MessageKind.REMINDER_24H: len(volunteers),
        MessageKind.DIGEST_VOLUNTEER: len(volunteers),
        MessageKind.DIGEST_ORGANISER: 1,
    }


class _DroppingTheDatabase:
    """An SMTP server on loopback that, before it answers a message's DATA with 250, ends the sender's database
    session (``pg_terminate_backend``): the message has gone, and the sender's transaction cannot commit."""

    def __init__(self, database: dict) -> None:
        from aiosmtpd.controller import Controller

        from tests.conftest import free_port

        self.messages: list = []
        self.backend: int | None = None
        self.dsn = (
            f"host={database['HOST'] or '127.0.0.1'} port={database['PORT'] or 5432} user={database['USER']}"
            f" dbname={database['NAME']}" + (f" password={database['PASSWORD']}" if database["PASSWORD"] else "")
        )
        server = self

        class Handler:
            async def handle_DATA(self, smtp_server, session, envelope):
                import email

                import psycopg

                if server.backend is not None:
                    with psycopg.connect(server.dsn, autocommit=True) as admin:
                        admin.execute("SELECT pg_terminate_backend(%s)", [server.backend])
                    server.backend = None
                server.messages.append(email.message_from_bytes(envelope.content))
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)


def test_a_message_sent_as_the_database_dropped_is_recorded_once_it_answers(transactional_db, settings, monkeypatch):
    """The database goes (a restart, a failover) between the mail server's 250 and the commit: the worker, which
    knows it sent, records the send on a new connection, so the retry does not send it again."""
    from django.db import connection

    from messaging.delivery import deliver

    sink = _DroppingTheDatabase(connection.settings_dict)
    sink.controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": sink.port, "timeout": 5},
        }
    }
    try:
        monkeypatch.setattr(services, "queue_sends", lambda ids: None)  # no task: this test sends the row itself
        volunteer = volunteer_with_consent()
        with transaction.atomic():
            signup = SignupFactory(shift=ShiftFactory(), volunteer=volunteer)
            [outbox_id] = services.signup_made(signup)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            sink.backend = cursor.fetchone()[0]
        result = deliver([outbox_id])
        assert result.sent == [outbox_id]
        assert len(sink.messages) == 1
        assert Outbox.objects.get(pk=outbox_id).status == OutboxStatus.SENT
        assert deliver([outbox_id]).sent == []  # the task's retry, or a second task: nothing more goes
        assert len(sink.messages) == 1
    finally:
        sink.controller.stop()
