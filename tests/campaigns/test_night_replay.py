"""The replayed 2024 night (campaigns.night.replay and the replay_results_night command): the order, a feed
that grows with the clock, and the results feed poller importing it declaration by declaration, each
declaration recorded and announced once."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import requests
from django.core.management import call_command

from campaigns.models import Candidacy, Constituency, Declaration, Endorsement, Result
from campaigns.night.replay import FeedServer, Night, Replay
from campaigns.night.services import night_reset
from campaigns.services.feed import results_feed_poll
from messaging.models import MessageKind, Outbox
from organiser import clock
from tests.conftest import make_user
from volunteers.models import Consent, Role, VolunteerProfile

pytestmark = pytest.mark.django_db


def test_every_seat_declares_once_the_sunderland_seats_first():
    night = Night(hours=3)
    codes = [d.code for d in night.order]
    assert len(codes) == len(set(codes)) == 650
    first = night.constituencies[codes[0]][0][night.constituency_header.index("Constituency name")]
    assert "Sunderland" in first or first == "Blyth and Ashington"
    assert night.seconds_at(night.order[-1]) <= 3 * 3600
    hours = [d.hour for d in night.order]
    assert hours == sorted(hours)


def test_the_feed_grows_with_the_clock(travel):
    start = travel("2024-07-04T21:00:00Z")
    night = Night(hours=1)
    replay = Replay(night, started_at=start)
    assert replay.body("candidates") == b""
    first = night.seconds_at(night.order[0])
    travel(start + dt.timedelta(seconds=first))
    assert replay.declared_codes() == [night.order[0].code]
    one = replay.body("candidates").decode()
    assert one.count(night.order[0].code) >= 2 and one.startswith("ONS ID,")
    travel(start + dt.timedelta(hours=1, seconds=1))
    assert len(replay.declared_codes()) == 650


def _endorse(election, code: str) -> Endorsement:
    seat = Constituency.objects.get(code=code)
    candidacy = Candidacy.objects.filter(election=election, constituency=seat, party__abbreviation="Green").first()
    candidacy = candidacy or Candidacy.objects.filter(election=election, constituency=seat).first()
    return Endorsement.objects.create(
        election=election, constituency=seat, candidacy=candidacy, status=Endorsement.Status.ENDORSED
    )


def _people(seat):
    organiser = make_user(Role.SEAT_ORGANISER, seats=(seat,))
    by_email = make_user(Role.VOLUNTEER)
    by_text = make_user(Role.VOLUNTEER)
    not_asked = make_user(Role.VOLUNTEER)
    elsewhere = make_user(Role.VOLUNTEER)
    for user, phone in ((by_email, ""), (by_text, "+447700900123"), (not_asked, "")):
        VolunteerProfile.objects.create(user=user, home_constituency=seat, phone=phone)
    VolunteerProfile.objects.create(user=elsewhere, home_constituency=Constituency.objects.exclude(pk=seat.pk).first())
    Consent.objects.create(user=by_email, channel="email", wording="Yes, email me", source="test")
    Consent.objects.create(user=by_text, channel="sms", wording="Yes, text me", source="test")
    Consent.objects.create(user=elsewhere, channel="email", wording="Yes, email me", source="test")
    return organiser, by_email, by_text


def test_a_replayed_night_through_the_feed_poller(real_2024, travel, django_capture_on_commit_callbacks):
    election = real_2024
    start = travel("2024-07-04T21:00:00Z")
    full = Night(hours=1)
    chosen = [d.code for d in full.order[:4]]
    endorsed = _endorse(election, chosen[1])
    organiser, by_email, by_text = _people(endorsed.constituency)
    night_reset(election=election)
    assert not Result.objects.filter(election=election).exists()
    assert not Candidacy.objects.filter(election=election, votes__isnull=False).exists()

    night = Night(hours=1, only=set(chosen))
    server = FeedServer(Replay(night, started_at=start)).start()
    try:
        assert results_feed_poll(url=server.urls, election=election) is None  # nothing declared yet
        for number, declared in enumerate(night.order, start=1):
            travel(start + dt.timedelta(seconds=night.seconds_at(declared) + 0.5))
            with django_capture_on_commit_callbacks():
                report = results_feed_poll(url=server.urls, election=election)
            assert report is not None and report.tables["results"].created == 1
            assert Result.objects.filter(election=election).count() == number
            result = Result.objects.get(election=election, constituency__code=declared.code)
            assert result.declared_at == clock.now()  # stamped when the feed first had it
            assert result.electorate and result.winner_id and result.majority
        assert Declaration.objects.filter(election=election).count() == 4
        with django_capture_on_commit_callbacks():
            again = results_feed_poll(url=server.urls, election=election)
        assert not again.changed
    finally:
        server.stop()

    messages = Outbox.objects.filter(key__startswith="declared:")
    assert sorted((m.recipient_id, m.kind, m.channel) for m in messages) == sorted(
        [
            (organiser.pk, MessageKind.SEAT_DECLARED_ORGANISER, "email"),
            (by_email.pk, MessageKind.SEAT_DECLARED, "email"),
            (by_text.pk, MessageKind.SEAT_DECLARED, "sms"),
        ]
    )
    context = messages.first().context["declaration"]
    assert context["seat"] == endorsed.constituency.name and context["candidate"] == endorsed.candidacy.person.name
    assert Declaration.objects.get(constituency=endorsed.constituency).notified_at is not None


def test_the_command_replays_a_short_night_and_polls_it(real_2024, settings):
    out = io.StringIO()
    call_command(
        "replay_results_night", "--rewind", "--hours", "0.0004", "--port", "0", "--poll", "0.2", "--seats", "6",
        stdout=out,
    )  # fmt: skip
    text = out.getvalue()
    assert "rewound to the close of poll" in text and "the night is over" in text
    assert Result.objects.filter(election=real_2024).count() == 6
    assert Declaration.objects.filter(election=real_2024, source="feed").count() == 6
    assert "RESULTS_FEED_URL=http://127.0.0.1:" in text


def test_the_feed_server_answers_404_elsewhere():
    server = FeedServer(Replay(Night(hours=1))).start()
    try:
        base = server.urls[0].rsplit("/", 1)[0]
        assert requests.get(base + "/other", timeout=5).status_code == 404
        assert requests.get(server.urls[1], timeout=5).status_code == 200
    finally:
        server.stop()
