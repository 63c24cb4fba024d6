"""Fixtures for the volunteers' tests: a postcodes.io-style lookup server on loopback."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

import pytest


class PostcodeLookup:
    """A tiny postcodes.io stand-in: ``known`` maps a normalised postcode to a GSS constituency code."""

    def __init__(self) -> None:
        self.known: dict[str, str] = {}
        self.requests: list[str] = []
        lookup = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                postcode = unquote(self.path.rsplit("/", 1)[-1])
                lookup.requests.append(postcode)
                code = lookup.known.get(postcode)
                body = (
                    {
                        "status": 200,
                        "result": {"postcode": postcode, "codes": {"parliamentary_constituency_2024": code}},
                    }
                    if code
                    else {"status": 404, "error": "Postcode not found"}
                )
                payload = json.dumps(body).encode()
                self.send_response(200 if code else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/postcodes/{{postcode}}"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def postcode_lookup(settings):
    with PostcodeLookup() as lookup:
        settings.POSTCODE_LOOKUP_URL = lookup.url
        yield lookup


@pytest.fixture(autouse=True)
def _no_lookup_by_default(settings):
    """No test reaches the real postcodes.io; tests that want a lookup use ``postcode_lookup``."""
    settings.POSTCODE_LOOKUP_URL = ""


@pytest.fixture(autouse=True)
def _sends_not_queued(monkeypatch):
    """Messages the services write to the outbox are not queued to the broker from these tests (the
    messaging tests send them); the queued batches are recorded instead."""
    queued: list = []
    try:
        from messaging import tasks
    except ImportError:
        yield queued
        return
    monkeypatch.setattr(tasks.send_outbox_batch, "delay", lambda ids: queued.append(ids))
    yield queued
