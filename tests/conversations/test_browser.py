"""Conversations in headless Chromium at phone size, under the enforced CSP: a supporter signs up on the public
form and opens their data from the emailed link; the day-before "confirm or cancel" and the after-shift "how did it
go" arrive at a real SMTP server on loopback and their links work, at fixed instants."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from conversations.models import Supporter
from conversations.services.shift_loop import shift_loop_queue_due
from messaging.delivery import deliver
from messaging.models import MessageKind, Outbox
from organiser import clock
from tests.volunteers.factories import ProfileFactory, ShiftFactory
from volunteers import services as volunteer_services
from volunteers.models import Consent, SignupStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits_the_phone(page) -> None:
    page.wait_for_load_state("load")
    assert page.csp_violations == [], page.url
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, page.url


def _link(message, pattern: str) -> str:
    """The path of the first link in the message's text part that matches ``pattern``."""
    text = next(part for part in message.walk() if part.get_content_type() == "text/plain")
    body = text.get_payload(decode=True).decode()
    return re.search(rf"https?://[^/\s]+({pattern}[^\s]*)", body).group(1)


def _send(kind: str) -> None:
    deliver(list(Outbox.objects.filter(kind=kind, status="pending").values_list("pk", flat=True)))


def test_a_supporter_signs_up_on_a_phone_and_opens_their_data_from_the_emailed_link(
    phone_page, live_server, seat_a, smtp_sink, settings
):
    from tests.fakes import FakePostcodesIO

    page = phone_page
    with FakePostcodesIO() as lookup:
        settings.POSTCODE_LOOKUP_URL = lookup.url
        lookup.known["IG6 2AA"] = seat_a.code
        page.goto("/")
        page.click("main a[href='/support/']")
        _fits_the_phone(page)
        page.fill("input[name=full_name]", "Amina Khan")
        page.fill("input[name=email]", "amina@example.org")
        page.fill("input[name=postcode]", "ig6 2aa")
        page.click("button[type=submit]")  # nothing ticked: refused, what was typed kept
        assert page.input_value("input[name=full_name]") == "Amina Khan"
        assert "Tick at least one" in page.content()
        page.check("input[name=agree_email]")
        page.check("input[name=agree_volunteering]")
        page.click("button[type=submit]")
        page.wait_for_selector("[data-support-thanks]")
        _fits_the_phone(page)
    supporter = Supporter.objects.get()
    assert supporter.constituency == seat_a
    assert set(Consent.objects.filter(supporter=supporter).values_list("channel", flat=True)) == {
        "email",
        "volunteering",
    }

    page.click("main a[href='/support/my-data/']")
    page.fill("input[name=address]", "amina@example.org")
    page.click("button[type=submit]")
    page.wait_for_selector("[data-link-sent]")
    _send(MessageKind.SUPPORTER_WELCOME)
    _send(MessageKind.DATA_ACCESS_LINK)
    subjects = [message["Subject"] for message in smtp_sink.messages]
    assert any("Thank you for supporting" in subject for subject in subjects)
    link_mail = next(m for m in smtp_sink.messages if "Your link to your data" in m["Subject"])
    page.goto(_link(link_mail, "/support/my-data/"))
    page.wait_for_selector("[data-supporter-data]")
    _fits_the_phone(page)
    assert "amina@example.org" in page.content()
    page.click("[data-consent=volunteering] button")
    page.wait_for_load_state("load")
    assert page.locator("[data-consent=volunteering]").count() == 0
    assert not Consent.objects.filter(supporter=supporter, channel="volunteering", withdrawn_at__isnull=True).exists()


def test_the_day_before_confirm_and_the_after_shift_feedback_arrive_and_their_links_work(
    phone_page, live_server, smtp_sink, travel
):
    travel(dt.datetime(2027, 3, 25, 9, 0, tzinfo=dt.UTC))
    start = clock.at(dt.date(2027, 3, 28), dt.time(10))  # the Sunday the clocks go forward: 10:00 BST
    shift = ShiftFactory(title="Sunday doors", starts_at=start, ends_at=start + dt.timedelta(hours=2), capacity=1)
    coming = ProfileFactory(user__full_name="Amina Khan", phone="").user  # no mobile: by email
    waiting = ProfileFactory(user__full_name="Bilal Shah", phone="").user
    signup = volunteer_services.signup_create(shift=shift, volunteer=coming)
    volunteer_services.signup_create(shift=shift, volunteer=waiting)

    travel(clock.at(dt.date(2027, 3, 27), dt.time(18)))  # 18:00 GMT on the Saturday
    shift_loop_queue_due()
    _send(MessageKind.SHIFT_CONFIRM)
    [confirm] = [m for m in smtp_sink.messages if "Are you still coming" in m["Subject"]]
    assert confirm["To"] == coming.email
    page = phone_page
    page.goto(_link(confirm, "/shift-answers/"))
    _fits_the_phone(page)
    page.click("button[value=confirm]")
    page.wait_for_selector("[data-confirmed]")
    signup.refresh_from_db()
    assert signup.attendance_confirmed_at == clock.now()

    travel(shift.ends_at + dt.timedelta(hours=1))
    shift_loop_queue_due()
    _send(MessageKind.SHIFT_FEEDBACK)
    [feedback] = [m for m in smtp_sink.messages if "How did it go" in m["Subject"]]
    page.goto(_link(feedback, "/shift-answers/"))
    _fits_the_phone(page)
    assert page.is_checked("input[name=attended][value=yes]")  # "I was there" chose it already
    page.select_option("select[name=rating]", "4")
    page.fill("textarea[name=note]", "Lovely street")
    page.click("button[type=submit]")
    page.wait_for_selector("[data-feedback-done]")
    signup.refresh_from_db()
    assert (signup.status, signup.feedback_rating, signup.feedback_note) == (SignupStatus.ATTENDED, 4, "Lovely street")


def test_a_canvasser_records_at_the_door_that_an_elector_wants_to_hear_from_us(
    phone_page, live_server, election, seat_a
):
    import time

    from django.urls import reverse

    from canvassing import services as canvassing_services
    from canvassing.models import CanvassResponse, WalkList
    from tests.canvassing.conftest import grant, load_register, make_campaign
    from tests.conftest import browser_login

    campaign = make_campaign(election, seat_a)
    load_register(campaign, 30, seed=3)
    canvassing_services.walk_lists_cut(campaign=campaign, doors=6, user=campaign.agent)
    canvasser = grant(campaign)
    walk_list = WalkList.objects.filter(campaign=campaign).order_by("sequence").first()
    canvassing_services.walk_list_assign(walk_list=walk_list, volunteer=canvasser, user=campaign.agent)
    page = phone_page
    browser_login(page, canvasser, live_server.url)
    page.goto(reverse("canvassing:doorstep", args=[walk_list.pk]))
    page.wait_for_selector("#doorstep[data-ready=true]")

    def eventually(condition, seconds: float = 15) -> None:
        deadline = time.monotonic() + seconds
        while not condition():
            assert time.monotonic() < deadline, "timed out"
            page.wait_for_timeout(100)

    elector = page.locator(".elector").first
    elector.locator("[data-outcome=spoke]").click()
    elector.locator("[data-intention=C]").click()
    eventually(lambda: CanvassResponse.objects.count() == 1)
    elector.locator("[data-line]").click()
    wants = elector.locator("[data-supporter]")
    wants.locator("summary").click()
    wants.locator("[data-supporter-email]").fill("rukhsana@example.org")
    wants.locator("[data-agree=email]").check()
    wants.locator("[data-save-supporter]").click()
    assert "Tick that they agreed" in wants.locator("[data-supporter-problem]").text_content()
    wants.locator("[data-supporter-agreed]").check()
    wants.locator("[data-save-supporter]").click()
    eventually(lambda: Supporter.objects.filter(email="rukhsana@example.org").exists())
    supporter = Supporter.objects.get(email="rukhsana@example.org")
    assert supporter.constituency == seat_a and supporter.recorded_by == canvasser
    [consent] = Consent.objects.filter(supporter=supporter)
    assert consent.channel == "email" and consent.recorded_by == canvasser
    assert CanvassResponse.objects.count() == 1  # the supporter completes the same entry; no second one
    page.wait_for_selector("#sync-status[data-waiting='0']")
    _fits_the_phone(page)
