"""Election night: a growing by-candidate feed served from a local HTTP server, polled and imported."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from campaigns.models import Result
from campaigns.schedule import BEAT_SCHEDULE
from campaigns.services.feed import results_feed_poll
from campaigns.services.imports import election_for_slug
from tests.campaigns import files
from tests.campaigns.factories import ConstituencyFactory

pytestmark = pytest.mark.django_db


class Feed:
    body = b""


class FeedHandler(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/csv")
        self.end_headers()
        self.wfile.write(Feed.body)

    def log_message(self, *args):
        pass


@pytest.fixture
def feed(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), FeedHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.RESULTS_FEED_URL = f"http://127.0.0.1:{server.server_port}/results.csv"
    Feed.body = b""
    yield Feed
    server.shutdown()
    server.server_close()


def test_new_declarations_are_imported_as_they_come(feed):
    election = election_for_slug("parl.2024-07-04")
    ConstituencyFactory(code="E14001300", name="Ilford North")
    ConstituencyFactory(code="W07000112", name="Ynys Môn")
    assert results_feed_poll() is None  # nothing declared yet
    feed.body = files.candidate_csv([c for c in files.CANDIDATES if c[0] == "E14001300"])
    first = results_feed_poll()
    assert first.tables["results"].created == 1
    ilford = Result.objects.get(constituency__code="E14001300")
    assert ilford.declared_at is not None and ilford.majority == 528
    assert not Result.objects.filter(constituency__code="W07000112").exists()  # undeclared

    feed.body = files.candidate_csv()
    second = results_feed_poll()
    assert second.tables["results"].created == 1 and second.tables["results"].unchanged == 1
    assert Result.objects.get(constituency__code="E14001300").declared_at == ilford.declared_at
    assert Result.objects.filter(election=election, winner__isnull=False).count() == 2
    assert not results_feed_poll().changed


def test_a_bad_or_unreachable_feed_changes_nothing(feed, settings):
    election_for_slug("parl.2024-07-04")
    feed.body = files.candidate_csv()  # seats not known: rejected
    assert results_feed_poll() is None
    assert Result.objects.count() == 0
    settings.RESULTS_FEED_URL = "http://127.0.0.1:9/closed"
    assert results_feed_poll() is None


def test_the_poll_is_scheduled_with_an_expiry():
    entry = BEAT_SCHEDULE["campaigns-poll-results-feed"]
    assert entry["task"] == "campaigns.tasks.poll_results_feed"
    assert entry["options"]["expires"] <= entry["schedule"]
