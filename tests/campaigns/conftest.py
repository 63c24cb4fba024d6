"""Fixtures for the campaigns tests: the real 2024 election imported from campaigns/data."""

from __future__ import annotations

import pytest

from campaigns.models import Election
from campaigns.services.demo import demo_load


@pytest.fixture
def real_2024(db) -> Election:
    """The real 2024 results, notional 2019, census religion, candidates and hex map (no HoC demographics)."""
    demo_load(with_demographics=False)
    return Election.objects.get(slug="parl.2024-07-04")
