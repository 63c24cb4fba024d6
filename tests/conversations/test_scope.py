"""Scope of supporters, their consents and segments, for every role of the shared world, by every route: the admin
changelist and change page (reads and a write), the API list and detail (reads and writes). A seat organiser of
seat A gets seat A's and nothing of seat B by any route; volunteers, leads and the public get none."""

from __future__ import annotations

import pytest
from django.urls import reverse

from organiser import scope
from tests.world import ADMIN_ROLES, ROLES

NATIONAL = {"national_organiser", "superuser"}
SEAT_A = {"seat_organiser"} | {role for role in ROLES if role.startswith("grant_")}


def expected(role: str, name: str) -> bool:
    """May ``role`` see the object called ``name`` in the world?"""
    if role in NATIONAL:
        return True
    if role in SEAT_A:
        return name.endswith("_a")
    return False


OBJECTS = ("supporter_a", "supporter_b", "consent_supporter_a", "consent_supporter_b", "segment_a", "segment_b",
           "segment_national")  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
def test_the_scope_rules_per_role(world, role):
    user = world.user(role)
    for name in OBJECTS:
        obj = getattr(world, name)
        assert scope.can_view(user, obj) is expected(role, name), f"{role} view {name}"
        assert scope.can_change(user, obj) is expected(role, name), f"{role} change {name}"


@pytest.mark.parametrize("role", ROLES)
def test_admin_routes_follow_the_scope(world, role):
    client = world.client(role)
    for name in OBJECTS:
        obj = getattr(world, name)
        info = (obj._meta.app_label, obj._meta.model_name)
        changelist = client.get(reverse("admin:{}_{}_changelist".format(*info)))
        page = client.get(reverse("admin:{}_{}_change".format(*info), args=[obj.pk]))
        if role not in ADMIN_ROLES:
            assert changelist.status_code == 302 and page.status_code == 302, (role, name)
            continue
        listed = {row.pk for row in changelist.context["cl"].result_list}
        assert (obj.pk in listed) is expected(role, name), f"{role} changelist {name}"
        assert (page.status_code == 200) is expected(role, name), f"{role} change page {name}"
        if not expected(role, name):
            assert str(obj) not in page.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_admin_writes_follow_the_scope(world, role):
    client = world.client(role)
    for name in ("supporter_a", "supporter_b"):
        supporter = getattr(world, name)
        client.post(
            reverse("admin:conversations_supporter_change", args=[supporter.pk]),
            {"full_name": "Renamed", "constituency": supporter.constituency_id, "tags_text": "",
             "consents-TOTAL_FORMS": 0, "consents-INITIAL_FORMS": 0},
        )  # fmt: skip
        supporter.refresh_from_db()
        assert (supporter.full_name == "Renamed") is (role in ADMIN_ROLES and expected(role, name)), (role, name)
    for name in ("segment_a", "segment_b"):
        segment = getattr(world, name)
        client.post(
            reverse("admin:conversations_segment_change", args=[segment.pk]),
            {"name": "Renamed", "constituency": segment.constituency_id, "population": "everyone", "tags": ""},
        )
        segment.refresh_from_db()
        assert (segment.name == "Renamed") is (role in ADMIN_ROLES and expected(role, name)), (role, name)


@pytest.mark.parametrize("role", ROLES)
def test_api_reads_and_writes_follow_the_scope(world, role):
    client = world.client(role)
    for route, names in (("supporters", ("supporter_a", "supporter_b")),
                         ("segments", ("segment_a", "segment_b", "segment_national"))):  # fmt: skip
        listed = client.get(f"/api/v1/{route}/")
        ids = {row["id"] for row in listed.json()["results"]} if listed.status_code == 200 else set()
        for name in names:
            obj = getattr(world, name)
            assert (obj.pk in ids) is expected(role, name), f"{role} list {route} {name}"
            detail = client.get(f"/api/v1/{route}/{obj.pk}/")
            assert (detail.status_code == 200) is expected(role, name), f"{role} read {route} {name}"
    for name in ("segment_a", "segment_b"):
        segment = getattr(world, name)
        response = client.patch(f"/api/v1/segments/{segment.pk}/", {"name": "Renamed"}, content_type="application/json")
        segment.refresh_from_db()
        assert (segment.name == "Renamed") is expected(role, name), (role, name, response.status_code)
        assert response.status_code in (200, 401, 403, 404), response.status_code
    made = client.post(
        "/api/v1/segments/", {"name": "New", "constituency": world.seat_b.code}, content_type="application/json"
    )
    assert (made.status_code == 201) is (role in NATIONAL), (role, made.status_code)
    assert made.status_code in (201, 400, 401, 403)
