"""Calls and texts in headless Chromium at 390 px, under the enforced CSP: an organiser makes a call assignment from a
segment on its page; two callers work it at once, each given a different person; one asks for a call-back, which
comes back at its time, the other records "do not call", which removes the person everywhere; an organiser makes a
text assignment, a texter sends the script, a reply arrives through the provider's signed webhook (posted to the
live server as the gateway would), the texter answers it, and "STOP" withdraws SMS consent, confirmed once."""

from __future__ import annotations

import datetime as dt
import urllib.parse
import urllib.request

import pytest
from django.conf import settings as django_settings

from conversations.models import CallTarget, DoNotCall, Segment, TargetState, TextAssignment
from conversations.services import supporters as supporter_services
from conversations.services import texts as text_services
from messaging.delivery import deliver
from messaging.models import MessageKind, Outbox
from organiser import clock
from tests.conftest import browser_login, make_user
from volunteers.models import Consent, Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 390
NOON = "2027-03-10T12:00:00Z"  # a Wednesday, 12:00 UK time


@pytest.fixture
def phone(browser, live_server):
    """A 390 px phone; ``phone(user)`` opens another logged in as ``user`` (each its own browser context)."""
    contexts = []

    def open_as(user):
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": WIDTH, "height": 844}, device_scale_factor=2,
            is_mobile=True, has_touch=True,
        )  # fmt: skip
        contexts.append(context)
        page = context.new_page()
        page.csp_violations = []
        page.on("console", lambda m: page.csp_violations.append(m.text) if "Content Security" in m.text else None)
        browser_login(page, user, live_server.url)
        return page

    yield open_as
    for context in contexts:
        context.close()


def _fits(page) -> None:
    page.wait_for_load_state("load")
    assert page.csp_violations == [], page.url
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH, page.url


def _supporters(seat, agrees):
    names = ("Amina Khan", "Ben Cole", "Cath Day")
    return [
        supporter_services.supporter_sign_up(
            full_name=name, phone=f"07911 15000{n}", constituency=seat, agrees=agrees, source="test"
        ).supporter
        for n, name in enumerate(names, start=1)
    ]


def test_an_organiser_makes_a_call_assignment_and_two_callers_work_it_at_once(phone, travel, seat_a):
    travel(NOON)
    people = _supporters(seat_a, ["sms", "calls"])
    Segment.objects.create(name="Seat A everyone", constituency=seat_a, filters={})
    organiser = make_user(Role.SEAT_ORGANISER, seats=(seat_a,), mfa=True)
    first_caller, second_caller = make_user(Role.VOLUNTEER), make_user(Role.VOLUNTEER)

    page = phone(organiser)
    page.goto("/organise/calls/")
    _fits(page)
    page.click("[data-new-call-assignment]")
    page.fill("input[name=name]", "Saturday's canvass")
    page.select_option("select[name=segment]", label="Seat A everyone (Ilford North)")
    page.fill("textarea[name=script]", "Hello {name}, we're out on Saturday: can you join us?")
    page.fill("textarea[name=callers]", f"{first_caller.email}\n{second_caller.email}")
    _fits(page)
    page.click("main button[type=submit]")
    page.wait_for_selector("[data-progress]")
    assert page.text_content("[data-to-call]") == "3"
    _fits(page)
    assignment_url = page.url

    one, two = phone(first_caller), phone(second_caller)
    for caller_page in (one, two):
        caller_page.goto("/")
        caller_page.goto("/calls/")
        caller_page.click('main a:has-text("Saturday\'s canvass")')
        caller_page.click("[data-next-person]")
        caller_page.wait_for_selector("[data-calling]")
        _fits(caller_page)
    held_one, held_two = (int(p.get_attribute("[data-calling]", "data-calling")) for p in (one, two))
    assert held_one != held_two  # two callers at once: never the same person
    name_one = one.text_content("[data-person]")
    assert f"Hello {name_one.split()[0]}," in one.text_content("[data-script]")
    assert one.get_attribute("[data-dial]", "href").startswith("tel:+447911")

    # The first caller's person asks to be called back in two hours; the second's asks never to be called.
    back_at = clock.local() + dt.timedelta(hours=2)
    one.fill("input[name=call_back_at]", back_at.strftime("%Y-%m-%dT%H:%M"))
    one.click("[data-outcome=call_back]")
    one.wait_for_selector(".message.success")
    two.click("[data-outcome=do_not_call]")
    two.wait_for_selector(".message.success")
    refused = CallTarget.objects.get(pk=held_two)
    assert refused.state == TargetState.REMOVED and DoNotCall.objects.filter(phone=refused.phone).exists()
    assert not Consent.objects.filter(supporter_id=refused.supporter_id, channel="calls", withdrawn_at__isnull=True)

    # The first caller was given the last person at once; talked; then nobody is left until the call-back.
    third = int(one.get_attribute("[data-calling]", "data-calling"))
    assert third not in (held_one, held_two)
    one.click("[data-outcome=talked]")
    one.wait_for_selector("[data-next-person]")
    one.click("[data-next-person]")
    one.wait_for_selector("text=Nobody is left to call right now")
    _fits(one)

    travel.shift(dt.timedelta(hours=2))
    one.click("[data-next-person]")
    one.wait_for_selector("[data-calling]")
    assert int(one.get_attribute("[data-calling]", "data-calling")) == held_one  # back on time
    assert "asked us to call back" in one.text_content("[data-calling]")
    _fits(one)

    page.goto(assignment_url)
    assert "asked not to be called" in page.text_content("[data-not-offered]")
    assert {p.pk for p in people} >= {refused.supporter_id}


def _inbound(live_server, params: dict) -> int:
    """POST to the webhook as the provider does: a form, signed over the site's public address."""
    signature = text_services.webhook_signature(
        url=django_settings.SITE_URL + "/sms/inbound/", params=params, secret=text_services.webhook_secret()
    )
    request = urllib.request.Request(
        live_server.url + "/sms/inbound/", data=urllib.parse.urlencode(params).encode(), method="POST",
        headers={"X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


def _send_pending() -> None:
    """Send what the texts wrote to the outbox (the supporters' welcomes are left out)."""
    kinds = [MessageKind.CONVERSATION_TEXT, MessageKind.TEXT_STOP_CONFIRMED]
    deliver(list(Outbox.objects.filter(status="pending", kind__in=kinds).values_list("pk", flat=True)))


def test_a_texter_sends_a_script_a_reply_arrives_and_stop_withdraws_consent(
    phone, travel, seat_a, sms_gateway, live_server
):
    travel(NOON)
    amina = _supporters(seat_a, ["sms"])[0]
    Segment.objects.create(name="Seat A texts", constituency=seat_a, filters={})
    organiser = make_user(Role.SEAT_ORGANISER, seats=(seat_a,), mfa=True)
    texter = make_user(Role.VOLUNTEER)

    page = phone(organiser)
    page.goto("/organise/texts/new/")
    page.fill("input[name=name]", "Saturday texts")
    page.select_option("select[name=segment]", label="Seat A texts (Ilford North)")
    page.fill("textarea[name=script]", "Hi {name}, can you help on Saturday?")
    page.fill("textarea[name=texters]", texter.email)
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Text assignment made: 3 people to text")
    _fits(page)
    assignment = TextAssignment.objects.get()

    texting = phone(texter)
    texting.goto("/calls/")
    texting.click("main a:has-text('Saturday texts')")
    assert texting.text_content("[data-text]") == "Hi Amina, can you help on Saturday?"
    texting.click("[data-send]")
    texting.wait_for_selector("text=Sent to Amina Khan")
    _fits(texting)
    _send_pending()
    assert [r["form"]["Body"] for r in sms_gateway.requests] == ["Hi Amina, can you help on Saturday?"]

    assert _inbound(live_server, {"From": amina.phone, "Body": "Yes! What time?", "MessageSid": "SMb1"}) == 200
    texting.reload()
    conversation = assignment.conversations.get(supporter=amina)
    texting.click(f"[data-reply-from='{conversation.pk}']")
    assert "Yes! What time?" in texting.text_content("[data-texts]")
    texting.click("button[name=canned][value=when]")
    texting.wait_for_selector("text=Reply sent")
    _fits(texting)
    _send_pending()
    assert "Saturday and Sunday from 10am" in sms_gateway.requests[-1]["form"]["Body"]

    assert _inbound(live_server, {"From": amina.phone, "Body": "STOP", "MessageSid": "SMb2"}) == 200
    assert _inbound(live_server, {"From": amina.phone, "Body": "stop", "MessageSid": "SMb3"}) == 200
    assert not Consent.objects.filter(supporter=amina, channel="sms", withdrawn_at__isnull=True).exists()
    texting.reload()
    texting.wait_for_selector("[data-opted-out]")
    _fits(texting)
    _send_pending()
    confirmations = [r for r in sms_gateway.requests if "no more texts" in r["form"]["Body"]]
    assert len(confirmations) == 1 and confirmations[0]["form"]["To"] == amina.phone
    assert Outbox.objects.filter(kind=MessageKind.TEXT_STOP_CONFIRMED).count() == 1
