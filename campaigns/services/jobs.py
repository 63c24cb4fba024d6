"""Import jobs: an organiser uploads a file in the admin; a Celery task runs the same import service and keeps
the report (or every problem found) on the job. The lifecycle (claim, redelivery, the sweep, the upload emptied
once finished) is :mod:`organiser.jobs`, the same as a register import's."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from campaigns.models import Election, ImportJob
from campaigns.services.imports import import_file
from organiser import jobs


def _import(job: ImportJob, progress: jobs.Progress) -> dict:
    progress("importing")
    return import_file(kind=job.kind, data=bytes(job.data), election=job.election).as_dict()


RESULTS = jobs.Kind(
    model=ImportJob,
    task="campaigns.tasks.run_import_job",
    work=_import,
    cleared={"data": b""},
    related=("election",),
)


@transaction.atomic
def import_job_create(*, user, kind: str, filename: str, data: bytes, election: Election | None) -> ImportJob:
    """Store the upload and queue its import once the upload is committed."""
    job = ImportJob.objects.create(kind=kind, filename=filename, data=data, election=election, created_by=user)
    RESULTS.queue(job.pk)
    return job


def import_job_run(*, job_id: int) -> ImportJob | None:
    """Run a queued (or redelivered) job: see :func:`organiser.jobs.run`."""
    return jobs.run(RESULTS, job_id=job_id)


def import_jobs_requeue_stale(*, now: dt.datetime | None = None) -> int:
    """Queue again every job whose task was lost (the periodic sweep): see :func:`organiser.jobs.requeue_stale`."""
    return jobs.requeue_stale(RESULTS, now=now)
