"""iCalendar (RFC 5545) for shifts: one event per sign-up, and a volunteer's private feed of their shifts.

Written with the ``icalendar`` library, as calendar servers do: it escapes every text value (a lone CR in a
shift's title included, which would otherwise start a property line of its own), folds long lines at 75
octets and writes times in UTC. A cancelled sign-up's file is a ``METHOD:CANCEL`` with the same UID and a
later SEQUENCE, which takes the event off the calendar the confirmation put it on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from email.utils import parseaddr

from django.conf import settings
from icalendar import Calendar, Event, vCalAddress, vText

from organiser import clock
from volunteers.models import Shift, SignupStatus


def _host() -> str:
    return settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0] or "organiser"


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC)


def _organiser_address() -> str:
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or f"shifts@{_host()}"


def shift_event(*, shift: Shift, status: str, url: str = "", sequence: int = 0) -> Event:
    """One VEVENT; its UID is the shift's, so a later CANCELLED one (``sequence`` above the first's 0) replaces
    the event a calendar app added from the confirmation."""
    description = f"{shift.kind_label} in {shift.constituency.name}. Meet at {shift.meeting_point}."
    if shift.notes:
        description += f"\n{shift.notes}"
    waitlisted = status == SignupStatus.WAITLISTED
    cancelled = status == SignupStatus.CANCELLED
    event = Event()
    event.add("uid", f"shift-{shift.pk}@{_host()}")
    event.add("dtstamp", _utc(clock.now()))
    event.add("dtstart", _utc(shift.starts_at))
    event.add("dtend", _utc(shift.ends_at))
    event.add("summary", ("(Waiting list) " if waitlisted else "") + shift.display_title)
    event.add("location", shift.meeting_point)
    event.add("description", description)
    event.add("status", "CANCELLED" if cancelled else "TENTATIVE" if waitlisted else "CONFIRMED")
    if url:
        event.add("url", url)
    if sequence:
        event.add("sequence", sequence)
    if cancelled:
        organiser = vCalAddress(f"mailto:{_organiser_address()}")
        organiser.params["cn"] = vText(settings.CAMPAIGN_NAME)
        event.add("organizer", organiser)
    return event


def calendar(events: Iterable[Event], *, name: str, method: str = "PUBLISH") -> str:
    """A VCALENDAR of ``events``; ``method="CANCEL"`` for the file that takes a cancelled shift off a calendar."""
    cal = Calendar()
    cal.add("version", "2.0")
    cal.add("prodid", f"-//{settings.CAMPAIGN_NAME}//Organiser//EN")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    cal.add("x-wr-calname", vText(name))  # an X- property is not text unless said: escaped as one
    for event in events:
        cal.add_component(event)
    return cal.to_ical().decode()
