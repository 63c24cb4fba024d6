"""The organisers' and the lead's pages: the supporters' admin list and API list cost the same number of queries
whatever the number of supporters; the lead's check-in page shows who confirmed the day before and what they said
after."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conversations.services import supporters as services
from organiser import clock
from tests.conftest import logged_in_client
from tests.volunteers.factories import ProfileFactory, ShiftFactory
from volunteers import services as volunteer_services

pytestmark = pytest.mark.django_db


def _supporters(seat, start: int, count: int) -> None:
    for n in range(start, start + count):
        services.supporter_sign_up(
            email=f"s{n}@example.org", constituency=seat, agrees=["email", "sms"], phone="07911 123456", source="t"
        )


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("url", [reverse("admin:conversations_supporter_changelist"), "/api/v1/supporters/"])
def test_the_supporters_list_costs_the_same_queries_for_three_or_twelve(url, seat_organiser, seat_a):
    client = logged_in_client(seat_organiser)
    _supporters(seat_a, 0, 3)
    few = _queries(client, url)
    _supporters(seat_a, 3, 9)
    assert _queries(client, url) == few


def test_the_leads_check_in_shows_who_confirmed_and_how_it_went(travel, team_lead):
    travel(dt.datetime(2027, 6, 1, 9, 0, tzinfo=dt.UTC))
    start = clock.at(dt.date(2027, 6, 3), dt.time(10))
    shift = ShiftFactory(starts_at=start, ends_at=start + dt.timedelta(hours=2), lead=team_lead)
    coming = volunteer_services.signup_create(shift=shift, volunteer=ProfileFactory(user__full_name="Amina Khan").user)
    silent = volunteer_services.signup_create(shift=shift, volunteer=ProfileFactory(user__full_name="Bilal Shah").user)
    travel(clock.at(dt.date(2027, 6, 2), dt.time(18, 30)))
    volunteer_services.signup_attendance_confirm(signup=coming)
    client = logged_in_client(team_lead)
    page = client.get(reverse("volunteers:check_in", args=[shift.pk])).content.decode()
    assert page.count("data-confirmed-ahead") == 1
    assert page.index("Amina Khan") < page.index("data-confirmed-ahead") < page.index("Bilal Shah")

    travel(shift.ends_at + dt.timedelta(hours=1))
    volunteer_services.signup_feedback_record(signup=coming, attended=True, rating=4, note="Good turf")
    volunteer_services.signup_feedback_record(signup=silent, attended=False)
    page = client.get(reverse("volunteers:check_in", args=[shift.pk])).content.decode()
    assert "Says they came · rated 4/5" in page and "“Good turf”" in page
    assert "Says they could not come" in page
