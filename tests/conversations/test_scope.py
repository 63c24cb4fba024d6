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


# --- calls and texts ----------------------------------------------------------------------------------------------

CALL_OBJECTS = ("call_assignment_a", "call_assignment_b", "call_target_a", "call_target_b", "call_a", "call_b",
                "text_assignment_a", "text_assignment_b", "text_conversation_a", "text_conversation_b",
                "text_message_a", "text_message_b")  # fmt: skip
LISTS = ("do_not_call", "tps_number")  # the campaign's own do-not-call list and the TPS file: national


@pytest.mark.parametrize("role", ROLES)
def test_calls_and_texts_scope_rules_per_role(world, role):
    user = world.user(role)
    for name in CALL_OBJECTS:
        obj = getattr(world, name)
        assert scope.can_view(user, obj) is expected(role, name), f"{role} view {name}"
        assert scope.can_change(user, obj) is expected(role, name), f"{role} change {name}"
    for name in LISTS:
        obj = getattr(world, name)
        assert scope.can_view(user, obj) is (role in NATIONAL), f"{role} view {name}"
        assert scope.can_change(user, obj) is (role in NATIONAL), f"{role} change {name}"


@pytest.mark.parametrize("role", ROLES)
def test_calls_and_texts_admin_follows_the_scope(world, role):
    client = world.client(role)
    for name in ("call_assignment_a", "call_assignment_b", "text_assignment_a", "text_assignment_b", *LISTS):
        obj = getattr(world, name)
        info = (obj._meta.app_label, obj._meta.model_name)
        changelist = client.get(reverse("admin:{}_{}_changelist".format(*info)))
        page = client.get(reverse("admin:{}_{}_change".format(*info), args=[obj.pk]))
        allowed = role in NATIONAL if name in LISTS else expected(role, name)
        if role not in ADMIN_ROLES:
            assert changelist.status_code == 302 and page.status_code == 302, (role, name)
            continue
        if changelist.status_code == 403:  # a model they may see nothing of
            assert not allowed, (role, name)
            continue
        listed = {row.pk for row in changelist.context["cl"].result_list}
        assert (obj.pk in listed) is allowed, f"{role} changelist {name}"
        assert (page.status_code == 200) is allowed, f"{role} change page {name}"
        if not allowed:
            assert str(obj) not in page.content.decode()


def _works(role: str, side: str) -> bool:
    """Who works seat ``side``'s call and text assignments: its caller (the world's volunteer, for seat A), and those
    who may change it (seat A's organisers for A, national organisers for both)."""
    return role in NATIONAL or (side == "a" and (role in SEAT_A or role == "volunteer"))


@pytest.mark.parametrize("role", ROLES)
def test_calls_and_texts_pages_follow_the_scope(world, role):
    client = world.client(role)
    organiser = role in NATIONAL or role in SEAT_A
    for side in ("a", "b"):
        calls, texts = getattr(world, f"call_assignment_{side}"), getattr(world, f"text_assignment_{side}")
        conversation = getattr(world, f"text_conversation_{side}")
        for path in (f"/organise/calls/{calls.pk}/", f"/organise/texts/{texts.pk}/"):
            status = client.get(path).status_code
            if role == "anonymous":
                assert status == 302, (role, path)
            elif not organiser:
                assert status == 403, (role, path, status)
            else:
                assert status == (200 if expected(role, f"x_{side}") else 404), (role, path, status)
        for path in (f"/calls/{calls.pk}/", f"/texts/{texts.pk}/", f"/texts/conversations/{conversation.pk}/"):
            status = client.get(path).status_code
            if role == "anonymous":
                assert status == 302, (role, path)
            else:
                assert status == (200 if _works(role, side) else 404), (role, path, status)
        # Recording an outcome on someone else's assignment changes nothing.
        target = getattr(world, f"call_target_{side}")
        client.post(f"/calls/{calls.pk}/outcome/", {"target": target.pk, "outcome": "talked"})
        target.refresh_from_db()
        assert (target.state == "done") is (role == "volunteer" and side == "a"), (role, side)
