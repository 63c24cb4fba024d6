"""Turning an outbox row into a message: the subject / text / HTML triple in the recipient's language, with
the campaign's name, why they get it, and RFC 8058 one-click unsubscribe headers; SMS text likewise.

Templates live in ``templates/messaging/email/<kind>.{subject.txt,txt,html}`` and ``messaging/sms/<kind>.txt``;
they render only the JSON context stored on the row (so a preview, a retry and the send all show the same).
"""

from __future__ import annotations

import datetime as dt
import email.policy
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from compliance.imprints import email_imprint
from messaging.models import Category, is_marketing
from organiser import clock

UNSUBSCRIBE_SALT = "messaging.unsubscribe"


#: How long an unsubscribe link works (the signature carries its time); an older one sends the person to their
#: preferences page. A year: longer than any message is kept in a mailbox's "recent" view, short enough that a
#: link found in an old leak stops working.
UNSUBSCRIBE_MAX_AGE = 366 * 24 * 3600


def unsubscribe_token(user_id: int | None = None, *, supporter_id: int | None = None) -> str:
    """A signed token naming the person (an account's id, or ``"s<id>"`` for a supporter without one), valid
    ``UNSUBSCRIBE_MAX_AGE``: the link works without logging in."""
    return signing.dumps(user_id if supporter_id is None else f"s{supporter_id}", salt=UNSUBSCRIBE_SALT)


def recipient_for_token(token: str) -> tuple[str, int] | None:
    """``("user", id)`` or ``("supporter", id)`` for a valid token, else None."""
    try:
        value = signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=UNSUBSCRIBE_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired is one
        return None
    if isinstance(value, str) and value.startswith("s") and value[1:].isdigit() and value[1:].isascii():
        return "supporter", int(value[1:])
    if isinstance(value, int) and not isinstance(value, bool):
        return "user", value
    return None


def user_for_token(token: str) -> int | None:
    found = recipient_for_token(token)
    return found[1] if found and found[0] == "user" else None


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def unsubscribe_url(user_id: int | None = None, *, supporter_id: int | None = None) -> str:
    return absolute(reverse("messaging:unsubscribe", args=[unsubscribe_token(user_id, supporter_id=supporter_id)]))


def local_when(starts_at: dt.datetime, ends_at: dt.datetime) -> str:
    """``Sunday 29 March, 10:00 to 12:00`` in UK time (BST or GMT as on that day)."""
    start, end = clock.local(starts_at), clock.local(ends_at)
    day = date_format(start, "l j F")
    return _("%(day)s, %(start)s to %(end)s") % {
        "day": day,
        "start": start.strftime("%H:%M"),
        "end": end.strftime("%H:%M"),
    }


SERVICE_NOTE = _(
    "It is about something you asked for, so it comes whatever you chose about campaign emails; you can turn "
    "these off in your message preferences."
)


def _reason(category: str, consent_given_at: dt.datetime | None, kind: str = "") -> str:
    campaign = settings.CAMPAIGN_NAME
    since = date_format(clock.local(consent_given_at), "j F Y") if consent_given_at else ""
    if kind and not is_marketing(kind) and category != Category.ACCOUNT:
        # A service message (messaging.models.Purpose): no opt-in to cite.
        if kind == "digest_organiser":
            why = _("You get this weekly report because you organise seats for %(campaign)s.")
        elif category == Category.RESULTS:
            why = _("You get this because you organise this seat for %(campaign)s.")
        elif category == Category.SHIFT_ALERTS:
            why = _("You get this because you lead this shift for %(campaign)s.")
        else:
            why = _("You get this because you signed up for this shift with %(campaign)s.")
        return f"{why % {'campaign': campaign}} {SERVICE_NOTE}"
    if category == Category.ACCOUNT:
        return _("You get this because someone asked for a link to the data %(campaign)s holds for this address.") % {
            "campaign": campaign
        }
    if category == Category.UPDATES:
        return _("You get this because you asked to hear from %(campaign)s and agreed to emails on %(since)s.") % {
            "campaign": campaign,
            "since": since,
        }
    if category == Category.RESULTS:
        return _(
            "You get this because you volunteer in this seat with %(campaign)s and agreed to emails on %(since)s."
        ) % {"campaign": campaign, "since": since}
    if category == Category.SHIFT_ALERTS:
        return _("You get this because you lead this shift for %(campaign)s and agreed to emails on %(since)s.") % {
            "campaign": campaign,
            "since": since,
        }
    if category == Category.DIGEST:
        return _(
            "You get this weekly digest because you volunteer with %(campaign)s and agreed to emails on %(since)s."
        ) % {"campaign": campaign, "since": since}
    return _("You get this because you signed up for a shift with %(campaign)s and agreed to emails on %(since)s.") % {
        "campaign": campaign,
        "since": since,
    }


class CampaignEmail(EmailMultiAlternatives):
    """An email whose headers are folded only past RFC 5322's 998-character limit: the long one-click URL
    in ``List-Unsubscribe`` has no spaces to fold at, and Python's 78-column folding would otherwise turn it
    into an RFC 2047 encoded word that mail clients do not read as a URL."""

    def message(self, *, policy=email.policy.SMTP):
        return super().message(policy=policy.clone(max_line_length=998))


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    unsubscribe_url: str
    marketing: bool = True  # campaign content: one-click unsubscribe headers (service messages have none)


def render_email(
    *,
    kind: str,
    category: str,
    context: dict,
    user_id: int | None,
    language: str,
    consent_given_at=None,
    supporter_id: int | None = None,
) -> Rendered:
    """The triple for one message, rendered in ``language``, to an account (``user_id``) or a supporter."""
    one_click = unsubscribe_url(user_id, supporter_id=supporter_id)
    # A supporter has no account to log in to: their choices are made from an emailed link to their data.
    preferences = reverse("messaging:preferences") if supporter_id is None else reverse("conversations:my_data")
    with translation.override(language or settings.LANGUAGE_CODE):
        full = {
            **context,
            "campaign_name": settings.CAMPAIGN_NAME,
            "site_url": settings.SITE_URL,
            "unsubscribe_url": one_click,
            "preferences_url": absolute(preferences),
            "reason": _reason(category, consent_given_at, kind),
            "marketing": is_marketing(kind),
            "language": language,
            "imprint": email_imprint(kind),
        }
        subject = render_to_string(f"messaging/email/{kind}.subject.txt", full)
        subject = " ".join(subject.split())
        text = render_to_string(f"messaging/email/{kind}.txt", full)
        html = render_to_string(f"messaging/email/{kind}.html", full)
    return Rendered(subject=subject, text=text, html=html, unsubscribe_url=one_click, marketing=is_marketing(kind))


def render_sms(*, kind: str, context: dict, language: str) -> str:
    with translation.override(language or settings.LANGUAGE_CODE):
        full = {**context, "campaign_name": settings.CAMPAIGN_NAME}
        return " ".join(render_to_string(f"messaging/sms/{kind}.txt", full).split())


def _host() -> str:
    return settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "localhost"


def build_email(
    *, outbox_id: int, to: str, rendered: Rendered, user_id: int | None, supporter_id: int | None = None, attachments=()
) -> EmailMultiAlternatives:
    """The MIME message: text with an HTML alternative, attachments, and the unsubscribe headers.

    The Message-ID is derived from the outbox row, so a resend after a crash carries the same id (receiving
    systems can recognise it)."""
    unsubscribe = f"<{rendered.unsubscribe_url}>"
    if mailto := getattr(settings, "MESSAGING_UNSUBSCRIBE_MAILTO", ""):
        token = unsubscribe_token(user_id, supporter_id=supporter_id)
        unsubscribe += f", <mailto:{mailto}?subject=unsubscribe-{token}>"
    message = CampaignEmail(
        subject=rendered.subject,
        body=rendered.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={
            "Message-ID": f"<outbox-{outbox_id}@{_host()}>",
            "X-Organiser-Outbox": str(outbox_id),
            "Auto-Submitted": "auto-generated",
        },
    )
    if rendered.marketing:
        # RFC 8058 one-click unsubscribe, for campaign content (a service message links to the preferences).
        message.extra_headers["List-Unsubscribe"] = unsubscribe
        message.extra_headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.attach_alternative(rendered.html, "text/html")
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    return message
