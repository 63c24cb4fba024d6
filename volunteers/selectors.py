"""Reads about volunteers and their time: the ranked shift list, a volunteer's home page, rosters, coverage.

Each function returns a queryset (or a small structure) built in one or two queries whatever the number of
shifts and sign-ups, so the pages that use them have pinned query counts (tests/volunteers/test_pages.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass

from django.apps import apps
from django.db import connection
from django.db.models import (
    Case,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    Max,
    Min,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, NullIf

from campaigns.models import Constituency
from organiser import clock, scope
from volunteers.models import (
    Role,
    Shift,
    Signup,
    SignupStatus,
    User,
    VolunteerProfile,
)

# How much each reason adds to a shift's rank in "find a shift" (higher first; ties by start time).
RANK_TIER_STEP = 10  # the seat's target tier (campaigns.Target) where targets exist: tier 1 → 30, 2 → 20, 3 → 10
RANK_SHORT = 25  # fewer people than the shift's minimum
RANK_HOME_SEAT = 20  # in the volunteer's home constituency
RANK_CHOSEN_SEAT = 15  # in a seat they said they would travel to, or within the distance they gave
RANK_SKILLS_MATCH = 5  # needs skills, and they have them all
RANK_SKILLS_MISSING = -10  # needs skills they have not got
RANK_FULL = -40  # no places left: waiting list only
RANK_FREE = 3  # starts in a part of the week they said they are usually free: first among equal need (every
# other step is a multiple of 5, so this orders ties and never outranks a need)
FIND_PAGE_SIZE = 20  # shifts a page of "find a shift"


@dataclass(frozen=True)
class ShiftFilters:
    day: dt.date | None = None
    kind: str = ""
    seat_code: str = ""
    free_only: bool = False  # only shifts starting when the volunteer said they are usually free


def shifts_with_places(queryset: QuerySet[Shift] | None = None) -> QuerySet[Shift]:
    """Shifts annotated with ``places_left`` (``filled`` is kept on the row by the services)."""
    queryset = Shift.objects.all() if queryset is None else queryset
    return queryset.annotate(places_left=F("capacity") - F("filled"))


def upcoming_shifts(*, now: dt.datetime | None = None) -> QuerySet[Shift]:
    """Shifts a volunteer may still sign up for: any signed-in volunteer may see these (the meeting point
    is not public, so anonymous visitors see none)."""
    return Shift.objects.filter(ends_at__gt=now or clock.now())


def shifts_visible_to(user: User) -> QuerySet[Shift]:
    """Organisers and leads: the shifts in their scope, past ones too; everyone signed in: upcoming ones
    (``Shift.scope_members_read``)."""
    return scope.restrict(Shift.objects.all(), user, "view")


def _target_join() -> tuple[str, str]:
    """SQL for the seat's most recent target tier, or a NULL tier when campaigns has no Target model (yet)."""
    try:
        target = apps.get_model("campaigns", "Target")
    except LookupError:
        return "NULL::integer", ""
    election = target._meta.get_field("election").related_model
    target_table, election_table = target._meta.db_table, election._meta.db_table
    join = (
        f"LEFT JOIN LATERAL (SELECT tg.tier FROM {target_table} tg JOIN {election_table} el"  # noqa: S608
        " ON el.id = tg.election_id WHERE tg.constituency_id = s.constituency_id AND tg.tier IN (1, 2, 3)"
        " ORDER BY el.date DESC LIMIT 1) tier ON true"
    )
    return "tier.tier", join


# The signed-in volunteer's profile as one row (NULLs when they have none), for the ranking SQL below; skills
# are always a jsonb array here, whatever was stored.
_ME = """me AS (
    SELECT p.id, p.home_constituency_id AS home,
           CASE WHEN jsonb_typeof(p.skills) = 'array' THEN p.skills ELSE '[]'::jsonb END AS skills,
           CASE WHEN jsonb_typeof(p.availability) = 'array' THEN p.availability ELSE '[]'::jsonb END AS availability,
           CASE WHEN p.travel = 'radius' THEN LEAST(5, GREATEST(1, COALESCE(p.travel_miles, 10) / 10)) END AS steps,
           hc.hex_q AS hq, hc.hex_r AS hr
    FROM (SELECT 1) AS one
    LEFT JOIN {profile} p ON p.user_id = %(user)s
    LEFT JOIN {constituency} hc ON hc.id = p.home_constituency_id
)"""


def _hex_distance(seat: str) -> str:
    """SQL for the number of hex-map steps from the volunteer's home seat to ``seat`` (odd-r offset
    coordinates turned into cube coordinates), or NULL where either has no place on the map."""

    def cube_x(q: str, r: str) -> str:
        return f"({q} - ({r} - ({r} & 1)) / 2)"

    dx = f"({cube_x(f'{seat}.hex_q', f'{seat}.hex_r')} - {cube_x('me.hq', 'me.hr')})"
    dz = f"({seat}.hex_r - me.hr)"
    return f"((abs({dx}) + abs({dz}) + abs({dx} + {dz})) / 2)"


def _within_reach(seat: str) -> str:
    """The seat is within the distance a "radius" traveller gave. Seats have no coordinates here, so distance
    is counted in steps on the hex map of the 650 seats (neighbouring seats are one step): about one step per
    10 miles, from 1 to 5 steps. A rough proxy that favours the seats next to theirs, not a measurement."""
    return f"(me.steps IS NOT NULL AND {_hex_distance(seat)} <= me.steps)"


def _free_sql(shift: str) -> str:
    """SQL: the shift starts in a slot of the volunteer's weekly availability (``sat_morning``: the campaign's
    local day, morning before 12:00, afternoon before 17:00, evening after)."""
    local = f"({shift}.starts_at AT TIME ZONE %(tz)s)"
    part = (
        f"CASE WHEN extract(hour FROM {local}) < 12 THEN 'morning' "
        f"WHEN extract(hour FROM {local}) < 17 THEN 'afternoon' ELSE 'evening' END"
    )
    return f"(me.availability ? (lower(to_char({local}, 'Dy')) || '_' || {part}))"


def _ranked_sql(*, user, filters: ShiftFilters, near_only: bool, params: dict) -> str:
    """A SELECT of upcoming shifts with places left, target tier, the volunteer's status and rank (uses ``me``),
    limited to the shifts ``user`` may see (organiser.scope.sql_condition: a seat organiser's own seats only)."""
    tier_sql, tier_join = _target_join()
    seats_table = VolunteerProfile.seats.through._meta.db_table
    chosen = f"SELECT ps.constituency_id FROM {seats_table} ps WHERE ps.volunteerprofile_id = me.id"  # noqa: S608
    where = ["s.ends_at > %(now)s"]
    in_scope, scope_params = scope.sql_condition(Shift, user, "s")
    where.append(in_scope)
    params.update(scope_params)
    if filters.day:
        where.append("(s.starts_at AT TIME ZONE %(tz)s)::date = %(day)s")
        params.update(day=filters.day, tz=clock.zone_name())
    if filters.kind:
        where.append("s.kind = %(kind)s")
        params["kind"] = filters.kind
    if filters.seat_code:
        where.append("c.code = %(seat)s")
        params["seat"] = filters.seat_code
    params.setdefault("tz", clock.zone_name())
    if filters.free_only:
        where.append(_free_sql("s"))
    shift_table = Shift._meta.db_table
    source = shift_table
    if near_only:
        where.append("my.id IS NULL")
        # The shifts of the home and chosen seats (through the seat index), or all of them when the volunteer
        # has no home seat: a UNION ALL whose second branch PostgreSQL skips at once when they have one.
        source = f"""(
            SELECT {_shift_columns()} FROM {shift_table} WHERE ends_at > %(now)s AND constituency_id IN (
                SELECT home FROM me WHERE home IS NOT NULL UNION {chosen.replace("me.id", "(SELECT id FROM me)")}
                UNION SELECT near.id FROM {Constituency._meta.db_table} near, me WHERE {_within_reach("near")}
            )
            UNION ALL
            SELECT {_shift_columns()} FROM {shift_table} WHERE NOT EXISTS (SELECT 1 FROM me WHERE home IS NOT NULL)
        )"""  # noqa: S608
    return f"""
        SELECT {_shift_columns("s")}, c.code AS seat_code, c.name AS seat_name,
               s.capacity - s.filled AS places_left, {tier_sql} AS tier, my.status AS my_status,
               {_free_sql("s")} AS free, jsonb_array_length(me.availability) > 0 AS has_free,
               COALESCE({RANK_TIER_STEP} * (4 - {tier_sql}), 0)
               + CASE WHEN {_free_sql("s")} THEN {RANK_FREE} ELSE 0 END
               + CASE WHEN s.filled < s.minimum THEN {RANK_SHORT} ELSE 0 END
               + CASE WHEN s.filled >= s.capacity THEN {RANK_FULL} ELSE 0 END
               + CASE WHEN s.constituency_id = me.home THEN {RANK_HOME_SEAT}
                      WHEN s.constituency_id IN ({chosen}) OR {_within_reach("c")} THEN {RANK_CHOSEN_SEAT}
                      ELSE 0 END
               + CASE WHEN s.required_skills = '[]'::jsonb OR me.id IS NULL THEN 0
                      WHEN s.required_skills <@ me.skills THEN {RANK_SKILLS_MATCH}
                      ELSE {RANK_SKILLS_MISSING} END AS rank
        FROM {source} s
        CROSS JOIN me
        JOIN {Constituency._meta.db_table} c ON c.id = s.constituency_id
        {tier_join}
        LEFT JOIN {Signup._meta.db_table} my ON my.shift_id = s.id AND my.volunteer_id = %(user)s
        WHERE {" AND ".join(where)}
    """  # noqa: S608 - only constants and table names are formatted in; values are parameters


def _shifts_from_rows(columns: list[str], rows) -> list[Shift]:
    """Shift objects (with a code-and-name ``constituency`` and the extra columns as attributes) from rows."""
    fields = [field.attname for field in Shift._meta.concrete_fields]
    positions = [columns.index(name) for name in fields]
    extras = [(i, name) for i, name in enumerate(columns) if name not in fields]
    shifts = []
    for row in rows:
        shift = Shift.from_db("default", fields, [row[i] for i in positions])
        for i, name in extras:
            setattr(shift, name, row[i])
        shift.constituency = Constituency(id=shift.constituency_id, code=shift.seat_code, name=shift.seat_name)
        shifts.append(shift)
    return shifts


def _shift_columns(alias: str = "") -> str:
    """Shift's columns, named: a new column added by a migration does not change what a prepared query returns."""
    prefix = f"{alias}." if alias else ""
    return ", ".join(prefix + field.column for field in Shift._meta.concrete_fields)


def _run(sql: str, params: dict, *, prepared: bool = False) -> tuple[list[str], list[tuple]]:
    """Run ``sql`` (``%(name)s`` parameters) and return its column names and rows.

    ``prepared``: PREPARE it once per database connection and EXECUTE it after, so PostgreSQL plans it once
    (planning this page's query costs more than running it). SQL-level PREPARE because Django's psycopg
    cursors bind parameters on the client, where protocol-level prepared statements are not available."""
    # Behind PgBouncer's transaction pooling a session-level PREPARE would not survive: plain queries.
    prepared = prepared and not connection.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS")
    with connection.cursor() as cursor:
        if not prepared:
            cursor.execute(sql, params)
        else:
            names = list(dict.fromkeys(re.findall(r"%\((\w+)\)s", sql)))
            numbered = re.sub(r"%\((\w+)\)s", lambda match: f"${names.index(match.group(1)) + 1}", sql)
            statement = "volunteers_" + hashlib.sha256(numbered.encode()).hexdigest()[:20]
            raw = connection.connection
            done = raw.__dict__.setdefault("volunteers_prepared", set())
            if statement not in done:
                cursor.execute(f"PREPARE {statement} AS {numbered}")
                done.add(statement)
            placeholders = ", ".join(f"%({name})s" for name in names)
            cursor.execute(f"EXECUTE {statement} ({placeholders})", params)
        return [column.name for column in cursor.description], cursor.fetchall()


def shift_find_for_volunteer(
    *,
    user: User,
    filters: ShiftFilters | None = None,
    limit: int = 50,
    offset: int = 0,
    now: dt.datetime | None = None,
) -> list[Shift]:
    """Shifts not yet over at ``now`` ranked by where ``user`` is needed most (see RANK_*), then by start time.

    One query, written in SQL: the volunteer's profile, places left, the seat's target tier, their own
    sign-up status and the rank are all worked out by PostgreSQL. Hand-written because it runs on every
    volunteer home page, and the equivalent ORM expression tree took longer to build and compile (about
    5 ms) than PostgreSQL took to run it (under 1 ms). Each shift comes with ``constituency`` (code and name
    only), ``places_left``, ``tier``, ``my_status``, ``free`` (it starts when they said they are free), ``rank``
    and ``found`` (how many shifts match in all, for paging: ``limit`` from ``offset``).
    """
    params: dict[str, object] = {"user": user.pk, "now": now or clock.now(), "limit": limit, "offset": offset}
    ranked = _ranked_sql(user=user, filters=filters or ShiftFilters(), near_only=False, params=params)
    me = _ME.format(profile=VolunteerProfile._meta.db_table, constituency=Constituency._meta.db_table)
    sql = f"""WITH {me} SELECT ranked_rows.*, count(*) OVER () AS found FROM ({ranked}) ranked_rows
        ORDER BY rank DESC, starts_at, id LIMIT %(limit)s OFFSET %(offset)s"""  # noqa: S608 - as _ranked_sql
    return _shifts_from_rows(*_run(sql, params))


@dataclass
class VolunteerHome:
    has_profile: bool
    has_skills: bool
    mine: list[Shift]  # their coming shifts (``my_status`` confirmed or waitlisted), soonest first
    near: list[Shift]  # the best-ranked shifts in their seats that they are not on yet


def volunteer_home(
    *, user: User, mine_limit: int = 10, near_limit: int = 5, now: dt.datetime | None = None
) -> VolunteerHome:
    """Everything the volunteer home page shows at ``now``, in one query (see shift_find_for_volunteer for why
    SQL)."""
    params: dict[str, object] = {
        "user": user.pk,
        "now": now or clock.now(),
        "mine_limit": mine_limit,
        "near_limit": near_limit,
        "coming": [SignupStatus.CONFIRMED.value, SignupStatus.WAITLISTED.value],
    }
    ranked = _ranked_sql(user=user, filters=ShiftFilters(), near_only=True, params=params)
    me = _ME.format(profile=VolunteerProfile._meta.db_table, constituency=Constituency._meta.db_table)
    sql = f"""
        WITH {me},
        near AS (
            SELECT ranked.*, row_number() OVER (ORDER BY rank DESC, starts_at, id) AS ord
            FROM ({ranked}) ranked ORDER BY ord LIMIT %(near_limit)s
        ),
        mine AS (
            SELECT {_shift_columns("s")}, c.code AS seat_code, c.name AS seat_name,
                   s.capacity - s.filled AS places_left, NULL::integer AS tier, my.status AS my_status,
                   NULL::boolean AS free, NULL::boolean AS has_free, NULL::integer AS rank,
                   row_number() OVER (ORDER BY s.starts_at, my.id) AS ord
            FROM {Signup._meta.db_table} my
            JOIN {Shift._meta.db_table} s ON s.id = my.shift_id
            JOIN {Constituency._meta.db_table} c ON c.id = s.constituency_id
            WHERE my.volunteer_id = %(user)s AND my.status = ANY(%(coming)s) AND s.ends_at > %(now)s
            ORDER BY ord LIMIT %(mine_limit)s
        )
        SELECT me.id AS profile_id, jsonb_array_length(me.skills) > 0 AS has_skills, both_lists.*
        FROM me LEFT JOIN (
            SELECT 'mine' AS section, mine.* FROM mine UNION ALL SELECT 'near' AS section, near.* FROM near
        ) both_lists ON true
        ORDER BY both_lists.section, both_lists.ord
    """  # noqa: S608 - only constants and table names are formatted in; values are parameters
    columns, rows = _run(sql, params, prepared=True)
    profile_id, has_skills = rows[0][0], rows[0][1]
    shifts = _shifts_from_rows(columns, [row for row in rows if row[columns.index("id")] is not None])
    return VolunteerHome(
        has_profile=profile_id is not None,
        has_skills=bool(has_skills),
        mine=[shift for shift in shifts if shift.section == "mine"],
        near=[shift for shift in shifts if shift.section == "near"],
    )


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
    """Shifts ``user`` organises or leads (one seat and/or one day) with their sign-ups: two queries in all."""
    shifts = scope.restrict(Shift.objects.all(), user, "change").select_related("constituency", "lead")
    if seat_code:
        shifts = shifts.filter(constituency__code=seat_code)
    if day:
        start, end = clock.day_bounds(day)  # the UK day (23 or 25 hours when the clocks change)
        shifts = shifts.filter(starts_at__gte=start, starts_at__lt=end)
    people = (
        Signup.objects.exclude(status=SignupStatus.CANCELLED)
        .select_related("volunteer__profile")
        .order_by("status", "queued_at", "pk")
    )
    return shifts_with_places(shifts).prefetch_related(Prefetch("signups", queryset=people, to_attr="roster"))


def coverage(*, user: User, days: int = 14, now: dt.datetime | None = None) -> QuerySet[Shift]:
    """Shifts in the ``days`` days from ``now`` that ``user`` organises or leads, with fewer people than their
    minimum."""
    now = now or clock.now()
    shifts = scope.restrict(Shift.objects.all(), user, "change").filter(
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


def shifts_led(*, user: User, limit: int = 10) -> list[Shift]:
    """The coming shifts ``user`` leads (shown as "Leading" on a team lead's home), soonest first: one query."""
    now = clock.now()
    return list(
        shifts_with_places(Shift.objects.filter(lead=user, ends_at__gt=now - dt.timedelta(hours=12)))
        .select_related("constituency")
        .order_by("starts_at", "pk")[:limit]
    )


def team_roster(*, user: User, weeks: int = 4):
    """The teams ``user`` leads, each with its members: contacts, when they were last active, what they did in
    the last ``weeks`` weeks and their next shift. Two queries whatever the number of teams and members."""
    from volunteers.models import Team

    now = clock.now()
    since = now - dt.timedelta(weeks=weeks)
    attended = Q(signups__status=SignupStatus.ATTENDED, signups__shift__starts_at__gte=since)
    coming = Q(signups__status__in=(SignupStatus.CONFIRMED, SignupStatus.WAITLISTED), signups__shift__starts_at__gt=now)
    members = (
        User.objects.select_related("profile")
        .annotate(
            recent_shifts=Count("signups", filter=attended, distinct=True),
            last_attended=Max("signups__shift__starts_at", filter=Q(signups__status=SignupStatus.ATTENDED)),
            next_shift_at=Min("signups__shift__starts_at", filter=coming),
        )
        .order_by("full_name", "email")
    )
    return (
        Team.objects.filter(lead=user)
        .select_related("constituency")
        .prefetch_related(Prefetch("members", queryset=members, to_attr="roster"))
        .order_by("name")
    )
