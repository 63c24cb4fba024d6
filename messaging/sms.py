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
from typing import Protocol

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
