"""Target scoring on the real data: weights, tiers and the human-readable reasons."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from campaigns.models import Target
from campaigns.services.targets import target_criteria_get, target_criteria_update, targets_compute

pytestmark = pytest.mark.django_db


def test_scores_tiers_and_reasons(real_2024):
    criteria = target_criteria_get(election=real_2024)
    criteria.split_party_abbreviations = ["WPB", "Green"]
    criteria.save()
    assert targets_compute(election=real_2024) == 650
    ilford = Target.objects.get(constituency__name="Ilford North")
    assert ilford.score == 10
    assert ilford.tier == Target.Tier.ONE
    assert ilford.reasons == [
        "Small majority: 528 votes (under 5,000) +3",
        "Majority collapsed from 9,030 (notional) to 528 +2",
        "Muslim share 30.6% (at least 10%) +3",
        "Vote split: like-minded candidates polled 16,913 against the winner's 15,647 +2",
    ]
    # An independent won Blackburn: no vote split against an ally.
    assert not any("Vote split" in r for r in Target.objects.get(constituency__name="Blackburn").reasons)
    assert targets_compute(election=real_2024) == 0  # nothing changed


def test_only_national_organisers_set_criteria_and_scores_follow(real_2024, national_organiser, seat_organiser):
    with pytest.raises(PermissionDenied):
        target_criteria_update(user=seat_organiser, election=real_2024, demographic_weight=10)
    target_criteria_update(user=national_organiser, election=real_2024, demographic_weight=10, tier_one_score=20)
    ilford = Target.objects.get(constituency__name="Ilford North")
    assert ilford.score == 3 + 2 + 10
    assert ilford.tier == Target.Tier.TWO
