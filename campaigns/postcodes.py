"""UK postcodes: validate and normalise them, and find the Westminster seat of one.

The one postcode client of the project (the public "who do you endorse where I live" search and
volunteers' sign-up both use it). It speaks the postcodes.io JSON shape through a configurable
provider (setting ``POSTCODE_LOOKUP_URL``, a URL template with ``{postcode}``). A failure is
answered as a clear reason, never raised to the page.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from urllib.parse import quote

import requests
from django.conf import settings
from django.core.exceptions import ValidationError

logger = logging.getLogger(__name__)

# The outward code (area, district) and inward code (sector, unit); BFPO and overseas territories are not seats.
POSTCODE_RE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][ABD-HJLNP-UW-Z]{2})$")
GSS_CODE_RE = re.compile(r"[ESWN]\d{8}")

UNAVAILABLE = "The postcode service is unavailable right now; search by constituency name instead."


@dataclass
class Lookup:
    """What the provider said: the seat's GSS code, or why there is none."""

    code: str | None = None
    problem: str | None = None


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text or "").upper()


def looks_like_postcode(text: str) -> bool:
    return bool(POSTCODE_RE.match(_compact(text)))


def normalise_postcode(value: str) -> str:
    """``"ig62aa"`` → ``"IG6 2AA"``; raises ValidationError for anything that is not a UK postcode."""
    match = POSTCODE_RE.match(_compact(value))
    if not match:
        raise ValidationError("Enter a UK postcode, like IG6 2AA.", code="invalid_postcode")
    return f"{match.group(1)} {match.group(2)}"


def constituency_code_for_postcode(postcode: str) -> Lookup:
    """Ask the provider for the 2024 Westminster seat of ``postcode``."""
    template = getattr(settings, "POSTCODE_LOOKUP_URL", None)
    if not template:
        return Lookup(problem="Postcode search is not available here; search by constituency name instead.")
    try:
        response = requests.get(
            template.replace("{postcode}", quote(_compact(postcode))),
            timeout=getattr(settings, "POSTCODE_LOOKUP_TIMEOUT", 3.0),
        )
    except requests.RequestException:
        logger.info("postcode lookup unavailable for %s", _compact(postcode)[:4])
        return Lookup(problem=UNAVAILABLE)
    if response.status_code == 404:
        return Lookup(problem="We could not find that postcode. Check it, or search by constituency name.")
    if response.status_code != 200:
        return Lookup(problem=UNAVAILABLE)
    try:
        result = response.json().get("result") or {}
        codes = result.get("codes") or {}
        code = (
            codes.get("parliamentary_constituency_2024")
            or result.get("parliamentary_constituency_2024")
            or codes.get("parliamentary_constituency")
        )
    except (ValueError, AttributeError):
        code = None
    if not (isinstance(code, str) and GSS_CODE_RE.fullmatch(code)):
        return Lookup(problem="The postcode service gave no constituency for that postcode.")
    return Lookup(code=code)


def constituency_for_postcode(postcode: str):
    """The Constituency of ``postcode`` where the provider knows it and we hold that seat, else None."""
    from campaigns.models import Constituency

    code = constituency_code_for_postcode(postcode).code
    return Constituency.objects.filter(code=code).first() if code else None
