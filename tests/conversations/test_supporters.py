"""Supporters: the public form (seat from the postcode client, consents with their wording), a second sign-up
updating rather than duplicating, bad input refused with nothing written, the welcome and the link to one's data
through the one outbox (sent to a real SMTP server and a fake SMS gateway on loopback), one-click unsubscribe for
a supporter, and the data page (see, download, withdraw, delete) behind an expiring link."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from conversations import tokens
from conversations.models import Supporter, SupporterSource
from conversations.services import supporters as services
from messaging.delivery import deliver
from messaging.models import MessageKind, Outbox, OutboxChannel, OutboxStatus, Unsubscribe
from organiser import clock
from volunteers.models import Consent

pytestmark = pytest.mark.django_db

FORM = {
    "full_name": "Amina Khan",
    "email": "Amina@Example.org",
    "phone": "07911 123456",
    "postcode": "ig6 2aa",
    "agree_email": "on",
    "agree_calls": "on",
}


def _sign_up(**fields) -> Supporter:
    return services.supporter_sign_up(
        full_name=fields.pop("full_name", "Amina Khan"),
        email=fields.pop("email", "amina@example.org"),
        phone=fields.pop("phone", ""),
        postcode=fields.pop("postcode", ""),
        constituency=fields.pop("constituency", None),
        agrees=fields.pop("agrees", ["email"]),
        source=fields.pop("source", "test"),
    ).supporter


def test_the_public_form_records_a_supporter_with_their_seat_and_what_they_agreed_to(postcode_lookup, seat_a):
    postcode_lookup.known["IG6 2AA"] = seat_a.code
    response = Client().post(reverse("conversations:support"), FORM)
    assert response.status_code == 302 and response.url == reverse("conversations:thanks")

    supporter = Supporter.objects.get()
    assert (supporter.email, supporter.phone, supporter.postcode) == ("amina@example.org", "+447911123456", "IG6 2AA")
    assert supporter.constituency == seat_a and supporter.source == SupporterSource.FORM
    consents = {c.channel: c for c in Consent.objects.filter(supporter=supporter)}
    assert set(consents) == {"email", "calls"}
    assert "email me news and appeals" in consents["email"].wording
    assert "Telephone Preference Service" in consents["calls"].wording
    assert consents["email"].source == "support form (/support/)" and consents["email"].recorded_by is None
    welcome = Outbox.objects.get(supporter=supporter)
    assert (welcome.kind, welcome.channel, welcome.recipient_id) == (MessageKind.SUPPORTER_WELCOME, "email", None)


def test_the_form_shows_the_support_privacy_notice_and_every_agreement_in_its_words():
    page = Client().get(reverse("conversations:support")).content.decode()
    assert 'data-privacy-notice="support"' in page
    for wording in ("may email me", "may text me", "may phone me", "may ask me to volunteer"):
        assert wording in page


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"agree_email": "", "agree_calls": ""}, "Tick at least one way"),
        ({"phone": "", "agree_email": "", "agree_calls": "", "agree_sms": "on"}, "mobile number"),
        ({"email": "", "phone": ""}, "email address or a mobile number"),
        ({"postcode": "12345"}, "UK postcode"),
        ({"email": "amina-at-example"}, "valid email"),
    ],
)
def test_bad_input_is_refused_with_its_reason_keeps_what_was_typed_and_writes_nothing(change, problem):
    response = Client().post(reverse("conversations:support"), {**FORM, **change})
    assert response.status_code == 200
    page = response.content.decode()
    assert problem in page
    assert 'value="Amina Khan"' in page  # what was typed stays
    assert not Supporter.objects.exists() and not Consent.objects.exists() and not Outbox.objects.exists()


def test_without_a_postcode_service_the_seat_is_chosen_by_hand(seat_b):
    response = Client().post(reverse("conversations:support"), FORM)
    assert "choose it" in response.content.decode() and not Supporter.objects.exists()
    response = Client().post(reverse("conversations:support"), {**FORM, "constituency": seat_b.pk})
    assert response.status_code == 302
    assert Supporter.objects.get().constituency == seat_b


def test_signing_up_again_updates_the_same_supporter_and_withdraws_nothing(seat_a):
    first = _sign_up(agrees=["email", "volunteering"], constituency=seat_a)
    again = _sign_up(email="AMINA@example.org", phone="07911 123456", agrees=["sms"], full_name="Amina K.")
    assert again.pk == first.pk and Supporter.objects.count() == 1
    again.refresh_from_db()
    assert again.phone == "+447911123456" and again.full_name == "Amina K."
    active = set(Consent.objects.filter(supporter=again, withdrawn_at__isnull=True).values_list("channel", flat=True))
    assert active == {"email", "volunteering", "sms"}
    assert Outbox.objects.filter(supporter=again, kind=MessageKind.SUPPORTER_WELCOME).count() == 1  # welcomed once


def test_a_phone_only_supporter_is_welcomed_by_text_and_found_again_by_number(sms_gateway):
    supporter = _sign_up(email="", phone="07911 123456", agrees=["sms"])
    assert _sign_up(email="", phone="+447911123456", agrees=["calls"]).pk == supporter.pk
    [welcome] = Outbox.objects.filter(supporter=supporter)
    assert welcome.channel == OutboxChannel.SMS
    assert deliver([welcome.pk]).sent == [welcome.pk]
    [text] = sms_gateway.requests
    assert text["form"]["To"] == "+447911123456" and "Reply STOP" in text["form"]["Body"]


def test_the_welcome_email_goes_to_the_supporter_with_one_click_unsubscribe_that_works(smtp, settings):
    supporter = _sign_up()
    welcome = Outbox.objects.get(supporter=supporter)
    assert deliver([welcome.pk]).sent == [welcome.pk]
    [message] = smtp.messages
    assert message["To"] == "amina@example.org"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = re.match(r"<([^>]+)>", message["List-Unsubscribe"]).group(1)
    path = url.removeprefix(settings.SITE_URL)

    response = Client(enforce_csrf_checks=True).post(path, {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    assert not Consent.objects.filter(supporter=supporter, channel="email", withdrawn_at__isnull=True).exists()
    assert Unsubscribe.objects.get(supporter=supporter).via == "one-click"
    # Anything written to them later is skipped at the send: consent is read then.
    services.data_link_send(address="someone-else@example.org")  # not a supporter: nothing written
    later = Outbox.objects.create(
        supporter=supporter, key="later", kind=MessageKind.SUPPORTER_WELCOME, category="updates", channel="email"
    )
    deliver([later.pk])
    later.refresh_from_db()
    assert later.status == OutboxStatus.SKIPPED_NO_CONSENT and len(smtp.messages) == 1


def test_the_link_to_ones_data_goes_only_to_an_address_we_hold_and_even_without_marketing_consent(smtp):
    supporter = _sign_up(email="amina@example.org", phone="07911 123456", agrees=["sms"])
    client = Client()
    for address in ("nobody@example.org", "amina@example.org"):
        response = client.post(reverse("conversations:my_data"), {"address": address})
        assert response.status_code == 200 and b"If we hold" in response.content  # the same answer either way
    [link] = Outbox.objects.filter(kind=MessageKind.DATA_ACCESS_LINK)
    assert link.supporter_id == supporter.pk and link.channel == OutboxChannel.EMAIL
    assert deliver([link.pk]).sent == [link.pk]  # no email consent: a link they asked for still goes
    [message] = smtp.messages
    body = message.get_payload()[0].get_payload(decode=True).decode()
    path = re.search(r"https?://[^/\s]+(/support/my-data/[^/\s]+/)", body).group(1)
    page = client.get(path)
    assert page.status_code == 200 and b"amina@example.org" in page.content


def test_the_data_page_shows_downloads_withdraws_and_deletes(travel):
    travel(dt.datetime(2027, 3, 1, 12, 0, tzinfo=dt.UTC))
    supporter = _sign_up(agrees=["email", "volunteering"], phone="07911 123456")
    token = tokens.make(purpose="data", subject_id=supporter.pk, expires_at=clock.now() + dt.timedelta(hours=24))
    client = Client()
    page = client.get(reverse("conversations:my_data_page", args=[token])).content.decode()
    assert "may ask me to volunteer" in page and 'data-consent="email"' in page

    download = client.get(reverse("conversations:my_data_json", args=[token]))
    data = json.loads(download.content)
    assert download["Content-Disposition"].startswith("attachment")
    assert data["supporter"]["email"] == "amina@example.org"
    assert {c["agreed_to"] for c in data["consents"]} == {"email", "volunteering"}
    assert data["messages"][0]["kind"] == MessageKind.SUPPORTER_WELCOME

    client.post(reverse("conversations:consent_withdraw", args=[token]), {"channel": "volunteering"})
    assert set(
        Consent.objects.filter(supporter=supporter, withdrawn_at__isnull=True).values_list("channel", flat=True)
    ) == {"email"}
    bad = client.post(reverse("conversations:consent_withdraw", args=[token]), {"channel": "carrier-pigeon"})
    assert bad.status_code == 302  # refused with a message, nothing changed
    assert Consent.objects.filter(supporter=supporter, withdrawn_at__isnull=True).count() == 1

    refused = client.post(reverse("conversations:delete", args=[token]), {"confirm": "yes"})
    assert refused.status_code == 200 and Supporter.objects.filter(pk=supporter.pk).exists()
    client.post(reverse("conversations:delete", args=[token]), {"confirm": "DELETE"})
    assert not Supporter.objects.filter(pk=supporter.pk).exists()
    assert not Consent.objects.filter(supporter_id=supporter.pk).exists()
    assert not Outbox.objects.filter(supporter_id=supporter.pk).exists()
    assert client.get(reverse("conversations:my_data_page", args=[token])).status_code == 404


def test_a_data_link_expires_after_a_day_and_opens_nothing_else(travel):
    travel(dt.datetime(2027, 10, 30, 12, 0, tzinfo=dt.UTC))
    supporter = _sign_up()
    services.data_link_send(address="amina@example.org")
    url = Outbox.objects.get(kind=MessageKind.DATA_ACCESS_LINK).context["url"]
    path = url[url.index("/support/") :]
    token = path.split("/")[3]
    client = Client()
    travel(dt.datetime(2027, 10, 31, 11, 59, tzinfo=dt.UTC))  # across the clock change
    assert client.get(path).status_code == 200
    travel(dt.datetime(2027, 10, 31, 12, 0, tzinfo=dt.UTC))
    assert client.get(path).status_code == 404
    assert tokens.read(token, purpose="confirm", now=dt.datetime(2027, 10, 30, 13, 0, tzinfo=dt.UTC)) is None
    assert client.get(reverse("conversations:my_data_page", args=[token + "x"])).status_code == 404
    assert supporter.pk  # untouched
