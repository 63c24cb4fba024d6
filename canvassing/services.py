"""Writes on the register and canvassing: one service per action, called by pages, the API, admin, commands
and tasks alike. Set-based: each service is a few SQL statements whatever the number of electors.

Who may do what beyond the scope rule (a grant on the campaign) is decided here by the grant's level:
agents grant others and destroy; agents and organisers import, export, cut and assign lists; canvassers
record responses and tellers' numbers on the campaigns they are granted.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from canvassing.import_jobs import import_jobs_destroy
from canvassing.models import (
    AccessLog,
    CandidateCampaign,
    CanvassResponse,
    Elector,
    GrantLevel,
    IntentionCode,
    KnockUpSheet,
    Outcome,
    PollingDistrict,
    RegisterGrant,
    SurveyQuestion,
    WalkList,
)
from organiser import clock
from organiser.inputs import object_id

ORGANISING_LEVELS = (GrantLevel.AGENT, GrantLevel.ORGANISER)
#: More doors than this by one canvasser within PACE_WINDOW is implausible: flagged for the organiser.
PACE_DOORS = 20
PACE_WINDOW = dt.timedelta(minutes=2)
DEFAULT_INTENTIONS = (
    ("C", "Our candidate (promise)", IntentionCode.Category.PROMISE),
    ("L", "Leaning to our candidate", IntentionCode.Category.LEAN),
    ("U", "Undecided", IntentionCode.Category.UNDECIDED),
    ("LAB", "Labour", IntentionCode.Category.OTHER),
    ("CON", "Conservative", IntentionCode.Category.OTHER),
    ("LD", "Liberal Democrat", IntentionCode.Category.OTHER),
    ("GRN", "Green", IntentionCode.Category.OTHER),
    ("RUK", "Reform UK", IntentionCode.Category.OTHER),
    ("OTH", "Another candidate", IntentionCode.Category.OTHER),
    ("A", "Against", IntentionCode.Category.AGAINST),
    ("W", "Won't say", IntentionCode.Category.WONT_SAY),
)


# --- grants and the access log ----------------------------------------------------------------------


def grant_level(user, campaign: CandidateCampaign | int) -> str | None:
    """The user's grant level on the campaign, or None without a grant."""
    if not (user and user.is_authenticated and user.is_active):
        return None
    campaign_id = campaign if isinstance(campaign, int) else campaign.pk
    return (
        RegisterGrant.objects.filter(user_id=user.pk, campaign_id=campaign_id).values_list("level", flat=True).first()
    )


def require_level(user, campaign: CandidateCampaign, levels: Iterable[str]) -> str:
    level = grant_level(user, campaign)
    if level not in levels:
        raise PermissionDenied("Your grant on this campaign's register does not allow this.")
    return level


def access_log(*, campaign, user, action: str, electors: int, route: str, **detail) -> AccessLog:
    """Write who saw (or exported, imported, destroyed) how many electors' data of which campaign, by which route."""
    return AccessLog.objects.create(
        campaign_id=campaign if isinstance(campaign, int) else campaign.pk,
        user=user if user and user.is_authenticated else None,
        action=action,
        electors=electors,
        route=route[:300],
        detail=detail,
    )


@transaction.atomic
def candidate_campaign_create(
    *,
    endorsement,
    agent,
    polling_day: dt.date,
    retention_date: dt.date,
    votes_to_win: int = 0,
    name: str = "",
    granted_by=None,
) -> CandidateCampaign:
    """Open the register's home for an endorsed candidate: the agent is granted it; default intention codes."""
    if endorsement.status != endorsement.Status.ENDORSED:
        raise ValidationError("Only an endorsed candidate's campaign holds a register.")
    if retention_date <= polling_day:
        raise ValidationError("The retention date must be after polling day.")
    campaign = CandidateCampaign.objects.create(
        endorsement=endorsement,
        election_id=endorsement.election_id,
        constituency_id=endorsement.constituency_id,
        name=name or f"{endorsement.candidacy.person} for {endorsement.constituency}",
        agent=agent,
        polling_day=polling_day,
        retention_date=retention_date,
        votes_to_win=votes_to_win,
    )
    RegisterGrant.objects.create(user=agent, campaign=campaign, level=GrantLevel.AGENT, granted_by=granted_by)
    IntentionCode.objects.bulk_create(
        IntentionCode(campaign=campaign, code=code, label=label, category=category, order=order)
        for order, (code, label, category) in enumerate(DEFAULT_INTENTIONS)
    )
    SurveyQuestion.objects.create(
        campaign=campaign,
        key="issue",
        text="What matters most to you at this election?",
        kind=SurveyQuestion.Kind.CHOICE,
        choices=["Cost of living", "Housing", "NHS", "Foreign policy", "Local services", "Other"],
    )
    SurveyQuestion.objects.create(
        campaign=campaign, key="poster", text="Would you put up a window poster?", kind=SurveyQuestion.Kind.YES_NO
    )
    return campaign


def register_grant_create(*, campaign: CandidateCampaign, user, level: str, granted_by) -> RegisterGrant:
    """Grant ``user`` the campaign's register; only its agent grants (the agent is legally responsible)."""
    require_level(granted_by, campaign, [GrantLevel.AGENT])
    grant, _ = RegisterGrant.objects.update_or_create(
        user=user, campaign=campaign, defaults={"level": level, "granted_by": granted_by}
    )
    return grant


def register_grant_revoke(*, campaign: CandidateCampaign, user, revoked_by) -> None:
    require_level(revoked_by, campaign, [GrantLevel.AGENT])
    if user.pk == campaign.agent_id:
        raise ValidationError("The agent's own grant cannot be revoked.")
    RegisterGrant.objects.filter(campaign=campaign, user=user).delete()


# --- retention ------------------------------------------------------------------------------------


@transaction.atomic
def register_destroy(*, campaign: CandidateCampaign, route: str, user=None, now: dt.datetime | None = None) -> int:
    """Destroy the campaign's register data (electors, responses, lists, votes, sheets, layouts, uploaded files
    waiting for import); log it.

    Returns how many electors were destroyed. The campaign row, its grants and its access log remain.
    """
    campaign = CandidateCampaign.objects.select_for_update().get(pk=campaign.pk)
    with connection.cursor() as cursor:
        for table in (
            "canvassing_canvassresponse",
            "canvassing_pollingdayvote",
            "canvassing_knockupsheet",
        ):
            cursor.execute(f"DELETE FROM {table} WHERE campaign_id = %s", [campaign.pk])  # noqa: S608 (fixed names)
        cursor.execute(
            "DELETE FROM canvassing_walklistentry WHERE walk_list_id IN "
            "(SELECT id FROM canvassing_walklist WHERE campaign_id = %s)",
            [campaign.pk],
        )
        cursor.execute("DELETE FROM canvassing_walklist WHERE campaign_id = %s", [campaign.pk])
        cursor.execute("DELETE FROM canvassing_elector WHERE campaign_id = %s", [campaign.pk])
        electors = cursor.rowcount
        cursor.execute("DELETE FROM canvassing_pollingdistrict WHERE campaign_id = %s", [campaign.pk])
        cursor.execute("DELETE FROM canvassing_registerlayout WHERE campaign_id = %s", [campaign.pk])
    import_jobs_destroy(campaign=campaign)
    campaign.destroyed_at = now or clock.now()
    campaign.save(update_fields=["destroyed_at"])
    access_log(
        campaign=campaign,
        user=user,
        action=AccessLog.Action.DESTROY,
        electors=electors,
        route=route,
        retention_date=campaign.retention_date.isoformat(),
    )
    return electors


def registers_destroy_expired(
    *, now: dt.datetime | None = None, today: dt.date | None = None, route: str = "task"
) -> list[int]:
    """Destroy every register whose retention date has come by ``today`` (default: the UK date at ``now``);
    returns the campaigns' ids."""
    now = now or clock.now()
    today = today or clock.today(now)
    due = list(CandidateCampaign.objects.filter(retention_date__lte=today, destroyed_at__isnull=True))
    for campaign in due:
        register_destroy(campaign=campaign, route=route, now=now)
    return [campaign.pk for campaign in due]


# --- walk lists -----------------------------------------------------------------------------------

#: The walking order of doors over electors ``e``: street, odd side up, even side back down, then unnumbered
#: houses; flats of a block in flat order; one household (``property_key``) is one door. Text sorts in the "C"
#: collation (byte order: the walk fields are upper case ASCII), several times faster than the locale's.
WALK_ORDER = """e.street COLLATE "C",
    CASE WHEN e.house_number IS NULL THEN 2 WHEN mod(e.house_number, 2) = 1 THEN 0 ELSE 1 END,
    CASE WHEN mod(e.house_number, 2) = 1 THEN e.house_number ELSE -e.house_number END,
    nullif(substring(e.flat FROM '^[0-9]{1,6}'), '')::int, e.flat COLLATE "C", e.property_key COLLATE "C"
"""

WALK_LIST_FILTERS = {
    "not_canvassed": "not yet canvassed",
    "postal_voters": "postal voters only (canvass them first: their votes arrive two weeks early)",
    "leans_and_undecided": "leans and undecided only",
}


@dataclass
class CutResult:
    batch: uuid.UUID
    lists: int = 0
    electors: int = 0
    doors: int = 0
    ids: list[int] = field(default_factory=list)


def _filter_sql(filters: Iterable[str]) -> str:
    conditions = []
    for name in filters:
        if name == "not_canvassed":
            conditions.append("e.current_outcome = ''")
        elif name == "postal_voters":
            conditions.append("e.postal_voter")
        elif name == "leans_and_undecided":
            conditions.append(
                "e.current_intention_id IN (SELECT id FROM canvassing_intentioncode "
                "WHERE campaign_id = %(campaign)s AND category IN ('lean', 'undecided'))"
            )
        else:
            raise ValidationError(f"unknown walk list filter {name!r}")
    return "".join(f" AND {condition}" for condition in conditions)


@transaction.atomic
def walk_lists_cut(
    *,
    campaign: CandidateCampaign,
    doors: int = 100,
    polling_district: PollingDistrict | None = None,
    filters: Iterable[str] = (),
    replace: bool = True,
    user=None,
) -> CutResult:
    """Cut the campaign's (or one district's) electors into walk lists of about ``doors`` doors each.

    Households (one ``property_key``) are never split, and a block of flats (a street and house number) goes
    to one list: a list ends at the first building that starts past its ``doors``. Electors who moved, asked
    not to be contacted or are anonymous are left out. With ``replace`` the district's previous lists go.
    One INSERT ... SELECT over window functions does the cutting.
    """
    if user is not None:
        require_level(user, campaign, ORGANISING_LEVELS)
    if doors < 1:
        raise ValidationError("A walk list needs at least one door.")
    filters = sorted(set(filters))
    district_sql = " AND e.polling_district_id = %(district)s" if polling_district else ""
    params = {
        "campaign": campaign.pk,
        "district": polling_district.pk if polling_district else None,
        "doors": doors,
        "batch": uuid.uuid4(),
        "filters": json.dumps({"doors": doors, "filters": filters}),
        "now": clock.now(),
    }
    with connection.cursor() as cursor:
        # One statement over the whole seat: JIT compiling would cost more than it saves, and the sorts fit
        # in memory rather than spilling to disk.
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL work_mem = '64MB'")
        if replace:
            cursor.execute(
                "DELETE FROM canvassing_walklistentry WHERE walk_list_id IN (SELECT id FROM canvassing_walklist "  # noqa: S608
                f"WHERE campaign_id = %(campaign)s {district_sql.replace('e.', '')})",
                params,
            )
            cursor.execute(
                f"DELETE FROM canvassing_walklist WHERE campaign_id = %(campaign)s {district_sql.replace('e.', '')}",  # noqa: S608
                params,
            )
        cursor.execute(
            f"""
            WITH chosen AS (
                SELECT e.id, e.polling_district_id AS pd, e.street, e.number, e.suffix,
                       e.street || '#' || coalesce(e.house_number::text, e.property_key) AS building,
                       dense_rank() OVER (PARTITION BY e.polling_district_id ORDER BY {WALK_ORDER}) AS door_no
                FROM canvassing_elector e
                WHERE e.campaign_id = %(campaign)s AND e.property_key <> ''
                  AND e.current_outcome NOT IN ('moved', 'do_not_contact') {district_sql} {_filter_sql(filters)}
            ), existing AS (
                SELECT polling_district_id AS pd, max(sequence) AS last FROM canvassing_walklist
                WHERE campaign_id = %(campaign)s GROUP BY polling_district_id
            ), numbered AS (
                SELECT c.*, (min(c.door_no) OVER (PARTITION BY c.pd, c.building) - 1) / %(doors)s
                       + 1 + coalesce(x.last, 0) AS seq
                FROM chosen c LEFT JOIN existing x ON x.pd = c.pd
            ), lists AS (
                INSERT INTO canvassing_walklist (campaign_id, polling_district_id, name, sequence, batch, doors,
                                                 electors_count, filters, created_at)
                SELECT %(campaign)s, n.pd,
                       pd.code || ' ' || lpad(n.seq::text, 2, '0') || ': '
                           || initcap((array_agg(n.street ORDER BY n.door_no))[1]),
                       n.seq, %(batch)s, count(DISTINCT n.door_no), count(*), %(filters)s::jsonb, %(now)s
                FROM numbered n JOIN canvassing_pollingdistrict pd ON pd.id = n.pd
                GROUP BY n.pd, pd.code, n.seq
                RETURNING id, polling_district_id, sequence
            )
            INSERT INTO canvassing_walklistentry (walk_list_id, elector_id, position)
            SELECT l.id, n.id, row_number() OVER (PARTITION BY l.id ORDER BY n.door_no, n.number, n.suffix)
            FROM numbered n JOIN lists l ON l.polling_district_id = n.pd AND l.sequence = n.seq
            """,  # noqa: S608
            params,
        )
        electors = cursor.rowcount
        cursor.execute("SELECT id, doors FROM canvassing_walklist WHERE batch = %(batch)s", params)
        rows = cursor.fetchall()
    return CutResult(
        batch=params["batch"],
        lists=len(rows),
        electors=electors,
        doors=sum(door_count for _, door_count in rows),
        ids=sorted(pk for pk, _ in rows),
    )


def _recount(cursor, walk_list_ids: list[int]) -> None:
    cursor.execute(
        """UPDATE canvassing_walklist w SET
               electors_count = (SELECT count(*) FROM canvassing_walklistentry x WHERE x.walk_list_id = w.id),
               doors = (SELECT count(DISTINCT e.property_key) FROM canvassing_walklistentry x
                        JOIN canvassing_elector e ON e.id = x.elector_id WHERE x.walk_list_id = w.id)
           WHERE w.id = ANY(%s)""",
        [walk_list_ids],
    )


@transaction.atomic
def walk_lists_merge(*, walk_lists: list[WalkList], user=None) -> WalkList:
    """Merge lists of one district into the first (in district order); the others are deleted."""
    if len(walk_lists) < 2:
        raise ValidationError("Pick at least two walk lists to merge.")
    ordered = sorted(walk_lists, key=lambda w: (w.sequence, w.pk))
    target = ordered[0]
    if {w.campaign_id for w in ordered} != {target.campaign_id} or {w.polling_district_id for w in ordered} != {
        target.polling_district_id
    }:
        raise ValidationError("Only lists of the same polling district can be merged.")
    if user is not None:
        require_level(user, target.campaign, ORGANISING_LEVELS)
    ids = [w.pk for w in ordered]
    with connection.cursor() as cursor:
        cursor.execute(
            """UPDATE canvassing_walklistentry x SET walk_list_id = %s, position = r.new_position
               FROM (SELECT x2.id, row_number() OVER (ORDER BY array_position(%s, x2.walk_list_id), x2.position)
                            AS new_position
                     FROM canvassing_walklistentry x2 WHERE x2.walk_list_id = ANY(%s)) r
               WHERE x.id = r.id""",
            [target.pk, ids, ids],
        )
        cursor.execute("DELETE FROM canvassing_walklist WHERE id = ANY(%s)", [ids[1:]])
        _recount(cursor, [target.pk])
    target.refresh_from_db()
    return target


@transaction.atomic
def walk_list_split(*, walk_list: WalkList, user=None) -> WalkList:
    """Split a list in two at the household nearest its middle; returns the new second half."""
    if user is not None:
        require_level(user, walk_list.campaign, ORGANISING_LEVELS)
    with connection.cursor() as cursor:
        cursor.execute(
            """WITH ranked AS (
                   SELECT x.id, x.position, e.property_key,
                          min(x.position) OVER (PARTITION BY e.property_key) AS door_start
                   FROM canvassing_walklistentry x JOIN canvassing_elector e ON e.id = x.elector_id
                   WHERE x.walk_list_id = %s
               ), doors AS (SELECT DISTINCT door_start FROM ranked)
               SELECT door_start FROM doors ORDER BY door_start
               OFFSET (SELECT count(*) / 2 FROM doors) LIMIT 1""",
            [walk_list.pk],
        )
        row = cursor.fetchone()
        if row is None or row[0] == 1:
            raise ValidationError("A list of one door cannot be split.")
        second = WalkList.objects.create(
            campaign_id=walk_list.campaign_id,
            polling_district_id=walk_list.polling_district_id,
            name=f"{walk_list.name} (second half)",
            sequence=walk_list.sequence,
            batch=walk_list.batch,
            filters=walk_list.filters,
        )
        cursor.execute(
            """UPDATE canvassing_walklistentry SET walk_list_id = %s, position = position - %s + 1
               WHERE walk_list_id = %s AND position >= %s""",
            [second.pk, row[0], walk_list.pk, row[0]],
        )
        _recount(cursor, [walk_list.pk, second.pk])
    walk_list.refresh_from_db()
    second.refresh_from_db()
    return second


def walk_list_assign(*, walk_list: WalkList, shift=None, team=None, volunteer=None, user=None) -> WalkList:
    """Assign a list to a shift, a team and/or a volunteer (None clears). A volunteer needs a grant."""
    if user is not None:
        require_level(user, walk_list.campaign, ORGANISING_LEVELS)
    if volunteer is not None and grant_level(volunteer, walk_list.campaign_id) is None:
        raise ValidationError(f"{volunteer} has no grant on this campaign's register: the agent must grant it first.")
    for related in (shift, team):
        if related is not None and related.constituency_id != walk_list.campaign.constituency_id:
            raise ValidationError("That shift or team works another seat.")
    walk_list.shift, walk_list.team, walk_list.volunteer = shift, team, volunteer
    walk_list.save(update_fields=["shift", "team", "volunteer"])
    return walk_list


# --- doorstep responses -----------------------------------------------------------------------------


@dataclass
class RecordResult:
    accepted: list[str] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)
    flagged: int = 0


def _clean_entry(entry: dict, now: dt.datetime) -> dict:
    try:
        client_id = str(uuid.UUID(str(entry["id"])))
    except (KeyError, ValueError, TypeError):
        raise ValidationError("each entry needs an id made on the phone (a UUID)") from None
    elector = object_id(entry.get("elector"))
    if elector is None:
        raise ValidationError({"id": client_id, "reason": "no elector"})
    outcome = entry.get("outcome")
    if outcome not in Outcome.values:
        raise ValidationError({"id": client_id, "reason": f"unknown outcome {outcome!r}"})
    recorded_at = entry.get("recorded_at")
    try:
        when = dt.datetime.fromisoformat(str(recorded_at).replace("Z", "+00:00")) if recorded_at else now
    except ValueError:
        raise ValidationError({"id": client_id, "reason": "recorded_at is not a date and time"}) from None
    if timezone.is_naive(when):
        when = timezone.make_aware(when, dt.UTC)
    answers = entry.get("answers") or {}
    if not isinstance(answers, dict):
        raise ValidationError({"id": client_id, "reason": "answers must be an object"})
    return {
        "client_id": client_id,
        "elector": elector,
        "outcome": outcome,
        "intention": (entry.get("intention") or "")[:10] or None,
        "answers": answers,
        "note": str(entry.get("note") or "")[:2000],
        # A phone's clock may be wrong: never in the future.
        "recorded_at": min(when, now).isoformat(),
        "walk_list": object_id(entry["walk_list"]) if isinstance(entry.get("walk_list"), int) else None,
    }


#: The longest free-text answer kept (a doorstep note has its own field).
ANSWER_MAX_LENGTH = 500
YES_NO = {"yes": "Yes", "no": "No", "true": "Yes", "false": "No", "y": "Yes", "n": "No"}


def survey_answers_clean(answers: dict, questions: dict[str, SurveyQuestion]) -> tuple[dict, dict[str, str]]:
    """Check each answer against its question's kind; returns the answers as stored and, per question key,
    why an answer is refused (an unknown question, a choice not offered, not yes or no, text not a string).

    ``questions`` are the campaign's questions by key, inactive ones included: a phone may hold a list fetched
    before a question was retired, and its answer is still a true record of what was said.
    """
    clean: dict[str, str] = {}
    problems: dict[str, str] = {}
    for key, value in answers.items():
        question = questions.get(key)
        if question is None:
            problems[key] = "no such question in this campaign's survey"
        elif value is None or value == "":
            continue  # not asked or not answered
        elif question.kind == SurveyQuestion.Kind.YES_NO:
            answer = YES_NO.get(str(value).strip().lower()) if isinstance(value, str | bool) else None
            if answer is None:
                problems[key] = f"{value!r} is not yes or no"
            else:
                clean[key] = answer
        elif question.kind == SurveyQuestion.Kind.CHOICE:
            if not isinstance(value, str) or value not in question.choices:
                problems[key] = f"{value!r} is not one of the choices: {', '.join(map(str, question.choices))}"
            else:
                clean[key] = value
        elif not isinstance(value, str):
            problems[key] = "a free-text answer must be text"
        elif len(value) > ANSWER_MAX_LENGTH:
            problems[key] = f"longer than {ANSWER_MAX_LENGTH} characters"
        else:
            clean[key] = value.strip()
    return clean, problems


def _answers_check(*, user, cleaned: list[dict], result: RecordResult) -> list[dict]:
    """The entries whose answers fit their campaign's survey (answers normalised); the others go to
    ``result.rejected`` with the reason per answer. Two queries, whatever the number of entries."""
    with_answers = [entry for entry in cleaned if entry["answers"]]
    if not with_answers:
        return cleaned
    campaign_of = dict(
        Elector.objects.filter(
            pk__in={entry["elector"] for entry in with_answers},
            campaign__in=RegisterGrant.objects.filter(user_id=user.pk).values("campaign_id"),
        ).values_list("pk", "campaign_id")
    )
    surveys: dict[int, dict[str, SurveyQuestion]] = {}
    for question in SurveyQuestion.objects.filter(campaign_id__in=set(campaign_of.values())):
        surveys.setdefault(question.campaign_id, {})[question.key] = question
    kept, refused = [], []
    for entry in cleaned:
        campaign_id = campaign_of.get(entry["elector"])
        if entry["answers"] and campaign_id is not None:
            entry["answers"], problems = survey_answers_clean(entry["answers"], surveys.get(campaign_id, {}))
            if problems:
                refused.append({"id": entry["client_id"], "reason": "survey answers not valid", "answers": problems})
                continue
        kept.append(entry)  # an elector not on a granted register is rejected below, as before
    if refused:
        # Exactly once: an entry stored before (its survey has changed since) is still accepted on a resend.
        stored = {
            str(client_id)
            for client_id in CanvassResponse.objects.filter(
                client_id__in=[r["id"] for r in refused], recorded_by_id=user.pk
            ).values_list("client_id", flat=True)
        }
        result.accepted += [r["id"] for r in refused if r["id"] in stored]
        result.rejected += [r for r in refused if r["id"] not in stored]
    return kept


def responses_record(*, user, entries: list[dict]) -> RecordResult:
    """Record doorstep entries sent from a phone (one or a queued batch), exactly once each.

    - Each entry's ``id`` is made on the phone; a resend of a stored id is accepted and changes nothing
      (unique ``client_id``, ``ON CONFLICT DO NOTHING``).
    - Only electors of campaigns the user is granted are recorded; others are rejected.
    - Two people recording the same elector both keep their rows; the elector's current outcome and
      intention are the latest ``recorded_at``'s (an entry without an intention leaves the intention).
    - More than PACE_DOORS doors by one canvasser within PACE_WINDOW flags the entries for the organiser.
    - Survey answers must fit their question (a choice offered, yes or no, text): an entry with any answer
      that does not is rejected with the reason per answer; the other entries of the batch are recorded.
    """
    now = clock.now()
    result = RecordResult()
    cleaned = []
    for entry in entries:
        try:
            cleaned.append(_clean_entry(entry if isinstance(entry, dict) else {}, now))
        except ValidationError as error:
            detail = error.message_dict if hasattr(error, "error_dict") else {"reason": error.messages[0]}
            result.rejected.append(
                {key: value[0] if isinstance(value, list) else value for key, value in detail.items()}
            )
    cleaned = _answers_check(user=user, cleaned=cleaned, result=result)
    if not cleaned:
        return result
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            WITH input AS (
                SELECT * FROM jsonb_to_recordset(%(entries)s::jsonb) AS r(client_id uuid, elector bigint,
                    outcome text, intention text, answers jsonb, note text, recorded_at timestamptz, walk_list bigint)
            ), allowed AS (
                SELECT r.*, e.campaign_id, ic.id AS intention_id
                FROM input r
                JOIN canvassing_elector e ON e.id = r.elector
                JOIN canvassing_registergrant g ON g.campaign_id = e.campaign_id AND g.user_id = %(user)s
                LEFT JOIN canvassing_intentioncode ic ON ic.campaign_id = e.campaign_id AND ic.code = r.intention
            ), inserted AS (
                INSERT INTO canvassing_canvassresponse (campaign_id, elector_id, client_id, recorded_by_id,
                    recorded_at, received_at, outcome, intention_id, answers, note, walk_list_id, flagged,
                    flag_reason)
                SELECT a.campaign_id, a.elector, a.client_id, %(user)s, a.recorded_at, %(now)s, a.outcome,
                       a.intention_id, a.answers, a.note,
                       (SELECT w.id FROM canvassing_walklist w WHERE w.id = a.walk_list
                        AND w.campaign_id = a.campaign_id), false, ''
                FROM allowed a
                ON CONFLICT (client_id) DO NOTHING
                RETURNING id, elector_id, client_id, recorded_at, outcome, intention_id
            ), latest AS (
                SELECT elector_id,
                       (array_agg(outcome ORDER BY recorded_at DESC, id DESC))[1] AS outcome,
                       max(recorded_at) AS outcome_at,
                       (array_agg(intention_id ORDER BY recorded_at DESC, id DESC)
                            FILTER (WHERE intention_id IS NOT NULL))[1] AS intention_id,
                       max(recorded_at) FILTER (WHERE intention_id IS NOT NULL) AS intention_at
                FROM inserted GROUP BY elector_id
            ), current AS (
                UPDATE canvassing_elector e SET
                    current_outcome = CASE WHEN e.current_outcome_at IS NULL OR l.outcome_at >= e.current_outcome_at
                                           THEN l.outcome ELSE e.current_outcome END,
                    current_outcome_at = greatest(e.current_outcome_at, l.outcome_at),
                    current_intention_id = CASE WHEN l.intention_at IS NOT NULL AND (e.current_intention_at IS NULL
                                                 OR l.intention_at >= e.current_intention_at)
                                           THEN l.intention_id ELSE e.current_intention_id END,
                    current_intention_at = greatest(e.current_intention_at, l.intention_at)
                FROM latest l WHERE e.id = l.elector_id
                RETURNING e.id
            )
            SELECT client_id::text, true FROM inserted
            UNION ALL
            SELECT c.client_id::text, false FROM canvassing_canvassresponse c
            WHERE c.client_id IN (SELECT client_id FROM input)
            """,
            {"entries": json.dumps(cleaned), "user": user.pk, "now": now},
        )
        rows = cursor.fetchall()
        stored = {client_id for client_id, _ in rows}
        new_ids = [client_id for client_id, new in rows if new]
        if new_ids:
            cursor.execute(
                """UPDATE canvassing_canvassresponse r
                   SET flagged = true, flag_reason = format('pace: %%s doors in %%s minutes', p.doors, %(minutes)s)
                   FROM (SELECT n.id, (SELECT count(DISTINCT e.property_key) FROM canvassing_canvassresponse r2
                                       JOIN canvassing_elector e ON e.id = r2.elector_id
                                       WHERE r2.recorded_by_id = %(user)s
                                         AND r2.recorded_at > n.recorded_at - %(window)s
                                         AND r2.recorded_at <= n.recorded_at) AS doors
                         FROM canvassing_canvassresponse n WHERE n.client_id = ANY(%(ids)s::uuid[])) p
                   WHERE r.id = p.id AND p.doors > %(limit)s""",
                {
                    "user": user.pk,
                    "ids": new_ids,
                    "window": PACE_WINDOW,
                    "minutes": int(PACE_WINDOW.total_seconds() // 60),
                    "limit": PACE_DOORS,
                },
            )
            result.flagged = cursor.rowcount
    for entry in cleaned:
        if entry["client_id"] in stored:
            result.accepted.append(entry["client_id"])
        else:
            result.rejected.append({"id": entry["client_id"], "reason": "elector not found on a register you hold"})
    return result


# --- polling day ----------------------------------------------------------------------------------

POLL_NUMBER_RE = re.compile(r"^\s*([A-Za-z]{1,3}[0-9]{0,2})?\s*-?\s*([0-9]{1,9})\s*(?:/\s*([0-9]{1,4}))?\s*$")


@dataclass
class TellerResult:
    recorded: int = 0
    duplicates: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)


@transaction.atomic
def poll_numbers_record(
    *, user, campaign: CandidateCampaign, polling_district: PollingDistrict, numbers: Iterable[str]
) -> TellerResult:
    """Record the poll numbers a teller took at a polling district's station (``124``, ``124/1``, ``KA-124``).

    A number with another district's letters, or none on the register, is rejected; one already
    recorded (by anyone) is ignored as a duplicate.
    """
    require_level(user, campaign, GrantLevel.values)
    if polling_district.campaign_id != campaign.pk:
        raise ValidationError("That polling district belongs to another campaign.")
    result = TellerResult()
    parsed: list[tuple[str, int, int]] = []
    for written in numbers:
        if not written.strip():
            continue
        match = POLL_NUMBER_RE.match(written)
        if not match:
            result.rejected.append((written, "not a poll number"))
        elif match.group(1) and match.group(1).upper() != polling_district.code:
            result.rejected.append((written, f"not in polling district {polling_district.code}"))
        else:
            parsed.append((written, int(match.group(2)), int(match.group(3) or 0)))
    if not parsed:
        return result
    with connection.cursor() as cursor:
        cursor.execute(
            """WITH input AS (SELECT * FROM unnest(%(written)s::text[], %(numbers)s::int[], %(suffixes)s::int[])
                              AS t(written, number, suffix)),
               found AS (SELECT i.written, e.id FROM input i LEFT JOIN canvassing_elector e
                         ON e.polling_district_id = %(district)s AND e.number = i.number AND e.suffix = i.suffix),
               inserted AS (INSERT INTO canvassing_pollingdayvote (campaign_id, elector_id, entered_by_id, entered_at)
                            SELECT DISTINCT %(campaign)s, id, %(user)s, %(now)s FROM found WHERE id IS NOT NULL
                            ON CONFLICT (elector_id) DO NOTHING RETURNING elector_id)
               SELECT f.written, f.id, f.id IN (SELECT elector_id FROM inserted) FROM found f""",
            {
                "written": [w for w, _, _ in parsed],
                "numbers": [n for _, n, _ in parsed],
                "suffixes": [s for _, _, s in parsed],
                "district": polling_district.pk,
                "campaign": campaign.pk,
                "user": user.pk,
                "now": clock.now(),
            },
        )
        seen: set[int] = set()
        for written, elector_id, new in cursor.fetchall():
            if elector_id is None:
                result.rejected.append((written, "not on the register"))
            elif new and elector_id not in seen:
                result.recorded += 1
            else:
                result.duplicates += 1
            if elector_id is not None:
                seen.add(elector_id)
    return result


def knock_up_sheets_generate(
    *, campaign: CandidateCampaign, polling_district: PollingDistrict | None = None, now: dt.datetime | None = None
) -> int:
    """Snapshot the knock-up lists (promises and leans not yet voted) per district at ``now``; returns sheets
    made."""
    from canvassing.selectors import KNOCK_UP_CONDITION

    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO canvassing_knockupsheet (campaign_id, polling_district_id, generated_at, elector_ids)
                SELECT %(campaign)s, pd.id, %(now)s,
                       coalesce(array_agg(e.id ORDER BY e.street, e.house_number, e.flat, e.number, e.suffix)
                                FILTER (WHERE e.id IS NOT NULL), '{{}}')
                FROM canvassing_pollingdistrict pd
                LEFT JOIN canvassing_elector e ON e.polling_district_id = pd.id AND {KNOCK_UP_CONDITION}
                WHERE pd.campaign_id = %(campaign)s AND (%(district)s::bigint IS NULL OR pd.id = %(district)s)
                GROUP BY pd.id""",  # noqa: S608
            {
                "campaign": campaign.pk,
                "district": polling_district.pk if polling_district else None,
                "now": now or clock.now(),
            },
        )
        return cursor.rowcount


def knock_up_sheets_generate_today(*, now: dt.datetime | None = None) -> int:
    """The periodic job's work at ``now``: regenerate the knock-up sheets of every campaign whose polling day
    it is (the UK date), and drop sheets older than two days."""
    now = now or clock.now()
    made = 0
    for campaign in CandidateCampaign.objects.filter(polling_day=clock.today(now), destroyed_at__isnull=True):
        made += knock_up_sheets_generate(campaign=campaign, now=now)
    KnockUpSheet.objects.filter(generated_at__lt=now - dt.timedelta(days=2)).delete()
    return made
