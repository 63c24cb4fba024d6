"""Services that come back: faults injected into a running platform, under a steady trickle of real requests.

The tests start everything they break (tests/processes.py): an embedded PostgreSQL and a Redis on free ports
(never the machine's own), gunicorn serving the project with two workers, a Celery worker, and an SMTP server
on loopback. Then, while volunteers sign up, a canvasser records doors and pages are read:

- PostgreSQL restarts: the requests meanwhile answer a plain 503 page (or JSON under /api/), none hangs, and
  once it is back every page answers 200 with no process restarted; every sign-up and doorstep entry is stored
  once, and every message sent once.
- Redis restarts, losing every key: pages keep serving, failed logins stay limited (per process), sign-ups
  and a register upload commit, and the work whose tasks Redis lost is queued again by the periodic sweeps:
  each message sent once, the register imported once.
- A gunicorn worker is killed in the middle of a request (a doorstep batch, a sign-up), and a Celery worker
  in the middle of an import (a register upload, the admin's results upload): no half-written rows, and the
  resent request or the redelivered task does the work once.

"In the middle" is made exact, not left to timing: the test holds a lock on what the request or task writes
last, waits until its database session is waiting on that lock with the rest written, and kills the process
whose connection it is.

What each fault did (seconds to recover, requests that failed, rows checked) is printed and appended to
``var/faults-report.jsonl``; no time is asserted. Run them alone with ``pytest -m faults``.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

import psycopg
import pytest

from tests.conftest import SMTPSink
from tests.processes import (
    BASE_DIR,
    Answer,
    EmbeddedPostgres,
    Process,
    RedisServer,
    Trickle,
    celery_worker,
    free_port,
    gunicorn,
    wait_until,
)

pytestmark = pytest.mark.faults

CSRF = "faultsfaultsfaultsfaultsfaults12"  # a CSRF secret of our own, sent as the cookie and the header
REPORT = BASE_DIR / "var" / "faults-report.jsonl"
OUTAGE_SECONDS = 3.0


@dataclass
class Stack:
    pg: EmbeddedPostgres
    redis: RedisServer
    smtp: SMTPSink
    env: dict[str, str]
    web: Process
    worker: Process
    base: str
    world: dict
    log_dir: object
    signed_up: set[int] = field(default_factory=set)
    recorded: set[str] = field(default_factory=set)

    def sql(self, query: str, params=()) -> list[tuple]:
        with psycopg.connect(self.pg.url(), autocommit=True) as conn:
            return conn.execute(query, params).fetchall()

    def manage(self, *args: str) -> str:
        return subprocess.run(
            [sys.executable, *args], cwd=BASE_DIR, env=self.env, check=True, capture_output=True, text=True
        ).stdout

    def world_command(self, *args: str):
        return json.loads(self.manage("-m", "tests.organiser.fault_world", *args).strip().splitlines()[-1])


def _ping(stack_env: dict, broker: str, timeout: float = 60) -> None:
    from celery import Celery

    app = Celery(broker=broker)
    try:
        wait_until(lambda: bool(app.control.ping(timeout=0.5)), timeout=timeout, what="the Celery worker")
    finally:
        app.close()


@pytest.fixture(scope="module")
def stack(tmp_path_factory) -> Stack:
    log_dir = tmp_path_factory.mktemp("faults")
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd says every command it reads
    pg, redis, smtp = EmbeddedPostgres(), RedisServer(), SMTPSink()
    processes: list[Process] = []
    try:
        pg.init()
        pg.start()
        pg.create_database()
        redis.start()
        smtp.start()
        port = free_port()
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_", "CELERY_", "EMAIL_"))},
            "DJANGO_SETTINGS_MODULE": "tests.organiser.fault_settings",
            "DATABASE_URL": pg.url(),
            "REDIS_URL": redis.url(),
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}",
            "SITE_URL": f"http://127.0.0.1:{port}",
            "LOG_FORMAT": "text",
        }
        stack = Stack(pg, redis, smtp, env, None, None, f"http://127.0.0.1:{port}", {}, log_dir)
        stack.manage("manage.py", "migrate", "--no-input", "-v", "0")
        stack.world = stack.world_command("world")
        stack.web = gunicorn(env, log_dir, port=port)
        stack.worker = celery_worker(env, log_dir)
        processes += [stack.web, stack.worker]
        stack.web.start()
        stack.worker.start()
        import requests

        wait_until(lambda: _answers(requests, f"{stack.base}/healthz") == 200, timeout=60, what="gunicorn")
        _ping(env, redis.url())
        yield stack
    finally:
        for process in processes:
            process.stop()
        smtp.stop()
        redis.destroy()
        pg.destroy()


def _answers(requests, url: str) -> int:
    try:
        return requests.get(url, timeout=2).status_code
    except requests.RequestException:
        return 0


# --- what the trickle sends ---------------------------------------------------------------------------------


class Signups:
    """Volunteers signing up to the shift, each until the page says it is done (a 302 back to the shift)."""

    def __init__(self, stack: Stack, volunteers: list[dict]) -> None:
        self.stack, self.waiting, self.lock = stack, list(volunteers), threading.Lock()
        self.attempts = 0

    def __call__(self, session):
        with self.lock:
            if not self.waiting:
                return session.get(f"{self.stack.base}/", timeout=30)
            volunteer = self.waiting.pop(0)
            self.attempts += 1
        shift = self.stack.world["shift"]
        try:
            response = session.post(
                f"{self.stack.base}/shifts/{shift}/sign-up/",
                cookies={"sessionid": volunteer["session"], "csrftoken": CSRF},
                headers={"X-CSRFToken": CSRF},
                allow_redirects=False,
                timeout=30,
            )
        except Exception:
            with self.lock:
                self.waiting.append(volunteer)
            raise
        with self.lock:
            if response.status_code == 302 and response.headers["Location"].endswith(f"/shifts/{shift}/"):
                self.stack.signed_up.add(volunteer["id"])
            else:
                self.waiting.append(volunteer)  # tried again later, as a person would
        return response


class Doorstep:
    """A canvasser's phone sending doorstep entries, each resent until the server says it has it."""

    def __init__(self, stack: Stack, electors: list[int]) -> None:
        self.stack, self.lock = stack, threading.Lock()
        self.waiting = [{"id": str(uuid.uuid4()), "elector": elector, "outcome": "spoke"} for elector in electors]
        self.sent: list[str] = [entry["id"] for entry in self.waiting]

    def __call__(self, session):
        with self.lock:
            if not self.waiting:
                return session.get(f"{self.stack.base}/api/v1/schema/", timeout=30)
            entry = self.waiting.pop(0)
        response = None
        try:
            response = session.post(
                f"{self.stack.base}/api/v1/canvassing/responses/",
                json={"entries": [entry]},
                cookies={"sessionid": self.stack.world["canvasser"], "csrftoken": CSRF},
                headers={"X-CSRFToken": CSRF},
                timeout=30,
            )
            return response
        finally:
            with self.lock:
                if response is not None and response.status_code == 200 and entry["id"] in response.json()["accepted"]:
                    self.stack.recorded.add(entry["id"])
                else:
                    self.waiting.append(entry)


def pages(stack: Stack) -> list[tuple[str, object]]:
    volunteer = stack.world["volunteers"][0]["session"]
    shift = stack.world["shift"]

    def get(path: str, session: str | None = None):
        cookies = {"sessionid": session} if session else {}
        return lambda http: http.get(f"{stack.base}{path}", cookies=cookies, timeout=30, allow_redirects=False)

    return [
        ("home", get("/")),
        ("shifts", get("/shifts/", volunteer)),
        ("shift", get(f"/shifts/{shift}/", volunteer)),
        ("volunteer home", get("/volunteer/", volunteer)),
        ("api", get("/api/v1/schema/")),
    ]


def trickle_for(stack: Stack, volunteers: list[dict], electors: list[int]) -> tuple[Trickle, Signups, Doorstep]:
    signups, doorstep = Signups(stack, volunteers), Doorstep(stack, electors)
    return Trickle([*pages(stack), ("sign-up", signups), ("doorstep", doorstep)], interval=0.05), signups, doorstep


PAGE_NAMES = {"home", "shifts", "shift", "volunteer home", "api"}


def ok(answer: Answer) -> bool:
    return answer.status in (200, 302)


def report(fault: str, **figures) -> None:
    line = json.dumps({"fault": fault, **figures})
    print(f"\nFAULT {line}")
    REPORT.parent.mkdir(exist_ok=True)
    with REPORT.open("a") as out:
        out.write(line + "\n")


def settle(stack: Stack, signups: Signups, doorstep: Doorstep) -> None:
    """Let the people whose requests failed try again until each has what they asked for."""
    import requests

    session = requests.Session()
    deadline = time.monotonic() + 60
    while (signups.waiting or doorstep.waiting) and time.monotonic() < deadline:
        for send in (signups, doorstep):
            if send.waiting:
                try:
                    send(session)
                except requests.RequestException:
                    time.sleep(0.2)
    assert not signups.waiting and not doorstep.waiting, "people still waiting after the fault was over"


def outbox_received(stack: Stack) -> Counter:
    """How many times the mail server received each outbox row (mail sent outside the outbox has no id)."""
    return Counter(int(m["X-Organiser-Outbox"]) for m in stack.smtp.messages if m["X-Organiser-Outbox"])


def assert_each_once(stack: Stack, volunteer_ids: list[int], entry_ids: list[str]) -> dict:
    """Every volunteer signed up once, every entry stored once, every confirmation sent once (waits for the
    worker to send what is queued)."""
    shift = stack.world["shift"]
    rows = stack.sql(
        "SELECT volunteer_id, count(*) FROM volunteers_signup WHERE shift_id = %s AND volunteer_id = ANY(%s)"
        " GROUP BY volunteer_id",
        [shift, volunteer_ids],
    )
    assert sorted(volunteer for volunteer, _ in rows) == sorted(volunteer_ids)
    assert {count for _, count in rows} == {1}
    [(filled, counted)] = stack.sql(
        "SELECT s.filled, (SELECT count(*) FROM volunteers_signup g WHERE g.shift_id = s.id"
        " AND g.status IN ('confirmed', 'attended')) FROM volunteers_shift s WHERE s.id = %s",
        [shift],
    )
    assert filled == counted, "the shift's count of places taken disagrees with its sign-ups"
    stored = stack.sql(
        "SELECT client_id::text, count(*) FROM canvassing_canvassresponse WHERE client_id::text = ANY(%s)"
        " GROUP BY client_id",
        [entry_ids],
    )
    assert sorted(client for client, _ in stored) == sorted(entry_ids)
    assert {count for _, count in stored} == {1}
    outbox = [
        row_id
        for (row_id,) in stack.sql(
            "SELECT id FROM messaging_outbox WHERE recipient_id = ANY(%s) AND kind = 'signup_confirmed'",
            [volunteer_ids],
        )
    ]
    assert len(outbox) == len(volunteer_ids), "a sign-up without its confirmation, or with two"
    wait_until(
        lambda: (
            not stack.sql("SELECT 1 FROM messaging_outbox WHERE id = ANY(%s) AND status <> 'sent'", [outbox])
            and outbox_received(stack).keys() >= set(outbox)
        ),
        timeout=90,
        what="every confirmation to be sent",
        every=0.25,
    )
    received = outbox_received(stack)
    twice = {row_id: n for row_id, n in received.items() if row_id in outbox and n != 1}
    assert not twice, f"messages received more than once: {twice}"
    return {"signups_checked": len(rows), "entries_checked": len(stored), "messages_checked": len(outbox)}


def processes(stack: Stack) -> dict:
    return {"gunicorn": [stack.web.pid, *stack.web.children()], "celery": [stack.worker.pid, *stack.worker.children()]}


def recovery(answers: list[Answer], back_at: float) -> float:
    """Seconds from the service being back until the start of the first request after which all answered."""
    failed_after = [a.started for a in answers if not ok(a) and a.started >= back_at - 10]
    last_failure = max(failed_after, default=back_at)
    later = [a.started for a in answers if a.started > last_failure]
    return round(max(0.0, (min(later) if later else last_failure) - back_at), 2)


# --- the faults ---------------------------------------------------------------------------------------------


def test_postgresql_restarted(stack):
    before = processes(stack)
    volunteers = stack.world["volunteers"][:30]
    electors = stack.world["electors"][:30]
    trickle, signups, doorstep = trickle_for(stack, volunteers, electors)
    trickle.start()
    time.sleep(2)
    down_at = time.monotonic()
    stack.pg.stop("fast")
    stopped_at = time.monotonic()
    time.sleep(OUTAGE_SECONDS)
    stack.pg.start()
    back_at = time.monotonic()
    time.sleep(8)
    answers = trickle.stop()
    settle(stack, signups, doorstep)

    during = [a for a in answers if down_at <= a.started <= back_at]
    failed = [a for a in answers if not ok(a)]
    assert during, "no request was made during the outage"
    assert all(a.status == 503 for a in failed), Counter((a.name, a.status, a.error[:80]) for a in failed)
    for answer in failed:
        assert "Traceback" not in answer.body
        assert ("Briefly unavailable" if answer.body.startswith("{") else "Back in a moment") in answer.body
    assert any(a.status == 503 for a in during), "the outage went unnoticed: no request reached the database?"
    after = [a for a in answers if a.started > back_at + 0.5 and a.name in PAGE_NAMES]
    assert after[-10:] and all(a.status == 200 for a in after[-10:]), "pages did not come back"
    assert processes(stack) == before, "a process was restarted"
    checked = assert_each_once(stack, [v["id"] for v in volunteers], doorstep.sent)
    report(
        "postgresql restarted",
        outage_seconds=round(back_at - down_at, 2),
        stop_seconds=round(stopped_at - down_at, 2),
        recovery_seconds=recovery(answers, back_at),
        requests=len(answers),
        requests_during_outage=len(during),
        failed=len(failed),
        failed_by_status=dict(Counter(a.status for a in failed)),
        slowest_failed_seconds=round(max((a.seconds for a in failed), default=0), 3),
        signup_attempts=signups.attempts,
        **checked,
    )


def test_redis_restarted_losing_its_data(stack):
    import requests

    before = processes(stack)
    volunteers = stack.world["volunteers"][30:60]
    electors = stack.world["electors"][30:60]
    trickle, signups, doorstep = trickle_for(stack, volunteers, electors)
    trickle.start()
    time.sleep(2)
    down_at = time.monotonic()
    stack.redis.stop()
    time.sleep(0.5)
    # Failed logins while Redis is down: still limited, per process (gunicorn runs two).
    login = stack.world["login"]
    refused_after = None
    http = requests.Session()
    for attempt in range(1, 2 * 3 + 2):
        page = http.post(
            f"{stack.base}/accounts/login/",
            data={"login": login["email"], "password": "wrong"},
            cookies={"csrftoken": CSRF},
            headers={"X-CSRFToken": CSRF, "Referer": f"{stack.base}/accounts/login/"},
            timeout=30,
        )
        assert page.status_code in (200, 429), page.status_code
        if "Too many failed login attempts" in page.text or page.status_code == 429:
            refused_after = attempt
            break
    # A register uploaded on its page while Redis is down: the job is kept, its task cannot be queued.
    from tests.canvassing.conftest import synthetic_register

    campaign = stack.world["outage_campaign"]
    upload = http.post(
        f"{stack.base}/canvass/{campaign}/import/",
        files={"file": ("register.csv", synthetic_register(stack.world["import_electors"], seed=13).read())},
        cookies={"sessionid": stack.world["outage_agent"], "csrftoken": CSRF},
        headers={"X-CSRFToken": CSRF},
        allow_redirects=False,
        timeout=30,
    )
    assert upload.status_code == 302, upload.status_code
    job = int(upload.headers["Location"].rstrip("/").rsplit("/", 1)[-1])
    time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - down_at)))
    stack.redis.start()
    back_at = time.monotonic()
    time.sleep(6)
    answers = trickle.stop()
    settle(stack, signups, doorstep)
    # The tasks Redis lost: queued again by the periodic sweeps, as they run two hours later.
    requeued = stack.world_command("sweep", "2")
    wait_until(
        lambda: stack.sql("SELECT status FROM canvassing_registerimportjob WHERE id = %s", [job])[0][0] == "done",
        timeout=120,
        what="the register uploaded during the outage to be imported",
        every=0.25,
    )
    [(electors,)] = stack.sql("SELECT count(*) FROM canvassing_elector WHERE campaign_id = %s", [campaign])
    assert electors == stack.world["import_electors"]

    during = [a for a in answers if down_at <= a.started <= back_at]
    failed = [a for a in answers if not ok(a)]
    assert during and not failed, Counter((a.name, a.status, a.error[:80]) for a in failed)
    assert refused_after is not None, "failed logins were not limited while Redis was down"
    assert processes(stack) == before, "a process was restarted"
    checked = assert_each_once(stack, [v["id"] for v in volunteers], doorstep.sent)
    report(
        "redis restarted, losing its data",
        outage_seconds=round(back_at - down_at, 2),
        requests=len(answers),
        requests_during_outage=len(during),
        failed=len(failed),
        failed_login_refused_at_attempt=refused_after,
        requeued_by_sweeps=requeued,
        electors_imported_from_the_upload_made_during_the_outage=electors,
        **checked,
    )


def _waiting_backend(stack: Stack, statement: str) -> tuple[int, int] | None:
    """The database session waiting on a lock in the middle of ``statement`` (its pid and client port)."""
    rows = stack.sql(
        "SELECT pid, client_port FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE %s",
        [f"%{statement}%"],
    )
    return rows[0] if rows else None


def _process_with_port(pids: list[int], port: int) -> int:
    import psutil

    for pid in pids:
        if any(c.laddr and c.laddr.port == port for c in psutil.Process(pid).net_connections(kind="tcp")):
            return pid
    raise AssertionError(f"no process of {pids} has the database connection from port {port}")


def test_gunicorn_worker_killed_mid_request(stack):
    import requests

    volunteer = stack.world["volunteers"][60]
    shift = stack.world["shift"]
    entries = [{"id": str(uuid.uuid4()), "elector": e, "outcome": "spoke"} for e in stack.world["electors"][60:66]]
    answers: dict[str, object] = {}
    checked = {}
    http = requests.Session()

    def send(name: str, request) -> threading.Thread:
        def run():
            try:
                answers[name] = request()
            except requests.RequestException as error:
                answers[name] = error

        thread = threading.Thread(target=run)
        thread.start()
        return thread

    for name, statement, lock_sql, request in [
        (
            "doorstep batch",
            "INSERT INTO canvassing_canvassresponse",  # the responses are written, their electors wait on our lock
            "SELECT 1 FROM canvassing_elector WHERE id = ANY(%s) FOR UPDATE",
            lambda: http.post(
                f"{stack.base}/api/v1/canvassing/responses/",
                json={"entries": entries},
                cookies={"sessionid": stack.world["canvasser"], "csrftoken": CSRF},
                headers={"X-CSRFToken": CSRF},
                timeout=60,
            ),
        ),
        (
            "sign-up",
            "INSERT INTO messaging_outbox",  # the sign-up is written and the shift recounted; its message waits
            "LOCK TABLE messaging_outbox IN SHARE MODE",
            lambda: http.post(
                f"{stack.base}/shifts/{shift}/sign-up/",
                cookies={"sessionid": volunteer["session"], "csrftoken": CSRF},
                headers={"X-CSRFToken": CSRF},
                allow_redirects=False,
                timeout=60,
            ),
        ),
    ]:
        with psycopg.connect(stack.pg.url()) as lock:
            lock.execute(lock_sql, [[e["elector"] for e in entries]] if "%s" in lock_sql else None)
            thread = send(name, request)
            wait_until(lambda s=statement: _waiting_backend(stack, s) is not None, timeout=30, what=f"{name} mid-way")
            backend, port = _waiting_backend(stack, statement)
            worker = _process_with_port(stack.web.children(), port)
            os.kill(worker, 9)
            thread.join(timeout=60)
            lock.rollback()  # our lock goes; the dead worker's transaction, half done, must not commit
        wait_until(
            lambda b=backend: not stack.sql("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [b]),
            timeout=30,
            what="the killed worker's database session to end",
        )
        assert isinstance(answers[name], requests.RequestException), f"{name} got an answer: {answers[name]}"
        checked[name] = {"answer": type(answers[name]).__name__}

    # Nothing of either request was kept: no response without its elector's update, no sign-up, no message.
    assert not stack.sql(
        "SELECT 1 FROM canvassing_canvassresponse WHERE client_id::text = ANY(%s)", [[e["id"] for e in entries]]
    )
    assert not stack.sql(
        "SELECT 1 FROM canvassing_elector WHERE id = ANY(%s) AND current_outcome <> ''",
        [[e["elector"] for e in entries]],
    )
    assert not stack.sql(
        "SELECT 1 FROM volunteers_signup WHERE volunteer_id = %s AND shift_id = %s", [volunteer["id"], shift]
    )
    # The phone resends and the volunteer tries again: each done once.
    wait_until(lambda: len(stack.web.children()) == 2, timeout=30, what="gunicorn to replace its worker")
    resent = http.post(
        f"{stack.base}/api/v1/canvassing/responses/",
        json={"entries": entries},
        cookies={"sessionid": stack.world["canvasser"], "csrftoken": CSRF},
        headers={"X-CSRFToken": CSRF},
        timeout=60,
    )
    assert resent.status_code == 200 and sorted(resent.json()["accepted"]) == sorted(e["id"] for e in entries)
    again = http.post(
        f"{stack.base}/shifts/{shift}/sign-up/",
        cookies={"sessionid": volunteer["session"], "csrftoken": CSRF},
        headers={"X-CSRFToken": CSRF},
        allow_redirects=False,
        timeout=60,
    )
    assert again.status_code == 302
    counted = assert_each_once(stack, [volunteer["id"]], [e["id"] for e in entries])
    report("gunicorn worker killed mid-request", requests_killed=len(checked), **counted)


def test_celery_worker_killed_mid_import(stack):
    campaign = stack.world["empty_campaign"]
    expected = stack.world["import_electors"]
    with psycopg.connect(stack.pg.url()) as lock:
        # The import writes every elector, then its access-log line waits on our lock.
        lock.execute("LOCK TABLE canvassing_accesslog IN SHARE MODE")
        job = stack.world_command("queue-register-import", str(campaign))
        wait_until(
            lambda: _waiting_backend(stack, '"canvassing_accesslog"') is not None, timeout=60, what="the import mid-way"
        )
        _backend, port = _waiting_backend(stack, '"canvassing_accesslog"')
        [pool_process] = stack.worker.children()
        assert _process_with_port([pool_process], port) == pool_process
        killed_at = time.monotonic()
        os.kill(pool_process, 9)
        time.sleep(0.5)
        lock.rollback()
    wait_until(
        lambda: stack.sql("SELECT status FROM canvassing_registerimportjob WHERE id = %s", [job])[0][0] == "done",
        timeout=120,
        what="the redelivered import to finish",
        every=0.25,
    )
    done_at = time.monotonic()
    [(electors,)] = stack.sql("SELECT count(*) FROM canvassing_elector WHERE campaign_id = %s", [campaign])
    [(distinct,)] = stack.sql(
        "SELECT count(DISTINCT (polling_district_id, number, suffix)) FROM canvassing_elector WHERE campaign_id = %s",
        [campaign],
    )
    [(logged,)] = stack.sql(
        "SELECT count(*) FROM canvassing_accesslog WHERE campaign_id = %s AND action = 'import'", [campaign]
    )
    [(report_json,)] = stack.sql("SELECT report FROM canvassing_registerimportjob WHERE id = %s", [job])
    assert electors == distinct == expected, "the import was half written or written twice"
    assert logged == 1 and report_json["created"] == expected
    report(
        "celery worker killed mid-import",
        seconds_to_done_after_kill=round(done_at - killed_at, 2),
        rows_checked=electors,
        imports_logged=logged,
    )


def test_celery_worker_killed_mid_results_import(stack):
    """The admin's results upload: the seats are written, then the results wait on our lock; the worker dies."""
    with psycopg.connect(stack.pg.url()) as lock:
        lock.execute("LOCK TABLE campaigns_result IN SHARE MODE")
        job = stack.world_command("queue-results-import")
        wait_until(
            lambda: _waiting_backend(stack, "campaigns_result") is not None, timeout=60, what="the import mid-way"
        )
        _backend, port = _waiting_backend(stack, "campaigns_result")
        [pool_process] = stack.worker.children()
        assert _process_with_port([pool_process], port) == pool_process
        killed_at = time.monotonic()
        os.kill(pool_process, 9)
        time.sleep(0.5)
        assert not stack.sql("SELECT 1 FROM campaigns_constituency WHERE code = 'W07000112'")
        lock.rollback()
    wait_until(
        lambda: stack.sql("SELECT status FROM campaigns_importjob WHERE id = %s", [job])[0][0] == "done",
        timeout=120,
        what="the redelivered import to finish (a job left running by a dead worker is run again)",
        every=0.25,
    )
    done_at = time.monotonic()
    seats = stack.sql("SELECT code, count(*) FROM campaigns_constituency WHERE code IN ('E14001300', 'W07000112')"
                      " GROUP BY code")  # fmt: skip
    results = stack.sql(
        "SELECT k.code, count(*) FROM campaigns_result r JOIN campaigns_constituency k ON k.id = r.constituency_id"
        " GROUP BY k.code"
    )
    assert sorted(seats) == [("E14001300", 1), ("W07000112", 1)]
    assert sorted(results) == [("E14001300", 1), ("W07000112", 1)], "the results were half written or twice"
    report(
        "celery worker killed mid results import",
        seconds_to_done_after_kill=round(done_at - killed_at, 2),
        rows_checked=len(seats) + len(results),
    )
