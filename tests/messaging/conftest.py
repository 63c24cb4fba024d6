"""Fixtures for messaging's tests: consenting volunteers, an SMTP server on loopback that can refuse or hold
messages, a fake HTTP SMS gateway on loopback, and real worker processes that send through them."""

from __future__ import annotations

import asyncio
import email
import json
import os
import socket
import threading
import time
import uuid
from base64 import b64decode
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

from tests.conftest import WorkerProcess, worker_environment
from tests.volunteers.factories import ProfileFactory
from volunteers.models import User
from volunteers.services import consent_set


def volunteer_with_consent(*, email_consent: bool = True, sms_consent: bool = False, **fields) -> User:
    profile = ProfileFactory(**fields)
    user = profile.user
    if email_consent:
        consent_set(user=user, channel="email", given=True, source="/join/")
    if sms_consent:
        consent_set(user=user, channel="sms", given=True, source="/join/")
    return user


def wait_for(condition: Callable[[], bool], *, timeout: float = 60, what: str = "condition") -> None:
    """Poll until ``condition()`` holds (a deadline against hanging, not a timing assertion)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


class ControlledSMTP:
    """An aiosmtpd server on loopback. ``refuse`` makes the next N messages get ``451``; ``hold_after`` makes
    every message after the first N wait (unanswered) until ``release()``; a message counts as received only
    when the server answered 250 to a client still connected."""

    def __init__(self, port: int = 0) -> None:
        self.messages: list = []
        self.refuse = 0
        self.refused = 0
        self.hold_after: int | None = None
        self.held = 0
        self._lock = threading.Lock()
        self._port = port
        self.controller = None

    def _handler(self):
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                with sink._lock:
                    if sink.refuse > 0:
                        sink.refuse -= 1
                        sink.refused += 1
                        return "451 4.3.0 Try again later"
                if sink.hold_after is not None and len(sink.messages) >= sink.hold_after:
                    sink.held += 1
                    try:
                        while sink.hold_after is not None and len(sink.messages) >= sink.hold_after:
                            await asyncio.sleep(0.05)
                    finally:
                        sink.held -= 1
                    if server.transport is None or server.transport.is_closing():
                        return "421 4.4.2 Connection gone"
                sink.messages.append(email.message_from_bytes(envelope.content))
                return "250 OK"

        return Handler()

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        if not self._port:
            # aiosmtpd's Controller connects to its own port to check it started, so it needs a real one.
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                self._port = probe.getsockname()[1]
        self.controller = Controller(self._handler(), hostname="127.0.0.1", port=self._port)
        self.controller.start()
        self.port = self._port = self.controller.server.sockets[0].getsockname()[1]

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def release(self) -> None:
        self.hold_after = None

    def outbox_ids(self) -> list[int]:
        return [int(message["X-Organiser-Outbox"]) for message in self.messages]


@pytest.fixture
def smtp(settings) -> Iterator[ControlledSMTP]:
    sink = ControlledSMTP()
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


class SMSGateway:
    """A Twilio-style HTTP gateway on loopback: records each form POST; ``fail`` answers the next N with 503;
    ``reject`` answers every request with 400."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.fail = 0
        self.reject = False
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                form = {key: values[0] for key, values in parse_qs(self.rfile.read(length).decode()).items()}
                auth = self.headers.get("Authorization", "")
                if gateway.fail > 0:
                    gateway.fail -= 1
                    status, body = 503, {"message": "busy"}
                elif gateway.reject:
                    status, body = 400, {"message": "invalid number"}
                else:
                    gateway.requests.append(
                        {"form": form, "auth": b64decode(auth.removeprefix("Basic ")).decode() if auth else ""}
                    )
                    status, body = 201, {"sid": f"SM{uuid.uuid4().hex}"}
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/2010-04-01/Accounts/AC123/Messages.json"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def sms_gateway(settings) -> Iterator[SMSGateway]:
    with SMSGateway() as gateway:
        settings.SMS_PROVIDER_URL = gateway.url
        settings.SMS_API_KEY = "AC123:secret-token"
        settings.SMS_FROM = "Organiser"
        yield gateway


def _broker_in_database(url: str, database: int) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, parts.fragment))


@pytest.fixture
def start_worker(transactional_db, settings) -> Iterator[Callable[..., WorkerProcess]]:
    """Start real worker processes on a queue of this test's own, with extra environment (EMAIL_URL, …).

    The broker is a Redis database of these tests' own (``MESSAGING_TEST_REDIS_DB``, default 13): the cache
    shares the project's database, and a ``cache.clear()`` in any test run on the machine (FLUSHDB) would
    otherwise empty this test's queue mid-run."""
    from organiser.celery import app

    queue = f"test-{uuid.uuid4().hex[:12]}"
    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    broker_url = _broker_in_database(settings.CELERY_BROKER_URL, int(os.environ.get("MESSAGING_TEST_REDIS_DB", 13)))
    previous_url = app.conf.broker_url
    app.conf.broker_url = broker_url
    app._pool, app.amqp._producer_pool = None, None  # the next publish connects to broker_url
    app.conf.task_default_queue = queue
    workers: list[WorkerProcess] = []

    def start(concurrency: int = 2, **extra: str) -> WorkerProcess:
        env = worker_environment(queue, MESSAGING_TEST_QUEUE=queue, **extra)
        env["DJANGO_SETTINGS_MODULE"] = "tests.messaging.worker_settings"
        env["CELERY_BROKER_URL"] = broker_url
        worker = WorkerProcess(queue, env, concurrency=concurrency)
        worker.start()
        workers.append(worker)
        return worker

    try:
        yield start
    finally:
        for worker in workers:
            worker.stop()
        app.conf.task_default_queue = "celery"
        app.conf.broker_url = previous_url
        app._pool, app.amqp._producer_pool = None, None
