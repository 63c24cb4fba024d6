"""The weekly digest for 100,000 volunteers, end to end, against the floor measured in the same run.

A throwaway database holds 100,000 volunteers (email consent, a home seat among 50, a team, one shift
coming up and one done last week), 1,250 shifts. An SMTP sink (a minimal SMTP server in its own process
on loopback) counts what it accepts. One Celery worker with 2 processes sends, over Redis on a queue of this run's own.

- value: messages per second, a round at a time: each round builds the next fifth of the digests in batches,
  writes the outbox rows, queues the sends and waits until the sink has accepted them all;
- floor: rendering the same templates (subject, text, HTML) with a fixed context and building the MIME
  message, in a loop on one core in this process, a round between each of the value's
  (``benchmarks.harness.interleave``), as the machine's load changes over a long run.

The report line also says the queries per batch (counted on one batch of the run, the same for any batch
size) and this process's memory (RSS) after the first tenth of the batches and at the end.

    python -m benchmarks.weekly_digest            # VOLUNTEERS=20000 for a shorter run
"""

from __future__ import annotations

import multiprocessing
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

from benchmarks.harness import ROUNDS, interleave, progress, report, temporary_database, var_dir
from organiser import clock

VOLUNTEERS = int(os.environ.get("VOLUNTEERS", 100_000))
SEATS = 50
UPCOMING_PER_SEAT = 20
PAST_PER_SEAT = 5
BATCH = 500
FLOOR_MESSAGES = 2_000
WORKER_PROCESSES = 2
GOAL_RATIO = 0.8  # issue #13
BASE_DIR = Path(__file__).resolve().parent.parent


# --- the SMTP sink ----------------------------------------------------------------------------------


def _sink_main(port: int, counter, ready) -> None:
    """A minimal SMTP server (RFC 5321 commands a client sends; PIPELINING-free): it answers each command and
    counts each message at the end of its DATA. Lighter than aiosmtpd, so that the sink (on the same machine)
    takes as little of the CPU the run measures as a real MTA would."""
    import asyncio

    class Session(asyncio.Protocol):
        def connection_made(self, transport):
            self.transport, self.buffer, self.in_data = transport, b"", False
            transport.write(b"220 sink ESMTP\r\n")

        def data_received(self, data: bytes) -> None:
            self.buffer += data
            while True:
                if self.in_data:
                    end = self.buffer.find(b"\r\n.\r\n")
                    if end < 0:
                        return
                    self.buffer, self.in_data = self.buffer[end + 5 :], False
                    with counter.get_lock():
                        counter.value += 1
                    self.transport.write(b"250 2.0.0 OK\r\n")
                    continue
                end = self.buffer.find(b"\r\n")
                if end < 0:
                    return
                line, self.buffer = self.buffer[:end], self.buffer[end + 2 :]
                verb = line[:4].upper()
                if verb == b"EHLO":
                    self.transport.write(b"250-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
                elif verb == b"DATA":
                    self.in_data = True
                    # The end marker may follow at once: look for it from the start of the data.
                    self.buffer = b"\r\n" + self.buffer
                    self.transport.write(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                elif verb == b"QUIT":
                    self.transport.write(b"221 Bye\r\n")
                    self.transport.close()
                    return
                else:  # HELO, MAIL, RCPT, RSET, NOOP
                    self.transport.write(b"250 OK\r\n")

    async def serve() -> None:
        server = await asyncio.get_running_loop().create_server(Session, "127.0.0.1", port)
        ready.set()
        async with server:
            await server.serve_forever()

    asyncio.run(serve())


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- data ---------------------------------------------------------------------------------------------


def seed(count: int) -> None:
    import datetime as dt

    from django.db import connection

    from campaigns.models import Constituency
    from messaging.models import DigestSchedule
    from volunteers.models import Shift, ShiftKind, Team

    seats = Constituency.objects.bulk_create(
        Constituency(code=f"E14{n:06d}", name=f"Seat {n}", nation="England") for n in range(SEATS)
    )
    seat_ids = [seat.pk for seat in seats]
    now = clock.now()
    shifts = []
    for seat in seats:
        for n in range(UPCOMING_PER_SEAT + PAST_PER_SEAT):
            days = n + 1 if n < UPCOMING_PER_SEAT else -(n - UPCOMING_PER_SEAT + 1)
            starts_at = now + dt.timedelta(days=days, hours=n % 5)
            shifts.append(
                Shift(
                    kind=ShiftKind.CANVASSING,
                    title=f"Canvass {seat.name} #{n}",
                    constituency=seat,
                    starts_at=starts_at,
                    ends_at=starts_at + dt.timedelta(hours=3),
                    meeting_point=f"{seat.name} high street, by the library",
                    capacity=10_000,
                    minimum=n % 7,
                )
            )
    Shift.objects.bulk_create(shifts, batch_size=2000)
    Team.objects.bulk_create(Team(name=f"{seat.name} team", constituency=seat) for seat in seats)
    DigestSchedule.objects.update_or_create(
        constituency=None, defaults={"weekday": 0, "hour": 0, "note": "Thank you for everything this week."}
    )
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO volunteers_user (password, is_superuser, email, full_name, role, is_staff, is_active,
                                         date_joined)
            SELECT '!', false, 'volunteer' || n || '@example.org', 'Volunteer ' || n, 'volunteer', false, true,
                   %s::timestamptz - interval '30 days'
            FROM generate_series(1, %s) AS n
            """,
            [now, count],
        )
        cursor.execute(
            """
            INSERT INTO volunteers_volunteerprofile (user_id, phone, postcode, skills, languages, availability,
                travel, created_at, updated_at, home_constituency_id)
            SELECT u.id, '+447911123456', 'IG6 2AA', '["canvassing"]', '["en"]', '["sat_morning"]', 'home',
                   u.date_joined, u.date_joined, (%s::bigint[])[(u.id %% %s) + 1]
            FROM volunteers_user AS u
            """,
            [seat_ids, SEATS],
        )
        cursor.execute(
            """
            INSERT INTO volunteers_consent (user_id, channel, wording, given_at, source)
            SELECT id, 'email', 'Yes, email me about volunteering and the campaign.', date_joined, '/join/'
            FROM volunteers_user
            """
        )
        cursor.execute(
            """
            CREATE TEMPORARY TABLE numbered AS
            SELECT id, constituency_id, starts_at > %(now)s AS upcoming,
                   row_number() OVER (PARTITION BY constituency_id, starts_at > %(now)s ORDER BY id) AS n
            FROM volunteers_shift
            """,
            {"now": now},
        )
        for upcoming, per_seat, status, hours in (
            (True, UPCOMING_PER_SEAT, "confirmed", None),
            (False, PAST_PER_SEAT, "attended", 3),
        ):
            cursor.execute(
                """
                INSERT INTO volunteers_signup (status, created_at, updated_at, queued_at, hours, shift_id,
                                               volunteer_id)
                SELECT %s, %s::timestamptz, %s::timestamptz, %s::timestamptz - interval '10 days', %s, s.id, p.user_id
                FROM volunteers_volunteerprofile AS p
                JOIN numbered AS s ON s.constituency_id = p.home_constituency_id AND s.upcoming = %s
                                   AND s.n = (p.user_id %% %s) + 1
                WHERE %s OR p.user_id %% 2 = 0
                """,
                [status, now, now, now, hours, upcoming, per_seat, upcoming],
            )
        cursor.execute(
            """
            INSERT INTO volunteers_team_members (team_id, user_id)
            SELECT t.id, p.user_id FROM volunteers_volunteerprofile AS p
            JOIN volunteers_team AS t ON t.constituency_id = p.home_constituency_id
            WHERE p.user_id % 3 = 0
            """
        )
        cursor.execute("ANALYZE")
    progress(f"{count} volunteers, {len(shifts)} shifts, sign-ups and teams")


# --- the floor -------------------------------------------------------------------------------------------


def floor_rate() -> tuple[float, dict]:
    """Render the digest triple with one fixed context and build its MIME message, on one core."""

    from messaging import digests, rendering
    from volunteers.models import User

    now = clock.now()
    user = User.objects.select_related("profile__home_constituency").order_by("pk").first()
    context = digests.volunteer_contexts([user], now=now, week=digests.iso_week(now), due=digests.due_schedules(now))[
        user.pk
    ]
    started = time.perf_counter()
    for n in range(FLOOR_MESSAGES):
        rendered = rendering.render_email(
            kind="digest_volunteer", category="digest", context=context, user_id=user.pk, language="en-gb"
        )
        rendering.build_email(outbox_id=n, to=user.email, rendered=rendered, user_id=user.pk).message().as_bytes()
    return FLOOR_MESSAGES / (time.perf_counter() - started), context


# --- the worker -------------------------------------------------------------------------------------------


def start_worker(queue: str, email_port: int) -> subprocess.Popen:
    from organiser.celery import app

    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="benchmarks.settings",
        EMAIL_URL=f"smtp://127.0.0.1:{email_port}",
        CELERY_TASK_DEFAULT_QUEUE=queue,
        LOG_LEVEL="WARNING",
    )
    log = (var_dir() / f"bench-{queue}.log").open("ab")
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "organiser",
            "worker",
            "-Q",
            queue,
            "--pool=prefork",
            f"--concurrency={WORKER_PROCESSES}",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--hostname",
            f"{queue}@%h",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if app.control.ping(destination=[f"{queue}@{os.uname().nodename}"], timeout=0.5):
            return worker
        if worker.poll() is not None:
            break
    raise RuntimeError(f"the worker did not start; see var/bench-{queue}.log")


def stop_worker(worker: subprocess.Popen) -> None:
    import signal

    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


# --- the run -----------------------------------------------------------------------------------------------


def _own_broker_database() -> None:
    """Run the broker in a Redis database of this run's own (default: 14 on REDIS_URL's server): the cache
    shares REDIS_URL's database, and a ``cache.clear()`` anywhere (FLUSHDB) would empty the run's queue."""
    from urllib.parse import urlsplit, urlunsplit

    if "CELERY_BROKER_URL" in os.environ:
        return
    parts = urlsplit(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    database = os.environ.get("BENCHMARK_REDIS_DB", "14")
    os.environ["CELERY_BROKER_URL"] = urlunsplit((parts.scheme, parts.netloc, f"/{database}", "", ""))


def main() -> None:
    _own_broker_database()
    context = multiprocessing.get_context("fork")
    counter, ready = context.Value("q", 0), context.Event()
    port = _free_port()
    sink = context.Process(target=_sink_main, args=(port, counter, ready), daemon=True)
    sink.start()
    ready.wait(30)
    queue = f"bench-digest-{uuid.uuid4().hex[:8]}"
    worker = None
    try:
        with temporary_database("weekly_digest"):
            from django.db import connection, transaction
            from django.test.utils import CaptureQueriesContext

            from messaging import digests
            from messaging.models import Outbox, OutboxStatus
            from organiser.celery import app

            seed(VOLUNTEERS)
            floor_rate()  # warm-up: templates compiled, caches filled
            app.conf.task_default_queue = queue
            worker = start_worker(queue, port)
            progress(f"worker with {WORKER_PROCESSES} processes on {queue}; sink on 127.0.0.1:{port}")

            now = clock.now()
            week = digests.iso_week(now)
            due = digests.due_schedules(now)
            batches = queries_per_batch = 0
            rss_early = None
            total_batches = -(-VOLUNTEERS // BATCH)
            per_round = -(-total_batches // ROUNDS)  # batches a round sends
            recipients = digests.volunteer_recipients(due=due, key=f"digest:{week}")
            pending = digests.recipient_batches(recipients, BATCH)
            built = 0.0
            sent = 0

            def digest_round() -> float:
                """Send the next slice of the digest (a fifth of the volunteers), end to end: messages/s."""
                nonlocal batches, queries_per_batch, rss_early, built, sent
                started = time.perf_counter()
                in_round = 0
                for users in pending:
                    if batches == 1:
                        with CaptureQueriesContext(connection) as queries:
                            digests.volunteer_digest_batch(users, now=now, week=week, due=due)
                        queries_per_batch = len(queries) + 1  # and the query that fetched the batch
                    else:
                        digests.volunteer_digest_batch(users, now=now, week=week, due=due)
                    batches += 1
                    in_round += len(users)
                    if batches == max(1, total_batches // 10):
                        rss_early = rss_mb()
                    if batches % per_round == 0:
                        break
                built += time.perf_counter() - started
                sent += in_round
                wait_for(sent)
                return in_round / (time.perf_counter() - started) if in_round else 0.0

            def wait_for(expected: int) -> None:
                last_report, last_count, stalled = time.perf_counter(), -1, 0
                while counter.value < expected:
                    time.sleep(0.05)
                    if time.perf_counter() - last_report > 10:
                        last_report = time.perf_counter()
                        progress(f"{counter.value} received")
                        stalled = stalled + 1 if counter.value == last_count else 0
                        if stalled >= 6:
                            raise RuntimeError(f"nothing arrived for a minute ({counter.value} of {expected})")
                        last_count = counter.value
                    if worker.poll() is not None:
                        raise RuntimeError("the worker died")

            measured = interleave({"value": digest_round, "floor": lambda: floor_rate()[0]})
            rss_end = rss_mb()
            assert sent == VOLUNTEERS, (sent, VOLUNTEERS)
            with transaction.atomic():
                unsent = Outbox.objects.exclude(status=OutboxStatus.SENT).count()
    finally:
        if worker is not None:
            stop_worker(worker)
        sink.terminate()
    report(
        benchmark="weekly_digest",
        metric="throughput",
        values=measured["value"],
        unit="messages/s",
        floors=measured["floor"],
        goal=(
            f"build, queue and send every digest end to end at no less than {GOAL_RATIO:g}x the floor "
            f"(rendering the triple and building the MIME message on one core) with {WORKER_PROCESSES} worker "
            "processes; queries per batch constant; memory flat in the number of volunteers"
        ),
        goal_ratio=GOAL_RATIO,
        volunteers=VOLUNTEERS,
        messages_received=counter.value,
        not_sent=unsent,
        batch_size=BATCH,
        batches=batches,
        queries_per_batch=queries_per_batch,
        build_seconds=round(built, 1),
        build_rate=round(VOLUNTEERS / built, 1) if built else None,
        rss_mb_after_first_tenth=round(rss_early or 0, 1),
        rss_mb_at_end=round(rss_end, 1),
        worker_processes=WORKER_PROCESSES,
    )


if __name__ == "__main__":
    main()
