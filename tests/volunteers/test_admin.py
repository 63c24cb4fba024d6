"""The admin: scoped volunteers with filters and no-show rates, shifts with coverage and roster, actions, CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.contrib.admin import helpers

from organiser import clock
from tests.conftest import logged_in_client
from volunteers.models import Shift, Signup, SignupStatus

from .factories import ProfileFactory, ShiftFactory, SignupFactory, UserFactory, in_hours

pytestmark = pytest.mark.django_db

PROFILES = "/admin/volunteers/volunteerprofile/"


def test_volunteer_list_is_scoped_filterable_and_shows_no_show_rate(seat_a, seat_b, seat_organiser):
    driver = ProfileFactory(home_constituency=seat_a, skills=["driving"], languages=["ur"])
    ProfileFactory(home_constituency=seat_a, skills=["canvassing"])
    hidden = ProfileFactory(home_constituency=seat_b, skills=["driving"])
    for status in (SignupStatus.ATTENDED, SignupStatus.ATTENDED, SignupStatus.ATTENDED, SignupStatus.NO_SHOW):
        SignupFactory(volunteer=driver.user, status=status, shift=ShiftFactory(constituency=seat_a))
    client = logged_in_client(seat_organiser)
    page = client.get(PROFILES).content.decode()
    assert driver.user.email in page and hidden.user.email not in page
    assert "25% (1 of 4)" in page
    filtered = client.get(PROFILES, {"skill": "driving", "language": "ur"}).content.decode()
    assert driver.user.email in filtered and "canvassing" not in filtered.split("result_list")[-1]
    assert client.get(f"{PROFILES}{hidden.pk}/change/").status_code in (302, 403, 404)


def test_add_to_shift_action_and_export(seat_a, seat_organiser):
    shift = ShiftFactory(constituency=seat_a, capacity=1)
    first, second = ProfileFactory(home_constituency=seat_a), ProfileFactory(home_constituency=seat_a)
    client = logged_in_client(seat_organiser)
    picked = {"action": "add_to_shift", helpers.ACTION_CHECKBOX_NAME: [first.pk, second.pk]}
    assert "to the shift" in client.post(PROFILES, picked).content.decode()
    client.post(PROFILES, {**picked, "shift": shift.pk})
    statuses = sorted(Signup.objects.filter(shift=shift).values_list("status", flat=True))
    assert statuses == ["confirmed", "waitlisted"]

    first.user.full_name = '=HYPERLINK("http://evil")'
    first.user.save()
    response = client.post(PROFILES, {"action": "export_csv", helpers.ACTION_CHECKBOX_NAME: [first.pk]})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][0].startswith("'=") and rows[1][2] == "'+447911123456"


def test_coverage_lists_shifts_short_of_their_minimum_in_the_next_14_days(seat_a, seat_b, seat_organiser):
    short = ShiftFactory(constituency=seat_a, minimum=3, title="Short one")
    SignupFactory(shift=short)
    fine = ShiftFactory(constituency=seat_a, minimum=1, title="Fine one")
    SignupFactory(shift=fine)
    ShiftFactory(
        constituency=seat_a, minimum=3, starts_at=in_hours(24 * 20), ends_at=in_hours(24 * 20 + 2), title="Later"
    )
    ShiftFactory(constituency=seat_b, minimum=3, title="Not mine")
    page = logged_in_client(seat_organiser).get("/admin/volunteers/shift/coverage/").content.decode()
    assert "Short one" in page and "Fine one" not in page and "Later" not in page and "Not mine" not in page


def test_roster_per_seat_and_day_with_constant_queries_and_safe_csv(seat_a, seat_organiser, django_assert_num_queries):
    client = logged_in_client(seat_organiser)
    shift = ShiftFactory(constituency=seat_a, capacity=30, meeting_point="@the café")
    day = clock.today(shift.starts_at).isoformat()  # the UK date of the shift (not its UTC date)
    SignupFactory(shift=shift)
    url = f"/admin/volunteers/shift/roster/?seat={seat_a.code}&day={day}"
    client.get(url)  # warm caches (content types, permissions)
    # session, user, MFA check, seat choices, the register grant levels the user holds (which register models the
    # admin's menu offers), shifts, sign-ups with people (every admin is scoped: no Django permission look-ups)
    with django_assert_num_queries(7) as first:
        client.get(url)
    more = ShiftFactory(constituency=seat_a, starts_at=shift.starts_at, ends_at=shift.ends_at, capacity=30)
    for user in UserFactory.create_batch(12):
        ProfileFactory(user=user)
        SignupFactory(shift=more, volunteer=user)
    with django_assert_num_queries(len(first.captured_queries)):
        page = client.get(url)
    assert page.content.decode().count("<tr><td>") == 13

    rows = list(csv.reader(io.StringIO(client.get(url + "&format=csv").content.decode("utf-8-sig"))))
    assert rows[0][0] == "shift" and len(rows) == 14
    assert {row[4] for row in rows[1:]} == {"'@the café", "Barkingside station, north exit"}


def test_mark_attended_action_logs_hours(seat_a, seat_organiser):
    shift = ShiftFactory(constituency=seat_a, starts_at=in_hours(-2), ends_at=in_hours(1))
    signup = SignupFactory(shift=shift)
    logged_in_client(seat_organiser).post(
        "/admin/volunteers/signup/", {"action": "mark_attended", helpers.ACTION_CHECKBOX_NAME: [signup.pk]}
    )
    signup.refresh_from_db()
    assert signup.status == SignupStatus.ATTENDED and signup.hours == Decimal("3.00")


def test_weekly_shifts_from_the_admin(seat_a, seat_organiser):
    # Typed as an organiser would: UK wall-clock times, 10:00 to 11:00 three days on, whatever the hour now.
    start = clock.local(clock.at(clock.today() + dt.timedelta(days=3), dt.time(10)))
    end = start + dt.timedelta(hours=1)
    data = {
        "kind": "canvassing",
        "title": "Weekly doors",
        "constituency": seat_a.pk,
        "starts_at_0": start.strftime("%d/%m/%Y"),
        "starts_at_1": start.strftime("%H:%M:%S"),
        "ends_at_0": start.strftime("%d/%m/%Y"),
        "ends_at_1": end.strftime("%H:%M:%S"),
        "meeting_point": "Library",
        "capacity": 8,
        "minimum": 2,
        "repeat_weeks": 4,
    }
    response = logged_in_client(seat_organiser).post("/admin/volunteers/shift/add/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    shifts = Shift.objects.filter(title="Weekly doors").order_by("starts_at")
    assert shifts.count() == 4 and len(set(shifts.values_list("series", flat=True))) == 1
    assert [clock.local(shift.starts_at).strftime("%H:%M") for shift in shifts] == ["10:00"] * 4
    assert shifts[0].starts_at == start


def test_deleting_an_account_in_the_admin_frees_its_places(national_organiser):
    shift = ShiftFactory(capacity=1)
    leaving = SignupFactory(shift=shift)
    waiting = SignupFactory(shift=shift, status=SignupStatus.WAITLISTED)
    response = logged_in_client(national_organiser).post(
        f"/admin/volunteers/user/{leaving.volunteer_id}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Signup.objects.filter(pk=leaving.pk).exists()
    waiting.refresh_from_db()
    assert waiting.status == SignupStatus.CONFIRMED
    shift.refresh_from_db()
    assert shift.filled == 1
