"""A national organiser's day at 1280 px, from the home page by links alone: in the admin (reached from the
organisers' navigation) they grant a new seat organiser a seat, and come back to the organiser pages from the
admin's header; the seat organiser's next login shows that seat; the organiser imports the council's register
as an .xlsx (a real Celery worker imports it) and previews a volunteer's digest. The endorsements' admin leads
to the seat page where candidates are proposed and endorsed."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from canvassing.models import Elector
from tests.canvassing.conftest import make_campaign
from tests.canvassing.test_register_files import ROWS, xlsx
from tests.journeys.conftest import log_in, menu, person, seen, shot
from volunteers.models import Role, SeatGrant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_national_organiser_grants_a_seat_imports_an_xlsx_register_and_previews_a_digest(
    desktop, live_server, election, seat_a, mail
):
    national, secret = person(Role.NATIONAL_ORGANISER, full_name="Nadia National")
    campaign = make_campaign(election, seat_a, agent=national)
    organiser, organiser_secret = person(Role.SEAT_ORGANISER, full_name="Sami Seat")
    volunteer, _ = person(Role.VOLUNTEER, full_name="Amina Khan")
    page = desktop
    page.goto("/")
    log_in(page, national.email, totp_secret=secret)
    expect(page.get_by_text("You organise every seat")).to_be_visible()

    # The admin from the navigation: Users, the new seat organiser, a seat grant.
    menu(page, "Admin")
    expect(page.get_by_role("navigation", name="Organiser pages")).to_be_visible()
    seen(page, check_audit=False)  # the Django admin's own markup is not ours to audit
    shot(page, "walk-national-1280-admin-index")
    page.get_by_role("link", name="Users", exact=True).first.click()
    page.get_by_role("textbox", name=re.compile("Search")).fill("Sami")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=organiser.email).click()
    page.get_by_text("Add another Seat grant").click()
    page.locator(".dynamic-seat_grants .select2-selection").first.click()
    page.locator(".select2-search__field").fill("Ilford")
    page.locator(".select2-results__option", has_text=seat_a.name).click()
    shot(page, "walk-national-1280-seat-grant")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    assert list(SeatGrant.objects.filter(user=organiser).values_list("constituency__name", flat=True)) == [seat_a.name]

    # Back to the organiser pages from the admin's header.
    page.get_by_role("navigation", name="Organiser pages").get_by_role("link", name="Organiser home").click()
    expect(page.get_by_role("heading", name="Hello, Nadia National")).to_be_visible()

    # The register, as the council sent it: an .xlsx, imported by the worker.
    menu(page, "Canvassing")
    page.get_by_role("link", name=campaign.name).click()
    page.get_by_role("navigation", name="Campaign").get_by_role("link", name="Import").click()
    page.get_by_label("Register file (CSV, Excel or OpenDocument)").set_input_files(
        {
            "name": "register.xlsx",
            "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "buffer": xlsx(ROWS).getvalue(),
        }
    )
    seen(page)
    shot(page, "walk-national-1280-register-upload")
    page.get_by_role("button", name="Upload and import").click()
    expect(page.get_by_role("heading", name="Import of register.xlsx")).to_be_visible()
    expect(page.get_by_role("heading", name="Status: Done")).to_be_visible(timeout=60000)
    expect(page.get_by_text(f"Imported {len(ROWS)} rows")).to_be_visible()
    seen(page)
    shot(page, "walk-national-1280-register-imported")
    assert Elector.objects.filter(campaign=campaign).count() == len(ROWS)

    # A volunteer's digest, previewed from the organiser home.
    menu(page, "Organiser home")
    page.get_by_role("link", name="Preview a digest").click()
    page.get_by_label("Volunteer's email").fill(volunteer.email)
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", name=f"To {volunteer.email}")).to_be_visible()
    expect(page.get_by_text(re.compile("Subject:"))).to_be_visible()
    shot(page, "walk-national-1280-digest-preview")

    # The endorsements' admin has no Add of its own: it leads to the seat page where they are decided.
    page.locator("#site-name a").click()  # the admin's own home, from its header
    page.get_by_role("link", name="Endorsements").first.click()
    page.get_by_role("link", name="Propose or endorse on a seat's page").click()
    expect(page.get_by_role("heading", name=re.compile("Seats"))).to_be_visible()
    shot(page, "walk-national-1280-seats-from-admin")

    # The seat organiser's next login shows the seat granted.
    page.context.clear_cookies()
    page.goto("/")
    log_in(page, organiser.email, totp_secret=organiser_secret)
    expect(page.get_by_role("heading", name="Your seats")).to_be_visible()
    expect(page.get_by_role("link", name=seat_a.name)).to_be_visible()
    seen(page)
    shot(page, "walk-seat-organiser-1280-with-a-seat")
