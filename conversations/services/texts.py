"""Writes of two-way texting: making a text assignment from a segment, a texter sending the script (one person at a
time, each text sent by a person pressing send) or a reply, and the texts people send back through the provider's
signed webhook, where STOP and its equivalents withdraw SMS consent at once and are confirmed once.

Texts go through the one outbox (``messaging``): a texter's text is campaign content (``conversation_text``), so
it needs the person's SMS consent, read again at the moment of the send; the STOP confirmation is a service message
(``text_stop_confirmed``) sent once per withdrawal. Texting hours are UK time, within 08:00 to 21:00.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Q

from conversations.models import (
    EARLIEST,
    LATEST,
    ConversationState,
    Direction,
    Segment,
    Supporter,
    TextAssignment,
    TextConversation,
    TextMessage,
)
from conversations.services.calls import _check_seat, people_table
from messaging.conf import setting
from messaging.models import MessageKind, OutboxChannel
from messaging.services import _stamp, outbox_row, outbox_write
from organiser import clock, scope
from volunteers.models import Consent, User, VolunteerProfile
from volunteers.phones import normalise_phone

#: Replies that withdraw SMS consent (the words UK networks and providers treat as opt-outs, and Welsh's).
STOP_WORDS = frozenset(
    {"STOP", "STOPALL", "STOP ALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "OPT OUT", "STOPIO",
     "DAD-DANYSGRIFIO", "DADDANYSGRIFIO"}
)  # fmt: skip


#: Replies a texter can send with one tap (or write their own).
CANNED_REPLIES = {
    "thanks": "Thank you! We'll be in touch with the details.",
    "when": "We're out on Saturday and Sunday from 10am: reply with the day that suits you.",
    "sorry": "Sorry to have bothered you. Reply STOP and we won't text again.",
}


def is_stop(body: str) -> bool:
    """A reply that is a stop word alone (any case, surrounding spaces and punctuation ignored)."""
    words = " ".join(str(body or "").upper().replace(".", " ").replace("!", " ").split())
    return words in STOP_WORDS


def first_name_of(name: str) -> str:
    parts = (name or "").split()
    return parts[0] if parts else "there"


def script_for(conversation: TextConversation) -> str:
    """The assignment's script with the person's first name filled in."""
    return conversation.assignment.script.replace("{name}", first_name_of(conversation.name))


def _check_hours(texts_from: dt.time, texts_until: dt.time) -> None:
    if texts_from < EARLIEST or texts_until > LATEST or texts_from >= texts_until:
        raise ValidationError(
            {"texts_until": ["Texting hours are within 08:00 to 21:00 UK time, and end after they start."]}
        )


@transaction.atomic
def text_assignment_create(
    *,
    user,
    name: str,
    segment: Segment,
    script: str,
    texts_from: dt.time = dt.time(10, 0),
    texts_until: dt.time = dt.time(20, 0),
    texters: Iterable[User] = (),
) -> TextAssignment:
    """A text assignment of the segment's seat with a conversation for each of its people who have a mobile number
    and SMS consent now; ValidationError (by field), and nothing saved, for what is wrong."""
    if not (scope.is_system(user) or scope.can_add(user, TextAssignment)):
        raise PermissionDenied("You cannot make text assignments.")
    _check_seat(user=user, constituency=segment.constituency, segment=segment)
    _check_hours(texts_from, texts_until)
    script = str(script or "").strip()
    if not script:
        raise ValidationError({"script": ["Write the text to send."]})
    assignment = TextAssignment(
        name=" ".join(str(name).split())[:200],
        constituency=segment.constituency,
        segment=segment,
        script=script,
        texts_from=texts_from,
        texts_until=texts_until,
        created_by=None if scope.is_system(user) else user,
    )
    assignment.full_clean(exclude=["constituency", "segment", "created_by"])
    assignment.save()
    assignment.texters.set(list(texters))
    text_assignment_refresh(assignment=assignment, user=user)
    return assignment


def text_assignment_refresh(*, assignment: TextAssignment, user, now: dt.datetime | None = None) -> int:
    """Add the segment's people with a number and SMS consent now who are not in it yet (one statement)."""
    now = now or clock.now()
    with transaction.atomic(), connection.cursor() as cursor:
        people_table(cursor, segment=assignment.segment, user=user, now=now, consent="sms")
        cursor.execute(
            """
            INSERT INTO conversations_textconversation (assignment_id, user_id, supporter_id, name, phone, state)
            SELECT %s, user_id, supporter_id, LEFT(name, 200), LEFT(phone, 20), 'to_send' FROM call_people
            ON CONFLICT DO NOTHING
            """,
            [assignment.pk],
        )
        added = cursor.rowcount
        cursor.execute("DROP TABLE call_people")
    return added


def may_text(user, assignment: TextAssignment) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return assignment.texters.filter(pk=user.pk).exists() or scope.can_change(user, assignment)


def _sms_consent_held(conversation: TextConversation) -> bool:
    owner = {"user_id": conversation.user_id} if conversation.user_id else {"supporter_id": conversation.supporter_id}
    return Consent.objects.filter(**owner, channel="sms", withdrawn_at__isnull=True).exists()


def _write(conversation: TextConversation, *, sender, body: str, now: dt.datetime) -> TextMessage:
    n = conversation.messages.filter(direction=Direction.OUT).count()
    row = outbox_row(
        recipient_id=conversation.user_id,
        supporter_id=conversation.supporter_id,
        kind=MessageKind.CONVERSATION_TEXT,
        key=f"text:{conversation.pk}:{n}",
        channel=OutboxChannel.SMS,
        context={"body": body},
        constituency_id=conversation.assignment.constituency_id,
    )
    ids = outbox_write([row])
    return TextMessage.objects.create(
        conversation=conversation,
        direction=Direction.OUT,
        phone=conversation.phone,
        body=body,
        sender=sender,
        outbox_id=ids[0] if ids else None,
        created_at=now,
    )


class NoConsent(ValidationError):
    """They no longer agree to texts (their conversation is marked opted out, and nothing was sent)."""


def _check_may_send(conversation: TextConversation, texter, now: dt.datetime) -> None:
    assignment = conversation.assignment
    if not may_text(texter, assignment):
        raise PermissionDenied("You are not a texter of this assignment.")
    if not assignment.is_open:
        raise ValidationError("This assignment is closed.", code="closed")
    local = clock.local(now).time()
    if not assignment.texts_from <= local < assignment.texts_until:
        raise ValidationError(
            f"Texts are sent from {assignment.texts_from:%H:%M} to {assignment.texts_until:%H:%M}, UK time.",
            code="outside_hours",
        )
    if conversation.state == ConversationState.OPTED_OUT or not _sms_consent_held(conversation):
        raise NoConsent("They no longer agree to texts: nothing was sent.", code="no_consent")


def _opted_out(conversation: TextConversation) -> None:
    TextConversation.objects.filter(pk=conversation.pk).update(state=ConversationState.OPTED_OUT)


def text_send(*, conversation: TextConversation, texter, now: dt.datetime | None = None) -> TextMessage:
    """The texter presses send: the script, with the person's name, to this person (once: another texter's send a
    moment earlier refuses this one). Someone who withdrew SMS consent since is marked opted out, and not sent."""
    now = now or clock.now()
    try:
        with transaction.atomic():
            conversation = (
                TextConversation.objects.select_for_update().select_related("assignment").get(pk=conversation.pk)
            )
            if conversation.state != ConversationState.TO_SEND:
                raise ValidationError("Someone has texted them already: here is the next person.", code="sent_already")
            _check_may_send(conversation, texter, now)
            message = _write(conversation, sender=texter, body=script_for(conversation), now=now)
            conversation.state, conversation.texter, conversation.last_message_at = ConversationState.SENT, texter, now
            conversation.save(update_fields=["state", "texter", "last_message_at"])
            return message
    except NoConsent:
        _opted_out(conversation)
        raise


def text_reply(*, conversation: TextConversation, texter, body: str, now: dt.datetime | None = None) -> TextMessage:
    """A texter answers a person who replied (by hand or from a canned reply)."""
    now = now or clock.now()
    body = " ".join(str(body or "").split())[:480]
    if not body:
        raise ValidationError({"body": ["Write the reply."]})
    try:
        with transaction.atomic():
            conversation = (
                TextConversation.objects.select_for_update().select_related("assignment").get(pk=conversation.pk)
            )
            if conversation.state == ConversationState.TO_SEND:
                raise ValidationError("Send them the first text before replying.", code="not_started")
            _check_may_send(conversation, texter, now)
            message = _write(conversation, sender=texter, body=body, now=now)
            conversation.last_message_at = now
            conversation.save(update_fields=["last_message_at"])
            return message
    except NoConsent:
        _opted_out(conversation)
        raise


# --- texts coming in --------------------------------------------------------------------------------------------


def webhook_secret() -> str:
    """The key the provider signs its webhook requests with: ``SMS_WEBHOOK_SECRET``, else the token part of
    ``SMS_API_KEY`` (``account:token``, as Twilio signs with the account's auth token). Empty: nothing accepted."""
    return setting("SMS_WEBHOOK_SECRET") or setting("SMS_API_KEY").partition(":")[2]


def webhook_signature(*, url: str, params: dict[str, str], secret: str) -> str:
    """Twilio's request signature: HMAC-SHA1 over the full URL followed by each POST parameter's name and value,
    sorted by name, base64-encoded."""
    data = url + "".join(f"{key}{params[key]}" for key in sorted(params))
    return base64.b64encode(hmac.new(secret.encode(), data.encode(), hashlib.sha1).digest()).decode()


def webhook_signature_valid(*, url: str, params: dict[str, str], signature: str) -> bool:
    secret = webhook_secret()
    if not secret or not signature:
        return False
    return hmac.compare_digest(webhook_signature(url=url, params=params, secret=secret), signature)


@transaction.atomic
def text_received(*, phone: str, body: str, provider_id: str = "", now: dt.datetime | None = None) -> TextMessage:
    """A text came in (already verified as the provider's): kept in the latest conversation with that number
    (exactly once per provider id); a stop word withdraws SMS consent from everyone with that number at once and
    is confirmed by one text, once per withdrawal. ValidationError for a number that cannot be one."""
    now = now or clock.now()
    phone = normalise_phone(phone)
    provider_id = str(provider_id or "")[:64]
    if provider_id and (seen := TextMessage.objects.filter(provider_id=provider_id).first()):
        return seen  # the provider retried its webhook
    conversation = (
        TextConversation.objects.select_for_update()
        .filter(phone=phone)
        .exclude(state=ConversationState.TO_SEND)
        .order_by("-last_message_at", "-pk")
        .first()
    )
    message = TextMessage.objects.create(
        conversation=conversation,
        direction=Direction.IN,
        phone=phone,
        body=str(body or "")[:1600],
        provider_id=provider_id,
        created_at=now,
    )
    if is_stop(body):
        sms_stop(phone=phone, conversation=conversation, now=now)
    elif conversation is not None:
        if conversation.state == ConversationState.SENT:
            conversation.state = ConversationState.REPLIED
        conversation.last_message_at = now
        conversation.save(update_fields=["state", "last_message_at"])
    return message


def sms_stop(*, phone: str, conversation: TextConversation | None = None, now: dt.datetime | None = None) -> list[int]:
    """Withdraw SMS consent from every supporter and volunteer with this number now, mark their conversations
    opted out, and confirm by one text, only if a consent was withdrawn (a second STOP is not confirmed again)."""
    now = now or clock.now()
    supporters = Supporter.objects.filter(phone=phone)
    accounts = VolunteerProfile.objects.filter(phone=phone).values("user_id")
    held = Consent.objects.filter(Q(supporter__in=supporters) | Q(user_id__in=accounts), channel="sms").filter(
        withdrawn_at__isnull=True
    )
    first = held.order_by("given_at", "pk").values("user_id", "supporter_id").first()
    withdrawn = held.update(withdrawn_at=now)
    TextConversation.objects.filter(phone=phone).update(state=ConversationState.OPTED_OUT, last_message_at=now)
    if not withdrawn:
        return []
    to = (
        {"recipient_id": conversation.user_id, "supporter_id": conversation.supporter_id}
        if conversation is not None
        else {"recipient_id": first["user_id"], "supporter_id": first["supporter_id"]}
    )
    row = outbox_row(
        **to,
        kind=MessageKind.TEXT_STOP_CONFIRMED,
        key=f"stop:{phone}:{_stamp(now)}",
        channel=OutboxChannel.SMS,
        context={},
    )
    return outbox_write([row])
