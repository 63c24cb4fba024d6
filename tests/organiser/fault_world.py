"""The data of the fault tests, written into the database the environment names (``DATABASE_URL``: the fault
tests' own embedded PostgreSQL), by a process of its own: ``python -m tests.organiser.fault_world <command>``.

- ``world``: a seat, a shift far enough ahead, volunteers with email consent and a session each, an endorsed
  candidate's campaign with a small register and a canvasser, a second campaign with an empty register and
  its agent; printed as one JSON object.
- ``queue-register-import <campaign>``: store a synthetic register file for that campaign and queue its import
  job (as the import page does); prints the job's id.
- ``queue-results-import``: an admin upload of a results file, queued as an import job; prints its id.
- ``sweep <hours>``: run messaging's periodic re-queue as it would run ``hours`` from now (the rows a lost task
  left pending are queued again); prints how many.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.organiser.fault_settings")

import django

django.setup()

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import transaction  # noqa: E402

from organiser import clock  # noqa: E402

VOLUNTEERS = 80
REGISTER_ELECTORS = 80
IMPORT_ELECTORS = 3000


def session_for(user) -> str:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return session.session_key


def world() -> dict:
    from campaigns.models import Constituency
    from campaigns.services.imports import election_for_slug
    from canvassing.models import Elector, GrantLevel
    from canvassing.register_import import register_import
    from canvassing.services import register_grant_create
    from tests.canvassing.conftest import make_campaign, synthetic_register
    from tests.conftest import PASSWORD, make_user
    from tests.messaging.conftest import volunteer_with_consent
    from tests.volunteers.factories import ShiftFactory
    from volunteers.models import Role

    election = election_for_slug("parl.2024-07-04")
    seat = Constituency.objects.create(code="E14001300", name="Ilford North", nation="England", region_name="London")
    other_seat = Constituency.objects.create(code="E14001102", name="Blackburn", nation="England")
    starts = clock.now() + dt.timedelta(days=3)
    shift = ShiftFactory(
        constituency=seat, starts_at=starts, ends_at=starts + dt.timedelta(hours=3), capacity=1000, minimum=0
    )
    volunteers = [volunteer_with_consent() for _ in range(VOLUNTEERS)]
    polling_day = clock.today() + dt.timedelta(days=60)
    campaign = make_campaign(election, seat, polling_day=polling_day)
    register_import(campaign=campaign, file=synthetic_register(REGISTER_ELECTORS, seed=11), user=campaign.agent)
    canvasser = make_user(Role.VOLUNTEER, mfa=True)  # a grantee without an authenticator holds nothing
    register_grant_create(campaign=campaign, user=canvasser, level=GrantLevel.CANVASSER, granted_by=campaign.agent)
    empty_campaign = make_campaign(election, other_seat, polling_day=polling_day)
    third_seat = Constituency.objects.create(code="E14001063", name="Aldershot", nation="England")
    outage_campaign = make_campaign(election, third_seat, polling_day=polling_day)
    login_target = make_user(Role.VOLUNTEER, email="login-target@example.org")
    return {
        "shift": shift.pk,
        "volunteers": [{"id": v.pk, "session": session_for(v)} for v in volunteers],
        "campaign": campaign.pk,
        "electors": list(Elector.objects.filter(campaign=campaign).order_by("pk").values_list("pk", flat=True)),
        "canvasser": session_for(canvasser),
        "empty_campaign": empty_campaign.pk,
        "outage_campaign": outage_campaign.pk,
        "outage_agent": session_for(outage_campaign.agent),
        "login": {"email": login_target.email, "password": PASSWORD},
        "import_electors": IMPORT_ELECTORS,
    }


def queue_register_import(campaign_id: int) -> int:
    from canvassing.import_jobs import register_import_job_create
    from canvassing.models import CandidateCampaign
    from tests.canvassing.conftest import synthetic_register

    campaign = CandidateCampaign.objects.get(pk=campaign_id)
    upload = SimpleUploadedFile("register.csv", synthetic_register(IMPORT_ELECTORS, seed=12).read(), "text/csv")
    with transaction.atomic():
        job = register_import_job_create(campaign=campaign, user=campaign.agent, upload=upload)
    return job.pk


def queue_results_import() -> int:
    """An organiser's upload of a results file by constituency (two seats, one of them new), queued."""
    from campaigns.models import ImportJob
    from campaigns.services.imports import election_for_slug
    from campaigns.services.jobs import import_job_create
    from tests.campaigns import files

    job = import_job_create(
        user=None,
        kind=ImportJob.Kind.RESULTS,
        filename="by-constituency.csv",
        data=files.constituency_csv(),
        election=election_for_slug("parl.2024-07-04"),
    )
    return job.pk


def sweep(hours: float) -> dict:
    """The periodic sweeps, as they run ``hours`` from now: what each queued again."""
    from campaigns.services.jobs import import_jobs_requeue_stale
    from canvassing.import_jobs import register_import_jobs_requeue_stale
    from messaging.reminders import outbox_requeue_stale

    now = clock.now() + dt.timedelta(hours=hours)
    return {
        "messages": outbox_requeue_stale(now=now),
        "import_jobs": import_jobs_requeue_stale(now=now),
        "register_import_jobs": register_import_jobs_requeue_stale(now=now),
    }


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "world":
        print(json.dumps(world()))
    elif command == "queue-register-import":
        print(json.dumps(queue_register_import(int(sys.argv[2]))))
    elif command == "queue-results-import":
        print(json.dumps(queue_results_import()))
    elif command == "sweep":
        print(json.dumps(sweep(float(sys.argv[2]))))
    else:
        raise SystemExit(__doc__)
