"""The role matrix: for each role and each kind of object, what can be listed, read and changed,
by every route (admin changelist, admin change page by id, API list, API detail).

The central claim: a seat organiser for seat A gets nothing of seat B by any route.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from organiser import scope
from tests.conftest import logged_in_client, make_user
from volunteers.models import Role, SeatGrant, Team, User

ROLES = ["anonymous", "national_organiser", "seat_organiser", "team_lead", "volunteer"]


@pytest.fixture
def world(db, seat_a, seat_b):
    """Two seats, a team in each, and one account of each role (the seat organiser has seat A)."""
    users = {
        "national_organiser": make_user(Role.NATIONAL_ORGANISER, mfa=True),
        "seat_organiser": make_user(Role.SEAT_ORGANISER, seats=(seat_a,), mfa=True),
        "team_lead": make_user(Role.TEAM_LEAD),
        "volunteer": make_user(Role.VOLUNTEER),
    }
    team_a = Team.objects.create(name="Ilford North doors", constituency=seat_a, lead=users["team_lead"])
    team_b = Team.objects.create(name="Blackburn doors", constituency=seat_b)
    other_organiser = make_user(Role.SEAT_ORGANISER, seats=(seat_b,), mfa=True)
    return {
        "users": users,
        "seat_a": seat_a,
        "seat_b": seat_b,
        "team_a": team_a,
        "team_b": team_b,
        "grant_b": SeatGrant.objects.get(user=other_organiser),
        "other_organiser": other_organiser,
    }


def client_for(world, role: str) -> tuple[Client, User | None]:
    if role == "anonymous":
        return Client(), None
    user = world["users"][role]
    return logged_in_client(user), user


# What each role may list (view) and change, per object: True = allowed.
EXPECTED_VIEW = {
    #                      seat_a seat_b team_a team_b grant_b
    "anonymous":          (True, True, False, False, False),
    "national_organiser": (True, True, True, True, True),
    "seat_organiser":     (True, True, True, False, False),
    "team_lead":          (True, True, True, False, False),
    "volunteer":          (True, True, False, False, False),
}  # fmt: skip
EXPECTED_CHANGE = {
    "anonymous":          (False, False, False, False, False),
    "national_organiser": (True, True, True, True, True),
    "seat_organiser":     (False, False, True, False, False),
    "team_lead":          (False, False, True, False, False),
    "volunteer":          (False, False, False, False, False),
}  # fmt: skip
OBJECTS = ("seat_a", "seat_b", "team_a", "team_b", "grant_b")


@pytest.mark.parametrize("role", ROLES)
def test_scope_rules_per_role_and_object(world, role):
    user = None if role == "anonymous" else world["users"][role]
    for name, may_view, may_change in zip(OBJECTS, EXPECTED_VIEW[role], EXPECTED_CHANGE[role], strict=True):
        obj = world[name]
        assert scope.can_view(user, obj) is may_view, f"{role} view {name}"
        assert scope.can_change(user, obj) is may_change, f"{role} change {name}"


@pytest.mark.parametrize("role", ROLES)
def test_admin_routes_follow_the_matrix(world, role):
    client, _ = client_for(world, role)
    changelist = client.get(reverse("admin:volunteers_team_changelist"))
    if role in ("anonymous", "team_lead", "volunteer"):
        # Not organisers: the admin sends them to log in, showing nothing.
        assert changelist.status_code == 302
        for team in ("team_a", "team_b"):
            response = client.get(reverse("admin:volunteers_team_change", args=[world[team].pk]))
            assert response.status_code == 302
            assert world[team].name not in response.content.decode()
        return
    listed = {team.pk for team in changelist.context["cl"].result_list}
    expected = {world[t].pk for t, i in (("team_a", 2), ("team_b", 3)) if EXPECTED_VIEW[role][i]}
    assert listed == expected
    for team, index in (("team_a", 2), ("team_b", 3)):
        response = client.get(reverse("admin:volunteers_team_change", args=[world[team].pk]))
        if EXPECTED_VIEW[role][index]:
            assert response.status_code == 200
        else:
            # Out of scope by id: Django's admin treats it as not existing (redirect, no content).
            assert response.status_code == 302
            assert response.url == reverse("admin:index")
            assert world[team].name not in response.content.decode()
        post = client.post(
            reverse("admin:volunteers_team_change", args=[world[team].pk]),
            {"name": "renamed", "constituency": world["seat_b"].pk, "members": []},
        )
        world[team].refresh_from_db()
        if not EXPECTED_CHANGE[role][index]:
            assert world[team].name != "renamed", post.status_code


def test_seat_organiser_cannot_move_a_team_into_a_seat_not_granted(world):
    client, _ = client_for(world, "seat_organiser")
    team = world["team_a"]
    response = client.post(
        reverse("admin:volunteers_team_change", args=[team.pk]),
        {"name": team.name, "constituency": world["seat_b"].pk, "lead": "", "members": []},
    )
    assert response.status_code == 200  # the form is shown again with an error
    assert "Select a valid choice" in response.content.decode()
    team.refresh_from_db()
    assert team.constituency == world["seat_a"]


def test_seat_organiser_filtering_the_changelist_by_seat_b_gets_nothing(world):
    client, _ = client_for(world, "seat_organiser")
    response = client.get(reverse("admin:volunteers_team_changelist"), {"constituency__id__exact": world["seat_b"].pk})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []


def test_seat_organiser_cannot_open_seat_b_organisers_account_and_grants(world):
    client, _ = client_for(world, "seat_organiser")
    response = client.get(reverse("admin:volunteers_user_change", args=[world["other_organiser"].pk]))
    assert response.status_code == 302
    assert world["other_organiser"].email not in response.content.decode()
    listed = client.get(reverse("admin:volunteers_user_changelist"))
    assert world["other_organiser"] not in listed.context["cl"].result_list


@pytest.mark.parametrize("role", ROLES)
def test_api_routes_follow_the_matrix(world, role):
    client, _ = client_for(world, role)
    listed = client.get("/api/v1/teams/")
    assert listed.status_code == 200
    assert {row["id"] for row in listed.json()["results"]} == {
        world[t].pk for t, i in (("team_a", 2), ("team_b", 3)) if EXPECTED_VIEW[role][i]
    }
    for team, index in (("team_a", 2), ("team_b", 3)):
        detail = client.get(f"/api/v1/teams/{world[team].pk}/")
        assert detail.status_code == (200 if EXPECTED_VIEW[role][index] else 404)
    # Filtering by seat B's code never widens what a caller sees.
    filtered = client.get("/api/v1/teams/", {"constituency__code": world["seat_b"].code})
    assert {row["id"] for row in filtered.json()["results"]} <= {
        world[t].pk for t, i in (("team_a", 2), ("team_b", 3)) if EXPECTED_VIEW[role][i]
    }


@pytest.mark.parametrize("role", ROLES)
def test_api_me_is_only_ever_the_caller(world, role):
    client, user = client_for(world, role)
    response = client.get("/api/v1/me/")
    if user is None:
        assert response.status_code in (401, 403)
    else:
        assert response.status_code == 200
        assert response.json()["email"] == user.email
