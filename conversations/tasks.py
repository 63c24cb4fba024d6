"""Celery tasks of conversations: thin wrappers around its services (a task imports its service, never the
other way round)."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True, reject_on_worker_lost=True)
def queue_shift_loop() -> int:
    """Write the day-before "confirm or cancel" and after-shift "how did it go" messages now due."""
    from conversations.services.shift_loop import shift_loop_queue_due

    return len(shift_loop_queue_due())
