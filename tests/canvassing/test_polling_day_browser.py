"""A scripted polling day in headless Chromium, under the enforced CSP: tellers type numbers on a phone (some with
no signal, through a reload served by the service worker), the committee-room board at 1280 px updates itself
(and answers 304 while nothing changes), a knock-up round is cut and sent from it, a knocker's phone records
"needs a lift", "already voted" and "reminded" (one of them offline), the lift is offered to a driver who
accepts it and only then sees the pick-up. Screenshots of the board at 1280 and 390 px go to /work/screenshots
when that folder exists; both sizes have no sideways scroll and pass the axe audit."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.urls import reverse

from canvassing import services as canvassing_services
from canvassing.models import (
    CanvassResponse,
    Elector,
    GrantLevel,
    Lift,
    LiftStatus,
    PollingDayVote,
    PollingDistrict,
    WalkList,
)
from canvassing.pollingday import services
from canvassing.pollingday import views as polling_day_views
from organiser import clock
from tests.canvassing.conftest import grant, load_register, make_campaign
from tests.canvassing.test_browser import audit, eventually
from tests.conftest import PHONE, browser_login, make_user
from volunteers.models import Role, Shift, ShiftKind, Signup, VolunteerProfile

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/work/screenshots")
DESKTOP = {"viewport": {"width": 1280, "height": 900}}


def page_for(browser, live_server, user, size):
    context = browser.new_context(base_url=live_server.url, **size)
    page = context.new_page()
    page.csp_violations = []
    page.on("console", lambda m: page.csp_violations.append(m.text) if "Content Security Policy" in m.text else None)
    browser_login(page, user, live_server.url)
    return page


def shot(page, name: str) -> None:
    if SHOTS.is_dir():
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_a_polling_day_in_the_committee_room(browser, live_server, election, seat_a, monkeypatch, travel):
    from canvassing import synthetic

    # Eleven in the morning of polling day, the clock running (a phone's clock, on another hour, is not believed
    # for the time a number was taken: the server's is used).
    travel(clock.at(clock.today(), dt.time(11)), tick=True)

    monkeypatch.setattr(synthetic, "ELECTORS_PER_DISTRICT", 120)
    monkeypatch.setattr(polling_day_views, "BOARD_EVERY", 1)  # the board asks every second, not every ten
    campaign = make_campaign(election, seat_a, polling_day=clock.today(), votes_to_win=60)
    load_register(campaign, 360, seed=14)
    electors = list(Elector.objects.filter(campaign=campaign).exclude(property_key="").order_by("pk"))
    canvassing_services.responses_record(
        user=campaign.agent,
        entries=[
            {"id": f"00000000-0000-4000-8000-{n:012d}", "elector": e.pk, "outcome": "spoke",
             "intention": "C" if n % 3 else "L", "recorded_at": (clock.now() - dt.timedelta(days=5)).isoformat()}
            for n, e in enumerate(electors[::3])
        ],
    )  # fmt: skip
    districts = list(PollingDistrict.objects.filter(campaign=campaign).order_by("code"))
    school = services.station_save(
        user=campaign.agent, campaign=campaign, name="St Mary's School", address="Church Road",
        districts=districts[:1],
    )  # fmt: skip
    services.station_save(user=campaign.agent, campaign=campaign, name="Library", districts=districts[1:])
    teller = grant(campaign, GrantLevel.TELLER)
    knocker = grant(campaign, GrantLevel.CANVASSER)
    organiser = grant(campaign, GrantLevel.ORGANISER, Role.SEAT_ORGANISER, seats=(seat_a,), mfa=True)
    shift = Shift.objects.create(
        kind=ShiftKind.KNOCK_UP, constituency=seat_a, starts_at=clock.now() - dt.timedelta(hours=1),
        ends_at=clock.now() + dt.timedelta(hours=3), meeting_point="The committee room",
    )  # fmt: skip
    Signup.objects.create(shift=shift, volunteer=knocker)
    driver = make_user(Role.VOLUNTEER)
    VolunteerProfile.objects.create(user=driver, home_constituency=seat_a, skills=["driving"])
    ka = [e for e in electors if e.polling_district_id == districts[0].pk and e.suffix == 0]

    # The teller, on a phone at St Mary's School: one number with signal.
    tellers = page_for(browser, live_server, teller, PHONE)
    tellers.goto(reverse("canvassing:tellers", args=[campaign.pk]))
    tellers.wait_for_selector("#tellers[data-ready=true]")
    tellers.get_by_label("St Mary's School").check()
    tellers.fill("#numbers", str(ka[0].number))
    tellers.press("#numbers", "Enter")
    eventually(tellers, lambda: PollingDayVote.objects.count() == 1)
    tellers.wait_for_selector("#teller-status[data-waiting='0']")
    eventually(tellers, lambda: tellers.evaluate("navigator.serviceWorker.controller !== null"))

    # The committee room's screen: the board at 1280 px.
    room = page_for(browser, live_server, organiser, DESKTOP)
    room.goto(reverse("canvassing:committee_room", args=[campaign.pk]))
    room.wait_for_selector("#board-live .board")
    assert "1</strong> poll numbers so far" in room.inner_html("#board-live")
    room.wait_for_selector("#board-live[data-checks]", timeout=10000)  # nothing changed: 304s, no swap
    assert room.get_attribute("#board-live", "data-swaps") is None
    audit(room)

    # The signal goes outside the school: numbers and a range queue on the phone, through a reload.
    tellers.context.set_offline(True)
    for typed in (str(ka[1].number), f"{ka[2].number}-{ka[4].number}"):
        tellers.fill("#numbers", typed)
        tellers.press("#numbers", "Enter")
    tellers.wait_for_selector("#teller-status[data-waiting='2']")
    tellers.reload()
    tellers.wait_for_selector("#tellers[data-ready=true]")
    assert "waiting to send" in tellers.text_content("#teller-status")
    assert PollingDayVote.objects.count() == 1
    tellers.get_by_label("St Mary's School").check()
    tellers.fill("#numbers", str(ka[1].number))  # typed twice: counted once
    tellers.press("#numbers", "Enter")
    tellers.wait_for_selector("#teller-status[data-waiting='3']")
    tellers.context.set_offline(False)
    tellers.evaluate("window.dispatchEvent(new Event('online'))")
    expected = 1 + 1 + (ka[4].number - ka[2].number + 1)
    eventually(tellers, lambda: PollingDayVote.objects.count() == expected, 30)
    tellers.wait_for_selector("#teller-status[data-waiting='0']", timeout=30000)
    assert PollingDayVote.objects.filter(station=school).count() == expected
    assert tellers.evaluate("document.documentElement.scrollWidth") <= PHONE["viewport"]["width"]
    audit(tellers)

    # The board sees them without a reload.
    room.wait_for_selector(f"#board-live :text('{expected} poll numbers so far')", timeout=15000)
    assert int(room.get_attribute("#board-live", "data-swaps")) >= 1
    assert "Updated" in room.text_content("#board-freshness")

    # Where next, then the round: cut and sent to the knocker on the shift, with one action.
    assert room.locator(".where-next li").count() >= 1
    room.locator(".round-form").get_by_label(str(knocker)).check()
    room.get_by_role("button", name="Send round 1").click()
    room.wait_for_selector(".message.success")
    round_lists = list(WalkList.objects.filter(knock_up_round__number=1, volunteer=knocker))
    assert round_lists
    voted = set(PollingDayVote.objects.values_list("elector_id", flat=True))
    assert not voted & set(WalkList.objects.filter(knock_up_round__number=1).values_list("entries__elector", flat=True))
    shot(room, "committee-room-1280")

    # The knocker's phone: the round's list, the day's outcomes, one of them with no signal.
    knock = page_for(browser, live_server, knocker, PHONE)
    walk_list = round_lists[0]
    knock.goto(reverse("canvassing:doorstep", args=[walk_list.pk]))
    knock.wait_for_selector("#doorstep[data-ready=true]")
    people = knock.locator(".elector")
    assert people.first.locator("[data-outcome=spoke]").count() == 0
    people.nth(0).locator("[data-outcome=needs_lift]").click()
    eventually(knock, lambda: CanvassResponse.objects.filter(outcome="needs_lift").count() == 1)
    knock.context.set_offline(True)
    target = people.nth(1) if people.count() > 1 else None
    if target is None:
        knock.click("#next-door")
        target = knock.locator(".elector").first
    target.locator("[data-outcome=already_voted]").click()
    knock.wait_for_selector("#sync-status[data-waiting='1']")
    knock.context.set_offline(False)
    knock.evaluate("window.dispatchEvent(new Event('online'))")
    eventually(knock, lambda: CanvassResponse.objects.filter(outcome="already_voted").count() == 1, 30)
    assert knock.evaluate("document.documentElement.scrollWidth") <= PHONE["viewport"]["width"]

    # The lift: offered from the lifts page to a volunteer who drives; they accept, and only then see the pick-up.
    room.goto(reverse("canvassing:lifts", args=[campaign.pk]))
    lift = Lift.objects.get(campaign=campaign)
    row = room.locator(f"[data-lift='{lift.pk}']")
    row.locator("select").select_option(str(driver.pk))
    row.get_by_role("button", name="Offer").click()
    room.wait_for_selector(".message.success")
    audit(room)
    drives = page_for(browser, live_server, driver, PHONE)
    drives.goto(reverse("canvassing:my_lifts_driver"))
    assert lift.pick_up not in drives.text_content("main")
    drives.get_by_role("button", name="Accept").click()
    drives.wait_for_selector(f"text={lift.pick_up}")
    lift.refresh_from_db()
    assert lift.status == LiftStatus.ACCEPTED and lift.driver == driver

    # The board on a phone: 390 px, no sideways scroll; then back at 1280 with the round and the lift on it.
    phone_room = page_for(browser, live_server, organiser, {**PHONE, "viewport": {"width": 390, "height": 844}})
    phone_room.goto(reverse("canvassing:committee_room", args=[campaign.pk]))
    phone_room.wait_for_selector("#board-live .board")
    assert phone_room.evaluate("document.documentElement.scrollWidth") <= 390
    audit(phone_room)
    shot(phone_room, "committee-room-390")
    room.goto(reverse("canvassing:committee_room", args=[campaign.pk]))
    room.wait_for_selector("#board-live .board")
    assert "1</strong> on the way" in room.inner_html("#board-live") or "1 on the way" in room.text_content(
        "#board-live"
    )
    shot(room, "committee-room-1280")
    for page in (tellers, room, knock, drives, phone_room):
        assert page.csp_violations == [], page.csp_violations
        page.context.close()
