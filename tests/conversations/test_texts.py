"""Two-way texting: a text assignment holds only people with SMS consent; a texter's press sends the script with
the name filled in through the outbox to the fake SMS gateway on loopback; replies arrive by the signed webhook
(forged or unsigned: 403, nothing kept), exactly once per provider id; STOP withdraws SMS consent at once and is
confirmed by one text, once; texting hours hold."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError

from conversations.models import ConversationState, Segment, TextConversation, TextMessage
from conversations.services import supporters as supporter_services
from conversations.services import texts as services
from messaging.delivery import deliver
from messaging.models import MessageKind, Outbox
from tests.conftest import make_user
from volunteers.models import Consent, Role

pytestmark = pytest.mark.django_db

NOON = "2027-03-10T12:00:00Z"
WEBHOOK = "/sms/inbound/"


def _supporter(name, phone, seat, agrees):
    return supporter_services.supporter_sign_up(
        full_name=name, phone=phone, email="", constituency=seat, agrees=agrees, source="test"
    ).supporter


@pytest.fixture
def texting(travel, seat_a, seat_organiser, sms_gateway):
    travel(NOON)
    amina = _supporter("Amina Khan", "07911 120001", seat_a, ["sms"])
    _supporter("Ben Calls", "07911 120002", seat_a, ["calls"])  # no SMS consent: not texted
    segment = Segment.objects.create(name="Seat A", constituency=seat_a, filters={})
    assignment = services.text_assignment_create(
        user=seat_organiser, name="Saturday", segment=segment, script="Hi {name}, can you help on Saturday?"
    )
    return {"assignment": assignment, "amina": amina, "gateway": sms_gateway}


def _sign(params: dict) -> str:
    return services.webhook_signature(
        url=django_settings.SITE_URL + WEBHOOK, params=params, secret=services.webhook_secret()
    )


def _inbound(client, params: dict, signature: str | None = None):
    return client.post(WEBHOOK, params, HTTP_X_TWILIO_SIGNATURE=_sign(params) if signature is None else signature)


def _send_pending(kind: str) -> None:
    deliver(list(Outbox.objects.filter(kind=kind, status="pending").values_list("pk", flat=True)))


def test_only_people_with_sms_consent_are_in_a_text_assignment(texting):
    assert list(texting["assignment"].conversations.values_list("name", flat=True)) == ["Amina Khan"]


def test_a_texter_sends_the_script_with_the_name_through_the_outbox_to_the_gateway(texting, seat_organiser):
    conversation = texting["assignment"].conversations.get()
    services.text_send(conversation=conversation, texter=seat_organiser)
    with pytest.raises(ValidationError) as again:
        services.text_send(conversation=conversation, texter=seat_organiser)
    assert again.value.code == "sent_already"
    _send_pending(MessageKind.CONVERSATION_TEXT)
    [request] = texting["gateway"].requests
    assert request["form"]["To"] == "+447911120001"
    assert request["form"]["Body"] == "Hi Amina, can you help on Saturday?"
    conversation.refresh_from_db()
    assert conversation.state == ConversationState.SENT and conversation.texter == seat_organiser


def test_someone_who_is_not_a_texter_cannot_send(texting):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.text_send(conversation=texting["assignment"].conversations.get(), texter=make_user(Role.VOLUNTEER))
    assert not Outbox.objects.filter(kind=MessageKind.CONVERSATION_TEXT).exists()


def test_texting_hours_hold(texting, seat_organiser, travel):
    travel("2027-03-10T21:30:00Z")
    with pytest.raises(ValidationError) as refused:
        services.text_send(conversation=texting["assignment"].conversations.get(), texter=seat_organiser)
    assert refused.value.code == "outside_hours"


def test_a_reply_arrives_by_the_signed_webhook_once_and_a_forged_one_is_refused(texting, seat_organiser, client):
    conversation = texting["assignment"].conversations.get()
    services.text_send(conversation=conversation, texter=seat_organiser)
    params = {"From": "+447911120001", "Body": "Yes, count me in", "MessageSid": "SM1"}
    assert _inbound(client, params, signature="forged").status_code == 403
    assert client.post(WEBHOOK, params).status_code == 403  # unsigned
    assert not TextMessage.objects.filter(direction="in").exists()
    assert _inbound(client, params).status_code == 200
    assert _inbound(client, params).status_code == 200  # the provider retries: kept once
    conversation.refresh_from_db()
    assert conversation.state == ConversationState.REPLIED
    assert list(conversation.messages.filter(direction="in").values_list("body", flat=True)) == ["Yes, count me in"]
    no_sender = {"Body": "hi"}
    assert _inbound(client, no_sender).status_code == 400
    bad_number = {"From": "not a number", "Body": "hi"}
    assert _inbound(client, bad_number).status_code == 400
    services.text_reply(conversation=conversation, texter=seat_organiser, body=services.CANNED_REPLIES["thanks"])
    assert conversation.messages.filter(direction="out").count() == 2


def test_stop_withdraws_sms_consent_at_once_and_is_confirmed_once(texting, seat_organiser, client):
    conversation = texting["assignment"].conversations.get()
    services.text_send(conversation=conversation, texter=seat_organiser)
    _send_pending(MessageKind.CONVERSATION_TEXT)
    assert _inbound(client, {"From": "+447911120001", "Body": " stop ", "MessageSid": "SM2"}).status_code == 200
    amina = texting["amina"]
    assert not Consent.objects.filter(supporter=amina, channel="sms", withdrawn_at__isnull=True).exists()
    conversation.refresh_from_db()
    assert conversation.state == ConversationState.OPTED_OUT
    assert _inbound(client, {"From": "+447911120001", "Body": "STOP", "MessageSid": "SM3"}).status_code == 200
    _send_pending(MessageKind.TEXT_STOP_CONFIRMED)
    confirmations = [r for r in texting["gateway"].requests if "no more texts" in r["form"]["Body"]]
    assert len(confirmations) == 1 and confirmations[0]["form"]["To"] == "+447911120001"
    with pytest.raises(ValidationError) as refused:
        services.text_reply(conversation=conversation, texter=seat_organiser, body="Are you sure?")
    assert refused.value.code == "no_consent"


def test_a_text_pending_when_stop_arrives_is_not_sent(texting, seat_organiser, client):
    conversation = texting["assignment"].conversations.get()
    services.text_send(conversation=conversation, texter=seat_organiser)  # written, not yet sent
    services.text_received(phone="+447911120001", body="UNSUBSCRIBE", provider_id="SM9")
    _send_pending(MessageKind.CONVERSATION_TEXT)
    assert Outbox.objects.get(kind=MessageKind.CONVERSATION_TEXT).status == "skipped_no_consent"
    assert not [r for r in texting["gateway"].requests if "Saturday" in r["form"]["Body"]]


def test_stop_words_in_english_and_welsh_and_not_in_a_sentence():
    assert all(services.is_stop(word) for word in ("STOP", "stop.", "Stop all", "unsubscribe", "STOPIO", "quit!"))
    assert not any(services.is_stop(text) for text in ("don't stop", "stop by saturday?", "", "stopping"))


def test_a_reply_from_an_unknown_number_is_kept_without_a_conversation(texting, client):
    assert _inbound(client, {"From": "+447911129999", "Body": "who is this?", "MessageSid": "SM5"}).status_code == 200
    kept = TextMessage.objects.get(provider_id="SM5")
    assert kept.conversation is None and kept.phone == "+447911129999"
    assert not TextConversation.objects.filter(phone="+447911129999").exists()
