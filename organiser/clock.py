"""The one clock of the project: what time it is, the campaign's time zone, and how a UK date and wall-clock
time become an instant.

App code asks this module and never the wall clock itself: not ``timezone.now()``, ``timezone.localdate()``,
``date.today()`` or ``datetime.now()``, nor ``now()`` / ``CURRENT_DATE`` in SQL (a query takes ``now()`` from
here and ``zone_name()`` as parameters), nor a literal zone. The zone is written once, in
``settings.TIME_ZONE``; Celery takes it from there too. Functions whose answer depends on the time take a
``now`` argument and default to ``now()``, so a caller (a task, a test) can give them the instant.

Tests move this clock with time-machine (``tests/conftest.py``: the ``travel`` fixture, and ``--clock-at`` /
``ORGANISER_TEST_NOW`` for the whole suite); because every read goes through ``timezone.now()`` underneath,
time-machine moves model defaults, services, selectors and the parameters handed to PostgreSQL alike.

Local times and clock changes (Europe/London: 01:00 GMT jumps to 02:00 BST on the last Sunday of March, and
02:00 BST falls back to 01:00 GMT on the last Sunday of October): ``at(day, time)`` of a wall-clock time that
does not exist that night (01:30 in March) is the moment just as far past the jump (02:30 BST); one that
happens twice (01:30 in October) is its second occurrence (GMT). That is how PostgreSQL reads a local time
``AT TIME ZONE`` (the later of the two readings, in both cases), so Python and SQL agree on every instant.

Instants come back in UTC (``local()`` alone gives the zone's view): Python compares and subtracts two
datetimes that share a zone by their wall-clock fields, so ``end - start`` across a clock change, or ``==``
on 01:30 in October, would be wrong by an hour in London time and is right in UTC.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone


def now() -> dt.datetime:
    """The current instant (aware, UTC). Also the default of every ``DateTimeField`` that records a moment."""
    return timezone.now()


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def zone_name() -> str:
    """The campaign's time zone's name (``settings.TIME_ZONE``), for SQL ``AT TIME ZONE %s`` parameters."""
    return settings.TIME_ZONE


def zone() -> ZoneInfo:
    """The campaign's time zone (``settings.TIME_ZONE``)."""
    return _zone(settings.TIME_ZONE)


def local(instant: dt.datetime | None = None) -> dt.datetime:
    """``instant`` (default: now) in the campaign's zone."""
    return (instant or now()).astimezone(zone())


def today(now: dt.datetime | None = None) -> dt.date:
    """The campaign's date at ``now`` (default: the current instant): the UK date, not the UTC one."""
    return local(now).date()


def at(day: dt.date, time: dt.time = dt.time(0)) -> dt.datetime:
    """The instant of the wall-clock ``time`` on ``day`` in the campaign's zone (see the module docstring
    for the nights the clocks change)."""
    naive = dt.datetime.combine(day, time.replace(tzinfo=None, fold=0))
    readings = (naive.replace(tzinfo=zone(), fold=fold).astimezone(dt.UTC) for fold in (0, 1))
    return max(readings)  # they differ only on the nights the clocks change: the later, as PostgreSQL


def local_days_later(instant: dt.datetime, days: int) -> dt.datetime:
    """The same wall-clock time ``days`` calendar days later (earlier when negative) in the campaign's zone:
    a 10:00 shift a week on is at 10:00 again across a clock change (then 7 days plus or minus one hour)."""
    moment = local(instant)
    return at(moment.date() + dt.timedelta(days=days), moment.time())


def start_of_day(day: dt.date) -> dt.datetime:
    """Midnight at the start of ``day`` in the campaign's zone."""
    return at(day)


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """``[start, end)`` of ``day`` in the campaign's zone: 23 or 25 hours on the nights the clocks change."""
    return at(day), at(day + dt.timedelta(days=1))


def next_whole_hour(now: dt.datetime | None = None) -> dt.datetime:
    """The first whole hour (in the campaign's zone) strictly after ``now``."""
    hour = local(now).replace(minute=0, second=0, microsecond=0)  # keeps ``fold``: the right 01:00 in October
    return hour.astimezone(dt.UTC) + dt.timedelta(hours=1)


def week_start(now: dt.datetime | None = None) -> dt.date:
    """The Monday of the ISO week that holds ``now`` in the campaign's zone."""
    day = today(now)
    return day - dt.timedelta(days=day.weekday())
