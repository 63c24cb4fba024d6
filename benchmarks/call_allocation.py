"""Callers asking for their next person, all at once, from one call assignment of 100,000 supporters.

Issue #16: "200 concurrent callers asking for their next person from one assignment of 100,000 supporters,
against a floor of the bare ``SELECT … FOR UPDATE SKIP LOCKED`` allocation on the same database: goal ≥ 0.5x the
floor, p99 < 50 ms, nobody allocated twice, nobody inside their cooldown."

A throwaway database holds 100,000 supporters of one seat with a mobile number and SMS consent; one in ten was
called an hour ago and is inside the assignment's cooldown, one in fifty is on the TPS file (a fifth of those
agreed to calls), one in two hundred on the campaign's do-not-call list. The assignment is made from a segment of
the seat through ``conversations.services.calls.assignment_create`` (set-based: its 100,000 targets in a few
statements), and a copy of its targets is made for the floor.

200 callers share ``CONNECTIONS`` database connections (threads, each its own connection, as an application's
workers would: the server allows 100 connections, shared with whatever else runs), each thread working its callers
in turn. Each allocation is one caller asking for their next person; the caller then finishes with them (the same
one-row update in value and floor alike), so the queue moves.

- value: allocations per second through ``call_next`` (the caller's held person, else one claim that skips rows
  others are claiming and checks the do-not-call list, the TPS file and consent to calls in the same statement);
- floor: allocations per second through the bare claim: ``UPDATE … WHERE id = (SELECT id … ORDER BY … LIMIT 1 FOR
  UPDATE SKIP LOCKED) RETURNING id``, with no screening, on the copy.

Rounds alternate value and floor (``ROUNDS`` of each, ``BENCHMARK_SECONDS`` each); the median round is reported.
Every allocation is recorded: the run checks that nobody was allocated twice, nobody inside their cooldown, and
nobody screened out (do-not-call, TPS without consent). p50/p99 are of single ``call_next`` calls.

    python -m benchmarks.call_allocation          # SUPPORTERS=20000 CALLERS=50 for a shorter run
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import threading
import time

from benchmarks.harness import benchmark_seconds, progress, report, temporary_database

SUPPORTERS = int(os.environ.get("SUPPORTERS", 100_000))
CALLERS = int(os.environ.get("CALLERS", 200))
CONNECTIONS = int(os.environ.get("CONNECTIONS", 8))
ROUNDS = 3
GOAL_RATIO = 0.5
GOAL_P99_MS = 50.0

FLOOR_CLAIM = """
UPDATE conversations_calltarget AS t SET claimed_by_id = %(caller)s, claimed_until = %(until)s
 WHERE t.id = (SELECT c.id FROM conversations_calltarget AS c
                WHERE c.assignment_id = %(assignment)s AND c.state = 'open' AND c.available_at <= %(now)s
                  AND (c.claimed_until IS NULL OR c.claimed_until <= %(now)s)
                ORDER BY c.priority, c.available_at, c.id LIMIT 1 FOR UPDATE SKIP LOCKED)
RETURNING t.id
"""
FINISH = "UPDATE conversations_calltarget SET state = 'done', claimed_by_id = NULL, claimed_until = NULL WHERE id = %s"


def _seed(now: dt.datetime):
    """The seat, 100,000 supporters with their consents, the lists, the callers, the segment, the assignment."""
    from django.db import connection

    from campaigns.models import Constituency
    from conversations.models import Segment
    from conversations.services import calls as services
    from organiser import scope
    from volunteers.models import Role, User

    seat = Constituency.objects.create(code="E14001300", name="Ilford North", nation="England", region_name="London")
    progress(f"seeding {SUPPORTERS} supporters")
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO conversations_supporter
                (full_name, email, phone, postcode, constituency_id, language, tags, source, created_at, updated_at,
                 last_active_at)
            SELECT 'Supporter ' || n, '', '+4479' || lpad(n::text, 9, '0'), '', %s, 'en-gb', '[]', 'form', %s, %s, %s
              FROM generate_series(1, %s) AS n
            """,
            [seat.pk, now, now, now, SUPPORTERS],
        )
        cursor.execute(
            """
            INSERT INTO volunteers_consent (supporter_id, channel, wording, given_at, source)
            SELECT id, 'sms', 'Yes, text me', %s, 'benchmark' FROM conversations_supporter
            UNION ALL
            SELECT id, 'calls', 'Yes, call me', %s, 'benchmark' FROM conversations_supporter WHERE id %% 250 = 0
            """,
            [now, now],
        )
        cursor.execute(
            "INSERT INTO conversations_tpsnumber (phone, list, imported_at)"
            " SELECT phone, 'tps', %s FROM conversations_supporter WHERE id %% 50 = 0",
            [now],
        )
        cursor.execute(
            "INSERT INTO conversations_donotcall (phone, reason, created_at)"
            " SELECT phone, 'benchmark', %s FROM conversations_supporter WHERE id %% 200 = 7",
            [now - dt.timedelta(days=1)],
        )
    names = [(f"caller{n}@bench.example.org", f"Caller {n}") for n in range(CALLERS)]
    callers = User.objects.bulk_create([User(email=e, full_name=name, role=Role.VOLUNTEER) for e, name in names])
    segment = Segment.objects.create(name="Everyone in Ilford North", constituency=seat, filters={})
    started = time.perf_counter()
    assignment = services.assignment_create(
        user=scope.system("benchmark"), name="Saturday", segment=segment, script="Hello {name}",
        calls_from=dt.time(8), calls_until=dt.time(21), claim_minutes=15,
    )  # fmt: skip
    progress(f"assignment made from the segment in {time.perf_counter() - started:.1f}s")
    with connection.cursor() as cursor:
        # One in ten was called an hour ago: inside the cooldown.
        cursor.execute(
            "UPDATE conversations_calltarget SET available_at = %s, attempts = 1, last_outcome = 'no_answer'"
            " WHERE assignment_id = %s AND supporter_id %% 10 = 3",
            [now + dt.timedelta(hours=23), assignment.pk],
        )
        floor = services.CallAssignment.objects.create(
            name="Floor copy", constituency=seat, segment=segment, script="-", calls_from=dt.time(8),
            calls_until=dt.time(21),
        )  # fmt: skip
        cursor.execute(
            """
            INSERT INTO conversations_calltarget
                (assignment_id, user_id, supporter_id, name, phone, state, reason, priority, available_at, attempts,
                 last_outcome)
            SELECT %s, user_id, supporter_id, name, phone, 'open', '', priority, available_at, attempts, last_outcome
              FROM conversations_calltarget WHERE assignment_id = %s
            """,
            [floor.pk, assignment.pk],
        )
        cursor.execute("ANALYZE conversations_calltarget")
        cursor.execute(
            "SELECT count(*) FILTER (WHERE state = 'open'), count(*) FILTER (WHERE state = 'screened')"
            " FROM conversations_calltarget WHERE assignment_id = %s",
            [assignment.pk],
        )
        open_count, screened = cursor.fetchone()
    progress(f"{open_count} to call, {screened} screened (do-not-call, TPS without consent)")
    return assignment, floor, callers


class Round:
    def __init__(self) -> None:
        self.allocated: list[int] = []
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.lock = threading.Lock()


def _run(kind: str, assignment, callers, now: dt.datetime, seconds: float) -> Round:
    """``CONNECTIONS`` threads, each with its own connection and its share of the callers, for ``seconds``."""
    from django.db import connection

    from conversations.services import calls as services

    result = Round()
    start = threading.Barrier(CONNECTIONS + 1)
    stop = threading.Event()
    until = now + dt.timedelta(minutes=15)

    def work(mine) -> None:
        allocated, latencies = [], []
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            start.wait()
            turn = 0
            while not stop.is_set():
                caller = mine[turn % len(mine)]
                turn += 1
                began = time.perf_counter()
                if kind == "value":
                    target = services.call_next(assignment=assignment, caller=caller, now=now)
                    target_id = target.pk if target else None
                else:
                    with connection.cursor() as cursor:
                        cursor.execute(
                            FLOOR_CLAIM, {"caller": caller.pk, "assignment": assignment.pk, "now": now, "until": until}
                        )
                        row = cursor.fetchone()
                    target_id = row[0] if row else None
                latencies.append(time.perf_counter() - began)
                if target_id is None:
                    break
                allocated.append(target_id)
                with connection.cursor() as cursor:
                    cursor.execute(FINISH, [target_id])
        except Exception as error:  # reported in the result line
            with result.lock:
                result.errors.append(repr(error)[:300])
        finally:
            connection.close()
            with result.lock:
                result.allocated += allocated
                result.latencies += latencies

    shares = [callers[index::CONNECTIONS] for index in range(CONNECTIONS)]
    threads = [threading.Thread(target=work, args=(share,)) for share in shares]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - began
    return result


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


def main() -> None:
    seconds = benchmark_seconds(5)
    with temporary_database("call_allocation"):
        from django.db import connection

        from organiser import clock

        now = clock.at(clock.today() + dt.timedelta(days=1), dt.time(12, 0))  # within the calling hours
        assignment, floor, callers = _seed(now)
        rounds: dict[str, list[Round]] = {"value": [], "floor": []}
        for number in range(ROUNDS):
            for kind, target in (("value", assignment), ("floor", floor)):
                done = _run(kind, target, callers, now, seconds)
                rounds[kind].append(done)
                progress(
                    f"round {number + 1} {kind}: {len(done.allocated) / done.seconds:.0f} allocations/s, "
                    f"p99 {_percentile(done.latencies, 0.99) * 1000:.1f} ms, {len(done.errors)} errors"
                )
        value_allocated = [pk for done in rounds["value"] for pk in done.allocated]
        floor_allocated = [pk for done in rounds["floor"] for pk in done.allocated]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id FROM conversations_calltarget WHERE assignment_id = %s AND (state = 'screened' OR"
                " available_at > %s)",
                [assignment.pk, now],
            )
            not_allowed = {row[0] for row in cursor.fetchall()}
        twice = len(value_allocated) - len(set(value_allocated))
        floor_twice = len(floor_allocated) - len(set(floor_allocated))
        inside = len(set(value_allocated) & not_allowed)
        latencies = [latency for done in rounds["value"] for latency in done.latencies]
    rate = {kind: statistics.median(len(d.allocated) / d.seconds for d in runs) for kind, runs in rounds.items()}
    p99 = _percentile(latencies, 0.99) * 1000
    errors = [error for runs in rounds.values() for done in runs for error in done.errors]
    progress(
        f"value {rate['value']:.0f}/s, floor {rate['floor']:.0f}/s, p99 {p99:.1f} ms, allocated twice {twice},"
        f" inside cooldown or screened {inside}, errors {len(errors)}"
    )
    report(
        benchmark="call_allocation",
        metric="throughput",
        value=rate["value"],
        unit="allocations/s",
        floor=rate["floor"],
        goal=(
            f"{CALLERS} callers asking for their next person from one assignment of {SUPPORTERS:,} supporters get at "
            f"least {GOAL_RATIO:g}x the allocations/s of the bare FOR UPDATE SKIP LOCKED claim, p99 under "
            f"{GOAL_P99_MS:g} ms, nobody allocated twice, nobody inside their cooldown (issue #16)"
        ),
        goal_ratio=GOAL_RATIO,
        p50_ms=round(_percentile(latencies, 0.5) * 1000, 2),
        p99_ms=round(p99, 2),
        p99_goal_met=p99 < GOAL_P99_MS,
        allocated=len(value_allocated),
        allocated_twice=twice,
        floor_allocated_twice=floor_twice,
        inside_cooldown_or_screened=inside,
        errors=len(errors),
        first_error=errors[0] if errors else None,
        supporters=SUPPORTERS,
        callers=CALLERS,
        connections=CONNECTIONS,
        rounds=ROUNDS,
        seconds_per_round=seconds,
    )


if __name__ == "__main__":
    main()
