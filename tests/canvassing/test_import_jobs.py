"""Register imports in the background: the page stores the file and queues a job a real Celery worker runs;
the job page shows status and every bad row; the stored file is gone once the job finishes or the register is
destroyed; nobody without a grant sees a job."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from canvassing import services
from canvassing.import_jobs import register_import_job_create, register_import_job_run
from canvassing.models import AccessLog, Elector, GrantLevel, RegisterImportJob
from tests.canvassing.conftest import grant, synthetic_register
from tests.conftest import logged_in_client, make_user
from volunteers.models import Role

BAD = (
    "Elector Number Prefix,Elector Number,Elector Name,PostCode\r\n"
    'KB,1,"Able, Ann",IG1 1AA\r\n'
    'KB,,"Bell, Bo",IG1 1AB\r\n'
    'KB,3,"Cole, Cy",XX\r\n'
    'KB,4,"Dean, Di",IG1 1AD\r\n'
    'KB,4,"Dean, Dan",IG1 1AD\r\n'
)


def wait_for(job: RegisterImportJob, timeout: float = 60) -> RegisterImportJob:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.finished:
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job.pk} still {job.status} after {timeout} s")


@pytest.fixture
def organiser(campaign, seat_a):
    return grant(campaign, GrantLevel.ORGANISER, Role.SEAT_ORGANISER, seats=(seat_a,), mfa=True)


@pytest.mark.django_db(transaction=True)
def test_an_upload_is_imported_by_the_worker_and_its_file_deleted(celery_worker, campaign, organiser):
    client = logged_in_client(organiser)
    upload = SimpleUploadedFile("register.csv", synthetic_register(500, seed=4).getvalue(), "text/csv")
    response = client.post(reverse("canvassing:import", args=[campaign.pk]), {"file": upload})
    job = RegisterImportJob.objects.get(campaign=campaign)
    assert response.status_code == 302
    assert response.url == reverse("canvassing:import_job", args=[campaign.pk, job.pk])
    stored = Path(job.file.path)
    wait_for(job)
    assert job.status == RegisterImportJob.Status.DONE, job.error
    assert job.report["rows"] == 500 and job.report["created"] == 500
    assert Elector.objects.filter(campaign=campaign).count() == 500
    assert not stored.exists() and not job.file
    assert AccessLog.objects.filter(campaign=campaign, action="import", user=organiser, electors=500).exists()

    page = client.get(response.url)
    assert b"Status: Done" in page.content and b"500 added" in page.content
    assert b"hx-trigger" not in page.content  # finished: no more polling
    assert AccessLog.objects.filter(campaign=campaign, action="view", detail__import_job=job.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_a_bad_file_reports_every_bad_row_writes_nothing_and_is_deleted(celery_worker, campaign, organiser):
    client = logged_in_client(organiser)
    upload = SimpleUploadedFile("bad.csv", BAD.encode(), "text/csv")
    response = client.post(reverse("canvassing:import", args=[campaign.pk]), {"file": upload})
    job = RegisterImportJob.objects.get(campaign=campaign)
    stored = Path(job.file.path)
    wait_for(job)
    assert job.status == RegisterImportJob.Status.FAILED
    assert [(p["row"], p["problem"]) for p in job.problems] == [
        (3, "missing elector number"),
        (4, "malformed postcode 'XX'"),
        (6, "duplicate elector number KB-4 (first on row 5)"),
    ]
    assert not Elector.objects.filter(campaign=campaign).exists()
    assert not stored.exists() and not job.file

    page = client.get(response.url).content.decode()
    assert "Status: Failed" in page and "Nothing was written" in page
    for problem in job.problems:
        assert escape(problem["problem"]) in page


@pytest.mark.django_db(transaction=True)
def test_nobody_without_a_grant_sees_a_job(campaign, organiser, seat_a):
    job = RegisterImportJob.objects.create(campaign=campaign, created_by=organiser, filename="r.csv")
    url = reverse("canvassing:import_job", args=[campaign.pk, job.pk])
    assert logged_in_client(organiser).get(url).status_code == 200
    for outsider in (
        make_user(Role.NATIONAL_ORGANISER, mfa=True),
        make_user(Role.SEAT_ORGANISER, seats=(seat_a,), mfa=True),
        make_user(Role.VOLUNTEER),
    ):
        assert logged_in_client(outsider).get(url).status_code == 404
    # A canvasser is granted but does not organise: no import pages.
    assert logged_in_client(grant(campaign)).get(url).status_code == 403


def test_a_running_job_polls_and_shows_progress(campaign, organiser):
    from django.core.cache import cache

    from organiser import jobs

    job = RegisterImportJob.objects.create(
        campaign=campaign, created_by=organiser, filename="r.csv", status=RegisterImportJob.Status.RUNNING
    )
    jobs.progress_set(job, "reading", 262144)
    client = logged_in_client(organiser)
    url = reverse("canvassing:import_job", args=[campaign.pk, job.pk])
    page = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 3s"' in page and "Reading: 262144 rows so far" in page
    assert "<html" not in page  # the status part only
    cache.delete(jobs._progress_key(job))


def test_retention_deletes_waiting_files_and_jobs(campaign, organiser, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        job = register_import_job_create(
            campaign=campaign, user=organiser, upload=SimpleUploadedFile("r.csv", b"Elector Number\r\n")
        )
    stored = Path(job.file.path)
    assert stored.exists()
    services.registers_destroy_expired(today=campaign.retention_date)
    assert not stored.exists() and not RegisterImportJob.objects.exists()
    assert register_import_job_run(job_id=job.pk) is None  # its task, queued before, finds nothing to do


def test_a_job_destroyed_while_it_runs_does_not_come_back(campaign, organiser, monkeypatch):
    from canvassing import import_jobs
    from organiser import jobs
    from organiser.imports import ImportRejected, Problem

    job = RegisterImportJob(campaign=campaign, created_by=organiser, filename="r.csv")
    job.file.save("r.csv", SimpleUploadedFile("r.csv", b"Elector Number\r\n"), save=True)

    def destroyed_meanwhile(**kwargs):
        jobs.jobs_delete(RegisterImportJob.objects.filter(campaign=campaign), stored_file="file")
        raise ImportRejected([Problem(2, None, "missing elector number")])

    monkeypatch.setattr(import_jobs, "register_import", destroyed_meanwhile)
    register_import_job_run(job_id=job.pk)
    assert not RegisterImportJob.objects.exists()


def _upload(client, campaign, content: bytes, name: str = "register.csv"):
    return client.post(
        reverse("canvassing:import", args=[campaign.pk]), {"file": SimpleUploadedFile(name, content, "text/csv")}
    )


def test_utf16_and_empty_uploads_are_refused_on_the_form_with_what_to_do(campaign, organiser):
    client = logged_in_client(organiser)
    utf16 = _upload(client, campaign, synthetic_register(5).getvalue().decode().encode("utf-16"))
    assert utf16.status_code == 200
    assert "save the file as CSV UTF-8" in utf16.content.decode()
    empty = _upload(client, campaign, b"\r\n")
    assert empty.status_code == 200 and "the file is empty" in empty.content.decode()
    assert not RegisterImportJob.objects.exists()


def test_a_cr_only_upload_is_queued(campaign, organiser, django_capture_on_commit_callbacks):
    client = logged_in_client(organiser)
    content = synthetic_register(5).getvalue().replace(b"\r\n", b"\r")
    with django_capture_on_commit_callbacks() as queued:
        response = _upload(client, campaign, content)
    job = RegisterImportJob.objects.get(campaign=campaign)
    assert response.status_code == 302 and response.url == reverse("canvassing:import_job", args=[campaign.pk, job.pk])
    assert len(queued) == 1
    job.file.delete(save=False)


def test_an_upload_over_the_stated_limit_is_refused_with_the_limit(campaign, organiser, settings):
    settings.REGISTER_UPLOAD_MAX_MB = 1
    client = logged_in_client(organiser)
    page = client.get(reverse("canvassing:import", args=[campaign.pk])).content.decode()
    assert "up to 1 MB" in page
    response = _upload(client, campaign, synthetic_register(5).getvalue() + b"x" * (1024 * 1024))
    assert response.status_code == 200
    assert "the most a register upload may be is 1 MB" in response.content.decode()
    assert not RegisterImportJob.objects.exists()


def test_a_job_whose_task_was_lost_is_queued_again_after_an_hour(
    campaign, organiser, django_capture_on_commit_callbacks
):
    """The broker was down at the upload (or lost the task): the periodic sweep queues the job again."""
    import datetime as dt

    from canvassing.import_jobs import register_import_jobs_requeue_stale
    from organiser import clock
    from organiser.celery import collect_beat_schedule

    with django_capture_on_commit_callbacks(execute=False):
        job = register_import_job_create(
            campaign=campaign, user=organiser, upload=SimpleUploadedFile("r.csv", b"Elector Number\r\n")
        )
    assert register_import_jobs_requeue_stale() == 0  # just uploaded: its task is on its way
    later = clock.now() + dt.timedelta(hours=2)
    with django_capture_on_commit_callbacks() as callbacks:
        assert register_import_jobs_requeue_stale(now=later) == 1
    assert len(callbacks) == 1
    RegisterImportJob.objects.filter(pk=job.pk).update(status=RegisterImportJob.Status.RUNNING)
    assert register_import_jobs_requeue_stale(now=later) == 0  # started: its worker (or redelivery) has it
    schedule = {entry["task"]: entry for entry in collect_beat_schedule().values()}
    assert schedule["canvassing.tasks.requeue_stale_register_import_jobs"]["options"]["expires"] > 0


def test_a_register_job_runs_the_one_lifecycle_and_its_file_goes(
    campaign, organiser, django_capture_on_commit_callbacks
):
    """organiser.jobs runs it as it runs a results import: claimed once, done by an update, the file gone."""
    from organiser import jobs

    with django_capture_on_commit_callbacks(execute=False):
        job = register_import_job_create(
            campaign=campaign,
            user=organiser,
            upload=SimpleUploadedFile("r.csv", synthetic_register(20, seed=3).getvalue(), "text/csv"),
        )
    stored = job.file.path
    with django_capture_on_commit_callbacks(execute=True):
        ran = register_import_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert ran.status == job.status == jobs.Status.DONE and job.attempts == 1 and job.report["created"] == 20
    assert not job.file and not Path(stored).exists()
    assert jobs.progress_of(job) is None
