"""Reads: the national summary, seat lists and pages, demographic shares and the scatter, all set-based in SQL.

Every selector issues a fixed number of queries whatever the number of seats or candidates.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FilteredRelation,
    FloatField,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, NullIf

from campaigns import parties
from campaigns.importers.demographics import CENSUS_RELIGION_SOURCE
from campaigns.models import (
    Candidacy,
    Constituency,
    DemographicValue,
    Election,
    Endorsement,
    NotionalVote,
    Result,
)

# Sources whose values are counts (share = value / the sum of its topic), the others hold shares already.
COUNT_SOURCES = {CENSUS_RELIGION_SOURCE}
MUSLIM = (CENSUS_RELIGION_SOURCE, "Muslim")


SEAT_NAME_VARIANTS = (
    (re.compile(r"\bsaint\b", re.IGNORECASE), "St"),
    (re.compile(r"\bst\b\.?", re.IGNORECASE), "Saint"),
    (re.compile(r"\bst\.", re.IGNORECASE), "St"),
    (re.compile(r"\s*&\s*"), " and "),
)


def seats_named(query: str) -> QuerySet[Constituency]:
    """Seats whose name contains ``query`` as people write it: "Saint Albans" finds St Albans, "St. Ives" St
    Ives, "Richmond & Northallerton" the one with "and" (one query)."""
    query = " ".join(query.split())
    variants = {query} | {pattern.sub(replacement, query) for pattern, replacement in SEAT_NAME_VARIANTS}
    condition = Q()
    for variant in variants:
        condition |= Q(name__icontains=variant)
    return Constituency.objects.filter(condition)


def election_list() -> QuerySet[Election]:
    return Election.objects.order_by("-date")


# --- national summary -------------------------------------------------------------------------------------------


def election_summary(*, election: Election) -> dict:
    """Seats and votes per party (Labour and Labour Co-op together as ``Lab``; independents as ``Ind``), and
    turnout (valid votes / electorate over the seats whose electorate is known). Two queries."""
    totals = Result.objects.filter(election=election).aggregate(
        seats_declared=Count("pk", filter=Q(winner__isnull=False)),
        total_electorate=Sum("electorate"),
        valid_votes_with_electorate=Sum("valid_votes", filter=Q(electorate__isnull=False)),
        total_valid_votes=Sum("valid_votes"),
        total_invalid_votes=Sum("invalid_votes"),
    )
    rows = (
        Candidacy.objects.filter(election=election)
        .values(abbreviation=Coalesce(F("party__abbreviation"), Value(parties.INDEPENDENT)))
        .annotate(
            name=Coalesce(Min("party__name"), Value("Independent")),
            seats=Count("pk", filter=Q(elected=True)),
            votes=Coalesce(Sum("votes"), 0),
            candidates=Count("pk"),
        )
        .order_by("-seats", "-votes", "abbreviation")
    )
    total_votes = sum(r["votes"] for r in rows)
    party_rows = [
        {
            **row,
            "colour": parties.colour_for(row["abbreviation"]),
            "share": row["votes"] / total_votes if total_votes else None,
            "share_pct": 100 * row["votes"] / total_votes if total_votes else None,
        }
        for row in rows
    ]
    electorate = totals["total_electorate"]
    return {
        "election": {"slug": election.slug, "name": election.name, "date": election.date.isoformat()},
        "seats": totals["seats_declared"],
        "votes": total_votes,
        "electorate": electorate,
        "valid_votes": totals["total_valid_votes"],
        "invalid_votes": totals["total_invalid_votes"],
        "turnout": totals["valid_votes_with_electorate"] / electorate if electorate else None,
        "turnout_pct": 100 * totals["valid_votes_with_electorate"] / electorate if electorate else None,
        "parties": party_rows,
    }


# --- demographic shares -----------------------------------------------------------------------------------------


def demographic_share_expression(source: str, variable: str, seat_path: str = "pk"):
    """A subquery giving each seat's share (0-1) of ``variable`` from ``source`` (e.g. Muslim % of residents:
    census religion code 6 over codes 1-9)."""
    value = DemographicValue.objects.filter(constituency_id=OuterRef(seat_path), source=source, variable=variable)
    if source not in COUNT_SOURCES:
        return Subquery(value.values("value")[:1], output_field=FloatField())
    topic_total = (
        DemographicValue.objects.filter(
            constituency_id=OuterRef(OuterRef(seat_path)), source=source, topic=OuterRef("topic")
        )
        .order_by()
        .values("constituency_id")
        .annotate(total=Sum("value"))
        .values("total")
    )
    share = value.annotate(share=F("value") / NullIf(Subquery(topic_total, output_field=FloatField()), 0.0))
    return Subquery(share.values("share")[:1], output_field=FloatField())


# --- seats ------------------------------------------------------------------------------------------------------


def party_votes_subquery(election: Election, abbreviation: str, seat_path: str = "pk") -> Subquery:
    votes = (
        Candidacy.objects.filter(
            election=election, constituency_id=OuterRef(seat_path), party__abbreviation=abbreviation
        )
        .order_by()
        .values("constituency_id")
        .annotate(total=Sum("votes"))
        .values("total")
    )
    return Subquery(votes, output_field=IntegerField())


def seats_annotated(queryset: QuerySet[Constituency], *, election: Election) -> QuerySet[Constituency]:
    """Seats with this election's result, notional result and target joined in (one query)."""
    return queryset.annotate(
        res=FilteredRelation("results", condition=Q(results__election=election)),
        notional=FilteredRelation("notional_results", condition=Q(notional_results__election=election)),
        target=FilteredRelation("targets", condition=Q(targets__election=election)),
    ).annotate(
        result_id=F("res__pk"),
        majority=F("res__majority"),
        electorate=F("res__electorate"),
        valid_votes=F("res__valid_votes"),
        result_text=F("res__result_text"),
        declared_at=F("res__declared_at"),
        winner_candidacy_id=F("res__winner_id"),
        winner_name=F("res__winner__person__name"),
        winner_votes=F("res__winner__votes"),
        winner_party=Case(
            When(res__winner__isnull=True, then=Value(None)),
            default=Coalesce(F("res__winner__party__abbreviation"), Value(parties.INDEPENDENT)),
        ),
        turnout=Cast(F("res__valid_votes"), FloatField()) / NullIf(F("res__electorate"), 0),
        notional_majority=F("notional__majority"),
        notional_winner=F("notional__winner"),
        majority_change=F("res__majority") - F("notional__majority"),
        tier=F("target__tier"),
        score=F("target__score"),
    )


@dataclass
class SeatFilters:
    nation: str = ""
    region: str = ""
    tier: int | None = None
    winner: str = ""
    majority_min: int | None = None
    majority_max: int | None = None
    declared: str = ""  # "yes" | "no" | ""
    q: str = ""


def seat_list(*, seats: QuerySet[Constituency], election: Election, filters: SeatFilters) -> QuerySet[Constituency]:
    """The seats an organiser may see (``seats`` is already scoped), filtered and annotated; one query."""
    qs = seats_annotated(seats, election=election)
    if filters.nation:
        qs = qs.filter(nation=filters.nation)
    if filters.region:
        qs = qs.filter(region_code=filters.region)
    if filters.tier is not None:
        qs = qs.filter(target__tier=filters.tier)
    if filters.winner:
        qs = qs.filter(winner_party=filters.winner)
    if filters.majority_min is not None:
        qs = qs.filter(majority__gte=filters.majority_min)
    if filters.majority_max is not None:
        qs = qs.filter(majority__lte=filters.majority_max)
    if filters.declared == "yes":
        qs = qs.filter(res__winner__isnull=False)
    elif filters.declared == "no":
        qs = qs.exclude(res__winner__isnull=False)
    if filters.q:
        qs = qs.filter(Q(name__icontains=filters.q) | Q(code__iexact=filters.q))
    return qs.order_by("name")


SEATS_PER_PAGE = 100


def seat_page(seats: QuerySet[Constituency], *, number: str | int | None, per_page: int = SEATS_PER_PAGE) -> Page:
    """One page of a :func:`seat_list` in two queries whatever the page: the count of seats and of declared
    seats together, then the page's rows. A page number out of range gives the nearest page."""
    totals = seats.aggregate(count=Count("pk"), declared=Count("pk", filter=Q(winner_party__isnull=False)))
    paginator = Paginator(seats, per_page)
    paginator.count = totals["count"]  # the aggregate above counted already (``count`` is a cached property)
    page = paginator.get_page(number)
    page.declared = totals["declared"]
    return page


def region_choices() -> list[tuple[str, str]]:
    """One choice per region (code, name); a region written under a stray code as well is listed once."""
    return list(
        Constituency.objects.filter(region_code__regex=r"^[ENSW][0-9]{8}$")
        .order_by("region_name", "region_code")
        .values_list("region_code", "region_name")
        .distinct()
    )


def seat_detail(*, seats: QuerySet[Constituency], election: Election, code: str, public: bool = False) -> dict | None:
    """Everything the seat page shows, in a fixed number of queries (seat, candidates, notional votes,
    demographics, endorsement). ``public``: what the public seat page shows: the result and a published
    endorsement only (no demographics, no endorsement still proposed or under review)."""
    seat = seats_annotated(seats, election=election)
    if not public:
        seat = seat.annotate(muslim_share=demographic_share_expression(*MUSLIM))
    seat = seat.filter(code=code).first()
    if seat is None:
        return None
    candidacies = list(
        Candidacy.objects.filter(election=election, constituency=seat)
        .select_related("person", "party")
        .order_by(F("votes").desc(nulls_last=True), "person__name")
    )
    notional = list(
        NotionalVote.objects.filter(notional_result__election=election, notional_result__constituency=seat)
        .order_by("-votes")
        .values("party_abbreviation", "votes", "share")
    )
    demographics = (
        []
        if public
        else list(
            DemographicValue.objects.filter(constituency=seat, topic__in=["Religion", "Ethnic group"])
            .order_by("source", "topic", "-value")
            .values("source", "topic", "variable", "value", "nation_value")
        )
    )
    endorsements = Endorsement.objects.filter(election=election, constituency=seat)
    if public:
        endorsements = endorsements.filter(status=Endorsement.Status.ENDORSED)
    endorsement = endorsements.select_related("candidacy__person", "candidacy__party").first()
    valid = seat.valid_votes or sum(c.votes or 0 for c in candidacies)
    shares: dict[str, float] = {}
    for c in candidacies:
        if c.votes is not None and valid:
            shares[c.abbreviation] = shares.get(c.abbreviation, 0) + c.votes / valid
    notional_shares = {n["party_abbreviation"]: n["share"] for n in notional}
    share_change = [
        {
            "party": abbreviation,
            "share": shares.get(abbreviation),
            "notional_share": notional_shares.get(abbreviation),
            "change": (shares.get(abbreviation) or 0) - (notional_shares.get(abbreviation) or 0),
            "colour": parties.colour_for(abbreviation),
        }
        for abbreviation in sorted(set(shares) | set(notional_shares) - {"Other"}, key=lambda a: -(shares.get(a) or 0))
    ]
    return {
        "seat": seat,
        "candidacies": candidacies,
        "notional": notional,
        "share_change": share_change,
        "demographics": demographic_rows(demographics),
        "endorsement": endorsement,
    }


def demographic_rows(values: list[dict]) -> list[dict]:
    """One row per topic and group: the census count (a number of residents) beside the estimated share (0-1)
    and the nation's share, largest share first within each topic."""
    rows: dict[tuple[str, str], dict] = {}
    for v in values:
        row = rows.setdefault(
            (v["topic"], v["variable"]),
            {"topic": v["topic"], "variable": v["variable"], "count": None, "share": None, "nation_share": None},
        )
        if v["source"] == CENSUS_RELIGION_SOURCE:
            row["count"] = v["value"]
        else:
            row["share"], row["nation_share"] = v["value"], v["nation_value"]
    return sorted(rows.values(), key=lambda r: (r["topic"] != "Religion", r["topic"], -(r["share"] or 0)))


# --- the scatter: Labour's share change against the Muslim share of residents ------------------------------------


@dataclass
class Fit:
    points: list[dict]
    slope: float | None
    intercept: float | None
    r: float | None

    @property
    def n(self) -> int:
        return len(self.points)


def share_change_vs_demographic(
    *, election: Election, party: str = "Lab", source: str = MUSLIM[0], variable: str = MUSLIM[1]
) -> Fit:
    """Per seat: x = the demographic share (%), y = the party's share change vs the notional result (points);
    with the least-squares line and Pearson's r. One query."""
    rows = (
        Constituency.objects.annotate(
            res=FilteredRelation("results", condition=Q(results__election=election)),
            x=demographic_share_expression(source, variable),
            party_votes=party_votes_subquery(election, party),
            notional_share=Subquery(
                NotionalVote.objects.filter(
                    notional_result__election=election,
                    notional_result__constituency_id=OuterRef("pk"),
                    party_abbreviation=party,
                ).values("share")[:1],
                output_field=FloatField(),
            ),
        )
        .annotate(
            y=Cast(Coalesce(F("party_votes"), 0), FloatField()) / NullIf(F("res__valid_votes"), 0)
            - Coalesce(F("notional_share"), 0.0)
        )
        .filter(x__isnull=False, y__isnull=False, res__valid_votes__gt=0)
        .order_by("name")
        .values("code", "name", "x", "y")
    )
    points = [{**row, "x": row["x"] * 100, "y": row["y"] * 100} for row in rows]
    if len(points) < 3:
        return Fit(points, None, None, None)
    xs = [p["x"] for p in points]
    ys = [p["y"] for p in points]
    slope, intercept = statistics.linear_regression(xs, ys)
    return Fit(points, slope, intercept, statistics.correlation(xs, ys))


# --- endorsements (public) --------------------------------------------------------------------------------------


def endorsed_list(*, election: Election) -> QuerySet[Endorsement]:
    """Publicly endorsed candidates, by seat (one query)."""
    return (
        Endorsement.objects.filter(election=election, status=Endorsement.Status.ENDORSED)
        .select_related("constituency", "candidacy__person", "candidacy__party")
        .order_by("constituency__name")
    )


def endorsement_for_seats(*, election: Election, seats: QuerySet[Constituency], limit: int = 20) -> list[dict]:
    """For each seat: its endorsed candidate, or None (one query)."""
    endorsed = Endorsement.objects.filter(
        election=election, status=Endorsement.Status.ENDORSED, constituency_id=OuterRef("pk")
    )
    rows = (
        seats.annotate(
            endorsed_name=Subquery(endorsed.values("candidacy__person__name")[:1]),
            endorsed_party=Subquery(endorsed.values("candidacy__party__name")[:1]),
            endorsed_statement=Subquery(endorsed.values("statement")[:1]),
            has_endorsement=Exists(endorsed),
        )
        .order_by("name")
        .values("code", "name", "endorsed_name", "endorsed_party", "endorsed_statement", "has_endorsement")
    )
    return list(rows[:limit])


def hexmap_seats(*, election: Election, colour_by: str, source: str = "", variable: str = "") -> list[dict]:
    """The seats with a hex position, their winner, tier and (optionally) a demographic share (one query)."""
    qs = seats_annotated(Constituency.objects.filter(hex_q__isnull=False), election=election)
    if colour_by == "demographic" and source and variable:
        qs = qs.annotate(share=demographic_share_expression(source, variable))
    else:
        qs = qs.annotate(share=Value(None, output_field=FloatField()))
    return list(qs.values("code", "name", "hex_q", "hex_r", "winner_party", "tier", "share"))
