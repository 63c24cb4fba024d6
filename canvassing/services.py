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
from django.db.models import Q
from django.utils import timezone

from canvassing.models import (
    AccessLog,
    CandidateCampaign,
    CanvassResponse,
    Elector,
    GrantLevel,
    IntentionCode,
    KnockUpSheet,
    Outcome,
    PollingDayVote,
    PollingDistrict,
    RegisterGrant,
    RegisterImportJob,
    SurveyQuestion,
    WalkList,
)
from organiser import clock, jobs, scope
from organiser.inputs import object_id
from volunteers.notices import notify

#: The levels that organise (the register, every list, exports): organiser.scope says what each level may do.
ORGANISING_LEVELS = tuple(scope.ORGANISING)
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
    """The user's grant level on the campaign, or None (no grant, or no authenticator): organiser.scope."""
    return scope.grant_level(user, campaign)


def actor_name(user) -> str:
    """Who acted, as the access log names them: the account's email, or the job."""
    if scope.is_system(user):
        return str(user)
    return getattr(user, "email", "") if user is not None and user.is_authenticated else ""


def request_via(request) -> str:
    """How a request was authenticated, for the access log: ``token <prefix>`` or ``session``."""
    token = getattr(request, "auth", None)
    if getattr(token, "prefix", None):
        return f"token {token.prefix}"
    return "session"


def access_log(*, campaign, user, action: str, electors: int, route: str, via: str = "", **detail) -> AccessLog:
    """Write who saw (or exported, imported, destroyed, granted...) how many electors' data of which campaign,
    by which route and how; the actor is named as they were at the time, a job by its name."""
    person = user if user is not None and not scope.is_system(user) and user.is_authenticated else None
    return AccessLog.objects.create(
        campaign_id=campaign if isinstance(campaign, int) else campaign.pk,
        user=person,
        actor=actor_name(user)[:254],
        via=(via or ("task" if scope.is_system(user) else ""))[:40],
        action=action,
        electors=electors,
        route=route[:300],
        detail=detail,
    )


def _require_authenticator(person, what: str) -> None:
    from allauth.mfa.models import Authenticator

    if not Authenticator.objects.filter(user_id=person.pk, type=Authenticator.Type.TOTP).exists():
        raise ValidationError(f"{person} must set up an authenticator app before {what}.")


@transaction.atomic
def candidate_campaign_create(
    *,
    user,
    endorsement,
    agent,
    polling_day: dt.date,
    retention_date: dt.date,
    votes_to_win: int = 0,
    name: str = "",
    route: str = "",
) -> CandidateCampaign:
    """Open the register's home for an endorsed candidate, naming its agent (a national organiser's act, never
    one's own naming): the agent is granted it; default intention codes and survey."""
    if not scope.can_add(user, CandidateCampaign):
        raise PermissionDenied("Only national organisers open a candidate's campaign and name its agent.")
    if endorsement.status != endorsement.Status.ENDORSED:
        raise ValidationError("Only an endorsed candidate's campaign holds a register.")
    if retention_date <= polling_day:
        raise ValidationError("The retention date must be after polling day.")
    if not scope.is_system(user):
        if agent.pk == user.pk:
            raise ValidationError("Name someone else as the agent: nobody names themselves.")
        _require_authenticator(agent, "they can be named agent")
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
    RegisterGrant.objects.create(
        user=agent, campaign=campaign, level=GrantLevel.AGENT, granted_by=None if scope.is_system(user) else user
    )
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
    access_log(
        campaign=campaign, user=user, action=AccessLog.Action.AGENT, electors=0, route=route or "create",
        agent=agent.email,
    )  # fmt: skip
    notify(
        user=agent,
        subject=f"You are the agent of {campaign.name}",
        lines=[f"You are named election agent of {campaign.name}, and hold its electoral register."],
        actor=user,
    )
    return campaign


@transaction.atomic
def register_grant_create(
    *, campaign: CandidateCampaign, user, level: str, granted_by, route: str = "", via: str = ""
) -> RegisterGrant:
    """Grant ``user`` the campaign's register at ``level``; only its agent grants (the agent is legally
    responsible), never to themselves, and never the agent's level (that is naming an agent:
    :func:`campaign_agent_set`). The grantee is told by email; the grant is in the access log."""
    scope.require_register(granted_by, campaign, RegisterGrant, "add")
    if level not in GrantLevel.values or level == GrantLevel.AGENT:
        raise ValidationError("Grant organiser, canvasser or teller: the agent is named by a national organiser.")
    if user.pk == getattr(granted_by, "pk", None):
        raise ValidationError("Nobody changes their own grant.")
    before = RegisterGrant.objects.filter(user=user, campaign=campaign).values_list("level", flat=True).first()
    if before == GrantLevel.AGENT:
        raise ValidationError("The agent's grant changes only when another agent is named.")
    grant, _ = RegisterGrant.objects.update_or_create(
        user=user, campaign=campaign, defaults={"level": level, "granted_by": granted_by}
    )
    if before != level:
        access_log(
            campaign=campaign, user=granted_by, action=AccessLog.Action.GRANT, electors=0, route=route or "grant",
            via=via, grantee=user.email, level=level, before=before or "",
        )  # fmt: skip
        notify(
            user=user,
            subject=f"Your access to {campaign.name}'s register",
            lines=[f"You now hold {campaign.name}'s electoral register as {GrantLevel(level).label.split(' (')[0]}."],
            actor=granted_by,
        )
    return grant


@transaction.atomic
def register_grant_revoke(*, campaign: CandidateCampaign, user, revoked_by, route: str = "", via: str = "") -> None:
    scope.require_register(revoked_by, campaign, RegisterGrant, "delete")
    if user.pk == campaign.agent_id:
        raise ValidationError("The agent's own grant cannot be revoked.")
    deleted, _ = RegisterGrant.objects.filter(campaign=campaign, user=user).delete()
    if deleted:
        access_log(
            campaign=campaign, user=revoked_by, action=AccessLog.Action.GRANT, electors=0, route=route or "revoke",
            via=via, grantee=user.email, level="",
        )  # fmt: skip
        notify(
            user=user,
            subject=f"Your access to {campaign.name}'s register has ended",
            lines=[f"You no longer hold {campaign.name}'s electoral register."],
            actor=revoked_by,
        )


# --- control: the agent, the retention date, destroying early ---------------------------------------

#: How long a shortened retention date waits before it applies (it can be cancelled meanwhile).
RETENTION_SHORTEN_DELAY = dt.timedelta(hours=48)


class ConfirmationNeeded(ValidationError):
    """The act needs a second, explicit confirmation (the edge asks for it and calls again with it)."""


@transaction.atomic
def campaign_agent_set(
    *, user, campaign: CandidateCampaign, agent, route: str = "", via: str = ""
) -> CandidateCampaign:
    """Name another agent: a national organiser's or the current agent's act, never naming oneself. The new
    agent (who must have an authenticator) holds the agent's grant; the previous agent keeps an organiser's
    grant, which the new agent may revoke. Both are told by email; the change is in the access log."""
    campaign = CandidateCampaign.objects.select_for_update().get(pk=campaign.pk)
    scope.require_control(user, campaign, "name_agent")
    if agent.pk == user.pk:
        raise ValidationError("Name someone else as the agent: nobody names themselves.")
    if agent.pk == campaign.agent_id:
        return campaign
    if not agent.is_active:
        raise ValidationError("That account is not active.")
    _require_authenticator(agent, "they can be named agent")
    previous = campaign.agent
    RegisterGrant.objects.filter(campaign=campaign, user=previous).update(level=GrantLevel.ORGANISER)
    RegisterGrant.objects.update_or_create(
        campaign=campaign, user=agent, defaults={"level": GrantLevel.AGENT, "granted_by": user}
    )
    campaign.agent = agent
    campaign.save(update_fields=["agent"])
    access_log(
        campaign=campaign, user=user, action=AccessLog.Action.AGENT, electors=0, route=route or "agent", via=via,
        agent=agent.email, previous=previous.email,
    )  # fmt: skip
    for person, line in (
        (agent, f"You are now the election agent of {campaign.name}, and hold its electoral register."),
        (previous, f"{agent} is now the agent of {campaign.name}; you keep an organiser's access until revoked."),
    ):
        notify(user=person, subject=f"The agent of {campaign.name}", lines=[line], actor=user)
    return campaign


@transaction.atomic
def campaign_retention_set(
    *,
    user,
    campaign: CandidateCampaign,
    retention_date: dt.date,
    confirmed: bool = False,
    route: str = "",
    via: str = "",
) -> CandidateCampaign:
    """Change when the register is destroyed: the agent's or a national organiser's act.

    A later date applies at once. An earlier one needs ``confirmed`` (else :class:`ConfirmationNeeded`) and
    then waits RETENTION_SHORTEN_DELAY before it applies (the daily job applies it), so it can be seen and
    cancelled (:func:`campaign_retention_cancel`); the agent is told by email. Every step is logged."""  # fmt: skip
    campaign = CandidateCampaign.objects.select_for_update().get(pk=campaign.pk)
    scope.require_control(user, campaign, "change_retention")
    if campaign.destroyed_at:
        raise ValidationError("This register has been destroyed.")
    if retention_date <= campaign.polling_day:
        raise ValidationError("The retention date must be after polling day.")
    before = campaign.retention_date
    if retention_date >= before:
        campaign.retention_date = retention_date
        campaign.retention_pending_date = campaign.retention_pending_from = campaign.retention_pending_by = None
        campaign.save(
            update_fields=["retention_date", "retention_pending_date", "retention_pending_from", "retention_pending_by"]
        )
        access_log(
            campaign=campaign, user=user, action=AccessLog.Action.RETENTION, electors=0, route=route or "retention",
            via=via, retention_date=retention_date.isoformat(), before=before.isoformat(),
        )  # fmt: skip
        return campaign
    if not confirmed:
        raise ConfirmationNeeded(
            f"Shortening the retention date to {retention_date:%-d %B %Y} brings the destruction of the register "
            f"forward. Confirm it: it will apply {RETENTION_SHORTEN_DELAY.total_seconds() / 3600:g} hours from now."
        )
    campaign.retention_pending_date = retention_date
    campaign.retention_pending_from = clock.now() + RETENTION_SHORTEN_DELAY
    campaign.retention_pending_by = None if scope.is_system(user) else user
    campaign.save(update_fields=["retention_pending_date", "retention_pending_from", "retention_pending_by"])
    access_log(
        campaign=campaign, user=user, action=AccessLog.Action.RETENTION, electors=0, route=route or "retention",
        via=via, requested=retention_date.isoformat(), before=before.isoformat(),
        applies_from=campaign.retention_pending_from.isoformat(),
    )  # fmt: skip
    notify(
        user=campaign.agent,
        subject=f"{campaign.name}: the register's retention date is being shortened",
        lines=[
            f"The retention date of {campaign.name}'s register is to become {retention_date:%-d %B %Y} "
            f"(it was {before:%-d %B %Y}).",
            f"This applies from {clock.local(campaign.retention_pending_from):%-d %B %Y at %H:%M} unless "
            "you or a national organiser cancels it in the admin before then.",
        ],
        actor=user,
    )
    return campaign


@transaction.atomic
def campaign_retention_cancel(*, user, campaign: CandidateCampaign, route: str = "", via: str = "") -> None:
    campaign = CandidateCampaign.objects.select_for_update().get(pk=campaign.pk)
    scope.require_control(user, campaign, "change_retention")
    if campaign.retention_pending_date is None:
        return
    access_log(
        campaign=campaign, user=user, action=AccessLog.Action.RETENTION, electors=0, route=route or "retention",
        via=via, cancelled=campaign.retention_pending_date.isoformat(),
    )  # fmt: skip
    campaign.retention_pending_date = campaign.retention_pending_from = campaign.retention_pending_by = None
    campaign.save(update_fields=["retention_pending_date", "retention_pending_from", "retention_pending_by"])


def retention_pending_apply(*, user, now: dt.datetime | None = None) -> list[int]:
    """The daily job: shortened retention dates whose wait is over take effect (logged as the job); a waiting
    early destruction (:func:`register_destroy_early`, a date already come) destroys the register."""
    now = now or clock.now()
    applied = []
    for campaign in CandidateCampaign.objects.filter(retention_pending_from__lte=now, destroyed_at__isnull=True):
        with transaction.atomic():
            locked = CandidateCampaign.objects.select_for_update().get(pk=campaign.pk)
            if locked.retention_pending_date is None:
                continue
            scope.require_control(user, locked, "change_retention")
            if locked.retention_pending_date <= max(locked.polling_day, clock.today(now)):
                register_destroy(campaign=locked, user=user, route=str(user), now=now)
                applied.append(locked.pk)
                continue
            before, locked.retention_date = locked.retention_date, locked.retention_pending_date
            locked.retention_pending_date = locked.retention_pending_from = locked.retention_pending_by = None
            locked.save(
                update_fields=[
                    "retention_date", "retention_pending_date", "retention_pending_from", "retention_pending_by"
                ]
            )  # fmt: skip
            access_log(
                campaign=locked, user=user, action=AccessLog.Action.RETENTION, electors=0, route=str(user),
                retention_date=locked.retention_date.isoformat(), before=before.isoformat(),
            )  # fmt: skip
            applied.append(locked.pk)
    return applied


@transaction.atomic
def register_destroy_early(
    *, campaign: CandidateCampaign, user, route: str, via: str = "", confirmation: str | None = None
) -> CandidateCampaign:
    """Ask for the register to be destroyed before its retention date: the agent's or a national organiser's
    act, confirmed by typing the campaign's name. Like a shortened retention date it waits
    ``RETENTION_SHORTEN_DELAY`` (cancellable meanwhile: :func:`campaign_retention_cancel`), then the daily job
    destroys it; the agent and every national organiser are told at once, so no one person destroys a
    register alone and unseen. Logged."""
    from volunteers.models import Role, User

    campaign = CandidateCampaign.objects.select_for_update().get(pk=campaign.pk)
    scope.require_control(user, campaign, "destroy")
    if campaign.destroyed_at:
        raise ValidationError("This register has been destroyed.")
    if (confirmation or "").strip() != campaign.name:
        raise ConfirmationNeeded("Type the campaign's name exactly to confirm that its register is destroyed early.")
    campaign.retention_pending_date = clock.today()
    campaign.retention_pending_from = clock.now() + RETENTION_SHORTEN_DELAY
    campaign.retention_pending_by = None if scope.is_system(user) else user
    campaign.save(update_fields=["retention_pending_date", "retention_pending_from", "retention_pending_by"])
    access_log(
        campaign=campaign, user=user, action=AccessLog.Action.RETENTION, electors=0, route=route, via=via,
        destroy_requested=True, applies_from=campaign.retention_pending_from.isoformat(),
    )  # fmt: skip
    when = clock.local(campaign.retention_pending_from).strftime("%-d %B %Y at %H:%M")
    told = User.objects.filter(Q(role=Role.NATIONAL_ORGANISER) | Q(is_superuser=True), is_active=True)
    for person in {campaign.agent, *told}:
        notify(
            user=person,
            subject=f"{campaign.name}: its register is to be destroyed early",
            lines=[
                f"{actor_name(user)} asked for the electoral register of {campaign.name} to be destroyed before its "
                f"retention date. It will be destroyed from {when} unless the agent or a national organiser "
                "cancels it on the campaign's retention page before then."
            ],
            actor=user,
        )
    return campaign


# --- retention ------------------------------------------------------------------------------------


@transaction.atomic
def register_destroy(
    *,
    campaign: CandidateCampaign,
    user,
    route: str,
    via: str = "",
    now: dt.datetime | None = None,
) -> int:
    """Destroy the campaign's register data (electors, responses, lists, votes, sheets, layouts, uploaded files
    waiting for import); log it.

    Only the retention job destroys (a system actor): when the retention date comes, or when an early
    destruction asked for by the agent or a national organiser (:func:`register_destroy_early`) has waited its
    delay. Returns how many electors were destroyed. The campaign row, its grants and its access log remain.
    """
    campaign = CandidateCampaign.objects.select_for_update().get(pk=campaign.pk)
    scope.require_control(user, campaign, "destroy")
    if not scope.is_system(user):
        raise PermissionDenied(
            "A person asks for early destruction (register_destroy_early: it waits, and everyone is told); only "
            "the retention job destroys."
        )
    with connection.cursor() as cursor:
        for table in (
            "canvassing_lift",
            "canvassing_canvassresponse",
            "canvassing_pollingdayvote",
            "canvassing_tellerentry",
            "canvassing_knockupsheet",
        ):
            cursor.execute(f"DELETE FROM {table} WHERE campaign_id = %s", [campaign.pk])  # noqa: S608 (fixed names)
        cursor.execute(
            "DELETE FROM canvassing_walklistentry WHERE walk_list_id IN "
            "(SELECT id FROM canvassing_walklist WHERE campaign_id = %s)",
            [campaign.pk],
        )
        cursor.execute("DELETE FROM canvassing_walklist WHERE campaign_id = %s", [campaign.pk])
        # Polling day's stations and rounds (canvassing.pollingday): no elector in them, but they name districts.
        for table in ("canvassing_pollingstation_districts", "canvassing_pollingstation_shifts"):
            cursor.execute(
                f"DELETE FROM {table} WHERE pollingstation_id IN "  # noqa: S608 (fixed names)
                "(SELECT id FROM canvassing_pollingstation WHERE campaign_id = %s)",
                [campaign.pk],
            )
        cursor.execute("DELETE FROM canvassing_pollingstation WHERE campaign_id = %s", [campaign.pk])
        cursor.execute("DELETE FROM canvassing_knockupround WHERE campaign_id = %s", [campaign.pk])
        cursor.execute("DELETE FROM canvassing_elector WHERE campaign_id = %s", [campaign.pk])
        electors = cursor.rowcount
        cursor.execute("DELETE FROM canvassing_pollingdistrict WHERE campaign_id = %s", [campaign.pk])
        cursor.execute("DELETE FROM canvassing_registerlayout WHERE campaign_id = %s", [campaign.pk])
    jobs.jobs_delete(RegisterImportJob.objects.filter(campaign=campaign), stored_file="file")
    early = campaign.retention_pending_date is not None and campaign.retention_pending_date < campaign.retention_date
    campaign.destroyed_at = now or clock.now()
    campaign.retention_pending_date = campaign.retention_pending_from = campaign.retention_pending_by = None
    campaign.save(
        update_fields=["destroyed_at", "retention_pending_date", "retention_pending_from", "retention_pending_by"]
    )
    access_log(
        campaign=campaign,
        user=user,
        action=AccessLog.Action.DESTROY,
        electors=electors,
        route=route,
        via=via,
        retention_date=campaign.retention_date.isoformat(),
        early=early,
    )
    if early:
        notify(
            user=campaign.agent,
            subject=f"{campaign.name}: the register has been destroyed",
            lines=[f"The electoral register of {campaign.name} was destroyed before its retention date."],
            actor=user,
        )
    return electors


def registers_destroy_expired(
    *, now: dt.datetime | None = None, today: dt.date | None = None, route: str = "task"
) -> list[int]:
    """The daily job, acting as itself: shortened retention dates whose wait is over apply, then every register
    whose retention date has come by ``today`` (default: the UK date at ``now``) is destroyed; returns the
    destroyed campaigns' ids."""
    actor = scope.system(route)
    now = now or clock.now()
    applied = retention_pending_apply(user=actor, now=now)
    early = CandidateCampaign.objects.filter(pk__in=applied, destroyed_at__isnull=False).values_list("pk", flat=True)
    destroyed = list(early)
    today = today or clock.today(now)
    due = list(CandidateCampaign.objects.filter(retention_date__lte=today, destroyed_at__isnull=True))
    for campaign in due:
        register_destroy(campaign=campaign, user=actor, route=route, now=now)
    return destroyed + [campaign.pk for campaign in due]


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
    user,
) -> CutResult:
    """Cut the campaign's (or one district's) electors into walk lists of about ``doors`` doors each.

    Households (one ``property_key``) are never split, and a block of flats (a street and house number) goes
    to one list: a list ends at the first building that starts past its ``doors``. Electors who moved, asked
    not to be contacted or are anonymous are left out. With ``replace`` the district's previous lists go.
    One INSERT ... SELECT over window functions does the cutting.
    """
    scope.require_register(user, campaign, WalkList, "add")
    if replace:
        scope.require_register(user, campaign, WalkList, "delete")
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
def walk_lists_merge(*, walk_lists: list[WalkList], user) -> WalkList:
    """Merge lists of one district into the first (in district order); the others are deleted."""
    if len(walk_lists) < 2:
        raise ValidationError("Pick at least two walk lists to merge.")
    ordered = sorted(walk_lists, key=lambda w: (w.sequence, w.pk))
    target = ordered[0]
    if {w.campaign_id for w in ordered} != {target.campaign_id} or {w.polling_district_id for w in ordered} != {
        target.polling_district_id
    }:
        raise ValidationError("Only lists of the same polling district can be merged.")
    scope.require_register(user, target.campaign, WalkList, "change")
    scope.require_register(user, target.campaign, WalkList, "delete")
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
def walk_list_split(*, walk_list: WalkList, user) -> WalkList:
    """Split a list in two at the household nearest its middle; returns the new second half."""
    scope.require_register(user, walk_list.campaign, WalkList, "change")
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


def walk_list_assign(*, walk_list: WalkList, user, shift=None, team=None, volunteer=None) -> WalkList:
    """Assign a list to a shift, a team and/or a volunteer (None clears). A volunteer needs a grant."""
    scope.require_register(user, walk_list.campaign, WalkList, "change")
    if volunteer is not None and not RegisterGrant.objects.filter(user=volunteer, campaign=walk_list.campaign).exists():
        raise ValidationError(f"{volunteer} has no grant on this campaign's register: the agent must grant it first.")
    for related in (shift, team):
        if related is not None and related.constituency_id != walk_list.campaign.constituency_id:
            raise ValidationError("That shift or team works another seat.")
    walk_list.shift, walk_list.team, walk_list.volunteer = shift, team, volunteer
    walk_list.save(update_fields=["shift", "team", "volunteer"])
    return walk_list


def walk_list_take(*, walk_list: WalkList, volunteer) -> WalkList:
    """A member takes one of their team's (or shift's) lists: it becomes theirs ("my lists"), and the others of
    the team see who has it. A list someone else has taken stays theirs."""
    from canvassing.selectors import my_walk_lists

    with transaction.atomic():
        walk_list = WalkList.objects.select_for_update(of=("self",)).select_related("volunteer").get(pk=walk_list.pk)
        if not my_walk_lists(volunteer).filter(pk=walk_list.pk).exists():
            raise ValidationError("This list is not given to you, your team or your shift.")
        if walk_list.volunteer_id not in (None, volunteer.pk):
            raise ValidationError(f"{walk_list.volunteer} has taken this list already.")
        walk_list.volunteer = volunteer
        walk_list.save(update_fields=["volunteer"])
    return walk_list


# --- doorstep responses -----------------------------------------------------------------------------


@dataclass
class RecordResult:
    accepted: list[str] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)
    flagged: int = 0
    #: Entries stored whose "wants to hear from us" could not be recorded, with the reason.
    supporters_rejected: list[dict] = field(default_factory=list)


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
    completes = None
    if entry.get("completes"):
        try:
            completes = str(uuid.UUID(str(entry["completes"])))
        except (ValueError, TypeError):
            raise ValidationError({"id": client_id, "reason": "completes must be the id of an earlier entry"}) from None
    return {
        "client_id": client_id,
        "completes": completes,
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
            campaign__in=scope.campaigns_for_action(user, CanvassResponse, "add").values("pk"),
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
    - An entry that ``completes`` an earlier one (answers given after it was sent) adds its answers and note
      to that entry's row rather than making a second one; it is applied after the batch's new entries.
    - An entry with ``supporter`` (the elector agreed to hear from the campaign) records them as a supporter
      once the entry is stored (``_doorstep_supporters``); what cannot be recorded is in ``supporters_rejected``.
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
    completions = [entry for entry in cleaned if entry["completes"]]
    cleaned = [entry for entry in cleaned if not entry["completes"]]
    if not cleaned:
        _responses_complete(user=user, entries=completions, result=result)
        _doorstep_supporters(user=user, entries=entries, result=result)
        return result
    allowed_sql, allowed_params = scope.as_sql(
        scope.campaigns_for_action(user, CanvassResponse, "add").values("pk").order_by()
    )
    record_sql = f"""
            WITH input AS (
                SELECT * FROM jsonb_to_recordset(%(entries)s::jsonb) AS r(client_id uuid, elector bigint,
                    outcome text, intention text, answers jsonb, note text, recorded_at timestamptz, walk_list bigint)
            ), allowed AS (
                SELECT r.*, e.campaign_id, ic.id AS intention_id
                FROM input r
                JOIN canvassing_elector e ON e.id = r.elector
                LEFT JOIN canvassing_intentioncode ic ON ic.campaign_id = e.campaign_id AND ic.code = r.intention
                -- only the campaigns whose grant lets the user record (organiser.scope.REGISTER_RIGHTS)
                WHERE e.campaign_id IN ({allowed_sql})
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
    """  # noqa: S608 - the scope's subquery is compiled by the ORM; values are parameters
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(record_sql, {"entries": json.dumps(cleaned), "user": user.pk, "now": now, **allowed_params})
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
    _responses_complete(user=user, entries=completions, result=result)
    _doorstep_supporters(user=user, entries=entries, result=result)
    return result


def _responses_complete(*, user, entries: list[dict], result: RecordResult) -> None:
    """Survey answers and a note given after an entry was sent: added to that entry (the same elector, recorded
    by the same canvasser, on a register they may still record on), so a door's conversation stays one row.
    One statement for the batch; resending changes nothing more (the answers merge to the same values)."""
    if not entries:
        return
    allowed_sql, allowed_params = scope.as_sql(
        scope.campaigns_for_action(user, CanvassResponse, "add").values("pk").order_by()
    )
    complete_sql = f"""
        WITH input AS (
            SELECT * FROM jsonb_to_recordset(%(entries)s::jsonb)
                AS r(client_id uuid, completes uuid, elector bigint, answers jsonb, note text)
        )
        UPDATE canvassing_canvassresponse c
        SET answers = c.answers || coalesce(i.answers, '{{}}'::jsonb),
            note = CASE WHEN coalesce(i.note, '') <> '' THEN i.note ELSE c.note END
        FROM input i
        WHERE c.client_id = i.completes AND c.recorded_by_id = %(user)s AND c.elector_id = i.elector
          AND c.campaign_id IN ({allowed_sql})
        RETURNING i.client_id::text
    """  # noqa: S608 - the scope's subquery is compiled by the ORM; values are parameters
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(complete_sql, {"entries": json.dumps(entries), "user": user.pk, **allowed_params})
        done = {client_id for (client_id,) in cursor.fetchall()}
    for entry in entries:
        if entry["client_id"] in done:
            result.accepted.append(entry["client_id"])
        else:
            result.rejected.append({"id": entry["client_id"], "reason": "the entry it completes was not recorded"})


def _doorstep_supporters(*, user, entries: list, result: RecordResult) -> None:
    """An elector at the door agreed to hear from the campaign (an entry's ``supporter``): once the entry is
    stored, record them as a supporter (conversations), outside the register: the seat of the register's
    campaign, what they gave, and consents naming this canvasser. Exactly once per entry id."""
    accepted = set(result.accepted)
    asked = [e for e in entries if isinstance(e, dict) and e.get("supporter") and str(e.get("id")) in accepted]
    if not asked:
        return
    from conversations.services.supporters import doorstep_supporters_record

    electors = {str(e["id"]): object_id(e.get("elector")) for e in asked}
    seats = dict(
        Elector.objects.filter(pk__in={pk for pk in electors.values() if pk}).values_list(
            "pk", "campaign__constituency_id"
        )
    )
    recorded = doorstep_supporters_record(
        user=user, entries=asked, seat_of={entry_id: seats.get(pk) for entry_id, pk in electors.items()}
    )
    result.supporters_rejected += recorded.rejected


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
    scope.require_register(user, campaign, PollingDayVote, "add")
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
    *,
    campaign: CandidateCampaign,
    user,
    polling_district: PollingDistrict | None = None,
    now: dt.datetime | None = None,
) -> int:
    """Snapshot the knock-up lists (promises and leans not yet voted) per district at ``now``; returns sheets
    made."""
    from canvassing.selectors import KNOCK_UP_CONDITION

    scope.require_register(user, campaign, KnockUpSheet, "add")

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


def knock_up_sheets_generate_today(*, now: dt.datetime | None = None, route: str = "task") -> int:
    """The periodic job's work at ``now``, acting as itself: regenerate the knock-up sheets of every campaign
    whose polling day it is (the UK date), and drop sheets older than two days."""
    actor = scope.system(route)
    now = now or clock.now()
    made = 0
    for campaign in CandidateCampaign.objects.filter(polling_day=clock.today(now), destroyed_at__isnull=True):
        made += knock_up_sheets_generate(campaign=campaign, user=actor, now=now)
    KnockUpSheet.objects.filter(generated_at__lt=now - dt.timedelta(days=2)).delete()
    return made
