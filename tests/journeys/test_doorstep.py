"""The doorstep at 390 px, as a canvasser sees it: a door of four electors fits in about one and a half
screens before anyone is tapped; the intentions stay hidden until "Spoke"; each recorded elector folds to one
line in words ("Spoke: our candidate (promise)"); "Nobody home" moves on to the next door; the sync status
stays in view while scrolled; answers given later complete the same entry. The canvasser gets there from the
home page by links alone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from canvassing import services
from canvassing.models import CanvassResponse, GrantLevel, WalkList
from canvassing.register_import import register_import
from tests.canvassing.conftest import csv_file
from tests.canvassing.test_browser import eventually
from tests.journeys.conftest import log_in, menu, person, seen, shot
from volunteers.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = (
    "Elector Number Prefix,Elector Number,Elector Number Suffix,Elector Markers,Elector DOB,Elector Name,"
    "PostCode,Address1,Address2,Address3,Address4,Address5,Address6\n"
)
DOORS = [
    ("1 Cranbrook Road", ["Khan, Aisha", "Khan, Omar", "Khan, Maryam", "Khan, Yusuf"]),
    ("3 Cranbrook Road", ["Smith, Ruth", "Smith, John"]),
    ("5 Cranbrook Road", ["Begum, Fatima"]),
]


def door_register(campaign, doors: int = 10) -> None:
    rows, number = [], 0
    for address, names in DOORS:
        for name in names:
            number += 1
            rows.append(f'KA,{number},0,,,"{name}",IG1 4AA,{address},Ilford,,,,\n')
    register_import(campaign=campaign, file=csv_file(HEADER + "".join(rows)), user=campaign.agent)
    services.walk_lists_cut(campaign=campaign, doors=doors, user=campaign.agent)


def test_a_door_of_four_fits_and_folds_to_lines_in_words(phone, live_server, campaign):
    door_register(campaign)
    canvasser, secret = person(Role.VOLUNTEER, full_name="Sam Canvasser")
    services.register_grant_create(
        campaign=campaign, user=canvasser, level=GrantLevel.CANVASSER, granted_by=campaign.agent
    )
    walk_list = WalkList.objects.get(campaign=campaign)
    services.walk_list_assign(walk_list=walk_list, volunteer=canvasser, user=campaign.agent)
    page = phone
    page.goto("/")
    log_in(page, canvasser.email, totp_secret=secret)
    menu(page, "Walk lists")
    page.get_by_role("link", name="Open on this phone").first.click()
    page.wait_for_selector("#doorstep[data-ready=true]")
    screen = page.viewport_size["height"]

    electors = page.locator(".elector")
    assert electors.count() == 4
    expect(page.get_by_role("heading", name="1 Cranbrook Road, Ilford, IG1 4AA")).to_be_visible()
    # Before anyone is tapped: three choices per elector, no intentions, no empty badge.
    assert page.locator("[data-intention]:visible").count() == 0
    assert page.get_by_role("button", name="Spoke").count() == 4
    assert page.locator(".badge:visible").count() == 0
    last = electors.nth(3).bounding_box()
    assert last["y"] + last["height"] <= 1.5 * screen, f"a door of four takes {last['y'] + last['height']} px"
    spoke, not_home = page.get_by_role("button", name="Spoke").first, page.get_by_role("button", name="Not home").first
    assert spoke.evaluate("b => getComputedStyle(b).backgroundColor") != not_home.evaluate(
        "b => getComputedStyle(b).backgroundColor"
    ), "the secondary button looks like the primary one"
    seen(page)
    shot(page, "doorstep-390-door-of-four")
    shot(page, "doorstep-390-first-screen", full_page=False)

    # "Spoke" shows the intentions for that elector only; one tap records and folds the elector to a line.
    first = electors.nth(0)
    first.get_by_role("button", name="Spoke").click()
    assert first.locator("[data-intention]:visible").count() == 11
    assert page.locator("[data-intention]:visible").count() == 11
    seen(page)
    shot(page, "doorstep-390-intentions")
    first.get_by_role("button", name="Our candidate (promise)").click()
    line = first.get_by_role("button", name="Aisha Khan: Spoke: our candidate (promise)")
    expect(line).to_be_visible()
    # One line: the words fit one row of text, and the elector is nothing but that row.
    rows_of_text = "s => { const r = document.createRange(); r.selectNodeContents(s); "
    rows_of_text += "return r.getClientRects().length }"
    assert line.locator("[data-state]").evaluate(rows_of_text) == 1, "the recorded state wraps"
    assert first.bounding_box()["height"] <= line.bounding_box()["height"] + 16, "a recorded elector takes one line"
    electors.nth(1).get_by_role("button", name="Not home").click()
    expect(electors.nth(1).get_by_role("button", name="Omar Khan: Not home")).to_be_visible()
    electors.nth(2).get_by_role("button", name="Other…").click()
    electors.nth(2).get_by_role("button", name="Refused").click()
    expect(electors.nth(2).get_by_text("Maryam Khan: Refused")).to_be_visible()
    page.wait_for_selector("#sync-status[data-waiting='0']")

    # Answers given after the entry was sent complete that entry: one row per conversation.
    line.click()
    first.get_by_label("What matters most to you at this election?").select_option("Housing")
    first.get_by_label("Note").fill("Would like a poster")
    first.get_by_role("button", name="Save answers").click()
    expect(line).to_be_visible()
    aisha = CanvassResponse.objects.filter(elector__surname="Khan", elector__forenames="Aisha")
    eventually(page, lambda: aisha.filter(note__gt="").exists())
    page.wait_for_selector("#sync-status[data-waiting='0']")
    assert aisha.count() == 1
    assert (aisha.get().answers, aisha.get().note, aisha.get().intention.code) == (
        {"issue": "Housing"},
        "Would like a poster",
        "C",
    )

    # Scrolled to the bottom of the door, the sync status is still on screen.
    page.mouse.wheel(0, 2000)
    page.wait_for_timeout(200)
    status = page.locator("#sync-status").bounding_box()
    assert status["y"] >= 0 and status["y"] + status["height"] <= screen
    assert page.locator("#sync-status").text_content().strip().startswith("All sent")
    seen(page)
    shot(page, "doorstep-390-recorded", full_page=False)

    # "Nobody home" at the next door records the household and moves on to the one after.
    page.get_by_role("button", name="Next door").click()
    expect(page.get_by_role("heading", name="3 Cranbrook Road, Ilford, IG1 4AA")).to_be_visible()
    page.get_by_role("button", name="Nobody home").click()
    expect(page.get_by_role("heading", name="5 Cranbrook Road, Ilford, IG1 4AA")).to_be_visible()
    expect(page.locator("#sync-status")).to_contain_text("Nobody home at 3 Cranbrook Road")
    page.wait_for_selector("#sync-status[data-waiting='0']")
    assert CanvassResponse.objects.filter(elector__surname="Smith", outcome="not_home").count() == 2
    assert CanvassResponse.objects.count() == 5


def test_a_canvassers_round_with_no_signal_and_its_sync(phone, live_server, campaign):
    """With signal, "Keep all my lists on this phone"; then the signal goes: a list never opened before opens,
    a conversation is recorded and waits on the phone, the navigation leads to the offline page (not the
    browser's error) which lists the kept lists; the signal returns and the entry arrives, once."""
    door_register(campaign, doors=2)
    canvasser, secret = person(Role.VOLUNTEER, full_name="Sam Canvasser")
    services.register_grant_create(
        campaign=campaign, user=canvasser, level=GrantLevel.CANVASSER, granted_by=campaign.agent
    )
    lists = list(WalkList.objects.filter(campaign=campaign).order_by("sequence"))
    assert len(lists) == 2
    for walk_list in lists:
        services.walk_list_assign(walk_list=walk_list, volunteer=canvasser, user=campaign.agent)
    page = phone
    page.goto("/")
    log_in(page, canvasser.email, totp_secret=secret)
    menu(page, "Walk lists")
    eventually(page, lambda: page.evaluate("navigator.serviceWorker.controller !== null"))
    page.get_by_role("button", name="Keep all my lists on this phone").click()
    expect(page.get_by_text("2 lists are on this phone: they open with no signal.")).to_be_visible()
    seen(page)
    shot(page, "walk-canvasser-390-lists-kept")

    # No signal: the second list, never opened on this phone, opens all the same.
    page.context.set_offline(True)
    page.get_by_role("link", name="Open on this phone").nth(1).click()
    page.wait_for_selector("#doorstep[data-ready=true]")
    elector = page.locator(".elector").first
    elector.get_by_role("button", name="Spoke").click()
    elector.get_by_role("button", name="Our candidate (promise)").click()
    page.wait_for_selector("#sync-status[data-waiting='1']")
    expect(page.locator("#sync-status")).to_contain_text("waiting to send")
    seen(page, check_audit=False)  # axe is fetched from disk, not the network; the page is audited online above
    shot(page, "walk-canvasser-390-offline-recorded", full_page=False)
    assert CanvassResponse.objects.count() == 0

    # The navigation with no signal: the offline page, with the lists kept here, not the browser's error page.
    menu(page, "My shifts")
    expect(page.get_by_role("heading", name="No signal")).to_be_visible()
    kept = page.locator("#kept-lists a")
    expect(kept).to_have_count(2)
    seen(page, check_audit=False)
    shot(page, "walk-canvasser-390-offline-page")
    kept.filter(has_text=lists[1].name).click()
    page.wait_for_selector("#doorstep[data-ready=true]")
    page.wait_for_selector("#sync-status[data-waiting='1']")

    # The signal comes back: the entry is sent, once.
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_selector("#sync-status[data-waiting='0']", timeout=30000)
    eventually(page, lambda: CanvassResponse.objects.count() == 1)
    response = CanvassResponse.objects.get()
    assert (response.outcome, response.intention.code, response.walk_list_id) == ("spoke", "C", lists[1].pk)
    seen(page)
    shot(page, "walk-canvasser-390-synced", full_page=False)
