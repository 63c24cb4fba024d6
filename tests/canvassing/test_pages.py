"""Pages, admin, API and exports: only users granted on the campaign see any register data, by any route;
every view and export is logged; list pages run a fixed number of queries whatever their rows."""

from __future__ import annotations

import os
import re
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.tokens import token_create
from canvassing import services
from canvassing.import_jobs import register_import_job_run
from canvassing.models import (
    AccessLog,
    CanvassResponse,
    Elector,
    GrantLevel,
    PollingDistrict,
    RegisterImportJob,
    SurveyQuestion,
    WalkList,
)
from tests.canvassing.conftest import csv_file, grant, load_register
from tests.conftest import logged_in_client, make_user
from volunteers.models import Role


@pytest.fixture
def world(campaign, seat_a):
    """A campaign with a register and lists; an organiser and a canvasser granted; everyone else not."""
    load_register(campaign, 400, seed=3)
    services.walk_lists_cut(campaign=campaign, doors=25, user=campaign.agent)
    organiser = grant(campaign, GrantLevel.ORGANISER, Role.SEAT_ORGANISER, seats=(seat_a,), mfa=True)
    canvasser = grant(campaign)
    walk_list = WalkList.objects.filter(campaign=campaign).order_by("sequence").first()
    services.walk_list_assign(walk_list=walk_list, volunteer=canvasser, user=walk_list.campaign.agent)
    elector = Elector.objects.filter(campaign=campaign).first()
    return {
        "campaign": campaign,
        "organiser": organiser,
        "canvasser": canvasser,
        "walk_list": walk_list,
        "elector": elector,
        "district": PollingDistrict.objects.get(campaign=campaign),
        # Without a grant, whatever their role: a national organiser, the seat's own seat organiser, a volunteer.
        "outsiders": [
            make_user(Role.NATIONAL_ORGANISER, mfa=True),
            make_user(Role.SEAT_ORGANISER, seats=(seat_a,), mfa=True),
            make_user(Role.VOLUNTEER),
        ],
    }


def register_urls(world) -> list[str]:
    c, wl, e = world["campaign"].pk, world["walk_list"].pk, world["elector"]
    return [
        reverse("canvassing:register", args=[c]),
        reverse("canvassing:register_export", args=[c]),
        reverse("canvassing:walk_list", args=[wl]),
        reverse("canvassing:walk_list_data", args=[wl]),
        reverse("canvassing:knock_up", args=[c, "KA"]),
        reverse("canvassing:postal_chase", args=[c]),
        reverse("canvassing:flagged", args=[c]),
        reverse("admin:canvassing_elector_changelist"),
        reverse("admin:canvassing_elector_change", args=[e.pk]),
        f"/api/v1/canvassing/electors/?campaign={c}",
        f"/api/v1/canvassing/electors/{e.pk}/",
    ]


def test_granted_organiser_sees_each_route_and_each_is_logged(world):
    client = logged_in_client(world["organiser"])
    for url in register_urls(world):
        before = AccessLog.objects.count()
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert body, url
        log = AccessLog.objects.order_by("-pk").first()
        assert AccessLog.objects.count() > before, f"{url} was not logged"
        assert log.user == world["organiser"] and log.campaign == world["campaign"]
        assert log.action == ("export" if url.endswith(".csv") else "view")
    export = AccessLog.objects.get(action="export")
    assert export.electors == 400


@pytest.mark.parametrize("who", [0, 1, 2])
def test_no_grant_no_register_by_any_route(world, who):
    user = world["outsiders"][who]
    client = logged_in_client(user)
    for url in register_urls(world):
        response = client.get(url)
        if url.startswith("/admin/"):
            if user.is_staff and url.endswith("/change/"):
                assert response.status_code == 302, url  # "does not exist" (it is out of scope)
            elif user.is_staff:
                assert response.status_code == 200 and b"0 electors" in response.content, url
            else:
                assert response.status_code == 302, url  # to the admin login
        elif url.startswith("/api/"):
            assert response.status_code == 404 or response.json()["count"] == 0, url
        else:
            assert response.status_code == 404, url
    _token, key = token_create(user=user, owner=user)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/canvassing/walk-lists/").json()["count"] == 0
    assert not AccessLog.objects.filter(user=user).exists()
    assert logged_in_client(user).get(reverse("canvassing:campaign", args=[world["campaign"].pk])).status_code == 404


def test_canvasser_sees_only_their_own_lists_not_the_register(world):
    client = logged_in_client(world["canvasser"])
    c = world["campaign"].pk
    for name in ("canvassing:register", "canvassing:register_export", "canvassing:postal_chase", "canvassing:import"):
        assert client.get(reverse(name, args=[c])).status_code == 403, name
    assert client.get(f"/api/v1/canvassing/electors/?campaign={c}").json()["count"] == 0
    mine = world["walk_list"]
    other = WalkList.objects.exclude(pk=mine.pk).first()
    assert client.get(reverse("canvassing:walk_list_data", args=[mine.pk])).status_code == 200
    assert client.get(reverse("canvassing:walk_list_data", args=[other.pk])).status_code == 404
    assert client.get(reverse("canvassing:doorstep", args=[mine.pk])).status_code == 200
    page = client.get(reverse("canvassing:my_lists"))
    assert mine.name.encode() in page.content and other.name.encode() not in page.content
    # Tellers are canvassers too.
    response = client.post(
        reverse("canvassing:polling_day", args=[c]),
        {"polling_district": world["district"].pk, "numbers": f"{world['elector'].number}, ZZ-1"},
    )
    assert b"1</strong> recorded" in response.content and b"not in polling district" in response.content


def test_the_export_neutralises_formulas(world):
    Elector.objects.filter(pk=world["elector"].pk).update(surname="=HYPERLINK(1)")
    response = logged_in_client(world["organiser"]).get(
        reverse("canvassing:register_export", args=[world["campaign"].pk])
    )
    assert b"'=HYPERLINK(1)" in b"".join(response.streaming_content)


def test_upload_of_an_unknown_layout_keeps_the_file_prefills_a_mapping_and_saves_it(world):
    client = logged_in_client(world["organiser"])
    url = reverse("canvassing:import", args=[world["campaign"].pk])
    text = "District,No,Family,Given,Post code\r\nKC,1,Lee,Li,IG1 1AA\r\n"
    upload = csv_file(text)
    upload.name = "odd.csv"
    response = client.post(url, {"file": upload})
    job = RegisterImportJob.objects.get(campaign=world["campaign"])
    mapping = reverse("canvassing:import_mapping", args=[world["campaign"].pk, job.pk])
    assert response.status_code == 302 and response.url == mapping
    assert job.status == RegisterImportJob.Status.MAPPING and job.file  # kept: not chosen again
    page = client.get(mapping).content.decode()
    assert "Which column holds what?" in page and "odd.csv" in page and "you do not need to choose it again" in page
    # What it recognised is chosen already (the form's selects come filled in).
    for field, header in (("polling_district", "District"), ("surname", "Family"), ("forenames", "Given")):
        assert re.search(rf'name="map_{field}"[^>]*>.*?<option value="{header}" selected>', page, re.S), field
    assert re.search(r'name="map_postcode"[^>]*>.*?<option value="Post code" selected>', page, re.S)
    response = client.post(
        mapping,
        {
            "name": "Odd council",
            "map_polling_district": "District",
            "map_number": "No",
            "map_surname": "Family",
            "map_forenames": "Given",
            "map_postcode": "Post code",
        },
    )
    assert response.status_code == 302 and response.url == reverse(
        "canvassing:import_job", args=[world["campaign"].pk, job.pk]
    )
    job.refresh_from_db()
    assert job.status == RegisterImportJob.Status.QUEUED
    register_import_job_run(job_id=job.pk)  # on a worker in test_import_jobs.py
    assert Elector.objects.get(campaign=world["campaign"], polling_district__code="KC").surname == "Lee"


def test_a_file_waiting_for_its_mapping_can_be_discarded(world, django_capture_on_commit_callbacks):
    client = logged_in_client(world["organiser"])
    upload = csv_file("A,B\r\n1,2\r\n")
    upload.name = "mystery.csv"
    client.post(reverse("canvassing:import", args=[world["campaign"].pk]), {"file": upload})
    job = RegisterImportJob.objects.get(campaign=world["campaign"])
    stored = job.file.path
    mapping = reverse("canvassing:import_mapping", args=[world["campaign"].pk, job.pk])
    # A mapping that still has no elector number is refused with the reason, and the job waits.
    response = client.post(mapping, {"name": "x", "map_surname": "A"})
    assert "Still no column for elector number" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=False) as deletions:
        response = client.post(mapping, {"action": "discard"})
    assert response.status_code == 302
    assert not RegisterImportJob.objects.filter(pk=job.pk).exists()
    assert os.path.exists(stored), "the file stays until the discard commits"
    for deletion in deletions:
        deletion()
    assert not os.path.exists(stored)


def test_a_mapping_page_whose_file_is_gone_says_so_and_drops_the_job(world):
    client = logged_in_client(world["organiser"])
    upload = csv_file("A,B\r\n1,2\r\n")
    upload.name = "vanished.csv"
    client.post(reverse("canvassing:import", args=[world["campaign"].pk]), {"file": upload})
    job = RegisterImportJob.objects.get(campaign=world["campaign"])
    os.remove(job.file.path)
    response = client.get(reverse("canvassing:import_mapping", args=[world["campaign"].pk, job.pk]), follow=True)
    assert response.status_code == 200
    assert "The stored copy of vanished.csv is gone" in response.content.decode()
    assert not RegisterImportJob.objects.filter(pk=job.pk).exists()


def test_cut_merge_split_and_assign_from_the_page(world):
    client = logged_in_client(world["organiser"])
    c = world["campaign"]
    response = client.post(reverse("canvassing:walk_lists", args=[c.pk]), {"doors": 40, "polling_district": ""})
    assert response.status_code == 302
    first, second = WalkList.objects.filter(campaign=c).order_by("sequence")[:2]
    client.post(reverse("canvassing:walk_lists_merge", args=[c.pk]), {"lists": [first.pk, second.pk]})
    assert not WalkList.objects.filter(pk=second.pk).exists()
    client.post(reverse("canvassing:walk_list_split", args=[first.pk]))
    assert WalkList.objects.filter(campaign=c, sequence=first.sequence).count() == 2
    client.post(reverse("canvassing:walk_list_assign", args=[first.pk]), {"volunteer": world["canvasser"].pk})
    first.refresh_from_db()
    assert first.volunteer == world["canvasser"]


def test_api_batch_upload_is_idempotent(world):
    api = APIClient()
    api.force_authenticate(world["canvasser"])
    entries = [
        {"id": str(uuid.uuid4()), "elector": world["elector"].pk, "outcome": "spoke", "intention": "C"},
        {"id": str(uuid.uuid4()), "elector": world["elector"].pk, "outcome": "not_home"},
    ]
    first = api.post("/api/v1/canvassing/responses/", {"entries": entries}, format="json")
    again = api.post("/api/v1/canvassing/responses/", {"entries": entries}, format="json")
    assert first.status_code == again.status_code == 200
    assert sorted(again.json()["accepted"]) == sorted(e["id"] for e in entries)
    assert CanvassResponse.objects.count() == 2
    assert api.post("/api/v1/canvassing/responses/", {"entries": []}, format="json").status_code == 400
    assert APIClient().post("/api/v1/canvassing/responses/", {"entries": entries}, format="json").status_code in (
        401,
        403,
    )


def test_api_checks_survey_answers_per_answer_and_keeps_the_good_entries(world):
    SurveyQuestion.objects.update_or_create(
        campaign=world["campaign"],
        key="issue",
        defaults={"text": "Main issue?", "kind": "choice", "choices": ["Housing"]},
    )
    api = APIClient()
    api.force_authenticate(world["canvasser"])
    good = {
        "id": str(uuid.uuid4()),
        "elector": world["elector"].pk,
        "outcome": "spoke",
        "answers": {"issue": "Housing"},
    }
    bad = {"id": str(uuid.uuid4()), "elector": world["elector"].pk, "outcome": "spoke", "answers": {"issue": "Tax"}}
    batch = api.post("/api/v1/canvassing/responses/", {"entries": [good, bad]}, format="json")
    assert batch.status_code == 200
    assert batch.json()["accepted"] == [good["id"]]
    assert batch.json()["rejected"] == [
        {
            "id": bad["id"],
            "reason": "survey answers not valid",
            "answers": {"issue": "'Tax' is not one of the choices: Housing"},
        }
    ]
    single = api.post("/api/v1/canvassing/responses/", bad, format="json")
    assert single.status_code == 400
    assert single.json()["answers"] == {"issue": "'Tax' is not one of the choices: Housing"}
    assert api.post("/api/v1/canvassing/responses/", good, format="json").status_code == 200  # a resend: stored once
    assert list(CanvassResponse.objects.values_list("client_id", flat=True)) == [uuid.UUID(good["id"])]


def test_service_worker_is_served_for_the_canvass_scope(client):
    response = client.get(reverse("canvassing:service_worker"))
    assert response.status_code == 200 and response["Service-Worker-Allowed"] == "/"
    assert response["Content-Type"].startswith("text/javascript")


# --- pinned query counts: constant in the number of rows ------------------------------------------------------


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    if response.streaming:
        b"".join(response.streaming_content)
    return len(queries)


# Session, user, the grant, the page's own reads and (where elector data is shown) the access-log row.
PINNED = {
    "progress": 5,
    "register": 7,
    "walk lists": 11,
    "walk list small": 7,
    "walk list big": 7,
    "data small": 8,
    "data big": 8,
    "knock-up": 6,
    "postal chase": 5,
    "access log": 5,
    "flagged": 5,
}


def test_list_pages_run_a_fixed_number_of_queries(campaign, seat_a):
    load_register(campaign, 300, seed=5)
    organiser = grant(campaign, GrantLevel.ORGANISER, Role.SEAT_ORGANISER, seats=(seat_a,), mfa=True)
    canvasser = grant(campaign)
    client = logged_in_client(organiser)

    def pages():
        wl_small, wl_big = (
            WalkList.objects.filter(campaign=campaign).order_by("electors_count").first(),
            WalkList.objects.filter(campaign=campaign).order_by("-electors_count").first(),
        )
        for wl in (wl_small, wl_big):
            services.walk_list_assign(walk_list=wl, volunteer=canvasser, user=wl.campaign.agent)
        entries = [
            {"id": str(uuid.uuid4()), "elector": e.pk, "outcome": "spoke", "intention": "C"}
            for e in Elector.objects.filter(campaign=campaign)[: Elector.objects.filter(campaign=campaign).count() // 2]
        ]
        services.responses_record(user=canvasser, entries=entries)
        return {
            "progress": reverse("canvassing:campaign", args=[campaign.pk]),
            "register": reverse("canvassing:register", args=[campaign.pk]),
            "walk lists": reverse("canvassing:walk_lists", args=[campaign.pk]),
            "walk list small": reverse("canvassing:walk_list", args=[wl_small.pk]),
            "walk list big": reverse("canvassing:walk_list", args=[wl_big.pk]),
            "data small": reverse("canvassing:walk_list_data", args=[wl_small.pk]),
            "data big": reverse("canvassing:walk_list_data", args=[wl_big.pk]),
            "knock-up": reverse("canvassing:knock_up", args=[campaign.pk, "KA"]),
            "postal chase": reverse("canvassing:postal_chase", args=[campaign.pk]),
            "access log": reverse("canvassing:access_log", args=[campaign.pk]),
            "flagged": reverse("canvassing:flagged", args=[campaign.pk]),
        }

    services.walk_lists_cut(campaign=campaign, doors=5, user=campaign.agent)
    small = {name: count_queries(client, url) for name, url in pages().items()}
    services.walk_lists_cut(campaign=campaign, doors=60, user=campaign.agent)
    load_register(campaign, 2000, seed=5)  # a bigger register (an update: same electors and more)
    services.walk_lists_cut(campaign=campaign, doors=60, user=campaign.agent)
    Elector.objects.filter(campaign=campaign).update(postal_voter=True)
    big = {name: count_queries(client, url) for name, url in pages().items()}
    assert big == small
    assert small == PINNED, repr(small)
    my = logged_in_client(canvasser)
    assert count_queries(my, reverse("canvassing:my_lists")) <= 6
