"""Fixtures for conversations' tests: a postcodes.io fake on loopback, supporters with consents, and sends
recorded instead of queued (tests that send call ``messaging.delivery.deliver`` on the rows themselves)."""

from __future__ import annotations

import pytest

from tests.fakes import FakePostcodesIO
from tests.messaging.conftest import sms_gateway, smtp  # noqa: F401  (the SMTP server and SMS gateway fakes)


@pytest.fixture
def postcode_lookup(settings):
    with FakePostcodesIO() as lookup:
        settings.POSTCODE_LOOKUP_URL = lookup.url
        yield lookup


@pytest.fixture(autouse=True)
def _no_lookup_by_default(settings):
    settings.POSTCODE_LOOKUP_URL = ""


@pytest.fixture(autouse=True)
def queued(monkeypatch):
    """The outbox batches the services queue after commit, recorded rather than sent to the broker."""
    from messaging import tasks

    batches: list = []
    monkeypatch.setattr(tasks.send_outbox_batch, "delay", lambda ids: batches.append(ids))
    return batches
