"""Postcode to constituency through a configurable postcodes.io-style provider (setting ``POSTCODE_LOOKUP_URL``,
a URL template with ``{postcode}``). Failures are reported as a clear reason, never raised to the page."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

import requests
from django.conf import settings

POSTCODE_RE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}$")


@dataclass
class Lookup:
    code: str | None = None
    problem: str | None = None


def looks_like_postcode(text: str) -> bool:
    return bool(POSTCODE_RE.match(text.strip().upper()))


def constituency_code_for_postcode(postcode: str) -> Lookup:
    template = getattr(settings, "POSTCODE_LOOKUP_URL", None)
    if not template:
        return Lookup(problem="Postcode search is not available here; search by constituency name instead.")
    postcode = re.sub(r"\s+", "", postcode.upper())
    try:
        response = requests.get(
            template.format(postcode=quote(postcode)), timeout=getattr(settings, "POSTCODE_LOOKUP_TIMEOUT", 3.0)
        )
    except requests.RequestException:
        return Lookup(problem="The postcode service is unavailable right now; search by constituency name instead.")
    if response.status_code == 404:
        return Lookup(problem="We could not find that postcode. Check it, or search by constituency name.")
    if response.status_code != 200:
        return Lookup(problem="The postcode service is unavailable right now; search by constituency name instead.")
    try:
        result = response.json().get("result") or {}
        codes = result.get("codes") or {}
        code = codes.get("parliamentary_constituency_2024") or codes.get("parliamentary_constituency")
    except (ValueError, AttributeError):
        code = None
    if not code:
        return Lookup(problem="The postcode service gave no constituency for that postcode.")
    return Lookup(code=code)
