"""UK postcodes: validate and normalise them, and find the Westminster seat of one.

The lookup speaks the postcodes.io JSON shape (``settings.POSTCODE_LOOKUP_URL`` with ``{postcode}`` in it);
it is best-effort: any failure (no URL, timeout, unknown postcode, a seat we do not hold) answers None and the
volunteer chooses their constituency instead.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import quote

import requests
from django.conf import settings
from django.core.exceptions import ValidationError

logger = logging.getLogger(__name__)

# The outward code (area, district) and inward code (sector, unit); BFPO and overseas territories are not seats.
_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][ABD-HJLNP-UW-Z]{2})$")


def normalise_postcode(value: str) -> str:
    """``"ig62aa"`` → ``"IG6 2AA"``; raises ValidationError for anything that is not a UK postcode."""
    compact = re.sub(r"\s+", "", value or "").upper()
    match = _POSTCODE.match(compact)
    if not match:
        raise ValidationError("Enter a UK postcode, like IG6 2AA.", code="invalid_postcode")
    return f"{match.group(1)} {match.group(2)}"


def constituency_code_for_postcode(postcode: str) -> str | None:
    """The GSS code of the 2024 Westminster seat of ``postcode``, or None when the lookup cannot say."""
    url_template = getattr(settings, "POSTCODE_LOOKUP_URL", "")
    if not url_template:
        return None
    url = url_template.replace("{postcode}", quote(postcode))
    try:
        response = requests.get(url, timeout=getattr(settings, "POSTCODE_LOOKUP_TIMEOUT", 3.0))
        if response.status_code != 200:
            return None
        result = response.json().get("result") or {}
    except (requests.RequestException, ValueError, AttributeError):
        logger.info("postcode lookup failed for %s", postcode.split(" ")[0])
        return None
    if not isinstance(result, dict):
        return None
    codes = result.get("codes") or {}
    code = codes.get("parliamentary_constituency_2024") or result.get("parliamentary_constituency_2024")
    return code if isinstance(code, str) and re.fullmatch(r"[ESWN]\d{8}", code) else None


def constituency_for_postcode(postcode: str):
    """The Constituency of ``postcode`` where the lookup knows it and we hold that seat, else None."""
    from campaigns.models import Constituency

    code = constituency_code_for_postcode(postcode)
    return Constituency.objects.filter(code=code).first() if code else None
