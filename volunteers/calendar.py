"""iCalendar (RFC 5545) for shifts: one event per sign-up, and a volunteer's private feed of their shifts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings

from organiser import clock
from volunteers.models import Shift, SignupStatus


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n").replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space (RFC 5545 §3.1)."""
    encoded = line.encode()
    if len(encoded) <= 75:
        return line
    parts, current = [], b""
    for char in line:
        piece = char.encode()
        if len(current) + len(piece) > (75 if not parts else 74):
            parts.append(current.decode())
            current = b""
        current += piece
    parts.append(current.decode())
    return "\r\n ".join(parts)


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _host() -> str:
    return settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0] or "organiser"


def event_lines(*, shift: Shift, status: str, url: str = "", sequence: int = 0) -> list[str]:
    """One VEVENT; its UID is the shift's, so a later CANCELLED one (``sequence`` above the first's 0) replaces
    the event a calendar app added from the confirmation."""
    description = f"{shift.kind_label} in {shift.constituency.name}. Meet at {shift.meeting_point}."
    if shift.notes:
        description += f"\n{shift.notes}"
    lines = [
        "BEGIN:VEVENT",
        f"UID:shift-{shift.pk}@{_host()}",
        f"DTSTAMP:{_utc(clock.now())}",
        f"DTSTART:{_utc(shift.starts_at)}",
        f"DTEND:{_utc(shift.ends_at)}",
        f"SUMMARY:{_escape(shift.display_title)}",
        f"LOCATION:{_escape(shift.meeting_point)}",
        f"DESCRIPTION:{_escape(description)}",
        "STATUS:" + ("CANCELLED" if status == SignupStatus.CANCELLED else "CONFIRMED"),
    ]
    if status == SignupStatus.WAITLISTED:
        lines[5] = f"SUMMARY:{_escape('(Waiting list) ' + shift.display_title)}"
        lines[-1] = "STATUS:TENTATIVE"
    if url:
        lines.append(f"URL:{url}")
    if sequence:
        lines.append(f"SEQUENCE:{sequence}")
    if status == SignupStatus.CANCELLED:
        lines.append(f"ORGANIZER;CN={_escape(settings.CAMPAIGN_NAME)}:mailto:{_organiser_address()}")
    lines.append("END:VEVENT")
    return lines


def _organiser_address() -> str:
    from email.utils import parseaddr

    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or f"shifts@{_host()}"


def calendar(events: Iterable[list[str]], *, name: str, method: str = "PUBLISH") -> str:
    """A VCALENDAR of ``events``; ``method="CANCEL"`` for the file that takes a cancelled shift off a calendar."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//{_escape(settings.CAMPAIGN_NAME)}//Organiser//EN",
        "CALSCALE:GREGORIAN",
        f"METHOD:{method}",
        f"X-WR-CALNAME:{_escape(name)}",
    ]
    for event in events:
        lines.extend(event)
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
