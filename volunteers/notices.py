"""Notices to the person a change affects: their role, staff status, seat grants, register grants, a campaign's
agent or retention date, a new API token. These are service messages about their own account (they go whatever
the person chose about marketing), sent once the transaction that made the change commits.

Each is plain text, short, and says who did what and when, and what to do if it was not expected.
"""

from __future__ import annotations

import logging
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction

from organiser import clock

logger = logging.getLogger(__name__)


def _send(to: str, subject: str, body: str) -> None:
    try:
        EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to]).send()
    except Exception:  # a notice that cannot be sent is logged; the change it tells of stands
        logger.exception("notice to %s not sent: %s", to, subject)


def notify(*, user, subject: str, lines: list[str], actor=None) -> None:
    """Email ``user`` that something changed on their account, after commit. ``actor`` is who changed it."""
    if user is None or not getattr(user, "email", ""):
        return
    when = clock.local(clock.now()).strftime("%-d %B %Y at %H:%M")
    who = getattr(actor, "email", None) or (str(actor) if actor is not None else "")
    body = "\n".join(
        [
            f"Hello {user.full_name or user.email},",
            "",
            *lines,
            "",
            f"Changed {when}" + (f" by {who}." if who else "."),
            "If you did not expect this, tell your national organiser at once.",
            "",
            f"{settings.CAMPAIGN_NAME}: {settings.SITE_URL}",
        ]
    )
    transaction.on_commit(partial(_send, user.email, f"[{settings.CAMPAIGN_NAME}] {subject}", body))
