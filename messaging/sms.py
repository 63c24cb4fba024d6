"""Sending texts: a small provider interface with an HTTP provider (a Twilio-style form POST) and a
development backend that appends to ``var/sms.log``. Numbers are E.164 (``+447911123456``)."""

from __future__ import annotations

import base64
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import NamedTuple, Protocol

from django.conf import settings

from messaging.conf import setting
from organiser import clock

E164 = re.compile(r"^\+[1-9]\d{6,14}$")


class TransientSendError(Exception):
    """The provider could not take the message now (connection, 5xx, 429): try again later."""


class PermanentSendError(Exception):
    """The provider refused the message for good (a bad number, 4xx): do not retry."""


class SMSBackend(Protocol):
    def send(self, *, to: str, body: str, reference: str) -> str:
        """Send one text; return the provider's id for it."""


class HTTPSMSBackend:
    """POST ``To``, ``From``, ``Body`` as a form to ``SMS_PROVIDER_URL`` with HTTP Basic auth from
    ``SMS_API_KEY`` (``account:token``); a 2xx JSON answer's ``sid`` (or ``id``) is the message's id."""

    def __init__(self, url: str, api_key: str, sender: str, timeout: float = 10.0) -> None:
        if not url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
            raise ValueError("SMS_PROVIDER_URL must be https (or loopback for development)")
        self.url, self.api_key, self.sender, self.timeout = url, api_key, sender, timeout

    def send(self, *, to: str, body: str, reference: str) -> str:
        data = urllib.parse.urlencode({"To": to, "From": self.sender, "Body": body, "Reference": reference}).encode()
        request = urllib.request.Request(self.url, data=data, method="POST")  # noqa: S310 (scheme checked above)
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
        request.add_header("Authorization", "Basic " + base64.b64encode(self.api_key.encode()).decode())
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                payload = response.read()
        except urllib.error.HTTPError as error:
            detail = f"SMS provider answered {error.code}: {error.read()[:200]!r}"
            if error.code == 429 or error.code >= 500:
                raise TransientSendError(detail) from error
            raise PermanentSendError(detail) from error
        except (urllib.error.URLError, OSError) as error:
            raise TransientSendError(f"SMS provider unreachable: {error}") from error
        try:
            answer = json.loads(payload or b"{}")
        except ValueError:
            answer = {}
        return str(answer.get("sid") or answer.get("id") or "")


class FileSMSBackend:
    """Development: one line per text in ``var/sms.log``."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def send(self, *, to: str, body: str, reference: str) -> str:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps({"at": clock.now().isoformat(), "to": to, "body": body, "reference": reference})
        with self.path.open("a", encoding="utf-8") as log:
            log.write(line + "\n")
        return reference


def sms_backend() -> SMSBackend:
    url = setting("SMS_PROVIDER_URL")
    if url:
        return HTTPSMSBackend(url, setting("SMS_API_KEY"), setting("SMS_FROM", settings.CAMPAIGN_NAME[:11]))
    return FileSMSBackend(Path(setting("SMS_LOG_PATH", str(settings.VAR_DIR / "sms.log"))))


def is_e164(number: str) -> bool:
    return bool(E164.match(number or ""))


# --- Length: a text's encoding and segments, as the networks count them ------------------------------------
# GSM 03.38: the basic set costs one septet a character, the extension set two (escape + character). A text with
# any other character goes as UCS-2 (UTF-16 code units): Urdu, Arabic, Bengali, Punjabi and Gujarati always do,
# and so does Welsh or Polish with ŵ, ŷ, ą, ł... Concatenated texts carry a header, so each segment holds less.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿"
    "abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")
LIMITS = {"GSM-7": (160, 153), "UCS-2": (70, 67)}


class Length(NamedTuple):
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int
    per_segment: int  # what one segment holds at this length (160/153 or 70/67)


def text_length(body: str) -> Length:
    """How ``body`` goes over the air: its encoding, its length in that encoding and its number of segments."""
    if all(char in GSM7_BASIC or char in GSM7_EXTENDED for char in body):
        encoding, units = "GSM-7", sum(2 if char in GSM7_EXTENDED else 1 for char in body)
    else:
        encoding, units = "UCS-2", len(body.encode("utf-16-le")) // 2
    single, multi = LIMITS[encoding]
    if units <= single:
        return Length(encoding, units, 1 if units else 0, single)
    return Length(encoding, units, -(-units // multi), multi)
