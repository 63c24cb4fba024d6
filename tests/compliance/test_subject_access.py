"""Subject access from one place (compliance.subject_access): a volunteer's and a supporter's data by the address
they gave (national organisers), an elector's canvass record from a register the user holds as its agent or an
organiser, written to that register's access log; nobody else gets any of it."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from canvassing.models import AccessLog
from compliance import subject_access
from conversations.models import Supporter
from volunteers.models import Consent

URL = reverse("compliance:subject_access")


def _download(response) -> dict:
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Disposition"].startswith("attachment") and "no-store" in response["Cache-Control"]
    return json.loads(response.content)


def test_a_volunteers_request_holds_their_account_messages_and_supporter_records(world):
    volunteer = world.user("volunteer")
    Supporter.objects.create(email=volunteer.email, constituency=world.seat_a, source="form", user=volunteer)
    data = _download(world.client("national_organiser").post(URL, {"kind": "person", "address": volunteer.email}))
    account = data["account"]
    assert account["account"]["email"] == volunteer.email
    assert account["profile"]["phone"] == "+447911123456"
    assert account["signups"][0]["seat"] == world.seat_a.code
    assert [m["kind"] for m in account["messages"]] == ["digest_volunteer"]
    assert account["supporter_records"][0]["supporter"]["email"] == volunteer.email
    assert data["supporter_records"] == []  # the linked record is in the account's own section


def test_a_supporters_request_by_email_or_phone(world):
    data = _download(
        world.client("superuser").post(URL, {"kind": "person", "address": "supporter-a@world.example.org"})
    )
    assert data["account"] is None
    [record] = data["supporter_records"]
    assert record["consents"][0]["wording"] == "Yes, email me"
    by_phone = _download(world.client("national_organiser").post(URL, {"kind": "person", "address": "07911 000222"}))
    assert by_phone["supporter_records"][0]["supporter"]["full_name"] == "Supporter B"


def test_nothing_held_says_so_and_downloads_nothing(world):
    response = world.client("national_organiser").post(URL, {"kind": "person", "address": "nobody@example.org"})
    assert response.status_code == 200 and b"data-not-found" in response.content


@pytest.mark.parametrize("role", ["grant_agent", "grant_organiser"])
def test_an_electors_request_from_a_register_the_user_holds_is_answered_and_logged(world, role):
    elector = world.elector_a
    before = AccessLog.objects.filter(campaign=world.campaign_a, action="export").count()
    data = _download(
        world.client(role).post(
            URL, {"kind": "elector", "campaign": world.campaign_a.pk, "elector_number": elector.elector_number}
        )
    )
    assert data["register_entry"]["elector_number"] == elector.elector_number
    [response] = data["canvass_responses"]
    assert response["outcome"] == "Spoke" and response["recorded_by"] == str(world.user("grant_canvasser"))
    assert response["voting_intention"].startswith("C")
    log = AccessLog.objects.filter(campaign=world.campaign_a, action="export").order_by("-pk").first()
    assert AccessLog.objects.filter(campaign=world.campaign_a, action="export").count() == before + 1
    assert (log.user, log.electors, log.detail) == (world.user(role), 1, {"purpose": "subject access request"})


@pytest.mark.parametrize("role", ["anonymous", "volunteer", "team_lead", "grant_canvasser", "grant_teller",
                                  "seat_organiser", "staff_volunteer"])  # fmt: skip
def test_nobody_else_gets_anything(world, role):
    client = world.client(role)
    before = AccessLog.objects.count()
    for data in (
        {"kind": "person", "address": world.user("volunteer").email},
        {"kind": "elector", "campaign": world.campaign_a.pk, "elector_number": world.elector_a.elector_number},
    ):
        response = client.post(URL, data)
        assert response.status_code in (302, 403), (role, response.status_code)
    assert AccessLog.objects.count() == before


def test_an_agent_cannot_ask_about_an_elector_of_a_register_they_do_not_hold(world):
    response = world.client("grant_agent").post(
        URL, {"kind": "elector", "campaign": world.campaign_b.pk, "elector_number": world.elector_b.elector_number}
    )
    assert response.status_code == 200 and "application/json" not in response["Content-Type"]
    assert not AccessLog.objects.filter(campaign=world.campaign_b, action="export").exists()
    assert b"Select a valid choice" in response.content


def test_an_elector_number_not_on_the_register_says_so(world):
    response = world.client("grant_agent").post(
        URL, {"kind": "elector", "campaign": world.campaign_a.pk, "elector_number": "ZZ-999999"}
    )
    assert b"data-not-found" in response.content


def test_the_service_refuses_an_elector_to_someone_not_organising_the_register(world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        subject_access.for_elector(world.elector_a, user=world.user("grant_canvasser"), route="test")
    with pytest.raises(PermissionDenied):
        subject_access.for_elector(world.elector_a, user=world.user("national_organiser"), route="test")
    assert Consent.objects.filter(supporter=world.supporter_a).exists()  # the world is as built
