"""Signed, expiring tokens for the links conversations sends: a supporter's link to their data, and a volunteer's
"confirm or cancel" and "how did it go" links. A token names one purpose and one row and carries its expiry; it
is checked against ``organiser.clock`` (so tests move it with the clock), and a token made for one purpose never
opens another. Tokens are credentials: the links that carry them are never logged or shown to anyone else.
"""

from __future__ import annotations

import datetime as dt

from django.core import signing

from organiser import clock

SALT = "conversations.links"
PURPOSES = frozenset({"data", "confirm", "feedback"})


def make(*, purpose: str, subject_id: int, expires_at: dt.datetime) -> str:
    """A URL-safe token for ``purpose`` on row ``subject_id``, valid until ``expires_at``."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown link purpose {purpose!r}")
    return signing.dumps({"p": purpose, "i": subject_id, "e": int(expires_at.timestamp())}, salt=SALT, compress=True)


def read(token: str, *, purpose: str, now: dt.datetime | None = None) -> int | None:
    """The row id a valid, unexpired token for ``purpose`` names; None for anything else (forged, altered,
    expired, or made for another purpose)."""
    try:
        payload = signing.loads(token, salt=SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(payload, dict) or payload.get("p") != purpose:
        return None
    subject_id, expires = payload.get("i"), payload.get("e")
    if not (isinstance(subject_id, int) and isinstance(expires, int)) or isinstance(subject_id, bool):
        return None
    if (now or clock.now()).timestamp() >= expires:
        return None
    return subject_id
