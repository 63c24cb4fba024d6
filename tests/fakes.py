"""Local fake servers for what lies outside the project, on loopback: no mock objects.

``LocalHTTPServer`` answers each request with a function of (method, path, body); the fakes of
the outside services the project speaks to are built on it.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

from django.core.exceptions import ValidationError

from campaigns.postcodes import normalise_postcode

Answer = tuple[int, object]  # (status, a JSON-able body, or bytes sent as they are)


class LocalHTTPServer:
    """A threaded HTTP server on 127.0.0.1 and a free port; ``respond(method, path, body)`` answers."""

    def __init__(self, respond: Callable[[str, str, bytes], Answer]) -> None:
        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                status, body = respond(self.command, self.path, self.rfile.read(length) if length else b"")
                payload = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json" if not isinstance(body, bytes) else "text/csv")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = _answer

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._running = False

    def __enter__(self) -> LocalHTTPServer:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self._running = True
        return self

    def stop(self) -> None:
        """Stop answering (as an outage would); safe to call twice."""
        if self._running:
            self.server.shutdown()
            self.server.server_close()
            self._running = False

    def __exit__(self, *exc) -> None:
        self.stop()


class FakePostcodesIO(LocalHTTPServer):
    """postcodes.io's lookup: ``known`` maps a postcode ("IG6 2AA") to its 2024 seat's GSS code."""

    def __init__(self) -> None:
        self.known: dict[str, str] = {}
        self.requests: list[str] = []
        super().__init__(self._respond)
        self.url = f"{self.base_url}/postcodes/{{postcode}}"

    def _respond(self, method: str, path: str, body: bytes) -> Answer:
        asked = unquote(path.rsplit("/", 1)[-1])
        try:
            postcode = normalise_postcode(asked)
        except ValidationError:
            postcode = asked
        self.requests.append(postcode)
        if code := self.known.get(postcode):
            return 200, {
                "status": 200,
                "result": {"postcode": postcode, "codes": {"parliamentary_constituency_2024": code}},
            }
        return 404, {"status": 404, "error": "Postcode not found"}
