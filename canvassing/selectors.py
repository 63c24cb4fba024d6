"""Reads of the register and canvassing: each a fixed number of queries whatever the rows, all through
organiser.scope (only users granted on the campaign see anything)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from canvassing.models import (
    CandidateCampaign,
    CanvassResponse,
    Elector,
    IntentionCode,
    PollingDayVote,
    PollingDistrict,
    WalkList,
    WalkListEntry,
)
from organiser import scope

#: Electors to knock up on polling day: promises and leans, not yet voted, not moved or asked to be left.
KNOCK_UP_CONDITION = """e.current_intention_id IN (SELECT id FROM canvassing_intentioncode
        WHERE campaign_id = e.campaign_id AND category IN ('promise', 'lean'))
    AND e.current_outcome NOT IN ('moved', 'do_not_contact')
    AND NOT EXISTS (SELECT 1 FROM canvassing_pollingdayvote v WHERE v.elector_id = e.id)"""

WALK_ORDERING = ("street", "house_number", "flat", "number", "suffix")


def campaigns_for(user) -> QuerySet[CandidateCampaign]:
    """The candidates' campaigns whose register ``user`` holds (with an authenticator), with the seat and the
    grant's level. A national organiser sees the campaigns themselves in the admin, not here."""
    from canvassing.models import RegisterGrant

    if not (user and user.is_authenticated):
        return CandidateCampaign.objects.none()
    return (
        CandidateCampaign.objects.filter(pk__in=scope.granted_campaign_ids(user))
        .select_related("constituency", "election")
        .annotate(
            level=RegisterGrant.objects.filter(campaign=OuterRef("pk"), user_id=user.pk).values("level")[:1],
        )
        .order_by("name")
    )


def campaign_get(user, pk: int) -> CandidateCampaign:
    """One campaign the user is granted, else CandidateCampaign.DoesNotExist (answer 404)."""
    return campaigns_for(user).get(pk=pk)


def walk_lists_for(user, campaign: CandidateCampaign) -> QuerySet[WalkList]:
    return (
        scope.restrict(WalkList.objects.filter(campaign=campaign), user)
        .select_related("polling_district", "shift", "team", "volunteer")
        .order_by("polling_district__code", "sequence", "pk")
    )


def my_walk_lists(user) -> QuerySet[WalkList]:
    """The lists a volunteer is given: to them, to a team they are in or lead, or to a shift they signed up for
    (``WalkList.scope_register_own``), on the campaigns whose register they hold."""
    if not (user and user.is_authenticated):
        return WalkList.objects.none()
    return (
        scope.restrict(WalkList.objects.all(), user)
        .filter(WalkList.scope_register_own(user))
        .select_related("polling_district", "campaign", "shift")
        .order_by("campaign__name", "polling_district__code", "sequence")
    )


def walk_list_entries(walk_list: WalkList) -> QuerySet[WalkListEntry]:
    """A list's electors in walking order, with what the campaign knows of each: one query."""
    return (
        WalkListEntry.objects.filter(walk_list=walk_list)
        .select_related("elector", "elector__polling_district", "elector__current_intention")
        .order_by("position")
    )


def register_page(user, campaign: CandidateCampaign, *, district: str = "") -> QuerySet[Elector]:
    electors = scope.restrict(Elector.objects.filter(campaign=campaign), user).select_related(
        "polling_district", "current_intention"
    )
    if district:
        electors = electors.filter(polling_district__code=district)
    return electors.order_by("polling_district__code", "number", "suffix")


def knock_up(campaign: CandidateCampaign, polling_district: PollingDistrict) -> QuerySet[Elector]:
    """Promises and leans in the district who have not voted yet, in walking order."""
    return (
        Elector.objects.filter(
            campaign=campaign,
            polling_district=polling_district,
            current_intention__category__in=[IntentionCode.Category.PROMISE, IntentionCode.Category.LEAN],
        )
        .exclude(current_outcome__in=["moved", "do_not_contact"])
        .exclude(Exists(PollingDayVote.objects.filter(elector=OuterRef("pk"))))
        .select_related("current_intention", "polling_district")
        .order_by(*WALK_ORDERING)
    )


def postal_chase(campaign: CandidateCampaign) -> QuerySet[Elector]:
    """Postal voters to chase before their ballots arrive: promises, leans, undecided and the not yet canvassed."""
    return (
        Elector.objects.filter(campaign=campaign, postal_voter=True)
        .filter(
            Q(
                current_intention__category__in=[
                    IntentionCode.Category.PROMISE,
                    IntentionCode.Category.LEAN,
                    IntentionCode.Category.UNDECIDED,
                ]
            )
            | Q(current_outcome="")
            | Q(current_outcome="not_home", current_intention__isnull=True)
        )
        .exclude(current_outcome__in=["moved", "do_not_contact"])
        .select_related("current_intention", "polling_district")
        .order_by("polling_district__code", *WALK_ORDERING)
    )


def flagged_responses(campaign: CandidateCampaign) -> QuerySet[CanvassResponse]:
    return (
        CanvassResponse.objects.filter(campaign=campaign, flagged=True)
        .select_related("recorded_by", "elector", "elector__polling_district")
        .order_by("-recorded_at")
    )


@dataclass
class DistrictProgress:
    code: str
    electors: int
    doors: int
    doors_knocked: int
    doors_spoken: int
    electors_spoken: int
    promises: int
    leans: int
    undecided: int
    against: int
    postal_voters: int
    voted: int

    @property
    def contact_rate(self) -> float | None:
        """Doors where someone spoke to us, of the doors knocked."""
        return self.doors_spoken / self.doors_knocked if self.doors_knocked else None

    @property
    def knocked_share(self) -> float | None:
        return self.doors_knocked / self.doors if self.doors else None


@dataclass
class Progress:
    campaign: CandidateCampaign
    districts: list[DistrictProgress]
    total: DistrictProgress
    intentions: list[tuple[str, str, str, int]] = field(default_factory=list)

    @property
    def promises_share_of_target(self) -> float | None:
        target = self.campaign.votes_to_win
        return self.total.promises / target if target else None


def progress(campaign: CandidateCampaign) -> Progress:
    """Doors knocked, contact rate, intentions and promises against votes to win, per district: two queries."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT pd.code, count(e.id), count(DISTINCT e.property_key) FILTER (WHERE e.property_key <> ''),
                      count(DISTINCT e.property_key) FILTER (WHERE e.current_outcome <> ''),
                      count(DISTINCT e.property_key) FILTER (WHERE e.current_outcome = 'spoke'),
                      count(e.id) FILTER (WHERE e.current_outcome = 'spoke'),
                      count(e.id) FILTER (WHERE ic.category = 'promise'),
                      count(e.id) FILTER (WHERE ic.category = 'lean'),
                      count(e.id) FILTER (WHERE ic.category = 'undecided'),
                      count(e.id) FILTER (WHERE ic.category IN ('against', 'other')),
                      count(e.id) FILTER (WHERE e.postal_voter),
                      count(v.id)
               FROM canvassing_pollingdistrict pd
               LEFT JOIN canvassing_elector e ON e.polling_district_id = pd.id
               LEFT JOIN canvassing_intentioncode ic ON ic.id = e.current_intention_id
               LEFT JOIN canvassing_pollingdayvote v ON v.elector_id = e.id
               WHERE pd.campaign_id = %s GROUP BY pd.code ORDER BY pd.code""",
            [campaign.pk],
        )
        districts = [DistrictProgress(*row) for row in cursor.fetchall()]
        cursor.execute(
            """SELECT ic.code, ic.label, ic.category, count(e.id)
               FROM canvassing_intentioncode ic
               LEFT JOIN canvassing_elector e ON e.current_intention_id = ic.id
               WHERE ic.campaign_id = %s GROUP BY ic.id ORDER BY ic."order", ic.code""",
            [campaign.pk],
        )
        intentions = cursor.fetchall()
    total = DistrictProgress(
        "All", *[sum(getattr(d, f) for d in districts) for f in list(DistrictProgress.__dataclass_fields__)[1:]]
    )
    return Progress(campaign=campaign, districts=districts, total=total, intentions=intentions)


def canvass_progress(*, seat_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per seat, for the organisers' weekly digest: households canvassed ("done") out of the households on
    its campaign's register ("target"). Counts only, never an elector or an intention; campaigns whose
    register has been destroyed are left out. One query for any number of seats."""
    if not seat_ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT c.constituency_id,
                      count(DISTINCT e.property_key) FILTER (WHERE e.current_outcome <> ''),
                      count(DISTINCT e.property_key)
               FROM canvassing_candidatecampaign c
               JOIN canvassing_elector e ON e.campaign_id = c.id AND e.property_key <> ''
               WHERE c.constituency_id = ANY(%s) AND c.destroyed_at IS NULL
               GROUP BY c.constituency_id""",
            [list(seat_ids)],
        )
        return {seat_id: {"done": done, "target": target} for seat_id, done, target in cursor.fetchall()}


def doors_knocked(*, user_ids: list[int], since, until) -> dict[int, int]:
    """Doors (households) each volunteer knocked in ``[since, until)``, from their own canvass records, for the
    volunteers' weekly digest: a count of their own work, nothing about any elector. One query."""
    return dict(
        CanvassResponse.objects.filter(recorded_by_id__in=user_ids, recorded_at__gte=since, recorded_at__lt=until)
        .values("recorded_by_id")
        .annotate(doors=Count("elector__property_key", distinct=True))
        .values_list("recorded_by_id", "doors")
        .order_by()
    )


def team_doors_knocked(*, team_ids, since, until) -> dict[int, int]:
    """Doors each team's members knocked in ``[since, until)`` (for the team leads' digest). One query."""
    from volunteers.models import Team

    if not team_ids:
        return {}
    sql = f"""
        SELECT m.team_id, count(DISTINCT e.property_key)
        FROM {Team.members.through._meta.db_table} AS m
        JOIN {CanvassResponse._meta.db_table} AS r ON r.recorded_by_id = m.user_id
        JOIN {Elector._meta.db_table} AS e ON e.id = r.elector_id
        WHERE m.team_id = ANY(%s) AND r.recorded_at >= %s AND r.recorded_at < %s
        GROUP BY m.team_id
    """  # noqa: S608 (table names from the models, values as parameters)
    with connection.cursor() as cursor:
        cursor.execute(sql, [sorted(team_ids), since, until])
        return dict(cursor.fetchall())
