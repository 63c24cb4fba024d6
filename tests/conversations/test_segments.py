"""Segments: the one filter (parsed with a reason per bad criterion), evaluated afresh as querysets over
volunteers and supporters, within the caller's scope and the segment's seat, with a pinned query count; saved and
changed through the services by the admin and the API alike."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from conversations.models import Segment
from conversations.selectors.segments import (
    SegmentFilter,
    segment_counts,
    segment_people,
    segment_supporters,
    segment_volunteers,
)
from conversations.services import segments as services
from conversations.services import supporters as supporter_services
from organiser import clock
from tests.conftest import logged_in_client
from tests.volunteers.factories import ProfileFactory, ShiftFactory, SignupFactory
from volunteers.models import SignupStatus
from volunteers.services import consent_set

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(seat_a, seat_b):
    """Volunteers and supporters in two seats, with skills, languages, activity, shifts done, consents, tags."""
    now = clock.now()
    driver = ProfileFactory(
        home_constituency=seat_a, skills=["driving", "canvassing"], languages=["ur", "en"], last_active_at=now,
        user__full_name="Asif Driver",
    )  # fmt: skip
    canvasser = ProfileFactory(
        home_constituency=seat_a, skills=["canvassing"], languages=["bn"], last_active_at=now - dt.timedelta(days=40),
        user__full_name="Bina Canvasser",
    )  # fmt: skip
    elsewhere = ProfileFactory(home_constituency=seat_b, skills=["driving"], languages=["ur"], last_active_at=now,
                               user__full_name="Chris Elsewhere")  # fmt: skip
    consent_set(user=driver.user, channel="sms", given=True, source="test")
    past = ShiftFactory(
        constituency=seat_a, starts_at=now - dt.timedelta(days=3), ends_at=now - dt.timedelta(days=3, hours=-2)
    )
    SignupFactory(shift=past, volunteer=driver.user, status=SignupStatus.ATTENDED)
    housing = supporter_services.supporter_sign_up(
        full_name="Dana Housing", email="dana@example.org", phone="07911 123456", constituency=seat_a,
        agrees=["email", "sms"], source="test",
    ).supporter  # fmt: skip
    supporter_services.supporter_update(supporter=housing, tags=["housing"])
    quiet = supporter_services.supporter_sign_up(
        full_name="Ed Quiet", email="ed@example.org", constituency=seat_a, agrees=["email"], source="test"
    ).supporter
    far = supporter_services.supporter_sign_up(
        full_name="Fay Far", email="fay@example.org", constituency=seat_b, agrees=["email"], source="test"
    ).supporter
    return {"driver": driver, "canvasser": canvasser, "elsewhere": elsewhere, "housing": housing, "quiet": quiet,
            "far": far}  # fmt: skip


def _names(rows) -> list[str]:
    return [row["p_name"] for row in rows]


def test_the_filter_refuses_what_it_does_not_know_with_a_reason_per_criterion():
    with pytest.raises(ValidationError) as caught:
        SegmentFilter.from_json(
            {"skills": ["flying"], "seats": ["Ilford"], "active_within_days": -1, "population": "aliens", "x": 1}
        )
    assert set(caught.value.message_dict) == {"skills", "seats", "active_within_days", "population", "x"}
    with pytest.raises(ValidationError):
        SegmentFilter.from_json(["not", "an", "object"])
    parsed = SegmentFilter.from_json({"skills": ["driving"], "consents": ["sms"], "min_shifts_done": 1})
    assert SegmentFilter.from_json(parsed.to_json()) == parsed


def test_each_criterion_narrows_volunteers_and_supporters(people, national_organiser, seat_a):
    def run(**criteria):
        filters = SegmentFilter.from_json(criteria)
        return (
            {p.user.full_name for p in segment_volunteers(filters=filters, user=national_organiser)},
            {s.full_name for s in segment_supporters(filters=filters, user=national_organiser)},
        )

    everyone = run()
    assert everyone == ({"Asif Driver", "Bina Canvasser", "Chris Elsewhere"}, {"Dana Housing", "Ed Quiet", "Fay Far"})
    assert run(seats=[seat_a.code]) == ({"Asif Driver", "Bina Canvasser"}, {"Dana Housing", "Ed Quiet"})
    assert run(skills=["driving", "canvassing"]) == ({"Asif Driver"}, set())  # every skill; supporters have none
    assert run(languages=["bn", "ur"]) == ({"Asif Driver", "Bina Canvasser", "Chris Elsewhere"}, set())
    assert run(active_within_days=30)[0] == {"Asif Driver", "Chris Elsewhere"}
    assert run(min_shifts_done=1) == ({"Asif Driver"}, set())
    assert run(consents=["sms"]) == ({"Asif Driver"}, {"Dana Housing"})
    assert run(tags=["housing"]) == (set(), {"Dana Housing"})
    assert run(population="supporters")[0] == set() and run(population="volunteers")[1] == set()


def test_segments_are_re_evaluated_when_used(people, national_organiser, seat_a):
    segment = services.segment_create(
        name="Texters", constituency=seat_a, filters={"consents": ["sms"]}, user=national_organiser
    )
    assert _names(segment_people(segment=segment, user=national_organiser)) == ["Asif Driver", "Dana Housing"]
    supporter_services.supporter_consent_withdraw(supporter=people["housing"], channel="sms", source="test")
    consent_set(user=people["canvasser"].user, channel="sms", given=True, source="test")
    assert _names(segment_people(segment=segment, user=national_organiser)) == ["Asif Driver", "Bina Canvasser"]


def test_a_seat_organiser_gets_only_their_seats_people_and_segments(people, seat_organiser, seat_a, seat_b,
                                                                    national_organiser):  # fmt: skip
    everywhere = services.segment_create(name="All", filters={}, user=national_organiser)
    rows = segment_people(segment=everywhere, user=seat_organiser)
    assert set(_names(rows)) == {"Asif Driver", "Bina Canvasser", "Dana Housing", "Ed Quiet"}
    asking_for_b = services.segment_create(
        name="Mine", constituency=seat_a, filters={"seats": [seat_b.code]}, user=seat_organiser
    )
    assert list(segment_people(segment=asking_for_b, user=seat_organiser)) == []  # the segment's seat holds
    with pytest.raises(ValidationError):
        services.segment_create(name="B", constituency=seat_b, filters={}, user=seat_organiser)
    with pytest.raises(ValidationError):
        services.segment_create(name="National", constituency=None, filters={}, user=seat_organiser)
    with pytest.raises(PermissionDenied):
        services.segment_update(segment=everywhere, user=seat_organiser, name="Mine now")


def test_a_supporter_with_a_volunteers_account_counts_once(people, national_organiser, seat_a):
    volunteer = people["driver"].user
    supporter_services.supporter_sign_up(
        email=volunteer.email, constituency=seat_a, agrees=["email"], source="test", user=volunteer
    )
    segment = services.segment_create(name="All A", constituency=seat_a, filters={}, user=national_organiser)
    names = _names(segment_people(segment=segment, user=national_organiser))
    assert names.count("Asif Driver") == 1
    assert segment_counts(segment=segment, user=national_organiser) == {"volunteers": 2, "supporters": 2}


def test_evaluating_a_segment_is_one_query_whatever_its_size(people, national_organiser, seat_a,
                                                             django_assert_num_queries):  # fmt: skip
    segment = services.segment_create(
        name="Active texters", constituency=seat_a,
        filters={"consents": ["sms"], "active_within_days": 30, "min_shifts_done": 0}, user=national_organiser,
    )  # fmt: skip
    for _ in range(20):
        ProfileFactory(home_constituency=seat_a, last_active_at=clock.now())
    with django_assert_num_queries(1):
        rows = list(segment_people(segment=segment, user=national_organiser))
    assert _names(rows) == ["Asif Driver", "Dana Housing"]


def test_the_api_saves_segments_through_the_filter_and_lists_their_people(people, seat_organiser, seat_a, seat_b):
    client = logged_in_client(seat_organiser)
    bad = client.post(
        "/api/v1/segments/", {"name": "x", "constituency": seat_a.code, "filters": {"skills": ["flying"]}},
        content_type="application/json",
    )  # fmt: skip
    assert bad.status_code == 400 and "skills" in bad.json()
    not_mine = client.post(
        "/api/v1/segments/", {"name": "x", "constituency": seat_b.code}, content_type="application/json"
    )
    assert not_mine.status_code == 400 and "constituency" in not_mine.json()
    made = client.post(
        "/api/v1/segments/",
        {"name": "Drivers", "constituency": seat_a.code, "filters": {"skills": ["driving"]}},
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    segment_id = made.json()["id"]
    people_page = client.get(f"/api/v1/segments/{segment_id}/people/").json()
    assert [row["name"] for row in people_page["results"]] == ["Asif Driver"]
    changed = client.patch(
        f"/api/v1/segments/{segment_id}/", {"filters": {"tags": ["housing"]}}, content_type="application/json"
    )
    assert changed.status_code == 200
    assert [row["name"] for row in client.get(f"/api/v1/segments/{segment_id}/people/").json()["results"]] == [
        "Dana Housing"
    ]
    assert Segment.objects.get(pk=segment_id).filters == {"tags": ["housing"]}
    assert client.delete(f"/api/v1/segments/{segment_id}/").status_code == 204


def test_the_admin_saves_a_segment_and_shows_who_matches_now(people, seat_organiser, seat_a):
    client = logged_in_client(seat_organiser)
    response = client.post(
        reverse("admin:conversations_segment_add"),
        {"name": "Urdu speakers", "constituency": seat_a.pk, "population": "everyone", "languages": ["ur"],
         "tags": ""},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    segment = Segment.objects.get(name="Urdu speakers")
    assert segment.filters == {"languages": ["ur"]} and segment.created_by == seat_organiser
    page = client.get(reverse("admin:conversations_segment_change", args=[segment.pk])).content.decode()
    assert "1 volunteer, 0 supporters" in page and "Asif Driver" in page and "Chris Elsewhere" not in page
    refused = client.post(
        reverse("admin:conversations_segment_add"),
        {"name": "Bad tags", "constituency": seat_a.pk, "population": "everyone", "tags": "Not A Tag!"},
    )
    assert refused.status_code == 200 and not Segment.objects.filter(name="Bad tags").exists()
