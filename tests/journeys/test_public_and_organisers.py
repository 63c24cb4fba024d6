"""Journeys of the public (390 px) and of organisers (1280 px), from the home page by links alone: the public
finds a seat's result and the candidate the campaign endorses there, and the map; a new seat organiser's first
login says why they see no seats and whom to ask; a national organiser reaches the seat page where candidates
are proposed and endorsed, and the digest preview in the admin."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from campaigns.models import Candidacy
from campaigns.services.endorsements import endorsement_endorse, endorsement_propose
from tests.campaigns.conftest import real_2024  # noqa: F401 (a fixture)
from tests.journeys.conftest import log_in, menu, person, seen, shot
from volunteers.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_public_finds_a_seats_result_and_whom_we_endorse(phone, real_2024):  # noqa: F811
    national, _ = person(Role.NATIONAL_ORGANISER)
    candidacy = Candidacy.objects.get(election=real_2024, constituency__code="E14001300", person__surname="Mohamad")
    endorsement = endorsement_propose(user=national, candidacy=candidacy)
    endorsement_endorse(user=national, endorsement=endorsement, reason="ok", statement="Leanne for Ilford North")
    page = phone
    page.goto("/")
    seen(page)
    shot(page, "public-390-home")
    menu(page, "Who we endorse")
    page.get_by_label("Your postcode or constituency").fill("Ilford North")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("We endorse Leanne Mohamad")).to_be_visible()
    seen(page)
    page.get_by_role("link", name="The result in Ilford North").click()
    expect(page.get_by_role("heading", name="Ilford North")).to_be_visible()
    expect(page.get_by_text("Wes Streeting (Lab), 15,647 votes")).to_be_visible()
    expect(page.get_by_text("We endorse Leanne Mohamad (Independent).")).to_be_visible()
    expect(page.get_by_role("link", name="Volunteer in Ilford North")).to_be_visible()
    expect(page.locator("svg.chart")).to_be_visible()
    seen(page)
    shot(page, "public-390-seat-page")
    page.get_by_role("link", name="Every seat on the map").click()
    expect(page.locator("svg.hexmap polygon")).to_have_count(650)
    seen(page)
    shot(page, "public-390-map")
    # From the map back to a seat, then "Volunteer in ..." opens the sign-up with the seat chosen.
    page.locator("svg.hexmap a:has(polygon[data-code=E14001102])").click()
    expect(page.get_by_role("heading", name="Blackburn")).to_be_visible()
    page.get_by_role("link", name="Volunteer in Blackburn").click()
    expect(page.get_by_label("Your constituency")).to_have_value(
        str(Candidacy.objects.filter(constituency__code="E14001102").first().constituency_id)
    )


def test_a_new_seat_organiser_is_told_why_they_see_no_seats_and_whom_to_ask(desktop, real_2024):  # noqa: F811
    national, _ = person(Role.NATIONAL_ORGANISER, full_name="Nadia National")
    organiser, secret = person(Role.SEAT_ORGANISER, full_name="Sami Seat")
    page = desktop
    page.goto("/")
    log_in(page, organiser.email, totp_secret=secret)
    expect(page.get_by_role("heading", name="Hello, Sami Seat")).to_be_visible()
    expect(page.get_by_text("You have no seats yet.")).to_be_visible()
    expect(page.get_by_role("link", name=national.email)).to_be_visible()
    expect(page.get_by_text("Nadia National")).to_be_visible()
    nav = page.get_by_role("navigation", name="Main")
    for label in ("Organiser home", "Seats", "Hex map", "Targets", "Canvassing", "Admin"):
        expect(nav.get_by_role("link", name=label, exact=True)).to_be_visible()
    seen(page)
    shot(page, "seat-organiser-1280-first-login")


def test_a_national_organiser_reaches_the_seat_page_and_the_digest_preview(desktop, real_2024):  # noqa: F811
    national, secret = person(Role.NATIONAL_ORGANISER, full_name="Nadia National")
    page = desktop
    page.goto("/")
    log_in(page, national.email, totp_secret=secret)
    expect(page.get_by_text("You organise every seat")).to_be_visible()
    seen(page)
    shot(page, "national-organiser-1280-home")
    menu(page, "Seats")
    page.get_by_label("Search").fill("Ilford North")
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("link", name="Ilford North").click()
    expect(page.get_by_text("Muslim residents")).to_be_visible()  # the organisers' view
    page.get_by_role("row", name="Leanne Mohamad").get_by_role("button", name="Propose").click()
    expect(page.get_by_text("Endorsement updated.")).to_be_visible()
    page.get_by_label("Decision").select_option("endorse")
    page.get_by_label("Why").fill("Came second by 528 votes; local and trusted")
    page.get_by_label("Public statement").fill("Leanne for Ilford North")
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_text("Endorsed", exact=True)).to_be_visible()
    seen(page)
    shot(page, "national-organiser-1280-seat-page")
    menu(page, "Organiser home")
    page.get_by_role("link", name="Preview a digest").click()
    expect(page.get_by_role("heading", name="Preview a digest")).to_be_visible()
    shot(page, "national-organiser-1280-digest-preview")
