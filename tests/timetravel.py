"""Tests control time: the whole suite can start at a given instant, and any test can travel.

- ``pytest --clock-at=2027-03-28T00:59:30+00:00`` (or ``ORGANISER_TEST_NOW=…`` in the environment) starts the
  suite's clock at that instant; it ticks on from there as the suite runs. Without either, the suite runs at
  the real time.
- The subprocesses a test starts from the test settings (Celery workers, servers) keep the suite's clock:
  ``ORGANISER_TEST_CLOCK_OFFSET`` (seconds from the real time, in the environment from the suite's start,
  and from ``subprocess_environment`` for a test that moved the clock) makes a process that loads
  ``tests/settings.py`` run that far from the real time, so one started, killed and started again later stays
  in step with the test (a fixed start instant would put a restarted worker back in the past).
- The ``travel`` fixture (tests/conftest.py) moves the clock for one test.

time-machine moves Python's clock (``time.time``, ``datetime.now``) for every caller in the process, so
everything that asks ``organiser.clock`` moves with it, model defaults and the instants handed to SQL
included. PostgreSQL's own ``now()`` does not move: app code never calls it.
"""

from __future__ import annotations

import datetime as dt
import os
import time

import time_machine

ENVIRONMENT_VARIABLE = "ORGANISER_TEST_NOW"
OFFSET_VARIABLE = "ORGANISER_TEST_CLOCK_OFFSET"

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


def _real_now() -> dt.datetime:
    travelling = time_machine.escape_hatch.is_travelling()
    return dt.datetime.fromtimestamp(time_machine.escape_hatch.time.time() if travelling else time.time(), tz=dt.UTC)


def offset_seconds() -> float:
    """How far this process's clock is from the real time (0 when it is not moved)."""
    from organiser import clock

    return (clock.now() - _real_now()).total_seconds() if time_machine.escape_hatch.is_travelling() else 0.0


def start_from_environment() -> dt.datetime | None:
    """Start the clock from the environment, where it says so (and it is not started already): a process
    started by a test keeps ``$ORGANISER_TEST_CLOCK_OFFSET`` from the real time; otherwise the suite starts
    at ``$ORGANISER_TEST_NOW``."""
    if _suite is not None:
        return _suite_start
    if offset := os.environ.get(OFFSET_VARIABLE, ""):
        return start((_real_now() + dt.timedelta(seconds=float(offset))).isoformat())
    if value := os.environ.get(ENVIRONMENT_VARIABLE, ""):
        return start(value)
    return None


def subprocess_environment(env: dict[str, str]) -> dict[str, str]:
    """``env`` for a subprocess of a test: its clock runs as far from the real time as the test's is now (when
    the clock has been moved), else at the real time."""
    env = dict(env)
    env.pop(ENVIRONMENT_VARIABLE, None)
    if time_machine.escape_hatch.is_travelling():
        env[OFFSET_VARIABLE] = repr(offset_seconds())
    else:
        env.pop(OFFSET_VARIABLE, None)
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
