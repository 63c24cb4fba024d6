"""Fixtures for the volunteers' tests: a postcodes.io stand-in on loopback (tests/fakes.py)."""

from __future__ import annotations

import pytest

from tests.fakes import FakePostcodesIO


@pytest.fixture
def postcode_lookup(settings):
    with FakePostcodesIO() as lookup:
        settings.POSTCODE_LOOKUP_URL = lookup.url
        yield lookup


@pytest.fixture(autouse=True)
def _no_lookup_by_default(settings):
    """No test reaches the real postcodes.io; tests that want a lookup use ``postcode_lookup``."""
    settings.POSTCODE_LOOKUP_URL = ""


@pytest.fixture(autouse=True)
def _sends_not_queued(monkeypatch):
    """Messages the services write to the outbox are not queued to the broker from these tests (the
    messaging tests send them); the queued batches are recorded instead."""
    queued: list = []
    try:
        from messaging import tasks
    except ImportError:
        yield queued
        return
    monkeypatch.setattr(tasks.send_outbox_batch, "delay", lambda ids: queued.append(ids))
    yield queued
