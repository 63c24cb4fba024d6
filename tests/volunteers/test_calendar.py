"""A shift's .ics (volunteers/calendar.py, written with icalendar): hostile text stays inside its property (a
lone CR included), a cancellation is a CANCEL of the same event, a waiting-list place is tentative, and every
line is folded to 75 octets."""

from __future__ import annotations

import pytest
from icalendar import Calendar

from tests.volunteers.factories import ShiftFactory
from volunteers import calendar
from volunteers.models import SignupStatus

pytestmark = pytest.mark.django_db

HOSTILE = "x\rATTENDEE:mailto:evil@example.com"


def _parsed(text: str) -> tuple[Calendar, list]:
    parsed = Calendar.from_ical(text)
    return parsed, list(parsed.walk("VEVENT"))


@pytest.mark.parametrize("where", ["title", "meeting_point", "notes"], ids=["title", "meeting point", "notes"])
def test_a_lone_cr_or_newline_in_any_text_does_not_start_a_property(where):
    shift = ShiftFactory(**{where: HOSTILE, **({} if where == "title" else {"title": "Canvass"})})
    for breaker in ("\r", "\n", "\r\n"):
        setattr(shift, where, HOSTILE.replace("\r", breaker))
        text = calendar.calendar([calendar.shift_event(shift=shift, status=SignupStatus.CONFIRMED)], name=HOSTILE)
        assert not [line for line in text.split("\r\n") if line.startswith("ATTENDEE")]
        assert "\r" not in text.replace("\r\n", "")  # no CR but the line ends
        _cal, [event] = _parsed(text)
        assert "ATTENDEE" not in event
        assert "evil@example.com" in str(event["SUMMARY"]) + str(event["LOCATION"]) + str(event["DESCRIPTION"])


def test_a_cancellation_takes_the_same_event_off_the_calendar():
    shift = ShiftFactory(title="Saturday canvass, Barkingside; bring water")
    confirmed = calendar.calendar([calendar.shift_event(shift=shift, status=SignupStatus.CONFIRMED)], name="x")
    cancel = calendar.calendar(
        [calendar.shift_event(shift=shift, status=SignupStatus.CANCELLED, sequence=1)], name="x", method="CANCEL"
    )
    first, [was] = _parsed(confirmed)
    second, [now] = _parsed(cancel)
    assert (str(first["METHOD"]), str(was["STATUS"])) == ("PUBLISH", "CONFIRMED")
    assert (str(second["METHOD"]), str(now["STATUS"]), int(now["SEQUENCE"])) == ("CANCEL", "CANCELLED", 1)
    assert str(now["UID"]) == str(was["UID"]) == f"shift-{shift.pk}@" + str(was["UID"]).split("@", 1)[1]
    assert str(now["ORGANIZER"]).startswith("mailto:") and now["ORGANIZER"].params["CN"]
    assert str(was["SUMMARY"]) == shift.title  # the comma and semicolon come back as they were
    assert now.decoded("DTSTART") == shift.starts_at.replace(microsecond=0)  # RFC 5545 times are to the second
    assert now.decoded("DTEND") == shift.ends_at.replace(microsecond=0)


def test_a_waiting_list_place_is_tentative():
    shift = ShiftFactory(title="Leafleting")
    _cal, [event] = _parsed(
        calendar.calendar([calendar.shift_event(shift=shift, status=SignupStatus.WAITLISTED)], name="x")
    )
    assert (str(event["STATUS"]), str(event["SUMMARY"])) == ("TENTATIVE", "(Waiting list) Leafleting")


def test_long_lines_are_folded_at_75_octets():
    shift = ShiftFactory(title="Télépathie " * 18, notes="é" * 500)
    text = calendar.calendar(
        [calendar.shift_event(shift=shift, status=SignupStatus.CONFIRMED, url="https://example.org/s/1")], name="x"
    )
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    _cal, [event] = _parsed(text)
    assert str(event["SUMMARY"]) == shift.title and str(event["DESCRIPTION"]).endswith("é" * 500)
