"""Tests control time: the whole suite can start at a given instant, and any test can travel.

- ``pytest --clock-at=2027-03-28T00:59:30+00:00`` (or ``ORGANISER_TEST_NOW=…`` in the environment) starts the
  suite's clock at that instant; it ticks on from there as the suite runs. Without either, the suite runs at
  the real time.
- The subprocesses a test starts from the test settings (Celery workers, servers) start at the instant the
  test is at: ``subprocess_environment`` hands it on in ``ORGANISER_TEST_NOW``, and ``tests/settings.py``
  calls ``start_from_environment`` when such a process loads its settings.
- The ``travel`` fixture (tests/conftest.py) moves the clock for one test.

time-machine moves Python's clock (``time.time``, ``datetime.now``) for every caller in the process, so
everything that asks ``organiser.clock`` moves with it, model defaults and the instants handed to SQL
included. PostgreSQL's own ``now()`` does not move: app code never calls it.
"""

from __future__ import annotations

import datetime as dt
import os

import time_machine

ENVIRONMENT_VARIABLE = "ORGANISER_TEST_NOW"

_suite: time_machine.travel | None = None
_suite_start: dt.datetime | None = None


def parse_instant(value: str) -> dt.datetime:
    """An ISO 8601 instant with its offset (``2027-03-28T00:59:30+00:00``, ``…Z``); a naive one is refused:
    a wall-clock time without its zone is not an instant."""
    try:
        instant = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO 8601 date and time") from None
    if instant.tzinfo is None:
        raise ValueError(f"{value!r} has no UTC offset: say which instant (e.g. {value}+00:00)")
    return instant


def suite_start() -> dt.datetime | None:
    """The instant the suite's clock started at, or None when it runs at the real time."""
    return _suite_start


def start(value: str) -> dt.datetime:
    """Start this process's clock at ``value`` and let it tick on; returns the instant."""
    global _suite, _suite_start
    instant = parse_instant(value)
    if _suite is not None:
        _suite.stop()
    _suite = time_machine.travel(instant, tick=True)
    _suite.start()
    _suite_start = instant
    return instant


def start_from_environment() -> dt.datetime | None:
    """Start the clock at ``$ORGANISER_TEST_NOW`` where it is set (and not started already)."""
    value = os.environ.get(ENVIRONMENT_VARIABLE, "")
    if value and _suite is None:
        return start(value)
    return _suite_start


def subprocess_environment(env: dict[str, str]) -> dict[str, str]:
    """``env`` for a subprocess of a test: it starts at the instant the test is at (when the clock has been
    moved), else at the real time."""
    from organiser import clock

    env = dict(env)
    if time_machine.escape_hatch.is_travelling():
        env[ENVIRONMENT_VARIABLE] = clock.now().isoformat()
    else:
        env.pop(ENVIRONMENT_VARIABLE, None)
    return env


def last_sunday(year: int, month: int) -> dt.date:
    """The last Sunday of ``month``: the UK's clocks change on the last Sundays of March and October."""
    day = dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
    return day - dt.timedelta(days=(day.weekday() + 1) % 7)


def next_clock_change(month: int, after: dt.date | None = None) -> dt.date:
    """The next last Sunday of ``month`` (3: the clocks go forward; 10: back) after ``after`` (default: the
    clock's date), so a test of a clock change is always about one to come."""
    from organiser import clock

    after = after or clock.today()
    day = last_sunday(after.year, month)
    return day if day > after else last_sunday(after.year + 1, month)
