"""Celery tasks of messaging: thin wrappers around ``messaging.delivery``, ``reminders`` and ``digests``.

Sends are acknowledged late and rejected when the worker is lost (so a crash redelivers them; the outbox
row's lock and status make the redelivery harmless), and retried with exponential backoff capped well
under the broker's visibility timeout: after a send that failed for a while (SMTP 4xx, a provider's 5xx) and
after the database was unreachable (a restart, a failover), so a task that ran into the outage is not lost.
"""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from messaging import conf
from messaging.sms import TransientSendError


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(TransientSendError, OperationalError, InterfaceError),
    retry_backoff=conf.retry_backoff(),
    retry_backoff_max=conf.retry_backoff_max(),
    retry_jitter=True,
    max_retries=conf.max_retries(),
)
def send_outbox_batch(self, outbox_ids: list[int]) -> dict:
    from messaging.delivery import deliver

    result = deliver(list(outbox_ids), final_attempt=self.request.retries >= self.max_retries)
    return {"sent": len(result.sent), "skipped": len(result.skipped), "failed": len(result.failed)}


@shared_task(acks_late=True, reject_on_worker_lost=True)
def queue_due_reminders() -> int:
    from messaging.reminders import reminders_queue_due

    return len(reminders_queue_due())


@shared_task(acks_late=True, reject_on_worker_lost=True)
def queue_due_digests() -> int:
    from messaging.digests import digests_queue_due

    return digests_queue_due()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def requeue_stale_outbox() -> int:
    from messaging.reminders import outbox_requeue_stale

    return outbox_requeue_stale()
