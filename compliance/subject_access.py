"""Subject access (UK GDPR Art 15) answered from one place: everything Organiser holds about one person, as the
JSON they download or an organiser hands over.

- ``for_account(user)``: a volunteer's (or any account's) data: the account, profile, consents, sign-ups and the
  shift loop's answers, teams, the messages sent to them and their choices, and the supporter records linked to
  the account. The volunteer's "download my data" is this.
- ``for_supporter(supporter)``: a supporter's: what they gave, what they agreed to (wording, when, where, who
  recorded it), the messages sent to them and their unsubscribes. Their emailed link's download is this.
- ``for_person(address)``: all of the above for whoever an email address or mobile number is (the organisers'
  subject access page answers a request with it).
- ``for_elector(elector, user=..., route=...)``: what canvassers recorded about an elector while the register
  exists (their register entry, every canvass response with who recorded it, the walk lists they are on, whether
  a teller took their number), for the candidate's agent or a granted organiser answering the elector's own
  request; it is refused to anyone else, and every answer is written to the register's access log.

The sections are read with each app's own models; nothing here writes anything but the access log entry.
"""

from __future__ import annotations

import json

from django.core.exceptions import PermissionDenied, ValidationError

from organiser import scope


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _consents(queryset) -> list[dict]:
    return [
        {
            "agreed_to": consent.channel,
            "wording": consent.wording,
            "given_at": _iso(consent.given_at),
            "source": consent.source,
            "recorded_by": str(consent.recorded_by) if consent.recorded_by_id else None,
            "withdrawn_at": _iso(consent.withdrawn_at),
        }
        for consent in queryset.select_related("recorded_by").order_by("given_at", "pk")
    ]


def _messages(queryset) -> list[dict]:
    return [
        {
            "kind": row.kind,
            "channel": row.channel,
            "status": row.status,
            "subject": row.subject,
            "created_at": _iso(row.created_at),
            "sent_at": _iso(row.sent_at),
        }
        for row in queryset.order_by("created_at", "pk")
    ]


def _unsubscribes(queryset) -> list[dict]:
    return [{"channel": row.channel, "via": row.via, "at": _iso(row.at)} for row in queryset.order_by("at", "pk")]


def for_supporter(supporter) -> dict:
    """Everything held about one supporter."""
    from messaging.models import Outbox, Unsubscribe
    from volunteers.models import Consent

    return {
        "supporter": {
            "full_name": supporter.full_name,
            "email": supporter.email,
            "phone": supporter.phone,
            "postcode": supporter.postcode,
            "constituency": supporter.constituency
            and {"code": supporter.constituency.code, "name": supporter.constituency.name},
            "language": supporter.language,
            "tags": supporter.tags,
            "how_we_got_it": supporter.get_source_display(),
            "recorded_by": str(supporter.recorded_by) if supporter.recorded_by_id else None,
            "created_at": _iso(supporter.created_at),
            "last_active_at": _iso(supporter.last_active_at),
        },
        "consents": _consents(Consent.objects.filter(supporter=supporter)),
        "messages": _messages(Outbox.objects.filter(supporter=supporter)),
        "unsubscribes": _unsubscribes(Unsubscribe.objects.filter(supporter=supporter)),
    }


def for_account(user) -> dict:
    """Everything held about one account (a volunteer's "download my data")."""
    from conversations.models import Supporter
    from messaging.models import MessagePreference, Outbox, Unsubscribe
    from volunteers.services import my_data_export

    data = my_data_export(user=user)
    preference = MessagePreference.objects.filter(user=user).first()
    data["message_preferences"] = preference and {
        "language": preference.language,
        "reminders": preference.reminders,
        "shift_alerts": preference.shift_alerts,
        "digest": preference.digest,
    }
    data["messages"] = _messages(Outbox.objects.filter(recipient=user))
    data["unsubscribes"] = _unsubscribes(Unsubscribe.objects.filter(user=user))
    data["supporter_records"] = [
        for_supporter(supporter)
        for supporter in Supporter.objects.filter(user=user).select_related("constituency", "recorded_by")
    ]
    return data


def for_elector(elector, *, user, route: str) -> dict:
    """What canvassers recorded about one elector, for the agent or an organiser granted on its campaign answering
    the elector's request; PermissionDenied for anyone else. Logged in the register's access log."""
    from canvassing.models import CanvassResponse, Elector, PollingDayVote, WalkListEntry
    from canvassing.services import access_log

    campaign = elector.campaign
    if not scope.register_allows(user, campaign, Elector, "view") or not scope.register_allows(
        user, campaign, CanvassResponse, "view"
    ):
        raise PermissionDenied("Only the agent or an organiser granted on this register answers an elector's request.")
    responses = CanvassResponse.objects.filter(elector=elector).select_related("intention", "recorded_by")
    responses = responses.order_by("recorded_at", "pk")
    lists = WalkListEntry.objects.filter(elector=elector).select_related("walk_list").order_by("walk_list_id")
    vote = PollingDayVote.objects.filter(elector=elector).first()
    data = {
        "controller": f"{campaign.name} (the candidate's campaign; agent {campaign.agent})",
        "register_entry": {
            "elector_number": elector.elector_number,
            "name": elector.name,
            "address": elector.address,
            "markers": elector.markers,
            "attainer_date": _iso(elector.attainer_date),
            "postal_voter": elector.postal_voter,
            "proxy_voter": elector.proxy_voter,
        },
        "canvass_responses": [
            {
                "recorded_at": _iso(response.recorded_at),
                "recorded_by": str(response.recorded_by) if response.recorded_by_id else None,
                "outcome": response.get_outcome_display(),
                "voting_intention": response.intention and f"{response.intention.code}: {response.intention.label}",
                "answers": response.answers,
                "note": response.note,
            }
            for response in responses
        ],
        "walk_lists": [entry.walk_list.name for entry in lists],
        "voted_on_polling_day": bool(vote),
        "destroyed_on": _iso(campaign.retention_date),
    }
    access_log(campaign=campaign, user=user, action="export", electors=1, route=route, purpose="subject access request")
    return data


def as_json(data: dict) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False)


def for_person(address: str) -> dict | None:
    """Everything held about the person an email address or mobile number is: their account (with the supporter
    records it holds) and any supporter records with that address; None when nothing is held."""
    from conversations.models import Supporter
    from volunteers.models import User
    from volunteers.phones import normalise_phone

    address = (address or "").strip()
    if "@" in address:
        user = User.objects.filter(email__iexact=address).first()
        supporters = Supporter.objects.filter(email__iexact=address)
    else:
        try:
            phone = normalise_phone(address)
        except ValidationError:
            return None
        user = User.objects.filter(profile__phone=phone).first()
        supporters = Supporter.objects.filter(phone=phone)
    if user is not None:
        supporters = supporters.exclude(user=user)  # in the account's own section already
    supporters = list(supporters.select_related("constituency", "recorded_by"))
    if user is None and not supporters:
        return None
    return {
        "account": for_account(user) if user is not None else None,
        "supporter_records": [for_supporter(supporter) for supporter in supporters],
    }


def elector_find(campaign, number: str):
    """The elector of ``campaign`` with this elector number (``KA-124`` or ``KA-124/1``), or None."""
    from canvassing.models import Elector
    from canvassing.services import POLL_NUMBER_RE

    match = POLL_NUMBER_RE.match(number or "")
    if not match or not match.group(1):
        return None
    district, elector, suffix = match.group(1).upper(), int(match.group(2)), int(match.group(3) or 0)
    return (
        Elector.objects.filter(campaign=campaign, polling_district__code=district, number=elector, suffix=suffix)
        .select_related("campaign__agent", "polling_district")
        .first()
    )
