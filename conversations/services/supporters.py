"""Writes about supporters: signing up on the public form, being recorded at the door with their agreement,
organisers' edits and tags, withdrawing a consent, deleting a supporter, and the emailed link to their data.

Consent is the project's one consent record (``volunteers.services.consent_set``: one active row per channel,
the wording, when, where and who recorded it); messages go through the one outbox (``messaging.services``), which
reads that consent at the moment of each send.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse

from campaigns.postcodes import normalise_postcode
from conversations import tokens
from conversations.models import Supporter, SupporterSource, validate_tags
from messaging import rendering
from messaging.models import MessageKind, OutboxChannel
from messaging.services import _stamp, first_name, outbox_row, outbox_write
from organiser import clock
from volunteers.models import Channel, Consent, User
from volunteers.phones import normalise_phone
from volunteers.services import consent_set

#: What a supporter agrees to, in the words they see (on the form) or hear (read out at the door).
AGREEMENTS = (Channel.EMAIL, Channel.SMS, Channel.CALLS, Channel.VOLUNTEERING)


def agreement_wording(channel: str) -> str:
    campaign = settings.CAMPAIGN_NAME
    return {
        Channel.EMAIL: f"Yes, {campaign} may email me news and appeals. I can unsubscribe at any time.",
        Channel.SMS: f"Yes, {campaign} may text me news and appeals. I can reply STOP at any time.",
        Channel.CALLS: (
            f"Yes, {campaign} may phone me, even if my number is registered with the Telephone Preference "
            "Service. I can ask them to stop at any time."
        ),
        Channel.VOLUNTEERING: f"Yes, {campaign} may ask me to volunteer.",
    }[Channel(channel)]


#: How long the emailed link to one's data works.
DATA_LINK_VALID_FOR = dt.timedelta(hours=24)


@dataclass
class Contact:
    """How to reach someone, normalised (an email in lower case, a phone in E.164, a postcode)."""

    full_name: str = ""
    email: str = ""
    phone: str = ""
    postcode: str = ""


def contact_clean(*, full_name: str = "", email: str = "", phone: str = "", postcode: str = "") -> Contact:
    """Normalise what someone gave; ValidationError (by field) for what cannot be an email, phone or postcode."""
    errors: dict[str, list[str]] = {}
    contact = Contact(full_name=" ".join(str(full_name or "").split())[:200])
    email = str(email or "").strip()
    if email:
        from django.core.validators import validate_email

        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = ["Enter a valid email address."]
        else:
            contact.email = User.objects.normalize_email(email).lower()[:254]
    for name, value, normalise in (("phone", phone, normalise_phone), ("postcode", postcode, normalise_postcode)):
        value = str(value or "").strip()
        if value:
            try:
                setattr(contact, name, normalise(value))
            except ValidationError as error:
                errors[name] = error.messages
    if errors:
        raise ValidationError(errors)
    return contact


def _agreements_clean(agrees: Iterable[str], contact: Contact) -> list[str]:
    agreed = list(dict.fromkeys(agrees))
    if unknown := [item for item in agreed if item not in AGREEMENTS]:
        raise ValidationError(f"Unknown agreement: {', '.join(map(str, unknown))[:200]}.", code="invalid")
    if not agreed:
        raise ValidationError("Tick at least one way we may contact you.", code="nothing_agreed")
    if not (contact.email or contact.phone):
        raise ValidationError("Give an email address or a mobile number.", code="no_contact")
    if Channel.EMAIL in agreed and not contact.email:
        raise ValidationError({"email": ["Give your email address so we can email you."]})
    needs_phone = [c for c in (Channel.SMS, Channel.CALLS) if c in agreed]
    if needs_phone and not contact.phone:
        raise ValidationError({"phone": ["Give your mobile number so we can text or call you."]})
    return agreed


def _find_existing(contact: Contact) -> Supporter | None:
    """The supporter this person already is: by email, else (with no email given) by phone among supporters
    with no email (two people can share a number; an email is one person's)."""
    query = Supporter.objects.select_for_update()
    if contact.email:
        return query.filter(email__iexact=contact.email).first()
    return query.filter(email="", phone=contact.phone).order_by("pk").first()


def _update_contact(supporter: Supporter, contact: Contact, *, seat, language: str | None) -> None:
    for name in ("full_name", "email", "phone", "postcode"):
        if value := getattr(contact, name):
            setattr(supporter, name, value)
    if seat is not None:
        supporter.constituency = seat
    if language:
        supporter.language = language[:10]
    supporter.last_active_at = clock.now()


@dataclass
class SignUpResult:
    supporter: Supporter
    created: bool
    consents: list[Consent] = field(default_factory=list)


@transaction.atomic
def supporter_sign_up(
    *,
    full_name: str = "",
    email: str = "",
    phone: str = "",
    postcode: str = "",
    constituency=None,
    agrees: Iterable[str],
    source: str,
    user: User | None = None,
    language: str | None = None,
) -> SignUpResult:
    """Someone asks to hear from the campaign on the public form: their supporter record (an existing one with
    the same email is updated, never duplicated), a consent per thing they agreed to, with the form's wording
    and where it was given, and a welcome by the channel they chose (once per supporter).

    Unticked boxes withdraw nothing: anyone can type an address into a public form, so a withdrawal comes from
    the person's own link, an unsubscribe or STOP. ``user``: the account they were logged in with, if any."""
    contact = contact_clean(full_name=full_name, email=email, phone=phone, postcode=postcode)
    agreed = _agreements_clean(agrees, contact)
    supporter = _find_existing(contact)
    created = supporter is None
    if created:
        supporter = Supporter(source=SupporterSource.FORM, user=user if user and user.is_authenticated else None)
    elif supporter.user_id is None and user is not None and user.is_authenticated:
        supporter.user = user
    _update_contact(supporter, contact, seat=constituency, language=language)
    supporter.full_clean(exclude=["user", "recorded_by", "constituency"])
    supporter.save()
    consents = [
        consent_set(supporter=supporter, channel=channel, given=True, source=source, wording=agreement_wording(channel))
        for channel in agreed
    ]
    _welcome(supporter, agreed)
    return SignUpResult(supporter=supporter, created=created, consents=consents)


def _welcome(supporter: Supporter, agreed: list[str]) -> list[int]:
    """A welcome by email (with email consent) or else by text (with SMS consent), once per supporter."""
    if Channel.EMAIL in agreed:
        channel = OutboxChannel.EMAIL
    elif Channel.SMS in agreed:
        channel = OutboxChannel.SMS
    else:
        return []
    context = {
        "name": first_name(supporter),
        "agreed": [str(Channel(item).label) for item in agreed],
        "my_data_url": rendering.absolute(reverse("conversations:my_data")),
    }
    row = outbox_row(
        supporter_id=supporter.pk,
        kind=MessageKind.SUPPORTER_WELCOME,
        key=f"supporter-welcome:{supporter.pk}",
        channel=channel,
        context=context,
        constituency_id=supporter.constituency_id,
    )
    return outbox_write([row])


# --- at the door -----------------------------------------------------------------------------------------------


@dataclass
class DoorstepResult:
    recorded: list[str] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)


def doorstep_supporters_record(*, user: User, entries: list[dict], seat_of: dict[str, int | None]) -> DoorstepResult:
    """Supporters a canvasser recorded at the door, each with the elector's explicit agreement: one entry is
    ``{"id": <the doorstep entry's id>, "supporter": {"agreed": true, "agrees": [...], "full_name", "email",
    "phone"}}``, and ``seat_of`` gives each entry's seat (its register's constituency).

    Exactly once per entry id (a resend from the phone's queue records nothing more). The supporter holds no
    link to the register: its seat, what the person gave, and consents that name the canvasser who recorded
    them, the wording read out, and the entry they came from. An entry without ``agreed: true`` is refused."""
    result = DoorstepResult()
    for entry in entries:
        entry_id = str(entry.get("id"))
        payload = entry.get("supporter")
        try:
            if not isinstance(payload, dict):
                raise ValidationError("supporter must be an object")
            if payload.get("agreed") is not True:
                raise ValidationError("record a supporter only when the elector explicitly agreed (agreed: true)")
            agrees = payload.get("agrees")
            if not isinstance(agrees, list) or not all(isinstance(item, str) for item in agrees):
                raise ValidationError('agrees must be a list, e.g. ["email", "sms"]')
            with transaction.atomic():
                _doorstep_one(user=user, entry_id=entry_id, payload=payload, agrees=agrees, seat=seat_of.get(entry_id))
        except ValidationError as error:
            reasons = error.message_dict if hasattr(error, "error_dict") else {"supporter": error.messages}
            reason = "; ".join(f"{key}: {' '.join(value)}" for key, value in reasons.items())
            result.rejected.append({"id": entry_id, "reason": f"supporter not recorded ({reason})"})
        else:
            result.recorded.append(entry_id)
    return result


def _doorstep_one(*, user: User, entry_id: str, payload: dict, agrees: list, seat: int | None) -> None:
    entry_uuid = uuid.UUID(entry_id)
    source = f"doorstep entry {entry_uuid}"
    if (
        Supporter.objects.filter(doorstep_entry=entry_uuid).exists()
        or Consent.objects.filter(source=source, supporter__isnull=False).exists()
    ):
        return  # recorded already (a resend)
    contact = contact_clean(
        full_name=payload.get("full_name") or "", email=payload.get("email") or "", phone=payload.get("phone") or ""
    )
    agreed = _agreements_clean(agrees, contact)
    supporter = _find_existing(contact)
    if supporter is None:
        supporter = Supporter(source=SupporterSource.DOORSTEP, recorded_by=user, doorstep_entry=entry_uuid)
    _update_contact(supporter, contact, seat=None, language=None)
    if supporter.constituency_id is None and seat is not None:
        supporter.constituency_id = seat
    supporter.full_clean(exclude=["user", "recorded_by", "constituency"])
    supporter.save()
    for channel in agreed:
        consent_set(
            supporter=supporter,
            channel=channel,
            given=True,
            source=source,
            wording=agreement_wording(channel),
            recorded_by=user,
        )
    _welcome(supporter, agreed)


# --- organisers ------------------------------------------------------------------------------------------------


@transaction.atomic
def supporter_update(
    *, supporter: Supporter, full_name: str | None = None, constituency=None, tags: Iterable[str] | None = None
) -> Supporter:
    """An organiser corrects a supporter's name or seat, or tags them (tags are cleaned and sorted)."""
    if full_name is not None:
        supporter.full_name = " ".join(full_name.split())[:200]
    if constituency is not None:
        supporter.constituency = constituency
    if tags is not None:
        cleaned = sorted({str(tag).strip().lower() for tag in tags if str(tag).strip()})
        validate_tags(cleaned)
        supporter.tags = cleaned
    supporter.full_clean(exclude=["user", "recorded_by", "constituency"])
    supporter.save()
    return supporter


# --- the person's own choices ----------------------------------------------------------------------------------


@transaction.atomic
def supporter_consent_withdraw(*, supporter: Supporter, channel: str, source: str) -> None:
    """Withdraw one thing the supporter agreed to, from this moment (their pending messages on it are not
    sent: the outbox reads consent at the send)."""
    if channel not in AGREEMENTS:
        raise ValidationError(f"Unknown agreement: {channel}.", code="invalid")
    consent_set(supporter=supporter, channel=channel, given=False, source=source)


@transaction.atomic
def supporter_delete(*, supporter: Supporter) -> None:
    """Delete a supporter and everything held about them: their consents, their messages and unsubscribes
    (they cascade). Nothing of them remains."""
    Supporter.objects.filter(pk=supporter.pk).delete()


def supporter_for_address(address: str) -> Supporter | None:
    """The supporter an email address or a mobile number is, if any (for the emailed link to their data)."""
    address = (address or "").strip()
    if "@" in address:
        return Supporter.objects.filter(email__iexact=address).first()
    try:
        phone = normalise_phone(address)
    except ValidationError:
        return None
    return Supporter.objects.filter(Q(phone=phone)).order_by("email", "pk").first()


@transaction.atomic
def data_link_send(*, address: str, now: dt.datetime | None = None) -> list[int]:
    """Send the supporter whose email or mobile number this is a link to their data (valid for a day), to that
    address only. Nothing is sent, and nothing said, for an address we do not hold: the page answers the same
    either way, so it tells nobody who is a supporter."""
    supporter = supporter_for_address(address)
    if supporter is None:
        return []
    now = now or clock.now()
    channel = OutboxChannel.EMAIL if "@" in address else OutboxChannel.SMS
    token = tokens.make(purpose="data", subject_id=supporter.pk, expires_at=now + DATA_LINK_VALID_FOR)
    context = {
        "name": first_name(supporter),
        "url": rendering.absolute(reverse("conversations:my_data_page", args=[token])),
        "hours": int(DATA_LINK_VALID_FOR.total_seconds() // 3600),
    }
    row = outbox_row(
        supporter_id=supporter.pk,
        kind=MessageKind.DATA_ACCESS_LINK,
        key=f"data-link:{supporter.pk}:{_stamp(now)}",
        channel=channel,
        context=context,
        constituency_id=supporter.constituency_id,
    )
    return outbox_write([row])


def supporter_for_data_link(token: str) -> Supporter | None:
    supporter_id = tokens.read(token, purpose="data")
    return None if supporter_id is None else Supporter.objects.filter(pk=supporter_id).first()
