"""Background jobs: one lifecycle for every kind of job an upload starts (the admin's results import, a
candidate campaign's register import), and a runner per kind.

The lifecycle, the same for every kind:

- **queued**: the job row holds the upload (a file or the bytes); its task is queued once the upload commits,
  robustly, so a broker that is down loses nothing (the sweep below queues it later).
- **claimed** under the job's row lock (``SELECT … FOR UPDATE``, waiting, never skipping: a killed worker's
  session can hold the row a moment longer than the worker lives) and marked **running** by an UPDATE that
  also counts the attempt.
- **running with progress**: the work reports its stage and rows through a callable; the progress lives in
  the cache, because the job's row is locked by the run's own transaction until the outcome commits.
- **done or failed by an UPDATE** in the same transaction as the work: a worker killed part-way leaves nothing
  written and the job running with nobody holding its row, so the redelivered task (late acknowledgement)
  runs it again; a duplicated task waits for the row and finds the job finished. An UPDATE, never a save: a
  job deleted meanwhile (a register destroyed) does not come back.
- **recovered**: the periodic sweep queues again every job still queued an hour after its upload (its task was
  lost) and every job claimed an hour ago whose row nobody holds (its worker died and the task was not
  redelivered). A job that has stopped :data:`MAX_ATTEMPTS` times is failed rather than run again.
- **uploaded data deleted when finished**, whatever the outcome: the kind's ``cleared`` columns are emptied in
  the finishing UPDATE and its stored file removed once that commits.

Tasks are queued by name (:func:`task_send`), so a service never imports its own task module: the task module
imports the service, never the other way round.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from celery import current_app
from django.core.cache import cache
from django.db import models, transaction
from django.db.models import F

from organiser import clock
from organiser.imports import ImportRejected


class Status(models.TextChoices):
    """Where a job is in its lifecycle (a kind may add states before ``queued``, such as waiting for input)."""

    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


FINISHED = (Status.DONE, Status.FAILED)

#: A job queued (or claimed) this long ago that is not running on any worker has lost its task: queued again.
STALE_AFTER = dt.timedelta(hours=1)
#: A job whose worker stopped this many times (killed, out of memory) is failed instead of run again.
MAX_ATTEMPTS = 3


class Job(models.Model):
    """The columns every job has; a kind adds its upload (a file or bytes) and what it imports into."""

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0, help_text="how many times a worker claimed it")
    report = models.JSONField(default=dict, blank=True)
    problems = models.JSONField(default=list, blank=True, help_text="every bad row: row, column, problem")
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=clock.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    @property
    def summary(self) -> str:
        """One sentence on the outcome: the report's summary, or why nothing was written."""
        return self.error or (self.report or {}).get("summary", "")


class Refused(Exception):
    """The job cannot run and will not on another attempt (the reason is shown on the job)."""


Progress = Callable[..., None]


@dataclass(frozen=True)
class Kind:
    """How one kind of job runs.

    ``work(job, progress)`` imports the job's upload and returns its report (a dict); it raises
    :class:`~organiser.imports.ImportRejected` with every problem, :class:`Refused` with a reason, or an
    exception the job records as a failure (and re-raises, so the task's failure is logged).
    ``failures`` maps further exception types to the sentence the job shows for them.
    """

    model: type[Job]
    task: str
    work: Callable[[Job, Progress], dict]
    cleared: dict = field(default_factory=dict)
    stored_file: str | None = None
    failures: dict[type[Exception], Callable[[Exception], str]] = field(default_factory=dict)
    related: tuple[str, ...] = ()

    def queue(self, job_id: int) -> None:
        """Queue the job's task once the current transaction commits (robust: a broker down loses nothing)."""
        task_queue_on_commit(self.task, job_id)


def task_send(name: str, *args) -> None:
    """Queue the task called ``name``: through the task itself where this process has imported it (a worker, a
    test, with its options and eager mode), else by name to the broker (a web process need not import it)."""
    task = current_app.tasks.get(name)
    if task is not None:
        task.delay(*args)
    else:
        current_app.send_task(name, args=args)


def task_queue_on_commit(name: str, *args) -> None:
    """Queue the task ``name`` once the current transaction commits (at once outside one). Robust: with the broker
    down the change has committed all the same; the failure is logged and a periodic sweep queues it again."""
    transaction.on_commit(partial(task_send, name, *args), robust=True)


def _progress_key(job: Job) -> str:
    return f"jobs:{job._meta.label_lower}:{job.pk}:progress"


def progress_of(job: Job) -> dict | None:
    """How far a running job has got (``{"stage": ..., "rows": ...}``), or None when it is not running."""
    return cache.get(_progress_key(job)) if job.status == Status.RUNNING else None


def progress_set(job: Job, stage: str, rows: int | None = None) -> None:
    cache.set(_progress_key(job), {"stage": stage, "rows": rows}, timeout=3600)


def _claim(kind: Kind, job_id: int) -> Job | None:
    """Lock the job's row, waiting for any holder; mark it running (one more attempt) unless it has finished."""
    model = kind.model
    with transaction.atomic():
        job = model.objects.select_for_update(of=("self",)).select_related(*kind.related).filter(pk=job_id).first()
        if job is None or job.finished or job.status not in (Status.QUEUED, Status.RUNNING):
            return job
        job.status, job.started_at, job.attempts = Status.RUNNING, clock.now(), job.attempts + 1
        model.objects.filter(pk=job.pk).update(status=job.status, started_at=job.started_at, attempts=F("attempts") + 1)
        return job


def _finish(kind: Kind, job: Job, **outcome) -> None:
    """Record the outcome by an UPDATE, empty the upload, and delete the stored file once that commits."""
    job.finished_at = clock.now()
    for name, value in outcome.items():
        setattr(job, name, value)
    kind.model.objects.filter(pk=job.pk).update(finished_at=job.finished_at, **outcome, **kind.cleared)
    if kind.stored_file:
        stored = getattr(job, kind.stored_file)
        name, storage = stored.name, stored.storage
        if name:
            transaction.on_commit(lambda: storage.delete(name))


def run(kind: Kind, *, job_id: int) -> Job | None:
    """Run one job of ``kind`` through the lifecycle; returns the job (None when it no longer exists)."""
    job = _claim(kind, job_id)
    if job is None or job.status != Status.RUNNING:
        return job
    failure: Exception | None = None
    with transaction.atomic():
        # Held until the outcome commits: a second task for the job waits here and then finds it finished.
        if not kind.model.objects.select_for_update().filter(pk=job.pk, finished_at__isnull=True).exists():
            return kind.model.objects.filter(pk=job.pk).first()
        if job.attempts > MAX_ATTEMPTS:
            _finish(
                kind,
                job,
                status=Status.FAILED,
                error=f"The import stopped {job.attempts - 1} times before it finished.",
            )
            return job
        try:
            report = kind.work(job, partial(progress_set, job))
        except ImportRejected as rejected:
            outcome = {
                "status": Status.FAILED,
                "problems": [p.as_dict() for p in rejected.problems],
                "error": f"The file was not imported: {len(rejected.problems)} problem(s).",
            }
        except Refused as refused:
            outcome = {"status": Status.FAILED, "error": str(refused)}
        except Exception as error:  # the work's own transaction rolled back; this one can still say so
            explain = next((say for cls, say in kind.failures.items() if isinstance(error, cls)), None)
            if explain is None:
                failure = error
                outcome = {"status": Status.FAILED, "error": f"The import failed: {type(error).__name__}."}
            else:
                outcome = {"status": Status.FAILED, "error": explain(error)}
        else:
            outcome = {"status": Status.DONE, "report": report}
        _finish(kind, job, **outcome)
    cache.delete(_progress_key(job))
    if failure is not None:
        raise failure
    return job


def requeue_stale(kind: Kind, *, now: dt.datetime | None = None) -> int:
    """Queue again every job of ``kind`` whose task was lost (the periodic sweep); returns how many.

    Lost: still queued an hour after its upload, or claimed an hour ago and running on no worker (nobody holds
    its row; a running job's row is locked by its run). A job queued twice runs once: see :func:`run`.
    """
    now = now or clock.now()
    before = now - STALE_AFTER
    model = kind.model
    with transaction.atomic():
        queued = model.objects.filter(status=Status.QUEUED, created_at__lt=before)
        orphaned = model.objects.filter(status=Status.RUNNING, started_at__lt=before).select_for_update(
            skip_locked=True
        )
        ids = sorted({*queued.values_list("pk", flat=True), *orphaned.values_list("pk", flat=True)})
    for job_id in ids:
        kind.queue(job_id)
    return len(ids)


def jobs_delete(queryset, *, stored_file: str | None = None) -> int:
    """Delete these jobs with their stored files (a register's retention, a file left waiting too long for its
    mapping); returns how many."""
    found = list(queryset)
    if stored_file:
        for job in found:
            stored = getattr(job, stored_file)
            if stored:
                stored.delete(save=False)
    queryset.model.objects.filter(pk__in=[job.pk for job in found]).delete()
    return len(found)
