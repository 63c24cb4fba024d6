"""The one job lifecycle (organiser.jobs), seen through both kinds: a redelivered job that a dead worker left
running runs again, a job that stopped too often fails with why, the sweep recovers a claim nobody holds and
leaves one a live worker holds, and the upload is emptied once the job finishes. (Killing a real worker mid-job,
for each kind, is tests/organiser/test_faults.py.)"""

from __future__ import annotations

import datetime as dt

import psycopg
import pytest
from django.db import connection

from campaigns.models import Candidacy, ImportJob
from campaigns.services.imports import election_for_slug
from campaigns.services.jobs import RESULTS, import_job_run, import_jobs_requeue_stale
from organiser import clock, jobs
from tests.campaigns import files


def _results_job(user) -> ImportJob:
    election = election_for_slug("parl.2024-07-04")
    return ImportJob.objects.create(
        kind="results", filename="c.csv", data=files.candidate_csv(), election=election, created_by=user
    )


@pytest.mark.django_db
def test_a_job_a_dead_worker_left_running_runs_again_once(national_organiser):
    job = _results_job(national_organiser)
    ImportJob.objects.filter(pk=job.pk).update(status=jobs.Status.RUNNING, attempts=1, started_at=clock.now())
    ran = import_job_run(job_id=job.pk)
    assert ran.status == jobs.Status.DONE and ran.attempts == 2
    assert Candidacy.objects.count() == 6
    again = import_job_run(job_id=job.pk)  # a duplicated message finds it finished
    assert again.status == jobs.Status.DONE and again.attempts == 2 and Candidacy.objects.count() == 6
    job.refresh_from_db()
    assert bytes(job.data) == b"" and job.finished_at is not None and job.report["tables"]["candidacies"]


@pytest.mark.django_db
def test_a_job_whose_worker_stopped_too_often_fails_with_why(national_organiser):
    job = _results_job(national_organiser)
    ImportJob.objects.filter(pk=job.pk).update(status=jobs.Status.RUNNING, attempts=jobs.MAX_ATTEMPTS)
    ran = import_job_run(job_id=job.pk)
    assert ran.status == jobs.Status.FAILED
    assert ran.error == f"The import stopped {jobs.MAX_ATTEMPTS} times before it finished."
    assert not Candidacy.objects.exists()
    job.refresh_from_db()
    assert job.status == jobs.Status.FAILED and bytes(job.data) == b""


@pytest.mark.django_db(transaction=True)
def test_the_sweep_recovers_a_claim_nobody_holds_and_leaves_a_held_one(national_organiser, monkeypatch):
    queued: list[tuple[str, int]] = []
    monkeypatch.setattr(jobs, "task_send", lambda task, job_id: queued.append((task, job_id)))
    orphan, held = _results_job(national_organiser), _results_job(national_organiser)
    claimed = clock.now() - dt.timedelta(hours=2)
    ImportJob.objects.filter(pk__in=[orphan.pk, held.pk]).update(
        status=jobs.Status.RUNNING, attempts=1, started_at=claimed
    )
    settings = connection.settings_dict
    with psycopg.connect(
        dbname=settings["NAME"], user=settings["USER"], host=settings["HOST"], port=settings["PORT"] or 5432
    ) as live_worker:
        # A live run holds its job's row until the outcome commits.
        live_worker.execute("SELECT 1 FROM campaigns_importjob WHERE id = %s FOR UPDATE", [held.pk])
        assert import_jobs_requeue_stale() == 1
    assert queued == [(RESULTS.task, orphan.pk)]
    queued.clear()
    assert import_jobs_requeue_stale(now=claimed + dt.timedelta(minutes=30)) == 0  # claimed just now: not stale
    assert queued == []
