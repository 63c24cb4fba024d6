"""Admin upload: the job is queued after commit and a real Celery worker runs the import and keeps the report."""

from __future__ import annotations

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from campaigns.models import Candidacy, ImportJob
from campaigns.services.imports import election_for_slug
from campaigns.services.jobs import import_job_create, import_job_run
from tests.campaigns import files
from tests.conftest import logged_in_client


def wait_for(job: ImportJob, timeout: float = 60) -> ImportJob:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in (ImportJob.Status.DONE, ImportJob.Status.FAILED):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job still {job.status}")


@pytest.mark.worker
def test_worker_runs_uploaded_imports_and_keeps_reports(celery_worker, national_organiser):
    election = election_for_slug("parl.2024-07-04")
    job = import_job_create(
        user=national_organiser, kind="results", filename="c.csv", data=files.candidate_csv(), election=election
    )
    job = wait_for(job)
    assert job.status == ImportJob.Status.DONE and job.attempts == 1
    assert bytes(job.data) == b""  # the upload is emptied once the job finishes
    assert job.report["tables"]["candidacies"]["created"] == 6
    assert Candidacy.objects.count() == 6

    rows = files.candidate_rows()
    rows[0][18] = "many"
    bad = import_job_create(
        user=national_organiser,
        kind="results",
        filename="bad.csv",
        data=files.to_csv(files.CANDIDATE_HEADER, rows).encode(),
        election=election,
    )
    bad = wait_for(bad)
    assert bad.status == ImportJob.Status.FAILED
    assert bad.problems == [{"row": 2, "column": "Votes", "problem": "'many' is not a number"}]
    assert bad.error == "The file was not imported: 1 problem(s)." and bytes(bad.data) == b""


@pytest.mark.django_db
def test_admin_upload_creates_a_job_and_shows_its_report(national_organiser, django_capture_on_commit_callbacks):
    election = election_for_slug("parl.2024-07-04")
    client = logged_in_client(national_organiser)
    upload = SimpleUploadedFile("candidates.csv", files.candidate_csv(), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(
            "/admin/campaigns/importjob/add/", {"kind": "results", "election": election.pk, "upload": upload}
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert len(queued) == 1  # its task, once the upload commits (a real worker runs it above)
    job = ImportJob.objects.get()
    assert client.get(f"/admin/campaigns/importjob/{job.pk}/change/").content.decode().count("Waiting for the importer")
    import_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    page = client.get(f"/admin/campaigns/importjob/{job.pk}/change/").content.decode()
    assert "candidacies: 6 created" in page


@pytest.mark.django_db
def test_a_job_whose_task_was_lost_is_queued_again_after_an_hour(
    national_organiser, django_capture_on_commit_callbacks
):
    """The broker was down at the upload (or lost the task): the periodic sweep queues the job again."""
    import datetime as dt

    from campaigns.services.jobs import import_jobs_requeue_stale
    from organiser import clock
    from organiser.celery import collect_beat_schedule

    election = election_for_slug("parl.2024-07-04")
    with django_capture_on_commit_callbacks(execute=False):
        job = import_job_create(
            user=national_organiser, kind="results", filename="c.csv", data=files.candidate_csv(), election=election
        )
    assert import_jobs_requeue_stale() == 0  # just uploaded: its task is on its way
    later = clock.now() + dt.timedelta(hours=2)
    with django_capture_on_commit_callbacks() as callbacks:
        assert import_jobs_requeue_stale(now=later) == 1
    assert len(callbacks) == 1
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.DONE)
    assert import_jobs_requeue_stale(now=later) == 0
    schedule = {entry["task"]: entry for entry in collect_beat_schedule().values()}
    assert schedule["campaigns.tasks.requeue_stale_import_jobs"]["options"]["expires"] > 0
