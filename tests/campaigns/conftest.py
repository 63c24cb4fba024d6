"""Fixtures for the campaigns tests: the real 2024 election imported from campaigns/data."""

from __future__ import annotations

import pytest

from campaigns.models import Constituency, Election
from campaigns.services.demo import demo_load


@pytest.fixture
def real_2024(db) -> Election:
    """The real 2024 results, notional 2019, census religion, candidates and hex map (no HoC demographics)."""
    demo_load(with_demographics=False)
    return Election.objects.get(slug="parl.2024-07-04")


@pytest.fixture
def seat_a(db) -> Constituency:
    """Ilford North under its real code, so it coexists with the real data (overrides the project fixture)."""
    return Constituency.objects.get_or_create(
        code="E14001300", defaults={"name": "Ilford North", "nation": "England", "region_name": "London"}
    )[0]


@pytest.fixture
def seat_b(db) -> Constituency:
    return Constituency.objects.get_or_create(
        code="E14001102", defaults={"name": "Blackburn", "nation": "England", "region_name": "North West"}
    )[0]
