"""Right to left in Chromium at 390 px: the public and volunteer pages in Arabic and Urdu mirror (<html lang dir>),
fit the phone with no sideways scroll and pass axe-core; a volunteer joins, signs in and signs up for a shift in
Urdu by clicking what they read; the same URL serves another visitor in English. Screenshots of each screen go
to var/screenshots/i18n-*.png (and /work/screenshots when it exists, for the issue's note)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from playwright.sync_api import expect

from campaigns.models import Endorsement
from tests.campaigns.factories import CandidacyFactory, ElectionFactory
from tests.journeys.conftest import PHONE_390, seen, shot
from tests.volunteers.conftest import postcode_lookup  # noqa: F401 (a fixture)
from tests.volunteers.factories import ShiftFactory
from volunteers.models import Signup, SignupStatus, User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOTE_SCREENSHOTS = Path("/work/screenshots")
PASSWORD = "a-long-pass-phrase-42"


def phone_in(browser, live_server, language: str):
    """A 390 px phone whose browser asks for ``language`` first (Accept-Language), as a phone set to it does."""
    context = browser.new_context(base_url=live_server.url, locale=language, **PHONE_390)
    context.set_default_timeout(15000)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on("console", lambda msg: page.errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    return context, page


def screen(page, name: str) -> None:
    """No sideways scroll, axe-core clean, and a screenshot kept for the note."""
    seen(page)
    path = shot(page, f"i18n-{name}")
    if NOTE_SCREENSHOTS.is_dir():
        shutil.copy(path, NOTE_SCREENSHOTS / path.name)


def right_to_left(page, language: str) -> None:
    html = page.locator("html")
    expect(html).to_have_attribute("lang", language)
    expect(html).to_have_attribute("dir", "rtl")
    # The layout mirrors: the brand sits at the right-hand edge, the menu at the left.
    brand = page.locator(".brand").bounding_box()
    assert brand["x"] + brand["width"] > 390 - 40, brand


def endorsed_seat():
    election = ElectionFactory()
    candidacy = CandidacyFactory(election=election)
    CandidacyFactory(election=election, constituency=candidacy.constituency)
    Endorsement.objects.create(
        election=election,
        constituency=candidacy.constituency,
        candidacy=candidacy,
        status=Endorsement.Status.ENDORSED,
        statement="",
    )
    return election, candidacy


@pytest.mark.parametrize("language", ["ar", "ur"])
def test_public_pages_mirror_fit_the_phone_and_pass_axe(browser, live_server, language):
    election, candidacy = endorsed_seat()
    seat = candidacy.constituency
    context, page = phone_in(browser, live_server, language)
    pages = {
        "home": "/",
        "find": reverse("campaigns:find") + f"?q={seat.name}",
        "seat": reverse("campaigns:public_seat", args=[election.slug, seat.code]),
        "endorsed": reverse("campaigns:endorsed", args=[election.slug]),
        "results": reverse("campaigns:summary", args=[election.slug]),
        "map": reverse("campaigns:public_map", args=[election.slug]),
        "join": reverse("volunteers:join"),
        "not-found": "/no-such-page/",
    }
    for name, path in pages.items():
        page.goto(path)
        right_to_left(page, language)
        screen(page, f"{language}-390-{name}")
    page.goto(pages["find"])
    expect(page.locator("main")).to_contain_text(candidacy.person.name)  # names stay as written
    assert page.errors == [], page.errors
    context.close()
    # The same URL, another visitor: English, left to right.
    context, page = phone_in(browser, live_server, "en-GB")
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(page.get_by_role("link", name="Volunteer with us")).to_be_visible()
    context.close()


def test_a_volunteer_joins_and_signs_up_for_a_shift_in_urdu(browser, live_server, seat_a, postcode_lookup):  # noqa: F811
    postcode_lookup.known["IG6 2AA"] = seat_a.code
    shift = ShiftFactory(constituency=seat_a, title="Saturday doors in Barkingside", capacity=4, minimum=3)
    context, page = phone_in(browser, live_server, "ur")
    page.goto("/")
    right_to_left(page, "ur")
    screen(page, "ur-390-journey-home")
    page.get_by_role("link", name="ہمارے ساتھ رضاکار بنیں").click()
    expect(page.get_by_role("heading", name="ہمارے ساتھ رضاکار بنیں")).to_be_visible()
    page.get_by_label("آپ کا نام").fill("عائشہ خان")
    page.get_by_label("ای میل").fill("aisha@example.org")
    page.get_by_label("پاس ورڈ").fill(PASSWORD)
    page.get_by_label("موبائل نمبر").fill("07911 123456")
    page.get_by_label("پوسٹ کوڈ").fill("ig6 2aa")
    screen(page, "ur-390-journey-join")
    page.get_by_role("button", name="شامل ہوں").click()
    page.wait_for_load_state("load")
    user = User.objects.get(email="aisha@example.org")
    assert user.language == "ur"  # joined in Urdu: their pages and messages are in Urdu from now on
    assert user.profile.home_constituency == seat_a

    EmailAddress.objects.filter(user=user).update(verified=True)  # the emailed link, followed
    page.goto(reverse("account_login"))
    page.fill("input[name=login]", "aisha@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_load_state("load")
    expect(page.get_by_role("heading", name="خوش آمدید، عائشہ خان")).to_be_visible()
    right_to_left(page, "ur")
    screen(page, "ur-390-journey-my-shifts")

    page.get_by_role("link", name="شفٹ تلاش کریں").last.click()
    expect(page.get_by_role("heading", name="شفٹ تلاش کریں")).to_be_visible()
    screen(page, "ur-390-journey-find-a-shift")
    page.get_by_text("Saturday doors in Barkingside").click()
    expect(page.get_by_text("ملنے کی جگہ").first).to_be_visible()
    screen(page, "ur-390-journey-shift")
    page.get_by_role("button", name="نام لکھوائیں").click()
    expect(page.get_by_text("آپ کا نام لکھا ہوا ہے", exact=False).first).to_be_visible()
    screen(page, "ur-390-journey-signed-up")
    assert Signup.objects.get(shift=shift, volunteer=user).status == SignupStatus.CONFIRMED

    page.goto(reverse("volunteers:profile"))
    expect(page.get_by_label("صفحات، ای میلز اور ٹیکسٹ کی زبان")).to_have_value("ur")
    screen(page, "ur-390-journey-profile")
    assert page.errors == [], page.errors
    context.close()
