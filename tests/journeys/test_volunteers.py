"""Journeys of a volunteer and a team lead on a 390 px phone, from the home page by links alone.

A volunteer joins without ticking any marketing box, verifies their address from the (branded) email that
arrives at the suite's SMTP server, fills in the short profile (choosing a seat to travel to in the picker),
finds a shift (places left shown, a page at a time), signs up, gets the confirmation with its calendar file
from a real Celery worker, sees the shift in "my shifts", and cancels it (asked first; the cancellation email
carries a calendar CANCEL). A team lead finds their team and checks people in on the day, adding a walk-in.
The only ``page.goto`` past the home page is the link in the email, which is where a person would tap it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from campaigns.models import Constituency
from organiser import clock
from tests.fakes import FakePostcodesIO
from tests.journeys.conftest import log_in, mail_link, mail_text, menu, person, seen, shot
from tests.volunteers.factories import ProfileFactory, ShiftFactory, SignupFactory
from volunteers.models import Consent, Role, Signup, SignupStatus, Team, User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-pass-phrase-42"


@pytest.fixture
def seats(db):
    ilford = Constituency.objects.create(code="E14001300", name="Ilford North", nation="England", region_name="London")
    south = Constituency.objects.create(code="E14001301", name="Ilford South", nation="England", region_name="London")
    return ilford, south


@pytest.fixture
def postcodes(settings, seats):
    with FakePostcodesIO() as lookup:
        settings.POSTCODE_LOOKUP_URL = lookup.url
        lookup.known["IG6 2AA"] = seats[0].code
        yield lookup


def test_a_volunteer_joins_verifies_signs_up_and_cancels(phone, live_server, seats, postcodes, mail):
    ilford, south = seats
    start = clock.local(clock.now() + dt.timedelta(days=3)).replace(hour=10, minute=0, second=0, microsecond=0)
    end = start + dt.timedelta(hours=2)
    ShiftFactory.create_batch(24, constituency=south, title="Leafleting in Ilford South", starts_at=start, ends_at=end)
    wanted = ShiftFactory(
        constituency=ilford,
        title="Saturday doors in Barkingside",
        starts_at=start + dt.timedelta(hours=1),
        ends_at=start + dt.timedelta(hours=3),
        capacity=6,
        minimum=2,
    )
    page = phone
    page.goto("/")
    seen(page)
    shot(page, "walk-volunteer-390-home")
    expect(page.get_by_role("contentinfo").get_by_role("link", name="Privacy")).to_be_visible()

    # Join, leaving every marketing box unticked (the default).
    menu(page, "Volunteer")
    expect(page.get_by_role("heading", name="Volunteer with us")).to_be_visible()
    page.get_by_label("Your name").fill("Amina Khan")
    page.get_by_label(re.compile("^Email:?$")).fill("amina@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Postcode").fill("ig6 2aa")
    seen(page)
    shot(page, "walk-volunteer-390-join")
    page.get_by_role("button", name="Join").click()
    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()
    seen(page)
    shot(page, "walk-volunteer-390-verify-sent")
    user = User.objects.get(email="amina@example.org")
    assert not Consent.objects.filter(user=user, withdrawn_at__isnull=True).exists()

    # The verification email is the campaign's own, and its link verifies the address.
    verify = mail.wait_for("Confirm your email address")
    text = mail_text(verify)
    assert "Hello from" not in text and "Amina" in text, text
    page.goto(mail_link(verify, "/accounts/confirm-email/"))
    seen(page)
    shot(page, "walk-volunteer-390-confirm-email")
    page.get_by_role("button", name="Confirm").click()

    # Confirming in the same browser logs them in and goes on to the short profile.
    expect(page.get_by_role("heading", name="Your profile")).to_be_visible()
    screens = page.evaluate("document.documentElement.scrollHeight") / page.viewport_size["height"]
    print(f"profile at 390 px: {screens:.1f} screens")
    assert screens <= 3.5, f"the profile is {screens:.1f} phone screens long"
    seen(page)
    shot(page, "walk-volunteer-390-profile")
    page.get_by_role("checkbox", name="Canvassing").check()
    page.get_by_role("checkbox", name="Saturday morning").check()
    page.get_by_role("radio", name="My home constituency and the ones I choose").check()
    picker = page.get_by_label("Add a constituency")
    expect(picker).to_be_visible()
    picker.fill("Ilford South")
    picker.press("Enter")
    expect(page.get_by_role("checkbox", name="Ilford South")).to_be_checked()
    seen(page)
    shot(page, "walk-volunteer-390-profile-filled", full_page=False)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your profile is saved.")).to_be_visible()
    profile = User.objects.get(pk=user.pk).profile
    assert (profile.skills, profile.availability) == (["canvassing"], ["sat_morning"])
    assert list(profile.seats.values_list("name", flat=True)) == ["Ilford South"]
    assert profile.home_constituency == ilford

    # Find a shift: places left on every card, a page at a time, where they are needed first.
    menu(page, "Find a shift")
    cards = page.locator(".shift-card")
    expect(cards.first).to_contain_text("Saturday doors in Barkingside")
    expect(cards.first).to_contain_text("6 places left")
    assert cards.count() == 20
    seen(page)
    shot(page, "walk-volunteer-390-find-a-shift")
    page.get_by_role("link", name="Next page").click()
    expect(page.get_by_text("Page 2 of 2")).to_be_visible()
    assert cards.count() == 5
    seen(page)
    page.get_by_role("link", name="Previous page").click()
    page.get_by_role("link", name=re.compile("Saturday doors in Barkingside")).click()
    expect(page.get_by_text("6 of 6 left")).to_be_visible()
    page.get_by_role("button", name="Sign up").click()

    # Signed up without any marketing consent: the confirmation comes all the same, with its calendar file.
    expect(page.get_by_text(re.compile("You are signed up. We are emailing you the confirmation"))).to_be_visible()
    seen(page)
    shot(page, "walk-volunteer-390-signed-up")
    confirmation = mail.wait_for("You're on: Saturday doors in Barkingside")
    assert confirmation["To"] == "amina@example.org"
    calendars = [p for p in confirmation.walk() if p.get_content_type() == "text/calendar"]
    assert calendars and b"SUMMARY:Saturday doors in Barkingside" in calendars[0].get_payload(decode=True)

    # My shifts lists it; cancelling asks first, and the email carries a calendar CANCEL.
    menu(page, "My shifts")
    mine = page.get_by_role("region", name="My next shifts")
    expect(mine.get_by_role("link", name=re.compile("Saturday doors in Barkingside"))).to_be_visible()
    seen(page)
    shot(page, "walk-volunteer-390-my-shifts")
    mine.get_by_role("link", name=re.compile("Saturday doors in Barkingside")).click()
    page.get_by_role("link", name="Cancel my place").click()
    expect(page.get_by_role("heading", name="Cancel your place?")).to_be_visible()
    seen(page)
    shot(page, "walk-volunteer-390-cancel")
    page.get_by_role("button", name="Yes, cancel my place").click()
    expect(page.get_by_text("Your sign-up is cancelled.")).to_be_visible()
    assert Signup.objects.get(shift=wanted, volunteer=user).status == SignupStatus.CANCELLED
    cancelled = mail.wait_for("Cancelled: Saturday doors in Barkingside")
    calendars = [p for p in cancelled.walk() if p.get_content_type() == "text/calendar"]
    assert calendars and b"METHOD:CANCEL" in calendars[0].get_payload(decode=True)
    menu(page, "My shifts")
    expect(page.get_by_text("You have no shifts yet.")).to_be_visible()


def test_a_team_lead_sees_their_team_and_checks_people_in_with_a_walk_in(phone, live_server, seats):
    ilford, _ = seats
    lead, secret = person(Role.TEAM_LEAD, full_name="Lena Lead")
    bilal = ProfileFactory(user__full_name="Bilal Ahmed", phone="+447911000111", home_constituency=ilford).user
    chloe = ProfileFactory(user__full_name="Chloe Brown", phone="", home_constituency=ilford).user
    team = Team.objects.create(name="Barkingside doors", constituency=ilford, lead=lead)
    team.members.add(bilal, chloe)
    now = clock.now()
    today = ShiftFactory(
        constituency=ilford,
        lead=lead,
        title="Evening doors",
        starts_at=now + dt.timedelta(minutes=30),
        ends_at=now + dt.timedelta(hours=3),
        capacity=4,
        minimum=2,
    )
    tomorrow = ShiftFactory(
        constituency=ilford,
        lead=lead,
        title="Tomorrow's leafleting",
        starts_at=now + dt.timedelta(days=1),
        ends_at=now + dt.timedelta(days=1, hours=2),
    )
    for shift in (today, tomorrow):
        SignupFactory(shift=shift, volunteer=bilal)
        SignupFactory(shift=shift, volunteer=chloe)

    page = phone
    page.goto("/")
    log_in(page, lead.email, totp_secret=secret)
    expect(page.get_by_role("heading", name="Hello, Lena Lead")).to_be_visible()
    leading = page.get_by_role("region", name="Shifts I lead")
    expect(leading.get_by_role("link", name=re.compile("Evening doors"))).to_be_visible()
    expect(leading.get_by_role("link", name=re.compile("Tomorrow's leafleting"))).to_be_visible()
    seen(page)
    shot(page, "walk-lead-390-home")

    # The team: each member with their contacts and what they did lately.
    menu(page, "My team")
    expect(page.get_by_role("heading", name=re.compile("Barkingside doors"))).to_be_visible()
    expect(page.get_by_role("link", name="+447911000111")).to_be_visible()
    expect(page.get_by_role("link", name=chloe.email)).to_be_visible()
    seen(page)
    shot(page, "walk-lead-390-team")

    # Tomorrow's check-in is closed, and looks it before anyone taps.
    menu(page, "Check-in")
    page.get_by_role("link", name=re.compile("Tomorrow's leafleting")).click()
    expect(page.get_by_text(re.compile("Check-in opens at"))).to_be_visible()
    expect(page.get_by_role("button", name="Bilal Ahmed is here")).to_be_disabled()
    expect(page.get_by_role("button", name="Add as here")).to_be_disabled()
    seen(page)
    shot(page, "walk-lead-390-check-in-closed")

    # Today's: Bilal is here, Chloe did not come, and Priya came without signing up.
    menu(page, "My shifts")
    page.get_by_role("region", name="Shifts I lead").get_by_role("link", name=re.compile("Evening doors")).click()
    page.get_by_role("button", name="Bilal Ahmed is here").click()
    expect(page.get_by_text("Bilal Ahmed: attended.")).to_be_visible()
    expect(page.get_by_role("button", name="Bilal Ahmed is here")).to_have_attribute("aria-pressed", "true")
    page.get_by_role("button", name="Chloe Brown did not come").click()
    expect(page.get_by_role("button", name="Chloe Brown did not come")).to_have_attribute("aria-pressed", "true")
    page.get_by_label("Their name").fill("Priya Patel")
    page.get_by_label("Their email").fill("priya@example.org")
    page.get_by_role("button", name="Add as here").click()
    expect(page.get_by_text("Priya Patel: added as here.")).to_be_visible()
    expect(page.get_by_role("button", name="Priya Patel is here")).to_have_attribute("aria-pressed", "true")
    seen(page)
    shot(page, "walk-lead-390-check-in")
    statuses = dict(Signup.objects.filter(shift=today).values_list("volunteer__full_name", "status"))
    assert statuses == {
        "Bilal Ahmed": SignupStatus.ATTENDED,
        "Chloe Brown": SignupStatus.NO_SHOW,
        "Priya Patel": SignupStatus.ATTENDED,
    }
