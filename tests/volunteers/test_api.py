"""The API: volunteers (scoped), shifts, sign-ups (create and cancel for oneself), all in the OpenAPI schema."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import logged_in_client, make_user
from volunteers.models import Role, Signup, SignupStatus

from .factories import ProfileFactory, ShiftFactory, SignupFactory, UserFactory, in_hours

pytestmark = pytest.mark.django_db


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_volunteers_are_scoped_by_seat(seat_a, seat_b, seat_organiser, national_organiser, volunteer):
    mine = ProfileFactory(home_constituency=seat_a)
    theirs = ProfileFactory(home_constituency=seat_b)
    own = ProfileFactory(user=volunteer, home_constituency=seat_b)
    url = "/api/v1/volunteers/"
    assert _ids(logged_in_client(seat_organiser).get(url)) == {mine.pk}
    assert _ids(logged_in_client(national_organiser).get(url)) == {mine.pk, theirs.pk, own.pk}
    assert _ids(logged_in_client(volunteer).get(url)) == {own.pk}
    assert logged_in_client(seat_organiser).get(f"{url}{theirs.pk}/").status_code == 404


def test_shifts_list_upcoming_with_places_and_filters(volunteer, seat_a, seat_b):
    upcoming = ShiftFactory(constituency=seat_a, capacity=3)
    SignupFactory(shift=upcoming)
    ShiftFactory(constituency=seat_b)
    ShiftFactory(constituency=seat_a, starts_at=in_hours(-5), ends_at=in_hours(-3))  # over: not listed
    client = logged_in_client(volunteer)
    response = client.get("/api/v1/shifts/", {"seat": seat_a.code})
    [row] = response.json()["results"]
    assert row["id"] == upcoming.pk and row["places_left"] == 2 and row["constituency"] == seat_a.code
    assert client.get("/api/v1/shifts/").json()["count"] == 2
    assert logged_in_client_anonymous_status("/api/v1/shifts/") in (401, 403)


def logged_in_client_anonymous_status(url: str) -> int:
    from django.test import Client

    return Client().get(url).status_code


def test_volunteer_signs_up_and_cancels_through_the_api(volunteer):
    shift = ShiftFactory(capacity=1)
    client = logged_in_client(volunteer)
    created = client.post("/api/v1/signups/", {"shift": shift.pk}, content_type="application/json")
    assert created.status_code == 201 and created.json()["status"] == "confirmed"
    again = client.post("/api/v1/signups/", {"shift": shift.pk}, content_type="application/json")
    assert again.status_code == 409 and again.json()["code"] == "already_signed_up"
    waiting = logged_in_client(UserFactory()).post(
        "/api/v1/signups/", {"shift": shift.pk}, content_type="application/json"
    )
    assert waiting.json()["status"] == "waitlisted"
    cancelled = client.post(f"/api/v1/signups/{created.json()['id']}/cancel/")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert Signup.objects.get(pk=waiting.json()["id"]).status == SignupStatus.CONFIRMED
    again = client.post(f"/api/v1/signups/{created.json()['id']}/cancel/")
    assert again.status_code == 409 and "cannot be cancelled" in again.json()["detail"]


def test_api_overlap_needs_confirmation(volunteer, seat_a):
    first = ShiftFactory(constituency=seat_a, starts_at=in_hours(24), ends_at=in_hours(27))
    second = ShiftFactory(constituency=seat_a, starts_at=in_hours(25), ends_at=in_hours(26))
    client = logged_in_client(volunteer)
    client.post("/api/v1/signups/", {"shift": first.pk}, content_type="application/json")
    refused = client.post("/api/v1/signups/", {"shift": second.pk}, content_type="application/json")
    assert refused.status_code == 409 and refused.json()["overlapping"] == [first.pk]
    confirmed = client.post(
        "/api/v1/signups/", {"shift": second.pk, "confirm_overlap": True}, content_type="application/json"
    )
    assert confirmed.status_code == 201


@pytest.mark.parametrize("payload", [{}, {"shift": "x"}, {"shift": 999999}, {"shift": None}])
def test_bad_signup_requests_are_4xx_with_reasons(volunteer, payload):
    response = logged_in_client(volunteer).post("/api/v1/signups/", payload, content_type="application/json")
    assert response.status_code == 400 and "shift" in response.json()


def test_past_shift_out_of_scope_cannot_be_named(volunteer):
    past = ShiftFactory(starts_at=in_hours(-5), ends_at=in_hours(-3))
    response = logged_in_client(volunteer).post("/api/v1/signups/", {"shift": past.pk}, content_type="application/json")
    assert response.status_code == 400


def test_signups_are_scoped_and_others_cannot_cancel(volunteer, seat_a, seat_organiser):
    mine = SignupFactory(volunteer=volunteer, shift=ShiftFactory(constituency=seat_a))
    other = SignupFactory()
    client = logged_in_client(volunteer)
    assert _ids(client.get("/api/v1/signups/")) == {mine.pk}
    assert client.post(f"/api/v1/signups/{other.pk}/cancel/").status_code == 404
    assert _ids(logged_in_client(seat_organiser).get("/api/v1/signups/")) == {mine.pk}
    lead = make_user(Role.TEAM_LEAD)
    led = SignupFactory(shift=ShiftFactory(lead=lead))
    assert _ids(logged_in_client(lead).get("/api/v1/signups/")) == {led.pk}


def test_endpoints_are_in_the_openapi_schema(volunteer):
    schema = logged_in_client(volunteer).get(reverse("api:schema"), {"format": "json"}).json()
    for route in ("/api/v1/volunteers/", "/api/v1/shifts/", "/api/v1/signups/", "/api/v1/signups/{id}/cancel/"):
        assert route in schema["paths"], route
