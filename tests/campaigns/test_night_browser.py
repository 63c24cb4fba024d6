"""In Chromium, a replayed election night: the 2024 results arrive through the feed poller declaration by
declaration, the organisers' board (1280 px) and the public results page (390 px) update themselves, a count
agent enters a seat's result from the hall and a second user confirms it, the feed later agrees, and each
person is told of their seat's declaration once. Screenshots of the board at 1280 and 390 px go to
/work/screenshots/night-board-*.png when that folder can be made."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from campaigns.models import Candidacy, Constituency, CountReport, Endorsement
from campaigns.night.replay import FeedServer, Night, Replay
from campaigns.night.services import night_reset
from campaigns.services.feed import results_feed_poll
from messaging.delivery import deliver
from messaging.models import Outbox
from tests.conftest import browser_login, make_user
from volunteers.models import Consent, Role, VolunteerProfile

SLUG = "parl.2024-07-04"
SCREENSHOTS = Path("/work/screenshots")
UPDATE_MS = 20_000  # the boards ask every 5 s; a loaded machine may take longer


def _shot(page, name: str) -> None:
    try:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    except OSError:
        return
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


def _endorse(election, code: str) -> Endorsement:
    seat = Constituency.objects.get(code=code)
    candidacy = (
        Candidacy.objects.filter(election=election, constituency=seat, party__abbreviation="Green").first()
        or Candidacy.objects.filter(election=election, constituency=seat).order_by("person__name").first()
    )
    return Endorsement.objects.create(
        election=election, constituency=seat, candidacy=candidacy, status=Endorsement.Status.ENDORSED
    )


def _volunteer(seat):
    user = make_user(Role.VOLUNTEER)
    VolunteerProfile.objects.create(user=user, home_constituency=seat)
    Consent.objects.create(user=user, channel="email", wording="Yes, email me", source="test")
    return user


@pytest.mark.browser
def test_a_replayed_night_in_the_browser(transactional_db, real_2024, browser, live_server, travel, smtp_sink):
    election = real_2024
    start = travel("2024-07-04T21:00:00Z")  # the clock stands still between the steps
    full = Night(hours=1)
    early = [d.code for d in full.order[:3]]
    counted = next(d.code for d in full.order if d.hour > full.order[2].hour + 1)  # declares an hour later
    night = Night(hours=1, only={*early, counted})
    endorsed = _endorse(election, early[1])
    by_count = _endorse(election, counted)
    organiser = make_user(Role.SEAT_ORGANISER, seats=(endorsed.constituency,))
    agent = make_user(Role.SEAT_ORGANISER, seats=(by_count.constituency,))
    national = make_user(Role.NATIONAL_ORGANISER)
    volunteers = [_volunteer(endorsed.constituency), _volunteer(by_count.constituency)]
    night_reset(election=election)

    server = FeedServer(Replay(night, started_at=start)).start()
    wide = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    phone = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        board = wide.new_page()
        violations = []
        board.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
        browser_login(board, national, live_server.url)
        board.goto(f"/organise/{SLUG}/night/")
        assert "0 of 650 declared" in board.locator("#night-board .night-status").inner_text()
        public = phone.new_page()
        public.goto(f"/elections/{SLUG}/night/")
        assert "No seat has declared yet." in public.content()

        # Declarations arrive: the beat's poll imports each; the pages update themselves.
        for number, code in enumerate(early, start=1):
            travel(start + dt.timedelta(seconds=night.seconds_at(night.order[number - 1]) + 1))
            assert results_feed_poll(url=server.urls, election=election).changed
            board.locator("#night-board .night-status").get_by_text(f"{number} of 650 declared").wait_for(
                timeout=UPDATE_MS
            )
            public.locator(f'#public-night li[data-seat="{code}"]').wait_for(timeout=UPDATE_MS)
        row = board.locator(f'#night-board tr[data-seat="{early[1]}"]')
        assert row.get_attribute("data-declared") == "yes"
        assert endorsed.candidacy.person.name in row.inner_text() and "majority" in row.inner_text()
        public_row = public.locator(f'#public-night tr[data-seat="{early[1]}"]')
        assert "Declared" in public_row.inner_text()

        # A count agent enters the counted seat's result from the hall; a second user confirms it.
        hall = phone.new_page()
        browser_login(hall, agent, live_server.url)
        hall.goto(f"/organise/{SLUG}/night/seats/{counted}/")
        votes = _file_votes(night, counted)
        total = 0
        for candidacy in Candidacy.objects.filter(election=election, constituency__code=counted).select_related(
            "person"
        ):
            hall.fill(f'input[name="votes_{candidacy.pk}"]', str(votes[candidacy.person.dc_person_id]))
            total += votes[candidacy.person.dc_person_id]
        hall.fill('input[name="valid_votes"]', str(total))
        hall.get_by_role("button", name="Enter the report").click()
        hall.get_by_text("a second user must confirm it").wait_for()
        assert "A second user confirms it." in hall.content()
        assert board.locator(f'#night-board tr[data-seat="{counted}"]').get_attribute("data-declared") == "no"

        second = wide.new_page()
        browser_login(second, national, live_server.url)
        second.goto(f"/organise/{SLUG}/night/seats/{counted}/")
        second.get_by_role("button", name="Confirm: these are the declared numbers").click()
        second.get_by_text("Confirmed: the seat shows as declared.").wait_for()
        board.locator(f'#night-board tr[data-seat="{counted}"][data-declared="yes"]').wait_for(timeout=UPDATE_MS)
        assert "(from the count)" in board.locator(f'#night-board tr[data-seat="{counted}"]').inner_text()
        seat_page = phone.new_page()
        seat_page.goto(f"/elections/{SLUG}/seats/{counted}/")
        assert "As our count agents heard it declared" in seat_page.content()

        # The feed brings the counted seat later and agrees with the hall.
        travel(start + dt.timedelta(hours=1, seconds=1))
        assert results_feed_poll(url=server.urls, election=election).changed
        board.locator("#night-board .night-status").get_by_text("4 of 650 declared").wait_for(timeout=UPDATE_MS)
        assert CountReport.objects.get().feed_check == "agrees"
        seat_page.reload()
        assert "Not yet declared" not in seat_page.content() and "majority" in seat_page.content().lower()
        assert results_feed_poll(url=server.urls, election=election).changed is False

        _shot(board, "night-board-1280.png")
        small = phone.new_page()
        browser_login(small, national, live_server.url)
        small.goto(f"/organise/{SLUG}/night/")
        assert small.evaluate("document.documentElement.scrollWidth") <= 390
        assert public.evaluate("document.documentElement.scrollWidth") <= 390
        _shot(small, "night-board-390.png")
        assert violations == []
    finally:
        wide.close()
        phone.close()
        server.stop()

    # Each person hears of their seat's declaration once: the organisers and the volunteers who opted in.
    messages = list(Outbox.objects.filter(key__startswith="declared:"))
    assert sorted(m.recipient_id for m in messages) == sorted([organiser.pk, agent.pk, *(v.pk for v in volunteers)])
    deliver([m.pk for m in messages])
    deliver([m.pk for m in messages])
    assert sorted(m["To"] for m in smtp_sink.messages) == sorted(
        [organiser.email, agent.email, *(v.email for v in volunteers)]
    )
    assert any("has declared" in m["Subject"] for m in smtp_sink.messages)


def _file_votes(night: Night, code: str) -> dict[int, int]:
    header = night.candidate_header
    person, votes = header.index("DC Person ID"), header.index("Votes")
    return {int(row[person]): int(row[votes]) for row in night.candidates[code]}
