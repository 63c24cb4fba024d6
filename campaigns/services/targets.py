"""Target scoring: each seat scores the weights of the organisers' criteria it meets, in SQL; the reasons are
written out so the page can say why each seat scored what it did."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Case, Exists, F, FloatField, IntegerField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce

from campaigns.models import Candidacy, Constituency, Election, Endorsement, Target, TargetCriteria
from campaigns.selectors import demographic_share_expression, seats_annotated
from campaigns.services.imports import existing_rows, sync_rows
from organiser import clock


def target_criteria_get(*, election: Election) -> TargetCriteria:
    return TargetCriteria.objects.get_or_create(election=election)[0]


def _ally_votes(election: Election, criteria: TargetCriteria) -> Subquery:
    allied = Q(party__abbreviation__in=criteria.split_party_abbreviations or [])
    if criteria.split_independents:
        allied |= Q(party__isnull=True)
    votes = (
        Candidacy.objects.filter(allied, election=election, constituency_id=OuterRef("pk"), elected=False)
        .order_by()
        .values("constituency_id")
        .annotate(total=Sum("votes"))
        .values("total")
    )
    return Subquery(votes, output_field=IntegerField())


def scored_seats(*, election: Election, criteria: TargetCriteria):
    """Every seat with its criteria features and score computed in one query."""
    winner_is_ally = Q(winner_party__in=criteria.split_party_abbreviations or [])
    if criteria.split_independents:
        winner_is_ally |= Q(winner_party="Ind")
    qs = seats_annotated(Constituency.objects.all(), election=election).annotate(
        demographic_share=demographic_share_expression(criteria.demographic_source, criteria.demographic_variable),
        ally_votes=Coalesce(_ally_votes(election, criteria), 0),
        endorsed=Exists(
            Endorsement.objects.filter(
                election=election, constituency_id=OuterRef("pk"), status=Endorsement.Status.ENDORSED
            )
        ),
    )
    qs = qs.annotate(
        small_majority=Q(majority__lt=criteria.small_majority_votes),
        collapsed=Q(notional_majority__gt=0, majority__lt=F("notional_majority") * criteria.collapse_ratio),
        demographic=Q(demographic_share__gte=criteria.demographic_threshold),
        split=Q(ally_votes__gt=F("winner_votes")) & ~winner_is_ally,
    )

    def weight(condition: str, value: float):
        return Case(When(**{condition: True}, then=Value(value)), default=Value(0.0), output_field=FloatField())

    return qs.annotate(
        target_score=weight("small_majority", criteria.small_majority_weight)
        + weight("collapsed", criteria.collapse_weight)
        + weight("demographic", criteria.demographic_weight)
        + weight("split", criteria.split_weight)
        + weight("endorsed", criteria.endorsed_weight)
    )


def reasons_for(seat, criteria: TargetCriteria) -> list[str]:
    reasons = []
    if seat.small_majority:
        reasons.append(
            f"Small majority: {seat.majority:,} votes (under {criteria.small_majority_votes:,}) "
            f"+{criteria.small_majority_weight:g}"
        )
    if seat.collapsed:
        reasons.append(
            f"Majority collapsed from {seat.notional_majority:,} (notional) to {seat.majority:,} "
            f"+{criteria.collapse_weight:g}"
        )
    if seat.demographic:
        reasons.append(
            f"{criteria.demographic_variable} share {seat.demographic_share:.1%} "
            f"(at least {criteria.demographic_threshold:.0%}) +{criteria.demographic_weight:g}"
        )
    if seat.split:
        reasons.append(
            f"Vote split: like-minded candidates polled {seat.ally_votes:,} against the winner's "
            f"{seat.winner_votes:,} +{criteria.split_weight:g}"
        )
    if seat.endorsed:
        reasons.append(f"Endorsed candidate standing +{criteria.endorsed_weight:g}")
    return reasons


def tier_for(score: float, criteria: TargetCriteria) -> int:
    if score >= criteria.tier_one_score:
        return Target.Tier.ONE
    if score >= criteria.tier_two_score:
        return Target.Tier.TWO
    if score > 0:
        return Target.Tier.THREE
    return Target.Tier.NONE


@transaction.atomic
def targets_compute(*, election: Election) -> int:
    """Score every seat under the election's criteria and store score, tier and reasons (constant queries)."""
    criteria = target_criteria_get(election=election)
    now = clock.now()
    rows = []
    for seat in scored_seats(election=election, criteria=criteria):
        rows.append(
            {
                "election_id": election.pk,
                "constituency_id": seat.pk,
                "score": seat.target_score,
                "tier": tier_for(seat.target_score, criteria),
                "reasons": reasons_for(seat, criteria),
                "computed_at": now,
            }
        )
    key = ("election_id", "constituency_id")
    fields = ["score", "tier", "reasons"]
    existing = existing_rows(Target.objects.filter(election=election), key=key, fields=fields)
    counts, _ = sync_rows(Target, key=key, fields=fields, rows=rows, existing=existing)
    return counts.created + counts.updated


@transaction.atomic
def target_criteria_update(*, user, election: Election, **values) -> TargetCriteria:
    """Organisers set the weights and thresholds; the scores are recomputed at once."""
    from django.core.exceptions import PermissionDenied

    from organiser import scope

    criteria = target_criteria_get(election=election)
    if not scope.can_change(user, criteria):
        raise PermissionDenied("Only national organisers set the target criteria.")
    for name, value in values.items():
        setattr(criteria, name, value)
    criteria.updated_by = user
    criteria.updated_at = clock.now()
    criteria.full_clean()
    criteria.save()
    targets_compute(election=election)
    return criteria
