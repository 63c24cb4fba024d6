"""The 2024 night replayed: the Commons Library results served as a feed that grows declaration by declaration,
in a realistic order, over a few accelerated hours.

The published files carry no declaration times (the "Declaration time" column is blank), so the order is a
model of how a British count night goes, stated here so nobody takes it for the record: the Sunderland seats
first (from 23:15), borough seats on the whole before county seats, larger electorates later, close results
later still (recounts), Northern Ireland and the Highlands last; a fixed jitter per seat (from its code) keeps
seats of one kind from declaring in alphabetical order. The night runs from 23:00 to 09:00 at most, and
``hours`` of real time replay it (3 by default: ten night hours in three).

The feed is two files, a by-candidate and a by-constituency CSV holding only the seats declared so far, at
``/candidates.csv`` and ``/constituencies.csv``; ``RESULTS_FEED_URL`` may name both (campaigns.services.feed).
How far the night has gone comes from organiser.clock, so a test moves it with the clock.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from django.conf import settings

from organiser import clock

#: Night hours from the close of poll (22:00): the first declaration, the bulk, the last.
FIRST, TYPICAL, LAST = 1.25, 4.8, 11.0
NIGHT_HOURS = LAST


def data_dir() -> Path:
    """The 2024 files: the project's copy (campaigns/data, byte for byte the Commons Library's; see its
    README and the shared data's SOURCES.md)."""
    return Path(settings.BASE_DIR) / "campaigns" / "data"


def _jitter(code: str) -> float:
    """A fixed number in [-1, 1) for the seat."""
    return int.from_bytes(hashlib.sha256(code.encode()).digest()[:4], "big") / 2**31 - 1


def declaration_hour(seat: dict) -> float:
    """When, in hours after the close of poll, the model has ``seat`` (a by-constituency row) declare."""
    name, nation = seat["Constituency name"], seat["Country name"]
    if "Sunderland" in name or name == "Blyth and Ashington":
        return FIRST + 0.4 * (_jitter(seat["ONS ID"]) + 1)
    hour = TYPICAL
    hour += -0.6 if seat["Constituency type"] == "Borough" else 0.7
    electorate = int(seat["Electorate"] or 70000)
    hour += (electorate - 73000) / 20000
    valid = int(seat["Valid votes"] or 1)
    if int(seat["Majority"] or 0) / valid < 0.02:
        hour += 1.5
    if nation == "Northern Ireland":
        hour += 2.0
    if any(far in name for far in ("Inverness", "Caithness", "Orkney", "Na h-Eileanan")):
        hour += 3.0
    hour += 1.6 * _jitter(seat["ONS ID"])
    return min(max(hour, FIRST + 0.8), LAST - 0.5)


@dataclass(frozen=True)
class Declared:
    code: str
    hour: float  # after the close of poll


class Night:
    """The replayed night: the files, the order, and what has declared ``elapsed`` seconds in."""

    def __init__(self, *, hours: float = 3.0, directory: Path | None = None, only: set[str] | None = None) -> None:
        directory = directory or data_dir()
        self.candidate_text = (directory / "HoC-GE2024-results-by-candidate.csv").read_text(encoding="utf-8-sig")
        self.constituency_text = (directory / "HoC-GE2024-results-by-constituency.csv").read_text(encoding="utf-8-sig")
        self.candidate_header, self.candidates = self._rows(self.candidate_text)
        self.constituency_header, self.constituencies = self._rows(self.constituency_text)
        if only is not None:
            self.constituencies = {code: rows for code, rows in self.constituencies.items() if code in only}
        self.order = sorted(
            (Declared(code, declaration_hour(self._dict(rows[0]))) for code, rows in self.constituencies.items()),
            key=lambda d: (d.hour, d.code),
        )
        self.scale = hours / NIGHT_HOURS  # real hours per night hour

    @staticmethod
    def _rows(text: str) -> tuple[list[str], dict[str, list[list[str]]]]:
        reader = csv.reader(io.StringIO(text))
        header = next(reader)
        at = header.index("ONS ID")
        rows: dict[str, list[list[str]]] = {}
        for row in reader:
            if row:
                rows.setdefault(row[at], []).append(row)
        return header, rows

    def _dict(self, row: list[str]) -> dict:
        return dict(zip(self.constituency_header, row, strict=False))

    def seconds_at(self, declared: Declared) -> float:
        """Real seconds from the start of the replay to this declaration."""
        return declared.hour * 3600 * self.scale

    def declared(self, elapsed: float) -> list[Declared]:
        """The declarations made ``elapsed`` real seconds into the replay, in order."""
        return [d for d in self.order if self.seconds_at(d) <= elapsed]

    def feed(self, codes: list[str], *, kind: str) -> bytes:
        """The by-candidate (``kind="candidates"``) or by-constituency file of these seats only."""
        header, rows = (
            (self.candidate_header, self.candidates)
            if kind == "candidates"
            else (self.constituency_header, self.constituencies)
        )
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header)
        for code in codes:
            writer.writerows(rows.get(code, []))
        return buffer.getvalue().encode()


class Replay:
    """A night started at ``started_at`` (organiser.clock); ``at(now)`` says how far it has gone."""

    def __init__(self, night: Night, *, started_at: dt.datetime | None = None) -> None:
        self.night = night
        self.started_at = started_at or clock.now()

    def elapsed(self) -> float:
        return max(0.0, (clock.now() - self.started_at).total_seconds())

    def declared_codes(self) -> list[str]:
        return [d.code for d in self.night.declared(self.elapsed())]

    def body(self, kind: str) -> bytes:
        codes = self.declared_codes()
        return self.night.feed(codes, kind=kind) if codes else b""


class FeedHandler(BaseHTTPRequestHandler):
    replay: Replay  # set on the server's handler class

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        kinds = {"/candidates.csv": "candidates", "/constituencies.csv": "constituencies"}
        if path not in kinds:
            self.send_error(404, "the feed is /candidates.csv and /constituencies.csv")
            return
        body = self.server.replay.body(kinds[path])
        self.send_response(200)
        self.send_header("Content-Type", "text/csv; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


class FeedServer(ThreadingHTTPServer):
    """The replay's feed over HTTP on ``host:port`` (0: a free port)."""

    daemon_threads = True

    def __init__(self, replay: Replay, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__((host, port), FeedHandler)
        self.replay = replay
        self.thread: threading.Thread | None = None

    @property
    def urls(self) -> list[str]:
        host, port = self.server_address[:2]
        return [f"http://{host}:{port}/candidates.csv", f"http://{host}:{port}/constituencies.csv"]

    def start(self) -> FeedServer:
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
