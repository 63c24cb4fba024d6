"""Shared fixtures: accounts of each role, real services (Celery worker, SMTP sink), the browser.

Everything here is real: PostgreSQL through pytest-django, a Celery worker *process* over the
configured Redis, an aiosmtpd server on loopback, and Debian's Chromium driven by Playwright.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from campaigns.models import Constituency, Election
from organiser import clock
from tests import timetravel
from volunteers.models import Role, SeatGrant, User

BASE_DIR = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
PASSWORD = "correct-horse-battery-staple"

# Playwright's sync API runs an event loop in the test thread; the ORM calls tests make around
# it are still synchronous, so Django's async-safety guard is lifted for the suite.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


# --- time ----------------------------------------------------------------------------------------


def pytest_addoption(parser) -> None:
    parser.addoption(
        "--clock-at",
        default="",
        metavar="INSTANT",
        help=f"start the suite's clock at this ISO 8601 instant with its offset, e.g. 2027-03-28T00:59:30+00:00 "
        f"(also ${timetravel.ENVIRONMENT_VARIABLE}); it ticks on from there",
    )


def pytest_configure(config) -> None:
    if value := config.getoption("--clock-at", default=""):
        try:
            timetravel.start(value)
        except ValueError as error:
            raise pytest.UsageError(f"--clock-at: {error}") from None
    else:
        timetravel.start_from_environment()
    # Whatever a test starts from the environment (servers, workers) keeps the suite's clock.
    os.environ.pop(timetravel.ENVIRONMENT_VARIABLE, None)
    if timetravel.suite_start() is not None:
        os.environ[timetravel.OFFSET_VARIABLE] = repr(timetravel.offset_seconds())


def pytest_report_header(config) -> str:
    start = timetravel.suite_start()
    if start is None:
        return f"clock: the real time ({clock.now():%Y-%m-%d %H:%M:%S %Z})"
    return f"clock: the suite starts at {start.isoformat()} ({clock.local(start):%a %d %b %Y %H:%M:%S %Z} UK time)"


@pytest.fixture
def travel(time_machine):
    """Move the clock for this test: ``travel(instant)`` stops it there (``tick=True`` lets it run on from
    there) and returns the instant; ``travel.shift(timedelta)`` moves it on. Back to the suite's clock after."""

    def go(instant: dt.datetime | str, *, tick: bool = False) -> dt.datetime:
        if isinstance(instant, str):
            instant = timetravel.parse_instant(instant)
        time_machine.move_to(instant, tick=tick)
        return clock.now()

    go.shift = time_machine.shift
    return go


# --- data ----------------------------------------------------------------------------------------


@pytest.fixture
def election(db) -> Election:
    return Election.objects.get_or_create(
        slug="parl.2024-07-04", defaults={"name": "UK general election 2024", "date": "2024-07-04"}
    )[0]


@pytest.fixture
def seat_a(db) -> Constituency:
    return Constituency.objects.create(code="E14001300", name="Ilford North", nation="England", region_name="London")


@pytest.fixture
def seat_b(db) -> Constituency:
    return Constituency.objects.create(code="E14001102", name="Blackburn", nation="England", region_name="North West")


def make_user(role: str, *, email: str | None = None, seats: tuple[Constituency, ...] = (), mfa: bool = False) -> User:
    """An active account of ``role``; organisers are staff; ``mfa`` gives them a TOTP device."""
    user = User.objects.create_user(
        email=email or f"{role}-{uuid.uuid4().hex[:8]}@example.org",
        password=PASSWORD,
        role=role,
        is_staff=role in (Role.NATIONAL_ORGANISER, Role.SEAT_ORGANISER),
        full_name=role.replace("_", " ").title(),
    )
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    SeatGrant.objects.bulk_create(SeatGrant(user=user, constituency=seat) for seat in seats)
    if mfa:
        give_totp(user)
    return user


def give_totp(user: User) -> str:
    """Activate a TOTP authenticator for ``user``; returns its secret."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


@pytest.fixture
def national_organiser(db) -> User:
    return make_user(Role.NATIONAL_ORGANISER, mfa=True)


@pytest.fixture
def seat_organiser(db, seat_a) -> User:
    return make_user(Role.SEAT_ORGANISER, seats=(seat_a,), mfa=True)


@pytest.fixture
def team_lead(db) -> User:
    return make_user(Role.TEAM_LEAD)


@pytest.fixture
def volunteer(db) -> User:
    return make_user(Role.VOLUNTEER)


@pytest.fixture(scope="module")
def _world_module(django_db_setup, django_db_blocker):
    """The shared world (tests/world.py), built once per module in a transaction rolled back at its end."""
    from django.db import transaction

    from tests.world import build_world

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def world(_world_module, db):
    """The shared world of every role and grant level (tests/world.py); each test's writes are rolled back."""
    return _world_module


def logged_in_client(user: User) -> Client:
    """A test client with ``user``'s session, as after a full login (MFA included)."""
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


# --- Celery worker process ---------------------------------------------------------------------


class WorkerProcess:
    """A real ``celery worker`` subprocess on a queue of its own, against the test database."""

    def __init__(self, queue: str, env: dict[str, str], concurrency: int = 2) -> None:
        self.queue, self.env, self.concurrency = queue, env, concurrency
        self.process: subprocess.Popen | None = None
        self.log_path = BASE_DIR / "var" / f"worker-{queue}.log"

    def start(self) -> None:
        self.log_path.parent.mkdir(exist_ok=True)
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "organiser",
                "worker",
                "-Q",
                self.queue,
                "--pool=prefork",
                f"--concurrency={self.concurrency}",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--hostname",
                f"test-{self.queue}@%h",
            ],
            cwd=BASE_DIR,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        from organiser.celery import app

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            replies = app.control.ping(destination=[f"test-{self.queue}@{os.uname().nodename}"], timeout=0.5)
            if replies:
                return
            if self.process.poll() is not None:
                raise RuntimeError(f"worker exited: {self.log_path.read_text()[-3000:]}")
        raise RuntimeError(f"worker did not answer a ping: {self.log_path.read_text()[-3000:]}")

    def kill(self) -> None:
        """Kill the whole worker process group at once, as a crash would."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


def worker_environment(queue: str, **extra: str) -> dict[str, str]:
    db = settings.DATABASES["default"]
    env = timetravel.subprocess_environment(dict(os.environ))
    env.update(
        DJANGO_SETTINGS_MODULE="tests.settings",
        DATABASE_URL=f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
        CELERY_BROKER_URL=settings.CELERY_BROKER_URL,
        CELERY_TASK_DEFAULT_QUEUE=queue,
        **extra,
    )
    return env


@pytest.fixture
def celery_worker(transactional_db, settings) -> Iterator[WorkerProcess]:
    """A real worker process for this test; the test's data must be committed (transactional)."""
    queue = f"test-{uuid.uuid4().hex[:12]}"
    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    from organiser.celery import app

    app.conf.task_default_queue = queue
    worker = WorkerProcess(queue, worker_environment(queue))
    worker.start()
    try:
        yield worker
    finally:
        worker.stop()
        app.conf.task_default_queue = "celery"


# --- SMTP sink -----------------------------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SMTPSink:
    """An aiosmtpd server on loopback that keeps every message it accepts."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list = []
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                import email

                sink.messages.append(email.message_from_bytes(envelope.content))
                return "250 OK"

        self.port = free_port()  # aiosmtpd checks itself on the port it is given, so not port 0
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()


@pytest.fixture
def smtp_sink(settings) -> Iterator[SMTPSink]:
    sink = SMTPSink()
    sink.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": sink.port, "timeout": 5},
        }
    }
    try:
        yield sink
    finally:
        sink.stop()


# --- Browser -------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package (see .ci/run)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield browser
        browser.close()


PHONE = {"viewport": {"width": 375, "height": 740}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


@pytest.fixture
def phone_page(browser, live_server):
    """A page in a phone-sized browser context; collects console CSP violations in ``page.csp_violations``."""
    context = browser.new_context(base_url=live_server.url, **PHONE)
    page = context.new_page()
    page.csp_violations = []
    page.on(
        "console",
        lambda msg: page.csp_violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    yield page
    context.close()


def browser_login(page, user: User, base_url: str) -> None:
    """Give the browser ``user``'s session cookie (a real session, as after a full login)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session.session_key, "url": base_url}])
