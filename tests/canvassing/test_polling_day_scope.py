"""The register-scope matrix of polling day's pages and API, over the shared world (tests/world.py): every role
and grant level against every new route, for campaign A (granted at each level) and campaign B (granted to
nobody in ROLES). Register data stays behind the grants: without one, 404 (a login page for the anonymous);
with a level that may not, 403; the API rejects a station of a register not held."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from canvassing.models import Lift, PollingDayVote
from tests.world import GRANT_ROLES, ROLES, grant_level_of

ORGANISING = {"agent", "organiser"}

#: route name -> the grant levels that get the page (every other level: 403)
PAGES = {
    "committee_room": ORGANISING,
    "tellers": {"agent", "organiser", "canvasser", "teller"},
    "stations": {"agent", "organiser", "canvasser", "teller"},
    "lifts": ORGANISING,
    "votes_to_win": ORGANISING,
}


def expected(role: str, route: str, side: str) -> int:
    if role == "anonymous":
        return 302
    level = grant_level_of(role)
    if side == "b" or level is None:
        return 404
    return 200 if level in PAGES[route] else 403


@pytest.mark.parametrize("role", ROLES)
def test_polling_day_pages_follow_the_grants(world, role):
    client = world.client(role)
    for side in ("a", "b"):
        campaign = getattr(world, f"campaign_{side}")
        for route in PAGES:
            for extra in ({}, {"HTTP_HX_REQUEST": "true"}):
                response = client.get(reverse(f"canvassing:{route}", args=[campaign.pk]), **extra)
                assert response.status_code == expected(role, route, side), (role, route, side, extra)
                if response.status_code != 200:
                    assert world.elector_a.surname.encode() not in response.content
        lift = getattr(world, f"lift_{side}")
        change = client.post(reverse("canvassing:lift_change", args=[campaign.pk, lift.pk]), {"action": "cancelled"})
        level = grant_level_of(role)
        allowed = side == "a" and level in ORGANISING
        assert change.status_code == (302 if allowed or role == "anonymous" else 404 if side == "b" or not level
                                      else 403), (role, side)  # fmt: skip
        assert (Lift.objects.get(pk=lift.pk).status == "cancelled") is allowed


@pytest.mark.parametrize("role", ROLES)
def test_the_tellers_api_records_only_on_a_register_held(world, role):
    client = world.client(role)
    for side in ("a", "b"):
        station = getattr(world, f"station_{side}")
        district = getattr(world, f"district_{side}")
        elector = getattr(world, f"elector_{side}")
        entry = {"id": str(uuid.uuid4()), "station": station.pk, "numbers": f"{district.code}-{elector.number}"}
        response = client.post(reverse("api:teller-entries"), {"entries": [entry]}, content_type="application/json")
        if role == "anonymous":
            assert response.status_code in (401, 403)
            continue
        assert response.status_code == 200, response.content
        held = side == "a" and role in GRANT_ROLES
        assert response.json()["accepted"] == ([entry["id"]] if held else [])
        assert PollingDayVote.objects.filter(elector=elector).exists() is held


@pytest.mark.parametrize("role", ROLES)
def test_a_driver_sees_only_the_lifts_offered_to_them(world, role):
    client = world.client(role)
    response = client.get(reverse("canvassing:my_lifts_driver"))
    if role == "anonymous":
        assert response.status_code == 302
        return
    assert response.status_code == 200
    body = response.content.decode()
    # The world's lift A is offered (not accepted) to the volunteer: its time and area, never its pick-up.
    assert "World Street" not in body
    assert ("Accept" in body) is (role == "volunteer")
    answer = client.post(reverse("canvassing:my_lift_answer", args=[world.lift_b.pk]), {"action": "accept"})
    assert answer.status_code == 404
