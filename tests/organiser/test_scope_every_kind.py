"""The role matrix over every kind of seat-linked object: teams, shifts, sign-ups, volunteer
profiles, endorsements and targets, by every route (admin changelist, admin change page by id,
API list, API detail).

Each route must agree with ``organiser.scope`` (the one place the rules live), and the claims
that matter hold: a seat organiser for seat A gets nothing of seat B by any route, a volunteer
only their own rows, the public only public ones.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from campaigns.models import Endorsement, Target
from organiser import scope
from tests.campaigns.factories import CandidacyFactory, ElectionFactory
from tests.conftest import logged_in_client, make_user
from tests.volunteers.factories import ProfileFactory, ShiftFactory, SignupFactory
from volunteers.models import Role, Team

PUBLIC_OR_MEMBERS = {"Shift", "Endorsement"}  # upcoming shifts: volunteers and leads; published endorsements: all
ORGANISER_DATA = {"Team", "Shift", "Signup", "VolunteerProfile", "Target"}
ROLES = ["anonymous", "national_organiser", "seat_organiser", "team_lead", "volunteer"]


@pytest.fixture
def world(db, seat_a, seat_b):
    users = {
        "national_organiser": make_user(Role.NATIONAL_ORGANISER, mfa=True),
        "seat_organiser": make_user(Role.SEAT_ORGANISER, seats=(seat_a,), mfa=True),
        "team_lead": make_user(Role.TEAM_LEAD),
        "volunteer": make_user(Role.VOLUNTEER),
    }
    election = ElectionFactory()
    objects = {"a": [], "b": []}
    for side, seat in (("a", seat_a), ("b", seat_b)):
        lead = users["team_lead"] if side == "a" else make_user(Role.TEAM_LEAD)
        shift = ShiftFactory(constituency=seat, lead=lead)
        candidacy = CandidacyFactory(election=election, constituency=seat)
        objects[side] += [
            Team.objects.create(name=f"Team {side}", constituency=seat, lead=lead),
            shift,
            SignupFactory(shift=shift, volunteer=users["volunteer"] if side == "a" else make_user(Role.VOLUNTEER)),
            ProfileFactory(home_constituency=seat),
            Endorsement.objects.create(
                election=election, constituency=seat, candidacy=candidacy, status=Endorsement.Status.ENDORSED
            ),
            Target.objects.create(election=election, constituency=seat, score=5, tier=1, reasons=[]),
        ]
    return users, objects


def caller(users, role) -> tuple[Client, object]:
    if role == "anonymous":
        return Client(), None
    return logged_in_client(users[role]), users[role]


def visible(user, obj) -> bool:
    return scope.can_view(user, obj)


@pytest.mark.parametrize("role", ROLES)
def test_the_scope_rules_themselves(world, role):
    users, objects = world
    user = users.get(role)
    seen_b = [type(obj).__name__ for obj in objects["b"] if visible(user, obj)]
    kinds_seen = {type(o).__name__ for o in objects["a"] + objects["b"] if visible(user, o)}
    if role == "seat_organiser":
        # Of seat B only what the public sees: the published endorsement.
        assert seen_b == ["Endorsement"], seen_b
        assert all(visible(user, obj) for obj in objects["a"])
    if role == "volunteer":
        assert kinds_seen == {"Signup"} | PUBLIC_OR_MEMBERS
        assert not visible(user, objects["b"][2])  # someone else's sign-up
    if role == "anonymous":
        assert kinds_seen == {"Endorsement"}
    if role == "national_organiser":
        assert all(visible(user, obj) for obj in objects["a"] + objects["b"])


@pytest.mark.parametrize("role", ROLES)
def test_admin_changelists_and_change_pages_agree_with_scope(world, role):
    users, objects = world
    client, user = caller(users, role)
    for obj in objects["a"] + objects["b"]:
        model = type(obj)
        if model not in admin.site._registry:
            continue
        info = (model._meta.app_label, model._meta.model_name)
        changelist = client.get(reverse("admin:{}_{}_changelist".format(*info)))
        page = client.get(reverse("admin:{}_{}_change".format(*info), args=[obj.pk]))
        allowed = scope.can_use_admin(user) and visible(user, obj)
        if not scope.can_use_admin(user):
            assert changelist.status_code == 302 and page.status_code == 302
            continue
        listed = {row.pk for row in changelist.context["cl"].result_list}
        assert (obj.pk in listed) is allowed, f"{role} changelist {model.__name__} {obj}"
        assert (page.status_code == 200) is allowed, f"{role} change page {model.__name__} {obj}"
        if obj in objects["b"] and role == "seat_organiser" and model.__name__ in ORGANISER_DATA:
            assert str(obj) not in page.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_api_lists_and_details_agree_with_scope(world, role):
    users, objects = world
    client, user = caller(users, role)
    by_model: dict[type, list] = {}
    for obj in objects["a"] + objects["b"]:
        by_model.setdefault(type(obj), []).append(obj)
    routes = {
        "teams": "Team", "shifts": "Shift", "signups": "Signup", "volunteers": "VolunteerProfile",
        "endorsements": "Endorsement", "targets": "Target",
    }  # fmt: skip
    for route, model_name in routes.items():
        created = next(objs for model, objs in by_model.items() if model.__name__ == model_name)
        listed = client.get(f"/api/v1/{route}/")
        assert listed.status_code in (200, 401, 403), (route, listed.status_code)
        for obj in created:
            detail = client.get(f"/api/v1/{route}/{obj.pk}/")
            assert detail.status_code in (200, 401, 403, 404), (route, detail.status_code)
            assert (detail.status_code == 200) is visible(user, obj), f"{role} read {route} {obj.pk}"
            if role == "seat_organiser" and obj in objects["b"] and model_name in ORGANISER_DATA:
                assert detail.status_code in (403, 404), f"seat organiser of A read {route} of B"
        if listed.status_code == 200:
            payload = listed.json()
            rows = payload["results"] if isinstance(payload, dict) else payload
            ids = {row.get("id") for row in rows if isinstance(row, dict)}
            if ids == {None}:  # rows without ids (published endorsements): these are the only rows there
                assert len(rows) == sum(visible(user, obj) for obj in created), f"{role} list {route}"
                continue
            for obj in created:
                assert (obj.pk in ids) is visible(user, obj), f"{role} list {route} {obj.pk}"
