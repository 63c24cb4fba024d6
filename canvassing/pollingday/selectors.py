"""Polling day's reads: the committee-room board (per campaign and per district), its fingerprint (so an
unchanged board costs one small query and a 304), tellers' counts per station and hour, "where next", and votes
to win from the seat's real arithmetic. Each is a fixed number of queries whatever the register's size.

Callers check the grant first (the views through organiser.scope); these read one campaign's rows only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from dataclasses import dataclass, field

from django.db import connection

from canvassing.models import CandidateCampaign, Elector, KnockUpRound, PollingStation
from canvassing.pollingday.services import POLL_ITEM_RE
from organiser import clock

#: Walking time of one knock-up door (knock, wait, a word, the next door), in minutes: a round's yardstick.
MINUTES_PER_DOOR = 1.5
#: A knock-up round lasts this long: the volunteers available cover what they can in it.
ROUND_MINUTES = 60
#: A lean is worth this much of a promise when ranking where to knock up next.
LEAN_WEIGHT = 0.5


@dataclass
class DistrictBoard:
    """One polling district's line on the board (or the whole campaign's, code "All")."""

    pk: int | None
    code: str
    electors: int
    promises: int
    leans: int
    postal_voters: int
    postal_promises_leans: int
    voted: int
    promises_voted: int
    leans_voted: int
    doors_to_knock: int
    target: int = 0

    @property
    def pledges(self) -> int:
        return self.promises + self.leans

    @property
    def pledges_voted(self) -> int:
        return self.promises_voted + self.leans_voted

    @property
    def pledges_not_voted(self) -> int:
        return self.pledges - self.pledges_voted

    @property
    def turnout(self) -> float | None:
        return self.voted / self.electors if self.electors else None

    @property
    def pledged_turnout(self) -> float | None:
        return self.pledges_voted / self.pledges if self.pledges else None

    @property
    def promises_share_of_target(self) -> float | None:
        return self.promises / self.target if self.target else None


@dataclass
class RoundProgress:
    number: int
    cut_off: dt.datetime
    lists: int
    lists_out: int
    lists_back: int
    electors: int
    knocked: int
    voted_since: int


@dataclass
class Board:
    campaign: CandidateCampaign
    as_of: dt.datetime
    districts: list[DistrictBoard]
    total: DistrictBoard
    hours: list[dict]
    volunteers_out: int
    lists_out: int
    lists_back: int
    rounds: list[RoundProgress]
    lifts: dict[str, int]
    stations: list[dict] = field(default_factory=list)
    district: DistrictBoard | None = None


_DISTRICT_SQL = """
    SELECT pd.id, pd.code, count(e.id),
           count(e.id) FILTER (WHERE ic.category = 'promise'),
           count(e.id) FILTER (WHERE ic.category = 'lean'),
           count(e.id) FILTER (WHERE e.postal_voter),
           count(e.id) FILTER (WHERE e.postal_voter AND ic.category IN ('promise', 'lean')),
           count(e.id) FILTER (WHERE v.id IS NOT NULL OR e.current_outcome = 'already_voted'),
           count(e.id) FILTER (WHERE ic.category = 'promise' AND (v.id IS NOT NULL
                                                                  OR e.current_outcome = 'already_voted')),
           count(e.id) FILTER (WHERE ic.category = 'lean' AND (v.id IS NOT NULL
                                                               OR e.current_outcome = 'already_voted')),
           count(DISTINCT e.property_key) FILTER (WHERE ic.category IN ('promise', 'lean') AND v.id IS NULL
               AND e.current_outcome NOT IN ('moved', 'do_not_contact', 'already_voted', 'wont_vote'))
    FROM canvassing_pollingdistrict pd
    LEFT JOIN canvassing_elector e ON e.polling_district_id = pd.id
    LEFT JOIN canvassing_intentioncode ic ON ic.id = e.current_intention_id
    LEFT JOIN canvassing_pollingdayvote v ON v.elector_id = e.id
    WHERE pd.campaign_id = %(campaign)s
    GROUP BY pd.id, pd.code ORDER BY pd.code"""


def fingerprint(campaign: CandidateCampaign, *, now: dt.datetime | None = None) -> str:
    """What the board depends on, as an ETag: the numbers, the doorstep entries, the rounds, lists, lifts and
    shifts, and the minute (volunteers out and the hour's turnout move with the clock). One small query over
    indexes: an unchanged board answers 304 without being built."""
    now = now or clock.now()
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT (SELECT count(*) || ':' || coalesce(max(id), 0) FROM canvassing_pollingdayvote
                       WHERE campaign_id = %(c)s),
                      (SELECT count(*) || ':' || coalesce(max(id), 0) FROM canvassing_canvassresponse
                       WHERE campaign_id = %(c)s),
                      (SELECT count(*) || ':' || coalesce(max(id), 0) FROM canvassing_walklist
                       WHERE campaign_id = %(c)s),
                      (SELECT count(*) || ':' || coalesce(max(updated_at)::text, '') FROM canvassing_lift
                       WHERE campaign_id = %(c)s),
                      (SELECT votes_to_win FROM canvassing_candidatecampaign WHERE id = %(c)s)""",
            {"c": campaign.pk},
        )
        parts = [str(part) for part in cursor.fetchone()]
    parts.append(clock.local(now).strftime("%Y%m%d%H%M"))
    return hashlib.blake2b("|".join(parts).encode(), digest_size=12).hexdigest()


def district_targets(campaign: CandidateCampaign, districts: list[DistrictBoard]) -> None:
    """Each district's share of votes to win: in proportion to its electors (largest remainders, so they sum)."""
    electorate = sum(d.electors for d in districts)
    if not electorate or not campaign.votes_to_win:
        return
    exact = [campaign.votes_to_win * d.electors / electorate for d in districts]
    floors = [math.floor(x) for x in exact]
    left = campaign.votes_to_win - sum(floors)
    for index in sorted(range(len(exact)), key=lambda i: exact[i] - floors[i], reverse=True)[:left]:
        floors[index] += 1
    for district, target in zip(districts, floors, strict=True):
        district.target = target


def board(campaign: CandidateCampaign, *, district_code: str = "", now: dt.datetime | None = None) -> Board:
    """The committee-room board at ``now``: per district and in all, promises, leans, postal voters, numbers
    taken, voted so far among promises and leans, turnout by hour, volunteers out, lists out and back, each
    round's progress and the lifts. Five queries."""
    now = now or clock.now()
    day_start, day_end = clock.day_bounds(campaign.polling_day)
    with connection.cursor() as cursor:
        cursor.execute(_DISTRICT_SQL, {"campaign": campaign.pk})
        districts = [DistrictBoard(*row) for row in cursor.fetchall()]
        chosen = next((d for d in districts if d.code == district_code), None)
        district_filter = "AND e.polling_district_id = %(district)s" if chosen else ""
        # Numbers taken per hour of the day (UK time), and per station.
        cursor.execute(
            f"""SELECT extract(hour FROM v.taken_at AT TIME ZONE %(zone)s)::int, count(*)
                FROM canvassing_pollingdayvote v JOIN canvassing_elector e ON e.id = v.elector_id
                WHERE v.campaign_id = %(campaign)s AND v.taken_at >= %(start)s AND v.taken_at < %(end)s
                {district_filter}
                GROUP BY 1 ORDER BY 1""",  # noqa: S608 - a fixed fragment; values are parameters
            {"campaign": campaign.pk, "zone": clock.zone_name(), "start": day_start, "end": day_end,
             "district": chosen.pk if chosen else None},
        )  # fmt: skip
        # The polls are open 07:00-22:00: a number timed outside (a phone's clock) counts in the first or last hour.
        per_hour: dict[int, int] = {}
        for hour, count in cursor.fetchall():
            hour = min(max(hour, 7), 21)
            per_hour[hour] = per_hour.get(hour, 0) + count
        cursor.execute(
            """SELECT s.id, s.name, count(v.id), max(v.taken_at)
               FROM canvassing_pollingstation s LEFT JOIN canvassing_pollingdayvote v ON v.station_id = s.id
               WHERE s.campaign_id = %(campaign)s GROUP BY s.id, s.name ORDER BY s.name""",
            {"campaign": campaign.pk},
        )
        stations = [{"pk": pk, "name": name, "numbers": n, "last": last} for pk, name, n, last in cursor.fetchall()]
        # Rounds: lists, given out, back (every elector on it knocked since the round's cut-off), knocked, voted.
        cursor.execute(
            """SELECT r.number, r.cut_off, count(DISTINCT w.id),
                      count(DISTINCT w.id) FILTER (WHERE w.volunteer_id IS NOT NULL OR w.team_id IS NOT NULL
                                                   OR w.shift_id IS NOT NULL),
                      count(DISTINCT w.id) FILTER (WHERE NOT EXISTS (
                          SELECT 1 FROM canvassing_walklistentry x2 JOIN canvassing_elector e2 ON e2.id = x2.elector_id
                          WHERE x2.walk_list_id = w.id AND (e2.current_outcome_at IS NULL
                                                            OR e2.current_outcome_at < r.cut_off))),
                      count(x.id), count(x.id) FILTER (WHERE e.current_outcome_at >= r.cut_off),
                      count(x.id) FILTER (WHERE v.entered_at >= r.cut_off OR (e.current_outcome = 'already_voted'
                                                                             AND e.current_outcome_at >= r.cut_off))
               FROM canvassing_knockupround r
               LEFT JOIN canvassing_walklist w ON w.knock_up_round_id = r.id
               LEFT JOIN canvassing_walklistentry x ON x.walk_list_id = w.id
               LEFT JOIN canvassing_elector e ON e.id = x.elector_id
               LEFT JOIN canvassing_pollingdayvote v ON v.elector_id = e.id
               WHERE r.campaign_id = %(campaign)s GROUP BY r.id ORDER BY r.number DESC""",
            {"campaign": campaign.pk},
        )
        rounds = [RoundProgress(*row) for row in cursor.fetchall()]
        cursor.execute(
            """SELECT (SELECT count(DISTINCT s.volunteer_id) FROM volunteers_signup s
                       JOIN volunteers_shift sh ON sh.id = s.shift_id
                       WHERE sh.constituency_id = %(seat)s AND sh.starts_at <= %(now)s AND sh.ends_at > %(now)s
                         AND s.status IN ('confirmed', 'attended') AND s.volunteer_id IS NOT NULL),
                      (SELECT json_object_agg(status, n) FROM (SELECT status, count(*) AS n FROM canvassing_lift
                       WHERE campaign_id = %(campaign)s GROUP BY status) l)""",
            {"campaign": campaign.pk, "seat": campaign.constituency_id, "now": now},
        )
        volunteers_out, lifts = cursor.fetchone()
    district_targets(campaign, districts)
    numeric = list(DistrictBoard.__dataclass_fields__)[2:-1]
    total = DistrictBoard(None, "All", *[sum(getattr(d, f) for d in districts) for f in numeric])
    total.target = campaign.votes_to_win
    scope_row = chosen or total
    hours = _hours(per_hour, scope_row.electors, now=now, polling_day=campaign.polling_day)
    latest = rounds[0] if rounds else None
    return Board(
        campaign=campaign,
        as_of=now,
        districts=districts,
        total=total,
        hours=hours,
        volunteers_out=volunteers_out or 0,
        lists_out=latest.lists_out if latest else 0,
        lists_back=latest.lists_back if latest else 0,
        rounds=rounds,
        lifts=lifts or {},
        stations=stations,
        district=chosen,
    )


def _hours(per_hour: dict[int, int], electors: int, *, now: dt.datetime, polling_day: dt.date) -> list[dict]:
    """07:00 to 22:00: numbers taken each hour, how many in all by its end, and the turnout they show (of the
    electors); hours still to come are marked so."""
    local_now = clock.local(now)
    rows, running = [], 0
    for hour in range(7, 22):
        running += per_hour.get(hour, 0)
        started = clock.at(polling_day, dt.time(hour)) <= now
        rows.append(
            {
                "hour": f"{hour:02d}:00",
                "numbers": per_hour.get(hour, 0) if started else None,
                "cumulative": running if started else None,
                "turnout": running / electors if started and electors else None,
                "now": started
                and clock.local(clock.at(polling_day, dt.time(hour))).hour == local_now.hour
                and local_now.date() == polling_day,
            }
        )
    return rows


# --- where next ----------------------------------------------------------------------------------------------


@dataclass
class WhereNext:
    code: str
    pk: int
    score: float
    promises_left: int
    leans_left: int
    doors: int
    walking_minutes: float
    volunteers: int
    coverage: float
    reasoning: str


def where_next(board_: Board, *, volunteers: int) -> list[WhereNext]:
    """Districts ranked for the next knock-up round: the promises (and, at half weight, leans) not yet voted that
    ``volunteers`` can reach in a round. A district's doors take MINUTES_PER_DOOR each; the volunteers are shared
    out over the districts in turn of their value per door, so a small district with many promises left comes
    before a large one with the same, and what nobody can walk this round counts for nothing. Each line says why.
    """
    rows = []
    for d in board_.districts:
        promises_left = d.promises - d.promises_voted
        leans_left = d.leans - d.leans_voted
        value = promises_left + LEAN_WEIGHT * leans_left
        if value <= 0 or d.doors_to_knock == 0:
            continue
        rows.append((value / d.doors_to_knock, value, promises_left, leans_left, d))
    rows.sort(key=lambda row: (-row[0], row[4].code))
    free = max(volunteers, 0)
    ranked = []
    for per_door, value, promises_left, leans_left, d in rows:
        minutes = d.doors_to_knock * MINUTES_PER_DOOR
        needed = math.ceil(minutes / ROUND_MINUTES)
        given = min(free, needed)
        free -= given
        coverage = min(1.0, given * ROUND_MINUTES / minutes) if minutes else 0.0
        score = round(value * coverage if volunteers else value, 1)
        who = (
            f"{given} of the {volunteers} volunteers free cover {coverage:.0%} of it in a {ROUND_MINUTES}-minute round"
            if volunteers
            else "no volunteer free now (on a shift and holding no list): ranked by what is left"
        )
        ranked.append(
            WhereNext(
                code=d.code,
                pk=d.pk,
                score=score,
                promises_left=promises_left,
                leans_left=leans_left,
                doors=d.doors_to_knock,
                walking_minutes=minutes,
                volunteers=given,
                coverage=coverage,
                reasoning=(
                    f"{promises_left} promises and {leans_left} leans not yet voted "
                    f"({value:g} weighted, {per_door:.2f} a door) behind {d.doors_to_knock} doors, about "
                    f"{minutes:.0f} minutes' walking; {who}: score {score:g}."
                ),
            )
        )
    ranked.sort(key=lambda w: (-w.score, w.code))
    return ranked


def volunteers_free(campaign: CandidateCampaign, *, now: dt.datetime | None = None):
    """Volunteers on a shift of the seat now, granted on the register (they can open a knock-up list), holding
    no list of the latest round: who the next round goes to."""
    from canvassing.models import RegisterGrant, WalkList
    from volunteers.models import Signup, User

    now = now or clock.now()
    latest = KnockUpRound.objects.filter(campaign=campaign).order_by("-number").values("pk")[:1]
    on_shift = Signup.objects.filter(
        shift__constituency_id=campaign.constituency_id, shift__starts_at__lte=now, shift__ends_at__gt=now,
        status__in=("confirmed", "attended"),
    ).values("volunteer_id")  # fmt: skip
    busy = WalkList.objects.filter(knock_up_round__in=latest, volunteer__isnull=False).values("volunteer_id")
    return (
        User.objects.filter(pk__in=on_shift, is_active=True)
        .filter(pk__in=RegisterGrant.objects.filter(campaign=campaign).values("user_id"))
        .exclude(pk__in=busy)
        .order_by("full_name", "email")
    )


# --- tellers -------------------------------------------------------------------------------------------------


def stations_for(user, campaign: CandidateCampaign):
    """The campaign's stations with their districts, the user's own (rostered through a telling shift) marked."""
    from volunteers.models import ACTIVE_STATUSES

    mine = set(
        PollingStation.objects.filter(
            campaign=campaign, shifts__signups__volunteer_id=user.pk, shifts__signups__status__in=ACTIVE_STATUSES
        ).values_list("pk", flat=True)
    )
    stations = list(PollingStation.objects.filter(campaign=campaign).prefetch_related("districts", "shifts"))
    for station in stations:
        station.mine = station.pk in mine
    stations.sort(key=lambda s: (not s.mine, s.name))
    return stations


def station_counts(campaign: CandidateCampaign) -> dict[int, int]:
    """Numbers recorded at each station of the campaign so far: one query."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT station_id, count(*) FROM canvassing_pollingdayvote
               WHERE campaign_id = %s AND station_id IS NOT NULL GROUP BY station_id""",
            [campaign.pk],
        )
        return dict(cursor.fetchall())


def station_hours(station: PollingStation, *, now: dt.datetime | None = None) -> list[tuple[str, int]]:
    """Numbers recorded at a station in each hour of its opening (UK time), so far: one query."""
    now = now or clock.now()
    day = station.campaign.polling_day
    start, end = clock.day_bounds(day)
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT extract(hour FROM taken_at AT TIME ZONE %s)::int, count(*) FROM canvassing_pollingdayvote
               WHERE station_id = %s AND taken_at >= %s AND taken_at < %s GROUP BY 1""",
            [clock.zone_name(), station.pk, start, end],
        )
        counts = dict(cursor.fetchall())
    return [(f"{hour:02d}:00", counts.get(hour, 0)) for hour in range(station.opens_at.hour, station.closes_at.hour)]


# --- votes to win ---------------------------------------------------------------------------------------------


@dataclass
class VotesToWin:
    votes: int | None
    reasoning: list[str]
    districts: list[tuple[str, int, int]] = field(default_factory=list)  # code, electors, votes to win there


def votes_to_win_suggestion(campaign: CandidateCampaign) -> VotesToWin:
    """Votes to win from the seat's real arithmetic: the winning share of the 2024 result and of the notional
    result (the larger: the bar to clear), times the votes expected now (the electorate on the register at the
    average of the two turnouts), plus one; shared out over the districts by their electors."""
    from campaigns.models import NotionalResult, Result

    reasoning: list[str] = []
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT pd.code, count(e.id) FROM canvassing_pollingdistrict pd
               LEFT JOIN canvassing_elector e ON e.polling_district_id = pd.id
               WHERE pd.campaign_id = %s GROUP BY pd.code ORDER BY pd.code""",
            [campaign.pk],
        )
        districts = cursor.fetchall()
    electorate_now = sum(n for _, n in districts)
    result = (
        Result.objects.filter(constituency_id=campaign.constituency_id, valid_votes__gt=0)
        .select_related("winner", "election")
        .order_by("-election__date")
        .first()
    )
    notional = (
        NotionalResult.objects.filter(constituency_id=campaign.constituency_id, total_votes__gt=0)
        .prefetch_related("votes")
        .order_by("-election__date")
        .first()
    )
    shares, turnouts = [], []
    if result and result.winner and result.winner.votes:
        share = result.winner.votes / result.valid_votes
        shares.append(share)
        line = (
            f"{result.election.name if result.election_id else 'Last result'}: the winner had "
            f"{result.winner.votes:,} of {result.valid_votes:,} valid votes ({share:.1%})"
        )
        if result.electorate:
            turnouts.append(result.valid_votes / result.electorate)
            line += f"; turnout {result.valid_votes / result.electorate:.1%} of {result.electorate:,} electors"
        reasoning.append(line + ".")
    else:
        reasoning.append("No declared result for this seat is loaded.")
    if notional:
        top = max((v.votes for v in notional.votes.all()), default=0)
        if top:
            share = top / notional.total_votes
            shares.append(share)
            turnouts.append(notional.total_votes / notional.electorate if notional.electorate else 0)
            reasoning.append(
                f"{notional.label}: the winner ({notional.winner}) had {top:,} of {notional.total_votes:,} votes "
                f"({share:.1%}); turnout {notional.total_votes / notional.electorate:.1%}."
            )
    else:
        reasoning.append("No notional result for this seat is loaded.")
    turnouts = [t for t in turnouts if t]
    if not shares or not turnouts or not electorate_now:
        if not electorate_now:
            reasoning.append("The register is not loaded yet: no electorate to work from.")
        return VotesToWin(votes=None, reasoning=reasoning)
    share = max(shares)
    turnout = sum(turnouts) / len(turnouts)
    expected = electorate_now * turnout
    votes = math.floor(expected * share) + 1
    reasoning.append(
        f"Now: {electorate_now:,} electors on the register at {turnout:.1%} turnout (the average of the above) is "
        f"about {expected:,.0f} votes; {share:.1%} of them (the larger winning share, the bar to clear) plus one "
        f"is {votes:,}."
    )
    split = []
    if electorate_now:
        exact = [(code, n, votes * n / electorate_now) for code, n in districts]
        floors = [math.floor(x) for _, _, x in exact]
        left = votes - sum(floors)
        for index in sorted(range(len(exact)), key=lambda i: exact[i][2] - floors[i], reverse=True)[:left]:
            floors[index] += 1
        split = [(code, n, target) for (code, n, _), target in zip(exact, floors, strict=True)]
        reasoning.append("Each district's share is in proportion to its electors.")
    return VotesToWin(votes=votes, reasoning=reasoning, districts=split)


def lift_elector(campaign: CandidateCampaign, number: str) -> Elector | None:
    """The elector of a poll number typed on the lifts form (``KA-124``), on this campaign's register."""
    match = POLL_ITEM_RE.match(" ".join(number.split()))
    if not match or not match.group(1) or match.group(4):
        return None
    return (
        Elector.objects.filter(
            campaign=campaign, polling_district__code=match.group(1).upper(), number=int(match.group(2)),
            suffix=int(match.group(3) or 0),
        )
        .select_related("polling_district")
        .first()
    )  # fmt: skip
