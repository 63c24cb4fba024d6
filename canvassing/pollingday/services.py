"""Polling day's writes: stations, tellers' numbers (exactly once per entry id), knock-up rounds, lifts and votes
to win. Each checks the grant's level through organiser.scope and is a few statements whatever the numbers.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction

from canvassing.models import (
    CandidateCampaign,
    Elector,
    KnockUpRound,
    Lift,
    LiftStatus,
    PollingDayVote,
    PollingDistrict,
    PollingStation,
    WalkList,
)
from organiser import clock, scope
from organiser.inputs import object_id

#: A batch the tellers' screen sends at most (its queue sends 100 at a time).
MAX_TELLER_BATCH = 500
#: The most numbers one range may stand for (``KA 120-130``): a typo like ``1-99999`` is refused, not recorded.
MAX_RANGE = 200
#: How far a phone's clock may be ahead of ours before the time it says is not believed.
CLOCK_SLACK = dt.timedelta(minutes=5)

# One poll number or a range: optional district letters, a number, an optional /suffix, an optional end of range.
# ``124``, ``124/1``, ``KA-124``, ``KA 124``, ``KA120-130``, ``120-130``, ``120 to 130``, ``120..130``.
POLL_ITEM_RE = re.compile(
    r"^(?:([A-Za-z]{1,3}[0-9]{0,2})\s*-?\s*)?([0-9]{1,7})(?:\s*/\s*([0-9]{1,4}))?"
    r"(?:\s*(?:-|\u2013|to|\.\.)\s*([0-9]{1,7}))?$"
)
SPLIT_RE = re.compile(r"[,;\n]+")


# --- stations -------------------------------------------------------------------------------------------------


@transaction.atomic
def station_save(
    *,
    user,
    campaign: CandidateCampaign,
    name: str,
    address: str = "",
    districts: list[PollingDistrict],
    opens_at: dt.time = dt.time(7),
    closes_at: dt.time = dt.time(22),
    shifts=(),
    station: PollingStation | None = None,
) -> PollingStation:
    """Create (or change) a polling station: its name, address, the districts it serves, its hours, and the
    telling shifts whose volunteers are its tellers (shifts of the campaign's seat)."""
    scope.require_register(user, campaign, PollingStation, "change" if station else "add")
    name = name.strip()
    if not name:
        raise ValidationError("Name the polling station.")
    if not districts:
        raise ValidationError("Choose the polling districts whose electors vote at this station.")
    if any(d.campaign_id != campaign.pk for d in districts):
        raise ValidationError("Those polling districts belong to another campaign.")
    if any(s.constituency_id != campaign.constituency_id for s in shifts):
        raise ValidationError("A telling shift of another seat cannot roster this station.")
    if closes_at <= opens_at:
        raise ValidationError("The station must close after it opens.")
    clash = PollingStation.objects.filter(campaign=campaign, name__iexact=name)
    if station:
        clash = clash.exclude(pk=station.pk)
    if clash.exists():
        raise ValidationError(f"There is a station called {name} already.")
    station = station or PollingStation(campaign=campaign)
    station.name, station.address, station.opens_at, station.closes_at = name, address.strip(), opens_at, closes_at
    station.save()
    station.districts.set(districts)
    station.shifts.set(shifts)
    return station


# --- tellers --------------------------------------------------------------------------------------------------


@dataclass
class TellerBatchResult:
    """Per entry id: ``accepted`` (stored now or before: the phone drops it) or ``rejected`` (with why: the phone
    drops it too and says so). ``recorded``/``duplicates``: numbers new and seen before, in the entries new now;
    ``refused``: the numbers of those entries that were refused, with why."""

    accepted: list[str] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)
    recorded: int = 0
    duplicates: int = 0
    refused: list[dict] = field(default_factory=list)


def parse_numbers(written: str, districts: dict[str, int]) -> tuple[list[tuple[int, int, int]], list[dict]]:
    """What a teller typed, as (district id, number, suffix) triples, and the items refused with why.

    ``districts`` maps the station's district codes to their ids: an item with letters must name one of them;
    an item without letters is in the station's only district (a station of several needs the letters)."""
    found: list[tuple[int, int, int]] = []
    refused: list[dict] = []
    codes = ", ".join(sorted(districts))
    for raw in SPLIT_RE.split(written):
        item = " ".join(raw.split())
        if not item:
            continue
        match = POLL_ITEM_RE.match(item)
        if not match:
            refused.append({"number": item, "reason": "not a poll number"})
            continue
        letters, start, suffix, end = match.groups()
        if letters:
            district = districts.get(letters.upper())
            if district is None:
                refused.append({"number": item, "reason": f"this station serves {codes}, not {letters.upper()}"})
                continue
        elif len(districts) == 1:
            district = next(iter(districts.values()))
        else:
            refused.append({"number": item, "reason": f"say the district: this station serves {codes}"})
            continue
        first = int(start)
        if end is None:
            found.append((district, first, int(suffix or 0)))
            continue
        last = int(end)
        if suffix or last < first or last - first + 1 > MAX_RANGE:
            refused.append({"number": item, "reason": f"a range runs up, without /suffixes, at most {MAX_RANGE}"})
            continue
        found.extend((district, number, 0) for number in range(first, last + 1))
    return found, refused


def _taken_at(value, now: dt.datetime) -> dt.datetime:
    """When the phone says the number was taken: believed if it is today (UK) and not ahead of us."""
    from django.utils.dateparse import parse_datetime

    instant = None
    if isinstance(value, dt.datetime):
        instant = value
    elif isinstance(value, str) and len(value) <= 40:
        try:
            instant = parse_datetime(value)
        except ValueError:
            instant = None
    try:
        if instant is None or instant.tzinfo is None or instant > now + CLOCK_SLACK:
            return now
        if clock.today(instant) != clock.today(now):
            return now
    except (OverflowError, ValueError):  # a year past what a timezone conversion can hold
        return now
    return min(instant, now)


def teller_entries_record(*, user, entries: list) -> TellerBatchResult:
    """Record what tellers typed, one entry per line typed: ``{"id": uuid, "station": id, "numbers": "KA 12, 14-16",
    "taken_at": iso}``. Idempotent per entry id: an id stored before is accepted and changes nothing (a phone
    resends after a lost answer); two tellers typing the same number record it once (the first).

    Numbers are checked against the station's districts (see :func:`parse_numbers`) and the register; those
    refused are said per entry. An entry for a station the user's grant does not reach is rejected whole."""
    now = clock.now()
    result = TellerBatchResult()
    if not isinstance(entries, list) or len(entries) > MAX_TELLER_BATCH:
        raise ValidationError(f"Send between 1 and {MAX_TELLER_BATCH} entries.")
    cleaned: list[dict] = []
    for entry in entries:
        entry = entry if isinstance(entry, dict) else {}
        try:
            client_id = str(uuid.UUID(str(entry.get("id"))))
        except ValueError:
            result.rejected.append({"id": str(entry.get("id", ""))[:40], "reason": "no entry id"})
            continue
        station = object_id(entry.get("station"))
        written = entry.get("numbers")
        if station is None or not isinstance(written, str) or not written.strip() or len(written) > 200:
            result.rejected.append({"id": client_id, "reason": "an entry needs a station and the numbers typed"})
            continue
        try:
            written.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate (a JSON escape): no text column holds it
            result.rejected.append({"id": client_id, "reason": "not a poll number"})
            continue
        taken_at = _taken_at(entry.get("taken_at"), now)
        cleaned.append({"id": client_id, "station": station, "written": written.strip(), "taken_at": taken_at})
    if not cleaned:
        return result
    allowed = scope.campaigns_for_action(user, PollingDayVote, "add").values("pk")
    stations = {
        station.pk: station
        for station in PollingStation.objects.filter(
            pk__in={e["station"] for e in cleaned}, campaign_id__in=allowed, campaign__destroyed_at__isnull=True
        ).prefetch_related("districts")
    }
    rows = []
    for entry in cleaned:
        station = stations.get(entry["station"])
        if station is None:
            result.rejected.append({"id": entry["id"], "reason": "not a polling station of a register you hold"})
            continue
        numbers, refused = parse_numbers(entry["written"], {d.code.upper(): d.pk for d in station.districts.all()})
        rows.append({**entry, "campaign": station.campaign_id, "numbers": numbers, "refused": refused})
    if not rows:
        return result
    items = [
        {"entry": row["id"], "district": district, "number": number, "suffix": suffix}
        for row in rows
        for district, number, suffix in row["numbers"]
    ]
    entries_json = json.dumps(
        [
            {"client_id": r["id"], "campaign": r["campaign"], "station": r["station"], "written": r["written"],
             "taken_at": r["taken_at"].isoformat(), "refused": r["refused"]}
            for r in rows
        ]
    )  # fmt: skip
    with transaction.atomic(), connection.cursor() as cursor:
        # The entries first: an id stored before conflicts and does nothing, and only the numbers of entries new
        # now are looked up and recorded, so a resend can never count a number twice.
        cursor.execute(
            """WITH input AS (
                   SELECT * FROM jsonb_to_recordset(%(entries)s::jsonb)
                       AS r(client_id uuid, campaign bigint, station bigint, written text, taken_at timestamptz,
                            refused jsonb)
               )
               INSERT INTO canvassing_tellerentry (campaign_id, station_id, client_id, written, entered_by_id,
                                                   taken_at, received_at, recorded, duplicates, rejected)
               SELECT campaign, station, client_id, written, %(user)s, taken_at, %(now)s, 0, 0, refused FROM input
               ON CONFLICT (client_id) DO NOTHING
               RETURNING client_id::text, id""",
            {"entries": entries_json, "user": user.pk, "now": now},
        )
        new = dict(cursor.fetchall())
        counts: dict[str, list[int]] = {client_id: [0, 0] for client_id in new}
        fresh_items = [item for item in items if item["entry"] in new]
        not_found: dict[str, list[str]] = {}
        if fresh_items:
            cursor.execute(
                """WITH input AS (
                       SELECT * FROM jsonb_to_recordset(%(items)s::jsonb)
                           AS r(entry uuid, district bigint, number int, suffix int)
                   ), found AS (
                       SELECT i.entry, i.district, i.number, i.suffix, e.id AS elector, t.id AS entry_pk,
                              t.station_id, t.campaign_id, t.taken_at,
                              row_number() OVER (PARTITION BY e.id ORDER BY t.taken_at, t.id) AS nth
                       FROM input i
                       JOIN canvassing_tellerentry t ON t.client_id = i.entry
                       LEFT JOIN canvassing_elector e ON e.polling_district_id = i.district AND e.number = i.number
                            AND e.suffix = i.suffix AND e.campaign_id = t.campaign_id
                   ), inserted AS (
                       INSERT INTO canvassing_pollingdayvote (campaign_id, elector_id, entered_by_id, entered_at,
                                                              station_id, taken_at)
                       SELECT campaign_id, elector, %(user)s, %(now)s, station_id, taken_at
                       FROM found WHERE elector IS NOT NULL AND nth = 1
                       ON CONFLICT (elector_id) DO NOTHING
                       RETURNING elector_id
                   )
                   SELECT f.entry::text, f.elector, f.number, f.suffix, pd.code,
                          (f.nth = 1 AND f.elector IN (SELECT elector_id FROM inserted))
                   FROM found f JOIN canvassing_pollingdistrict pd ON pd.id = f.district""",
                {"items": json.dumps(fresh_items), "user": user.pk, "now": now},
            )
            for entry_id, elector, number, suffix, code, is_new in cursor.fetchall():
                if elector is None:
                    label = f"{code}-{number}/{suffix}" if suffix else f"{code}-{number}"
                    not_found.setdefault(entry_id, []).append(label)
                elif is_new:
                    counts[entry_id][0] += 1
                else:
                    counts[entry_id][1] += 1
        if new:
            cursor.execute(
                """UPDATE canvassing_tellerentry t SET recorded = c.recorded, duplicates = c.duplicates,
                          rejected = t.rejected || c.missing
                   FROM jsonb_to_recordset(%(counts)s::jsonb) AS c(id bigint, recorded int, duplicates int,
                                                                   missing jsonb)
                   WHERE t.id = c.id""",
                {
                    "counts": json.dumps(
                        [
                            {"id": pk, "recorded": counts[client_id][0], "duplicates": counts[client_id][1],
                             "missing": [{"number": n, "reason": "not on the register"}
                                         for n in not_found.get(client_id, [])]}
                            for client_id, pk in new.items()
                        ]
                    )
                },
            )  # fmt: skip
    for row in rows:
        result.accepted.append(row["id"])
        if row["id"] in new:
            result.recorded += counts[row["id"]][0]
            result.duplicates += counts[row["id"]][1]
            result.refused += [{"id": row["id"], **item} for item in row["refused"]]
            result.refused += [
                {"id": row["id"], "number": n, "reason": "not on the register"} for n in not_found.get(row["id"], [])
            ]
    return result


# --- knock-up rounds -----------------------------------------------------------------------------------------

#: Electors a knock-up round visits: promises and leans who have not voted by the tellers' numbers, and have not
#: said at a door since polling day began that they voted or will not (nor moved or asked to be left alone).
KNOCK_UP_ROUND_CONDITION = """e.current_intention_id IN (SELECT id FROM canvassing_intentioncode
        WHERE campaign_id = e.campaign_id AND category IN ('promise', 'lean'))
    AND e.current_outcome NOT IN ('moved', 'do_not_contact', 'already_voted', 'wont_vote')
    AND NOT EXISTS (SELECT 1 FROM canvassing_pollingdayvote v WHERE v.elector_id = e.id)"""


@transaction.atomic
def knock_up_round_cut(
    *,
    user,
    campaign: CandidateCampaign,
    districts: list[PollingDistrict],
    volunteers=(),
    doors: int = 40,
    reasoning: list | None = None,
) -> KnockUpRound:
    """Cut the next knock-up round: in each chosen district, the promises and leans not yet voted as of now
    (the round's cut-off) into walk lists of about ``doors`` doors, given in turn to ``volunteers`` (who need a
    grant on the register to open them). A later round leaves out whoever voted, or said so at a door, since."""
    scope.require_register(user, campaign, KnockUpRound, "add")
    scope.require_register(user, campaign, WalkList, "add")
    if not districts:
        raise ValidationError("Choose at least one polling district for the round.")
    if any(d.campaign_id != campaign.pk for d in districts):
        raise ValidationError("Those polling districts belong to another campaign.")
    if doors < 1 or doors > 500:
        raise ValidationError("A knock-up list takes between 1 and 500 doors.")
    from canvassing.models import RegisterGrant

    volunteers = list(volunteers)
    granted = set(
        RegisterGrant.objects.filter(campaign=campaign, user__in=volunteers).values_list("user_id", flat=True)
    )
    if missing := [str(v) for v in volunteers if v.pk not in granted]:
        raise ValidationError(f"{', '.join(missing)}: no grant on this register; the agent must grant it first.")
    CandidateCampaign.objects.select_for_update().filter(pk=campaign.pk).first()  # one round number at a time
    last = KnockUpRound.objects.filter(campaign=campaign).order_by("-number").values_list("number", flat=True).first()
    now = clock.now()
    knock_round = KnockUpRound.objects.create(
        campaign=campaign, number=(last or 0) + 1, cut_off=now, created_by=user if user.pk else None,
        reasoning=reasoning or [],
    )  # fmt: skip
    from canvassing.services import WALK_ORDER

    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH chosen AS (
                SELECT e.id, e.polling_district_id AS pd, e.street, e.number, e.suffix,
                       e.street || '#' || coalesce(e.house_number::text, e.property_key) AS building,
                       dense_rank() OVER (PARTITION BY e.polling_district_id ORDER BY {WALK_ORDER}) AS door_no
                FROM canvassing_elector e
                WHERE e.campaign_id = %(campaign)s AND e.property_key <> ''
                  AND e.polling_district_id = ANY(%(districts)s) AND {KNOCK_UP_ROUND_CONDITION}
            ), existing AS (
                SELECT polling_district_id AS pd, max(sequence) AS last FROM canvassing_walklist
                WHERE campaign_id = %(campaign)s GROUP BY polling_district_id
            ), numbered AS (
                SELECT c.*, (min(c.door_no) OVER (PARTITION BY c.pd, c.building) - 1) / %(doors)s
                       + 1 + coalesce(x.last, 0) AS seq
                FROM chosen c LEFT JOIN existing x ON x.pd = c.pd
            ), lists AS (
                INSERT INTO canvassing_walklist (campaign_id, polling_district_id, name, sequence, batch, doors,
                                                 electors_count, filters, created_at, knock_up_round_id)
                SELECT %(campaign)s, n.pd,
                       'Round ' || %(number)s || ' · ' || pd.code || ' '
                           || lpad((n.seq - coalesce(min(x.last), 0))::text, 2, '0') || ': '
                           || initcap((array_agg(n.street ORDER BY n.door_no))[1]),
                       n.seq, %(batch)s, count(DISTINCT n.door_no), count(*), %(filters)s::jsonb, %(now)s, %(round)s
                FROM numbered n JOIN canvassing_pollingdistrict pd ON pd.id = n.pd
                LEFT JOIN existing x ON x.pd = n.pd
                GROUP BY n.pd, pd.code, n.seq
                RETURNING id, polling_district_id, sequence
            )
            INSERT INTO canvassing_walklistentry (walk_list_id, elector_id, position)
            SELECT l.id, n.id, row_number() OVER (PARTITION BY l.id ORDER BY n.door_no, n.number, n.suffix)
            FROM numbered n JOIN lists l ON l.polling_district_id = n.pd AND l.sequence = n.seq
            """,  # noqa: S608 - fixed SQL fragments; values are parameters
            {
                "campaign": campaign.pk,
                "districts": [d.pk for d in districts],
                "doors": doors,
                "batch": uuid.uuid4(),
                "filters": json.dumps({"doors": doors, "filters": ["knock_up"], "round": knock_round.number}),
                "now": now,
                "round": knock_round.pk,
                "number": knock_round.number,
            },
        )
    if volunteers:
        lists = list(WalkList.objects.filter(knock_up_round=knock_round).order_by("polling_district__code", "sequence"))
        for index, walk_list in enumerate(lists):
            walk_list.volunteer = volunteers[index % len(volunteers)]
        WalkList.objects.bulk_update(lists, ["volunteer"])
    return knock_round


# --- lifts -----------------------------------------------------------------------------------------------------


def lifts_from_doorstep(*, campaign: CandidateCampaign) -> int:
    """Every doorstep entry that reached us on polling day saying "needs a lift" becomes a lift to match (once per
    entry), picked up from the elector's address at the time the door was knocked (or now, if that is past).
    The day is the server's (``received_at``): a phone's clock may be wrong. One statement."""
    start, end = clock.day_bounds(campaign.polling_day)
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO canvassing_lift (campaign_id, elector_id, response_id, wanted_at, pick_up, note, status,
                                            requested_by_id, created_at, updated_at)
               SELECT r.campaign_id, r.elector_id, r.id, greatest(r.recorded_at, %(now)s),
                      left(concat_ws(', ', nullif(e.address_1, ''), nullif(e.address_2, ''),
                                     nullif(e.postcode, '')), 300),
                      left(r.note, 300), 'open', r.recorded_by_id, %(now)s, %(now)s
               FROM canvassing_canvassresponse r JOIN canvassing_elector e ON e.id = r.elector_id
               WHERE r.campaign_id = %(campaign)s AND r.outcome = 'needs_lift'
                 AND r.received_at >= %(start)s AND r.received_at < %(end)s
               ON CONFLICT (response_id) DO NOTHING""",
            {"campaign": campaign.pk, "start": start, "end": end, "now": clock.now()},
        )
        return cursor.rowcount


@transaction.atomic
def lift_request(
    *, user, campaign: CandidateCampaign, elector: Elector, wanted_at: dt.datetime, pick_up: str = "", note: str = ""
) -> Lift:
    """A lift asked for on the day (the elector rang the committee room): from their address unless said."""
    scope.require_register(user, campaign, Lift, "add")
    if elector.campaign_id != campaign.pk:
        raise ValidationError("That elector is on another campaign's register.")
    start, end = clock.day_bounds(campaign.polling_day)
    if not start <= wanted_at < end:
        raise ValidationError("A lift to vote is on polling day.")
    pick_up = (pick_up or elector.address).strip()[:300]
    if not pick_up:
        raise ValidationError("Say where to pick them up.")
    return Lift.objects.create(
        campaign=campaign, elector=elector, wanted_at=wanted_at, pick_up=pick_up, note=note.strip()[:300],
        requested_by=user,
    )  # fmt: skip


def drivers_for(campaign: CandidateCampaign):
    """Volunteers who offered to drive (the driving skill) in the campaign's seat, or who live there."""
    from django.db.models import Q

    from volunteers.models import User

    return (
        User.objects.filter(is_active=True, profile__skills__contains=["driving"])
        .filter(
            Q(profile__home_constituency_id=campaign.constituency_id)
            | Q(signups__shift__constituency_id=campaign.constituency_id)
        )
        .distinct()
        .order_by("full_name", "email")
    )


@transaction.atomic
def lift_offer(*, user, lift: Lift, driver) -> Lift:
    """The committee room offers a lift to a driver (who drives: the driving skill). They see it by its time
    and area only until they accept it."""
    lift = Lift.objects.select_for_update().select_related("campaign").get(pk=lift.pk)
    scope.require_register(user, lift.campaign, Lift, "change")
    if lift.status not in (LiftStatus.OPEN, LiftStatus.OFFERED):
        raise ValidationError("This lift is accepted, done or cancelled already.")
    if not drivers_for(lift.campaign).filter(pk=driver.pk).exists():
        raise ValidationError(f"{driver} has not offered to drive in this seat.")
    lift.driver, lift.status, lift.updated_at = driver, LiftStatus.OFFERED, clock.now()
    lift.save(update_fields=["driver", "status", "updated_at"])
    return lift


@transaction.atomic
def lift_answer(*, driver, lift: Lift, accept: bool) -> Lift:
    """The driver accepts the lift offered to them (and then sees its pick-up) or turns it down (it is open
    again for the committee room)."""
    lift = Lift.objects.select_for_update().get(pk=lift.pk)
    if lift.driver_id != driver.pk or lift.status != LiftStatus.OFFERED:
        raise PermissionDenied("This lift is not offered to you.")
    if accept:
        lift.status = LiftStatus.ACCEPTED
    else:
        lift.status, lift.driver = LiftStatus.OPEN, None
    lift.updated_at = clock.now()
    lift.save(update_fields=["status", "driver", "updated_at"])
    return lift


@transaction.atomic
def lift_close(*, user, lift: Lift, status: str) -> Lift:
    """Done (taken to vote) or cancelled: by the committee room, or done by the driver who accepted it."""
    lift = Lift.objects.select_for_update().select_related("campaign").get(pk=lift.pk)
    if status not in (LiftStatus.DONE, LiftStatus.CANCELLED):
        raise ValidationError("A lift ends done or cancelled.")
    is_driver = lift.driver_id == getattr(user, "pk", None) and lift.status == LiftStatus.ACCEPTED
    if not (is_driver and status == LiftStatus.DONE):
        scope.require_register(user, lift.campaign, Lift, "change")
    if lift.status in (LiftStatus.DONE, LiftStatus.CANCELLED):
        return lift
    lift.status, lift.updated_at = status, clock.now()
    lift.save(update_fields=["status", "updated_at"])
    return lift


# --- votes to win ---------------------------------------------------------------------------------------------


@transaction.atomic
def votes_to_win_set(*, user, campaign: CandidateCampaign, votes: int) -> CandidateCampaign:
    """The organiser's figure for votes to win (the suggestion taken, or their own): the agent's to change, as
    the campaign's other details are."""
    scope.require_register(user, campaign, CandidateCampaign, "change")
    if not 0 < votes <= 10_000_000:
        raise ValidationError("Votes to win is a whole number above nought.")
    CandidateCampaign.objects.filter(pk=campaign.pk).update(votes_to_win=votes)
    campaign.votes_to_win = votes
    return campaign
