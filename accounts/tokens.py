"""API tokens: made for oneself only, shown once, stored as a SHA-256 digest with a short prefix to list them by.

A key is ``org_<prefix>_<secret>`` (the prefix is 8 hex characters, the secret 40 URL-safe characters, 240
bits). :class:`HashedTokenAuthentication` (the API's token scheme, ``Authorization: Token <key>``) hashes what
it is given and looks the digest up; a token works only while its owner's account is active, and with the same
scope as its owner's session (register grants need the owner's authenticator: organiser.scope).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.core.exceptions import PermissionDenied
from django.db import transaction
from rest_framework import authentication, exceptions

from organiser import clock, scope

KEY_PREFIX = "org_"


def digest_of(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def _prefix_of(key: str) -> str | None:
    if not key.startswith(KEY_PREFIX):
        return None
    prefix, _, secret = key.removeprefix(KEY_PREFIX).partition("_")
    return prefix if len(prefix) == 8 and secret else None


def new_key() -> tuple[str, str]:
    """A fresh ``(prefix, key)``; store ``digest_of(key)``, never the key (benchmarks bulk-create with this)."""
    prefix = secrets.token_hex(4)
    return prefix, f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(30)}"


@transaction.atomic
def token_create(*, user, owner, name: str = ""):
    """Make a token for ``owner``; only ``owner`` may (nobody mints a token that acts as someone else).
    Returns ``(token, key)``: the key exists only in this return value, to be shown once."""
    from accounts.models import ApiToken, AuditEntry
    from organiser import audit
    from volunteers.notices import notify

    if scope.is_system(user) or user is None or not user.is_authenticated or user.pk != owner.pk:
        raise PermissionDenied("Only the account's owner makes its API tokens.")
    if not owner.is_active:
        raise PermissionDenied("That account is not active.")
    prefix, key = new_key()
    while ApiToken.objects.filter(prefix=prefix).exists():
        prefix, key = new_key()
    token = ApiToken.objects.create(user=owner, name=name[:100], prefix=prefix, digest=digest_of(key))
    audit.record(subject=owner, what=AuditEntry.What.TOKEN, after=f"+ {prefix} {name}".strip())
    notify(user=owner, subject="A new API token", lines=[f"An API token {prefix}… was made for your account."])
    return token, key


@transaction.atomic
def token_revoke(*, user, token) -> None:
    """Revoke a token: its owner, or a national organiser (who never sees the key)."""
    from accounts.models import AuditEntry
    from organiser import audit

    if not (user.is_authenticated and (user.pk == token.user_id or user.is_national_organiser)):
        raise PermissionDenied("Only its owner or a national organiser revokes a token.")
    audit.record(subject=token.user, what=AuditEntry.What.TOKEN, before=token.prefix, after="- revoked")
    token.delete()


def token_user(key: str):
    """The token and its active owner for a presented key, or None."""
    from accounts.models import ApiToken

    prefix = _prefix_of(key)
    if prefix is None:
        return None
    token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.digest, digest_of(key)) or not token.user.is_active:
        return None
    return token


class HashedTokenAuthentication(authentication.TokenAuthentication):
    """``Authorization: Token <key>`` against the stored digest (the key itself is never stored)."""

    def authenticate_credentials(self, key):
        token = token_user(key)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        now = clock.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 300:
            type(token).objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token
