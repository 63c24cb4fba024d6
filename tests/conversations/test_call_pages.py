"""Call and text assignment pages: an organiser makes one from their segment (a bad form changes nothing and says
why), sees its progress; another seat's assignment is a 404; a caller is given a person on a POST (a GET changes
nothing), records the outcome in one tap, and asks for a call-back; the TPS page is national organisers'."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conversations.models import Call, CallAssignment, CallTarget, Outcome, Segment, TargetState, TPSNumber
from conversations.services import calls as services
from conversations.services import supporters as supporter_services
from organiser import clock
from tests.conftest import logged_in_client, make_user
from volunteers.models import Role

pytestmark = pytest.mark.django_db

NOON = "2027-03-10T12:00:00Z"


@pytest.fixture
def world(travel, seat_a, seat_b, seat_organiser):
    travel(NOON)
    for n, seat in ((1, seat_a), (2, seat_a), (3, seat_b)):
        supporter_services.supporter_sign_up(
            full_name=f"Person {n}", phone=f"07911 13000{n}", constituency=seat, agrees=["sms"], source="test"
        )
    segment_a = Segment.objects.create(name="Seat A all", constituency=seat_a, filters={})
    segment_b = Segment.objects.create(name="Seat B all", constituency=seat_b, filters={})
    other = make_user(Role.SEAT_ORGANISER, seats=(seat_b,), mfa=True)
    assignment_b = services.assignment_create(user=other, name="B calls", segment=segment_b, script="Hi")
    return {"segment_a": segment_a, "segment_b": segment_b, "assignment_b": assignment_b}


def test_an_organiser_makes_an_assignment_from_their_segment_on_its_page(world, seat_organiser):
    client = logged_in_client(seat_organiser)
    page = client.get("/organise/calls/new/")
    assert page.status_code == 200
    options = page.context["form"].fields["segment"].queryset
    assert list(options) == [world["segment_a"]]  # not seat B's
    refused = client.post(
        "/organise/calls/new/",
        {"name": "Sat", "segment": world["segment_b"].pk, "script": "Hi", "calls_from": "10:00",
         "calls_until": "20:00", "cooldown_hours": 24},
    )  # fmt: skip
    assert refused.status_code == 200 and "segment" in refused.context["form"].errors
    late = client.post(
        "/organise/calls/new/",
        {"name": "Sat", "segment": world["segment_a"].pk, "script": "Hi", "calls_from": "10:00",
         "calls_until": "22:00", "cooldown_hours": 24, "callers": "nobody@example.org"},
    )  # fmt: skip
    assert late.status_code == 200
    assert "21:00" in str(late.context["form"].errors) or "calls_until" in late.context["form"].errors
    assert "nobody@example.org" in str(late.context["form"].errors["callers"])
    assert CallAssignment.objects.count() == 1  # only seat B's
    caller = make_user(Role.VOLUNTEER)
    made = client.post(
        "/organise/calls/new/",
        {"name": "Saturday", "segment": world["segment_a"].pk, "script": "Hello {name}", "calls_from": "10:00",
         "calls_until": "20:00", "cooldown_hours": 24, "callers": caller.email.upper()},
    )  # fmt: skip
    assignment = CallAssignment.objects.get(name="Saturday")
    assert made.status_code == 302 and made.url == f"/organise/calls/{assignment.pk}/"
    assert list(assignment.callers.all()) == [caller]
    progress = client.get(made.url)
    assert progress.status_code == 200 and progress.context["progress"]["to_call"] == 2
    listed = client.get("/organise/calls/")
    assert "Saturday" in listed.content.decode() and "B calls" not in listed.content.decode()


def test_another_seats_assignment_is_a_404_on_every_page(world, seat_organiser):
    client = logged_in_client(seat_organiser)
    pk = world["assignment_b"].pk
    for path in (f"/organise/calls/{pk}/", f"/calls/{pk}/"):
        assert client.get(path).status_code == 404
    assert client.post(f"/calls/{pk}/").status_code == 404
    assert client.post(f"/calls/{pk}/outcome/", {"target": 1, "outcome": "talked"}).status_code == 404
    assert client.post(f"/organise/calls/{pk}/", {"action": "close"}).status_code == 404
    assert CallAssignment.objects.get(pk=pk).is_open


def test_volunteers_cannot_reach_organiser_pages_and_see_only_what_they_call_for(world, seat_organiser):
    volunteer = make_user(Role.VOLUNTEER)
    client = logged_in_client(volunteer)
    assert client.get("/organise/calls/").status_code == 403
    assert client.get("/organise/calls/new/").status_code == 403
    assert client.get(f"/calls/{world['assignment_b'].pk}/").status_code == 404
    world["assignment_b"].callers.add(volunteer)
    assert client.get(f"/calls/{world['assignment_b'].pk}/").status_code == 200
    assert "B calls" in client.get("/calls/").content.decode()


def test_a_caller_is_given_a_person_records_the_outcome_and_asks_for_a_call_back(world, travel):
    caller = make_user(Role.VOLUNTEER)
    assignment = world["assignment_b"]
    assignment.callers.add(caller)
    client = logged_in_client(caller)
    screen = client.get(f"/calls/{assignment.pk}/")
    assert screen.context["target"] is None and not CallTarget.objects.filter(claimed_by=caller).exists()
    client.post(f"/calls/{assignment.pk}/")
    screen = client.get(f"/calls/{assignment.pk}/")
    target = screen.context["target"]
    assert target is not None and f'href="tel:{target.phone}"' in screen.content.decode()
    call_back = clock.local() + dt.timedelta(hours=3)
    missing_time = client.post(
        f"/calls/{assignment.pk}/outcome/", {"target": target.pk, "outcome": "call_back", "call_back_at": ""}
    )
    assert missing_time.status_code == 302 and not Call.objects.exists()
    client.post(
        f"/calls/{assignment.pk}/outcome/",
        {"target": target.pk, "outcome": "call_back", "call_back_at": call_back.strftime("%Y-%m-%dT%H:%M")},
    )
    target.refresh_from_db()
    assert target.last_outcome == Outcome.CALL_BACK and target.priority == 0
    assert target.available_at == call_back.replace(second=0, microsecond=0)
    assert client.post(f"/calls/{assignment.pk}/outcome/", {"target": "x", "outcome": "??"}).status_code == 302


def test_outside_calling_hours_the_screen_says_when(world, travel):
    assignment = world["assignment_b"]
    caller = make_user(Role.VOLUNTEER)
    assignment.callers.add(caller)
    travel("2027-03-10T07:30:00Z")
    client = logged_in_client(caller)
    answer = client.post(f"/calls/{assignment.pk}/")
    assert answer.status_code == 200 and "10:00 to 20:00" in answer.content.decode()
    assert not CallTarget.objects.filter(claimed_by=caller).exists()


def test_the_tps_page_is_national_organisers_and_loads_all_or_nothing(world, national_organiser, seat_organiser):
    assert logged_in_client(seat_organiser).get("/organise/calls/tps/").status_code == 403
    client = logged_in_client(national_organiser)
    bad = client.post(
        "/organise/calls/tps/", {"list_kind": "tps", "file": SimpleUploadedFile("tps.csv", b"07911 130003\nnope\n")}
    )
    assert bad.status_code == 200 and "Line 2" in bad.content.decode() and not TPSNumber.objects.exists()
    good = client.post(
        "/organise/calls/tps/", {"list_kind": "tps", "file": SimpleUploadedFile("tps.csv", b"07911 130003\n")}
    )
    assert good.status_code == 302
    assert world["assignment_b"].targets.get().state == TargetState.SCREENED
