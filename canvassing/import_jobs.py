"""Register imports in the background: the page stores the upload and queues a job; a Celery task runs the
same import service (:func:`canvassing.register_import.register_import`) and records what became of it.

A council register can hold a million rows (about 50 s to import): longer than a web request may last. The
stored file is register data, so it lives outside MEDIA_ROOT, is deleted as soon as its job finishes (done or
failed) and, in any case, with the rest of the campaign's register when its retention date comes. The job's
lifecycle (claim, progress, redelivery, the sweep) is :mod:`organiser.jobs`, the same as a results import's.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from canvassing.models import CandidateCampaign, RegisterImportJob
from canvassing.register_import import UnknownLayout, register_import
from organiser import clock, jobs, scope

ROUTE = "task:canvassing.tasks.register_import_run"


def _import(job: RegisterImportJob, progress: jobs.Progress) -> dict:
    if job.campaign.destroyed_at or not job.file:
        raise jobs.Refused("The register was destroyed.")
    with job.file.open("rb") as file:
        report = register_import(
            campaign=job.campaign,
            file=file,
            user=job.created_by,
            route=f"{ROUTE}:{job.pk}",
            via="task",
            filename=job.filename,
            progress=progress,
        )
    return report.as_dict()


REGISTER = jobs.Kind(
    model=RegisterImportJob,
    task="canvassing.tasks.register_import_run",
    work=_import,
    cleared={"file": ""},
    stored_file="file",
    related=("campaign", "created_by"),
    failures={
        PermissionDenied: lambda error: (
            "Not imported: whoever uploaded it no longer holds a grant that imports this register."
        ),
        UnknownLayout: lambda unknown: (
            f"Unknown column layout (no column for {', '.join(unknown.missing)}): map its columns first."
        ),
    },
)


def job_progress(job: RegisterImportJob) -> dict | None:
    """How far a running job has got: ``{"stage": ..., "rows": ...}`` (kept in the cache while it runs)."""
    return jobs.progress_of(job)


@transaction.atomic
def register_import_job_create(
    *, campaign: CandidateCampaign, user, upload: UploadedFile, mapped: bool = True
) -> RegisterImportJob:
    """Store ``upload`` for ``campaign`` and queue its import once this transaction commits; with ``mapped``
    False (its columns are not recognised) the file is kept, waiting for its mapping (:func:`register_import_job_map`),
    so the organiser does not choose it again."""
    scope.require_register(user, campaign, RegisterImportJob, "add")
    job = RegisterImportJob(campaign=campaign, created_by=user, filename=upload.name[:255], size=upload.size or 0)
    if not mapped:
        job.status = RegisterImportJob.Status.MAPPING
    job.file.save(upload.name, upload, save=False)
    try:
        job.save()
    except BaseException:
        _file_delete(job)  # no job row, so no stored file either
        raise
    if mapped:
        # Robust: with the broker unreachable the upload is kept all the same (the job waits, queued).
        REGISTER.queue(job.pk)
    return job


@transaction.atomic
def register_import_job_map(*, job: RegisterImportJob, user) -> RegisterImportJob:
    """A job waiting for its mapping, now mapped (the layout is saved): queue it with the file kept."""
    scope.require_register(user, job.campaign, RegisterImportJob, "add")
    updated = RegisterImportJob.objects.filter(pk=job.pk, status=RegisterImportJob.Status.MAPPING).update(
        status=RegisterImportJob.Status.QUEUED, created_at=clock.now()
    )
    if updated:
        REGISTER.queue(job.pk)
    job.refresh_from_db()
    return job


@transaction.atomic
def register_import_job_discard(*, job: RegisterImportJob, user) -> None:
    """The organiser drops a file waiting for its mapping: the job goes, and the stored file once that commits
    (a discard rolled back keeps both)."""
    scope.require_register(user, job.campaign, RegisterImportJob, "add")
    if RegisterImportJob.objects.filter(pk=job.pk, status=RegisterImportJob.Status.MAPPING).delete()[0]:
        name, storage = job.file.name, job.file.storage
        if name:
            transaction.on_commit(lambda: storage.delete(name))


#: A file left waiting this long for its mapping is deleted (it is register data, kept no longer than needed).
MAPPING_KEPT_FOR = dt.timedelta(days=1)


def _file_delete(job: RegisterImportJob) -> None:
    if job.file:
        job.file.delete(save=False)


def register_import_job_run(*, job_id: int) -> RegisterImportJob | None:
    """Run a queued (or redelivered) job's import, all or nothing; record the report or every problem; delete
    the file: see :func:`organiser.jobs.run`."""
    return jobs.run(REGISTER, job_id=job_id)


def register_import_jobs_requeue_stale(*, now: dt.datetime | None = None) -> int:
    """Queue again every job whose task was lost (the periodic sweep, :func:`organiser.jobs.requeue_stale`);
    returns how many. Files left a day waiting for their column mapping are deleted with their job."""
    now = now or clock.now()
    requeued = jobs.requeue_stale(REGISTER, now=now)
    abandoned = RegisterImportJob.objects.filter(
        status=RegisterImportJob.Status.MAPPING, created_at__lt=now - MAPPING_KEPT_FOR
    )
    jobs.jobs_delete(abandoned, stored_file="file")
    return requeued
