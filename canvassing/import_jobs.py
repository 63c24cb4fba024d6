"""Register imports in the background: the page stores the upload and queues a job; a Celery task runs the
same import service (:func:`canvassing.register_import.register_import`) and records what became of it.

A council register can hold a million rows (about 50 s to import): longer than a web request may last. The
stored file is register data, so it lives outside MEDIA_ROOT, is deleted as soon as its job finishes (done or
failed) and, in any case, with the rest of the campaign's register when its retention date comes.
"""

from __future__ import annotations

import datetime as dt
from functools import partial

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from campaigns.importers.base import ImportRejected
from canvassing.models import CandidateCampaign, RegisterImportJob
from canvassing.register_import import UnknownLayout, register_import
from organiser import clock, scope

ROUTE = "task:canvassing.tasks.register_import_run"


def _progress_key(job_id: int) -> str:
    return f"canvassing:register-import-job:{job_id}:progress"


def job_progress(job: RegisterImportJob) -> dict | None:
    """How far a running job has got: ``{"stage": ..., "rows": ...}`` (kept in the cache while it runs)."""
    return cache.get(_progress_key(job.pk)) if job.status == RegisterImportJob.Status.RUNNING else None


@transaction.atomic
def register_import_job_create(
    *, campaign: CandidateCampaign, user, upload: UploadedFile, mapped: bool = True
) -> RegisterImportJob:
    """Store ``upload`` for ``campaign`` and queue its import once this transaction commits; with ``mapped``
    False (its columns are not recognised) the file is kept, waiting for its mapping (:func:`register_import_job_map`),
    so the organiser does not choose it again."""
    from canvassing.tasks import register_import_run

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
        transaction.on_commit(lambda: register_import_run.delay(job.pk), robust=True)
    return job


@transaction.atomic
def register_import_job_map(*, job: RegisterImportJob, user) -> RegisterImportJob:
    """A job waiting for its mapping, now mapped (the layout is saved): queue it with the file kept."""
    from canvassing.tasks import register_import_run

    scope.require_register(user, job.campaign, RegisterImportJob, "add")
    updated = RegisterImportJob.objects.filter(pk=job.pk, status=RegisterImportJob.Status.MAPPING).update(
        status=RegisterImportJob.Status.QUEUED, created_at=clock.now()
    )
    if updated:
        transaction.on_commit(lambda: register_import_run.delay(job.pk), robust=True)
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
    """Run a queued job's import, all or nothing; record the report or every problem; delete the file."""
    with transaction.atomic():
        job = (
            RegisterImportJob.objects.select_for_update(of=("self",))
            .select_related("campaign", "created_by")
            .filter(pk=job_id)
            .first()
        )
        if job is None:
            return None  # destroyed with its register before it ran
        if job.finished:
            return job  # a redelivered task: the job already ran
        if job.campaign.destroyed_at or not job.file:
            job.status, job.error, job.finished_at = job.Status.FAILED, "The register was destroyed.", clock.now()
            _file_delete(job)
            job.save()
            return job
        job.status, job.started_at = job.Status.RUNNING, clock.now()
        job.save(update_fields=["status", "started_at"])

    def progress(stage: str, rows: int) -> None:
        cache.set(_progress_key(job.pk), {"stage": stage, "rows": rows}, timeout=3600)

    failure: Exception | None = None
    # The import and the job's outcome in one transaction holding the job's row: a worker killed part-way
    # leaves nothing written and the job to its redelivered task; a second task for the same job (queued again
    # by the sweep while the first still ran) waits for the first and finds it finished.
    with transaction.atomic():
        RegisterImportJob.objects.select_for_update().filter(pk=job.pk).values_list("pk", flat=True).first()
        if RegisterImportJob.objects.filter(pk=job.pk, finished_at__isnull=False).exists():
            return job
        try:
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
        except ImportRejected as rejected:
            job.status = job.Status.FAILED
            job.problems = [{"row": p.row, "column": p.column, "problem": p.problem} for p in rejected.problems]
            job.error = f"The file was not imported: {len(rejected.problems)} problem(s)."
        except PermissionDenied:
            job.status = job.Status.FAILED
            job.error = "Not imported: whoever uploaded it no longer holds a grant that imports this register."
        except UnknownLayout as unknown:
            job.status = job.Status.FAILED
            job.error = f"Unknown column layout (no column for {', '.join(unknown.missing)}): map its columns first."
        except Exception as error:  # the import's own transaction rolled back; this one still says so
            failure = error
            job.status, job.error = job.Status.FAILED, f"The import failed: {type(error).__name__}."
        else:
            job.status, job.report = job.Status.DONE, report.as_dict()
        job.finished_at = clock.now()
        # An update, never an insert: a job destroyed with its register meanwhile must not come back.
        RegisterImportJob.objects.filter(pk=job.pk).update(
            status=job.status,
            report=job.report,
            problems=job.problems,
            error=job.error,
            file="",
            finished_at=job.finished_at,
        )
        transaction.on_commit(lambda: _file_delete(job))
    cache.delete(_progress_key(job.pk))
    if failure is not None:
        raise failure
    return job


#: A job still queued this long after its upload lost its task (the broker was down, or lost it): queued again.
STALE_AFTER = dt.timedelta(hours=1)


def register_import_jobs_requeue_stale(*, now: dt.datetime | None = None) -> int:
    """Queue again every job still waiting an hour after its upload (the periodic sweep); returns how many.
    Files left a day waiting for their column mapping are deleted with their job.
    A job queued twice runs once: see :func:`register_import_job_run`."""
    from canvassing.tasks import register_import_run

    now = now or clock.now()
    ids = list(
        RegisterImportJob.objects.filter(status=RegisterImportJob.Status.QUEUED, created_at__lt=now - STALE_AFTER)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for job_id in ids:
        transaction.on_commit(partial(register_import_run.delay, job_id), robust=True)
    abandoned = RegisterImportJob.objects.filter(
        status=RegisterImportJob.Status.MAPPING, created_at__lt=now - MAPPING_KEPT_FOR
    )
    for job in abandoned:
        _file_delete(job)
    abandoned.delete()
    return len(ids)


def import_jobs_destroy(*, campaign: CandidateCampaign) -> int:
    """Delete every import job of ``campaign`` and its stored file (retention); returns how many."""
    jobs = list(RegisterImportJob.objects.filter(campaign=campaign))
    for job in jobs:
        _file_delete(job)
    RegisterImportJob.objects.filter(pk__in=[job.pk for job in jobs]).delete()
    return len(jobs)
