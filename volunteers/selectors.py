"""Reads about volunteers and their time: the ranked shift list, a volunteer's home page, rosters, coverage.

Each function returns a queryset (or a small structure) built in one or two queries whatever the number of
shifts and sign-ups, so the pages that use them have pinned query counts (tests/volunteers/test_pages.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.apps import apps
from django.db.models import (
    Case,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, NullIf
from django.utils import timezone

from organiser import scope
from volunteers.models import (
    FILLED_STATUSES,
    Role,
    Shift,
    Signup,
    SignupStatus,
    User,
    VolunteerProfile,
)

# How much each reason adds to a shift's rank in "find a shift" (higher first; ties by start time).
RANK_TIER = {1: 30, 2: 20, 3: 10}  # the seat's target tier (campaigns.Target), where targets exist
RANK_SHORT = 25  # fewer people than the shift's minimum
RANK_HOME_SEAT = 20  # in the volunteer's home constituency
RANK_CHOSEN_SEAT = 15  # in a seat they said they would travel to
RANK_SKILLS_MATCH = 5  # needs skills, and they have them all
RANK_SKILLS_MISSING = -10  # needs skills they have not got
RANK_FULL = -40  # no places left: waiting list only


@dataclass(frozen=True)
class ShiftFilters:
    day: dt.date | None = None
    kind: str = ""
    seat_code: str = ""


def filled_subquery(shift_ref: str = "pk") -> Coalesce:
    """The number of places taken on the shift ``shift_ref`` points to (one indexed subquery per row)."""
    counted = (
        Signup.objects.filter(shift=OuterRef(shift_ref), status__in=FILLED_STATUSES)
        .order_by()
        .values("shift")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def target_tier_subquery():
    """The seat's most recent target tier (1 = top), or None when campaigns has no Target model (yet)."""
    try:
        target = apps.get_model("campaigns", "Target")
    except LookupError:
        return Value(None, output_field=IntegerField())
    tiers = (
        target.objects.filter(constituency=OuterRef("constituency"), tier__gt=0)
        .order_by("-election__date")
        .values("tier")[:1]
    )
    return Subquery(tiers, output_field=IntegerField())


def shifts_with_places(queryset: QuerySet[Shift] | None = None) -> QuerySet[Shift]:
    """Shifts annotated with ``filled`` and ``places_left``."""
    queryset = Shift.objects.all() if queryset is None else queryset
    return queryset.annotate(filled=filled_subquery()).annotate(places_left=F("capacity") - F("filled"))


def upcoming_shifts(*, now: dt.datetime | None = None) -> QuerySet[Shift]:
    """Shifts a volunteer may still sign up for: any signed-in volunteer may see these (the meeting point
    is not public, so anonymous visitors see none)."""
    return Shift.objects.filter(ends_at__gt=now or timezone.now())


def shifts_visible_to(user: User) -> QuerySet[Shift]:
    """Organisers and leads: the shifts in their scope, past ones too; everyone signed in: upcoming ones."""
    if not (user and user.is_authenticated):
        return Shift.objects.none()
    in_scope = scope.restrict(Shift.objects.all(), user, "view")
    return Shift.objects.filter(Q(pk__in=in_scope.values("pk")) | Q(ends_at__gt=timezone.now()))


def shift_find_for_volunteer(
    *, user: User, profile: VolunteerProfile | None, filters: ShiftFilters | None = None, limit: int | None = 50
) -> QuerySet[Shift]:
    """Upcoming shifts ranked by where ``user`` is needed most (see RANK_*), then by start time.

    One query: places left, the seat's target tier, the volunteer's own sign-up status and the rank are all
    computed in SQL.
    """
    filters = filters or ShiftFilters()
    shifts = upcoming_shifts().select_related("constituency")
    if filters.day:
        shifts = shifts.filter(starts_at__date=filters.day)
    if filters.kind:
        shifts = shifts.filter(kind=filters.kind)
    if filters.seat_code:
        shifts = shifts.filter(constituency__code=filters.seat_code)
    my_status = Signup.objects.filter(shift=OuterRef("pk"), volunteer=user).values("status")[:1]
    shifts = shifts_with_places(shifts).annotate(tier=target_tier_subquery(), my_status=Subquery(my_status))
    seat_rank = Value(0)
    skills_rank = Value(0)
    if profile is not None:
        chosen = VolunteerProfile.seats.through.objects.filter(volunteerprofile_id=profile.pk).values("constituency_id")
        seat_rank = Case(
            When(constituency_id=profile.home_constituency_id, then=Value(RANK_HOME_SEAT)),
            When(constituency_id__in=chosen, then=Value(RANK_CHOSEN_SEAT)),
            default=Value(0),
        )
        skills_rank = Case(
            When(required_skills=[], then=Value(0)),
            When(required_skills__contained_by=profile.skills or [], then=Value(RANK_SKILLS_MATCH)),
            default=Value(RANK_SKILLS_MISSING),
        )
    rank = (
        Case(*(When(tier=tier, then=Value(points)) for tier, points in RANK_TIER.items()), default=Value(0))
        + Case(When(filled__lt=F("minimum"), then=Value(RANK_SHORT)), default=Value(0))
        + Case(When(places_left__lte=0, then=Value(RANK_FULL)), default=Value(0))
        + seat_rank
        + skills_rank
    )
    ranked = shifts.annotate(rank=ExpressionWrapper(rank, output_field=IntegerField())).order_by(
        "-rank", "starts_at", "pk"
    )
    return ranked if limit is None else ranked[:limit]


def volunteer_next_signups(*, user: User, limit: int = 10) -> QuerySet[Signup]:
    """The volunteer's coming shifts (confirmed or waiting), soonest first."""
    return (
        Signup.objects.filter(
            volunteer=user,
            status__in=(SignupStatus.CONFIRMED, SignupStatus.WAITLISTED),
            shift__ends_at__gt=timezone.now(),
        )
        .select_related("shift__constituency")
        .order_by("shift__starts_at", "pk")[:limit]
    )


def volunteer_shifts_near(*, user: User, profile: VolunteerProfile | None, limit: int = 5) -> QuerySet[Shift]:
    """The best-ranked shifts in the volunteer's own seats that they are not on yet."""
    shifts = shift_find_for_volunteer(user=user, profile=profile, limit=None)
    shifts = shifts.filter(my_status__isnull=True)
    if profile is not None and profile.home_constituency_id:
        chosen = VolunteerProfile.seats.through.objects.filter(volunteerprofile_id=profile.pk).values("constituency_id")
        shifts = shifts.filter(Q(constituency_id=profile.home_constituency_id) | Q(constituency_id__in=chosen))
    return shifts[:limit]


def volunteer_profile(*, user: User) -> VolunteerProfile | None:
    return VolunteerProfile.objects.select_related("home_constituency").filter(user=user).first()


def shift_signups(*, shift: Shift) -> QuerySet[Signup]:
    """Who is on a shift, for its lead or organiser: places first, then the waiting list."""
    order = Case(
        When(status=SignupStatus.CONFIRMED, then=Value(0)),
        When(status=SignupStatus.ATTENDED, then=Value(0)),
        When(status=SignupStatus.NO_SHOW, then=Value(0)),
        When(status=SignupStatus.WAITLISTED, then=Value(1)),
        default=Value(2),
    )
    return (
        Signup.objects.filter(shift=shift)
        .exclude(status=SignupStatus.CANCELLED)
        .select_related("volunteer__profile")
        .annotate(group=order)
        .order_by("group", "queued_at", "pk")
    )


def roster(*, user: User, seat_code: str = "", day: dt.date | None = None) -> QuerySet[Shift]:
    """Shifts in ``user``'s scope (one seat and/or one day) with their sign-ups: two queries in all."""
    shifts = scope.restrict(Shift.objects.all(), user, "view").select_related("constituency", "lead")
    if seat_code:
        shifts = shifts.filter(constituency__code=seat_code)
    if day:
        shifts = shifts.filter(starts_at__date=day)
    people = (
        Signup.objects.exclude(status=SignupStatus.CANCELLED)
        .select_related("volunteer__profile")
        .order_by("status", "queued_at", "pk")
    )
    return shifts_with_places(shifts).prefetch_related(Prefetch("signups", queryset=people, to_attr="roster"))


def coverage(*, user: User, days: int = 14) -> QuerySet[Shift]:
    """Shifts in the next ``days`` days, in ``user``'s scope, with fewer people than their minimum."""
    now = timezone.now()
    shifts = scope.restrict(Shift.objects.all(), user, "view").filter(
        starts_at__gte=now, starts_at__lt=now + dt.timedelta(days=days)
    )
    return (
        shifts_with_places(shifts)
        .filter(filled__lt=F("minimum"))
        .annotate(short_by=F("minimum") - F("filled"))
        .select_related("constituency", "lead")
        .order_by("starts_at", "pk")
    )


def profiles_with_reliability(queryset: QuerySet[VolunteerProfile]) -> QuerySet[VolunteerProfile]:
    """Profiles annotated with attended and no-show counts and the no-show rate (0 to 1, NULL if none)."""
    queryset = queryset.annotate(
        attended=Count("user__signups", filter=Q(user__signups__status=SignupStatus.ATTENDED)),
        no_shows=Count("user__signups", filter=Q(user__signups__status=SignupStatus.NO_SHOW)),
    )
    return queryset.annotate(
        no_show_rate=ExpressionWrapper(
            Cast(F("no_shows"), FloatField()) / NullIf(Cast(F("attended") + F("no_shows"), FloatField()), 0.0),
            output_field=FloatField(),
        )
    )


def is_lead_or_organiser(user: User) -> bool:
    return bool(user.is_authenticated and (user.role == Role.TEAM_LEAD or user.is_organiser))


__all__ = [
    "ShiftFilters",
    "coverage",
    "roster",
    "shift_find_for_volunteer",
    "volunteer_next_signups",
    "volunteer_shifts_near",
]
