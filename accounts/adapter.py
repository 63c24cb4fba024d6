"""allauth's adapter: the links account emails carry (password reset, address confirmation) are built on
``SITE_URL``, never on the Host header of the request that asked for them (a forged Host would send the reset
key to another site)."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


def on_site(url: str) -> str:
    """``url`` with the scheme and host of SITE_URL."""
    site = urlsplit(settings.SITE_URL)
    parts = urlsplit(url)
    return urlunsplit((site.scheme, site.netloc, parts.path, parts.query, parts.fragment))


class PinnedSite:
    """What account emails call the site ("Hello from …"): SITE_URL's host, never the request's."""

    def __init__(self) -> None:
        self.domain = urlsplit(settings.SITE_URL).netloc
        self.name = self.domain

    def __str__(self) -> str:
        return self.domain


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        super().send_mail(template_prefix, email, {**context, "current_site": PinnedSite()})

    def get_reset_password_from_key_url(self, key: str) -> str:
        return on_site(super().get_reset_password_from_key_url(key))

    def get_email_confirmation_url(self, request, emailconfirmation) -> str:
        return on_site(super().get_email_confirmation_url(request, emailconfirmation))
