"""Messaging's settings, each read from Django settings when defined there, else from the environment.

- ``SMS_PROVIDER_URL``, ``SMS_API_KEY`` (``account:token``, sent as HTTP Basic auth, Twilio-style),
  ``SMS_FROM``: the HTTP SMS provider; with no URL, texts are written to ``var/sms.log``.
- ``MESSAGING_RETRY_BACKOFF``: seconds before the first retry of a failed send (doubling each time).
- ``MESSAGING_MAX_RETRIES``: retries before a message is marked failed.
- ``MESSAGING_DIGEST_BATCH``: recipients per digest batch (queries per batch are constant).
- ``MESSAGING_SEND_CHUNK``: outbox rows per send task (one SMTP connection per task).
- ``MESSAGING_UNSUBSCRIBE_MAILTO``: an address for ``List-Unsubscribe`` mailto (optional).
"""

from __future__ import annotations

import os

from django.conf import settings


def setting(name: str, default: str = "") -> str:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, default)
    return value


def int_setting(name: str, default: int) -> int:
    return int(setting(name, str(default)))


def visibility_timeout() -> int:
    return int(getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}).get("visibility_timeout", 3600))


def retry_backoff() -> int:
    return int_setting("MESSAGING_RETRY_BACKOFF", 15)


def retry_backoff_max() -> int:
    """The longest wait between retries: well under the broker's visibility timeout, because a task waiting
    for its countdown holds an unacknowledged message that Redis would hand out again after the timeout."""
    return max(1, min(600, visibility_timeout() // 4))


def max_retries() -> int:
    return int_setting("MESSAGING_MAX_RETRIES", 8)
