"""Celery tasks of compliance: thin wrappers around its services (a task imports its service, never the other
way round)."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True, reject_on_worker_lost=True)
def delete_expired_publications() -> int:
    """Delete publication log rows past their retention date (docs/law.md I6: kept for the period the guidance
    suggests, then no longer)."""
    from compliance.services import publications_expired_delete

    return publications_expired_delete()
