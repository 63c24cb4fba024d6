"""Import jobs: an organiser uploads a file in the admin; a Celery task runs the same import service and keeps
the report (or every problem found) on the job."""

from __future__ import annotations

import datetime as dt
from functools import partial

from django.db import transaction

from campaigns.importers.base import ImportRejected
from campaigns.models import Election, ImportJob
from campaigns.services.imports import import_file
from organiser import clock


@transaction.atomic
def import_job_create(*, user, kind: str, filename: str, data: bytes, election: Election | None) -> ImportJob:
    """Store the upload and queue its import once the upload is committed."""
    from campaigns.tasks import run_import_job

    job = ImportJob.objects.create(kind=kind, filename=filename, data=data, election=election, created_by=user)
    # Robust: with the broker unreachable the upload is kept all the same (the job waits, queued).
    transaction.on_commit(lambda: run_import_job.delay(job.pk), robust=True)
    return job


def import_job_run(*, job_id: int) -> ImportJob | None:
    """Run a queued job: parse and check (progress 10%), write in one transaction (100%), keep the report.

    The import and the job's outcome are one transaction that holds the job's row: a worker killed part-way
    leaves nothing written and the job running with nobody holding it, so the redelivered task (late
    acknowledgement) runs it again; a duplicated message finds the job finished and leaves it.

    The redelivered task waits for the job's row rather than skipping it when it is held: a killed worker's
    database session can hold the row a moment longer than the worker lives (until its blocked statement
    finishes and it finds its client gone), and a skip then would leave the job running for ever. Once the
    row is free it is read again: running (the holder rolled back) runs it, finished leaves it.
    """
    ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.PENDING).update(
        status=ImportJob.Status.RUNNING, progress=10
    )
    failure: Exception | None = None
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id, status=ImportJob.Status.RUNNING).first()
        if job is None:  # finished already (by another worker, perhaps while this one waited for the row)
            return ImportJob.objects.filter(pk=job_id).first()
        try:
            report = import_file(kind=job.kind, data=bytes(job.data), election=job.election)
        except ImportRejected as rejected:
            job.status = ImportJob.Status.FAILED
            job.report = {
                "problems": [p.as_dict() for p in rejected.problems],
                "summary": f"{len(rejected.problems)} problem(s); nothing was imported.",
            }
        except Exception as exc:  # the import's own transaction rolled back; this one can still say so
            failure = exc
            job.status = ImportJob.Status.FAILED
            job.report = {
                "problems": [],
                "summary": f"The import failed unexpectedly ({type(exc).__name__}); nothing was imported.",
            }
        else:
            job.status = ImportJob.Status.SUCCEEDED
            job.report = report.as_dict()
        job.progress = 100
        job.finished_at = clock.now()
        job.save(update_fields=["status", "report", "progress", "finished_at"])
    if failure is not None:
        raise failure
    return job


#: A job still pending this long after its upload lost its task (the broker was down, or lost it): queued again.
STALE_AFTER = dt.timedelta(hours=1)


def import_jobs_requeue_stale(*, now: dt.datetime | None = None) -> int:
    """Queue again every job still pending an hour after its upload (the periodic sweep); returns how many.
    A job queued twice runs once: see :func:`import_job_run`."""
    from campaigns.tasks import run_import_job

    now = now or clock.now()
    ids = list(
        ImportJob.objects.filter(status=ImportJob.Status.PENDING, created_at__lt=now - STALE_AFTER)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for job_id in ids:
        transaction.on_commit(partial(run_import_job.delay, job_id), robust=True)
    return len(ids)
