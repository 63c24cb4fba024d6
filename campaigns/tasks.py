"""Celery tasks of the campaigns app: thin wrappers that take ids and call the services."""

from celery import shared_task

from campaigns.services.feed import results_feed_poll
from campaigns.services.jobs import import_job_run, import_jobs_requeue_stale


@shared_task(ignore_result=True)
def run_import_job(job_id: int) -> None:
    import_job_run(job_id=job_id)


@shared_task(ignore_result=True)
def poll_results_feed() -> None:
    results_feed_poll()


@shared_task(ignore_result=True)
def requeue_stale_import_jobs() -> int:
    """Queue again the import jobs whose task was lost (the periodic sweep)."""
    return import_jobs_requeue_stale()
