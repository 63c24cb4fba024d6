"""Who may see and change what: the one place the platform's scope rules live.

Every way in (admin querysets and permissions, organiser and volunteer pages, the API, exports, commands and
Celery jobs, hand-written SQL through :func:`sql_condition`) filters through ``restrict`` and asks
``can_view`` / ``can_change`` / ``can_add`` / ``can_delete``; no view writes a role check of its own.

A model states how it is scoped with class attributes, all optional:

- ``scope_public = True``: anyone, anonymous included, may read every row (results, seats).
- ``scope_seat_path = "constituency"``: the ORM path from the model to its Constituency
  (``""`` for Constituency itself). Seat organisers reach the rows of the seats granted to them.
- ``scope_owner_path = "user"``: the path to the account that owns the row; its owner may
  read and change it (a volunteer's own profile and sign-ups).
- ``scope_lead_path = "shift__lead"``: the path to the team lead who runs it; that lead may
  read and change it (check-in on the day).
- ``scope_national_change = True``: only national organisers change it (reference data, targets).
- ``scope_seat_change()``: a classmethod returning a Q of the rows seat organisers may change in their seats
  (an endorsement only while it is proposed: once endorsed it is a national decision).
- ``scope_no_delete = True``: rows nobody deletes, whatever their role (endorsements and their history:
  withdraw instead).
- ``scope_members_read()``: a classmethod returning a Q of the rows volunteers and team leads
  may read (not change): upcoming shifts, which every volunteer chooses from. Seat organisers
  do not get it: their workspace holds their own seats and nothing of any other.
- ``scope_public_read()``: a classmethod returning a Q of the rows anyone, anonymous included,
  may read: published endorsements.
- ``scope_register_path = "campaign"``: electoral-register data (electors, canvass responses,
  walk lists), held per endorsed candidate's campaign under its agent's control. Only users
  granted on that campaign (``canvassing.RegisterGrant``) see or change it, at the rights their grant's
  level gives (:data:`REGISTER_RIGHTS`), whatever their role: a national organiser without a grant sees none
  of it. A grantee without an authenticator (TOTP) gets nothing of it, by any route, session or token.
  This rule replaces all the others. ``scope_register_own(user)``, a classmethod, gives the rows a level
  with "own" rights reads (a canvasser's own lists and the electors on them).

Roles: a national organiser reads and changes everything outside the register; a seat organiser only the seats
granted to them (``volunteers.SeatGrant``); a team lead what they lead; a volunteer their own rows; the
anonymous public only public models. Rows outside a rule are invisible, so a request for one by id answers 404,
never 403 with a hint that it exists.

Jobs (the retention job, the knock-up job, an import job, the demo loaders) act as an explicit
:class:`SystemActor` made by :func:`system`, never as "no user": it is named in the access log.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db.models import Exists, Model, Q, QuerySet

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from volunteers.models import User

Action = Literal["view", "change", "add", "delete"]
ACTIONS: tuple[Action, ...] = ("view", "change", "add", "delete")


class SystemActor:
    """A job acting on its own account (``system("retention job")``), named in the access log.

    It is not an account: it holds no grant, logs in nowhere and reaches nothing through a page or the API;
    services that jobs call accept it where the job's work needs it."""

    is_authenticated = True
    is_active = True
    is_staff = False
    is_superuser = False
    is_national_organiser = False
    is_organiser = False
    role = None
    pk = None
    id = None

    def __init__(self, name: str) -> None:
        self.name = name

    def __str__(self) -> str:
        return f"system: {self.name}"

    def __repr__(self) -> str:
        return f"SystemActor({self.name!r})"


def system(name: str) -> SystemActor:
    """The actor a job acts as: ``system("task:canvassing.tasks.destroy_expired_registers")``."""
    return SystemActor(name)


def is_system(user) -> bool:
    return isinstance(user, SystemActor)


# --- the register: what each grant level may do --------------------------------------------------------------

AGENT, ORGANISER, CANVASSER, TELLER = "agent", "organiser", "canvasser", "teller"
EVERY_LEVEL = frozenset({AGENT, ORGANISER, CANVASSER, TELLER})
ORGANISING = frozenset({AGENT, ORGANISER})
NOBODY: frozenset[str] = frozenset()


@dataclass(frozen=True)
class RegisterRights:
    """What the grant levels may do with one register model, campaign by campaign.

    ``view`` reads every row of the campaign; ``view_own`` only the rows ``scope_register_own(user)`` gives
    (a canvasser's own lists); ``add``, ``change`` and ``delete`` as they say (by hand in the admin, or
    through the service that does it: imports add electors, the doorstep adds responses). ``national_view``
    and ``national_add``: national organisers read or create it without a grant (the campaign row itself,
    which names the agent and the dates but holds no elector)."""

    view: frozenset[str] = NOBODY
    view_own: frozenset[str] = NOBODY
    add: frozenset[str] = NOBODY
    change: frozenset[str] = NOBODY
    delete: frozenset[str] = NOBODY
    national_view: bool = False
    national_add: bool = False

    def levels(self, action: Action) -> frozenset[str]:
        return getattr(self, action)


#: The grant-level table (docs/security.md shows it): every model with ``scope_register_path`` has a row,
#: and a model without one answers ImproperlyConfigured rather than being open.
REGISTER_RIGHTS: dict[str, RegisterRights] = {
    # The campaign: every grantee sees its name and dates; the agent edits its name and votes to win. Naming
    # the agent, changing the retention date and destroying early are acts of control (CONTROL_ACTS).
    "canvassing.candidatecampaign": RegisterRights(
        view=EVERY_LEVEL, change=frozenset({AGENT}), national_view=True, national_add=True
    ),
    # Who holds the register: the agent grants and revokes; organisers see who has it; each grantee their own.
    "canvassing.registergrant": RegisterRights(
        view=ORGANISING, view_own=EVERY_LEVEL, add=frozenset({AGENT}), change=frozenset({AGENT}),
        delete=frozenset({AGENT}),
    ),
    "canvassing.accesslog": RegisterRights(view=ORGANISING),
    "canvassing.pollingdistrict": RegisterRights(view=EVERY_LEVEL, add=ORGANISING, change=ORGANISING),
    # The survey and the codes: every level reads them (the doorstep needs them); organisers edit them; only
    # the agent deletes one (a deleted code empties every intention recorded with it).
    "canvassing.intentioncode": RegisterRights(
        view=EVERY_LEVEL, add=ORGANISING, change=ORGANISING, delete=frozenset({AGENT})
    ),
    "canvassing.surveyquestion": RegisterRights(
        view=EVERY_LEVEL, add=ORGANISING, change=ORGANISING, delete=frozenset({AGENT})
    ),
    # The register itself: organisers read all of it (and import: add); canvassers the electors on their
    # lists; tellers none (they type poll numbers). Nobody edits or deletes an elector by hand: imports and
    # the retention job do.
    "canvassing.elector": RegisterRights(view=ORGANISING, view_own=frozenset({CANVASSER}), add=ORGANISING),
    "canvassing.canvassresponse": RegisterRights(
        view=ORGANISING, view_own=frozenset({CANVASSER}), add=frozenset({AGENT, ORGANISER, CANVASSER})
    ),
    "canvassing.walklist": RegisterRights(
        view=ORGANISING, view_own=frozenset({CANVASSER}), add=ORGANISING, change=ORGANISING, delete=ORGANISING
    ),
    "canvassing.walklistentry": RegisterRights(
        view=ORGANISING, view_own=frozenset({CANVASSER}), add=ORGANISING, change=ORGANISING, delete=ORGANISING
    ),
    # Polling day: every level takes poll numbers; organisers read who voted and the knock-up sheets.
    "canvassing.pollingdayvote": RegisterRights(view=ORGANISING, add=EVERY_LEVEL),
    "canvassing.knockupsheet": RegisterRights(view=ORGANISING, add=ORGANISING),
    "canvassing.registerlayout": RegisterRights(
        view=ORGANISING, add=ORGANISING, change=ORGANISING, delete=ORGANISING
    ),
    "canvassing.registerimportjob": RegisterRights(view=ORGANISING, add=ORGANISING),
    # Polling day (canvassing.pollingday): every level sees the stations (tellers pick theirs) and types
    # numbers; organisers set stations up, cut knock-up rounds and match lifts; a canvasser records a lift
    # asked for at the door (through the doorstep) and sees their own teller entries.
    "canvassing.pollingstation": RegisterRights(
        view=EVERY_LEVEL, add=ORGANISING, change=ORGANISING, delete=ORGANISING
    ),
    "canvassing.tellerentry": RegisterRights(view=ORGANISING, view_own=EVERY_LEVEL, add=EVERY_LEVEL),
    "canvassing.knockupround": RegisterRights(view=ORGANISING, add=ORGANISING),
    "canvassing.lift": RegisterRights(view=ORGANISING, add=ORGANISING, change=ORGANISING),
}  # fmt: skip

#: Acts of control over a campaign's register (separation of duties): its agent's and national organisers',
#: never a seat organiser's, an organiser's or a canvasser's; each is confirmed and logged by its service.
CONTROL_ACTS = ("name_agent", "change_retention", "destroy")


def register_rights(model: type[Model]) -> RegisterRights:
    try:
        return REGISTER_RIGHTS[model._meta.label_lower]
    except KeyError:
        raise ImproperlyConfigured(
            f"{model._meta.label} holds register data (scope_register_path) but has no row in "
            "organiser.scope.REGISTER_RIGHTS: say what each grant level may do with it."
        ) from None


def _is_active(user: User | AnonymousUser | None) -> bool:
    return bool(user is not None and not is_system(user) and user.is_authenticated and user.is_active)


def _has_authenticator(user_id) -> Exists:
    from allauth.mfa.models import Authenticator

    return Exists(Authenticator.objects.filter(user_id=user_id, type=Authenticator.Type.TOTP))


def granted_seat_ids(user: User) -> QuerySet:
    """The ids of the constituencies granted to a seat organiser (a subquery, not a list)."""
    from volunteers.models import SeatGrant

    return SeatGrant.objects.filter(user_id=user.pk).values("constituency_id")


def granted_campaign_ids(user: User, levels: frozenset[str] | None = None) -> QuerySet:
    """The ids of the candidate campaigns whose register ``user`` holds at one of ``levels`` (any level by
    default), with an authenticator: a grantee without one holds nothing (a subquery)."""
    from django.apps import apps

    grant = apps.get_model("canvassing", "RegisterGrant")
    grants = grant.objects.filter(_has_authenticator(user.pk), user_id=user.pk)
    if levels is not None:
        grants = grants.filter(level__in=levels)
    return grants.values("campaign_id")


def held_levels(user) -> frozenset[str]:
    """Every level ``user`` holds on some campaign (with an authenticator): one query, for choosing what an
    admin page offers before any campaign is chosen."""
    if not _is_active(user):
        return frozenset()
    from django.apps import apps

    grant = apps.get_model("canvassing", "RegisterGrant")
    return frozenset(
        grant.objects.filter(_has_authenticator(user.pk), user_id=user.pk).values_list("level", flat=True).distinct()
    )


def may_somewhere(user, model: type[Model], action: Action, levels: frozenset[str] | None = None) -> bool:
    """Might ``user`` ``action`` some row of this register model, on some campaign? (``levels``: their
    :func:`held_levels`, when the caller has them already.)"""
    if is_system(user):
        return True
    if not _is_active(user):
        return False
    rights = register_rights(model)
    national = rights.national_add if action == "add" else rights.national_view if action == "view" else False
    if national and user.is_national_organiser:
        return True
    levels = held_levels(user) if levels is None else levels
    allowed = rights.levels(action) | (rights.view_own if action == "view" else NOBODY)
    return bool(levels & allowed)


def grant_level(user, campaign) -> str | None:
    """The level ``user`` holds on the campaign (an id or a campaign), or None: no grant, no authenticator."""
    if not _is_active(user):
        return None
    from django.apps import apps

    grant = apps.get_model("canvassing", "RegisterGrant")
    campaign_id = campaign if isinstance(campaign, int) else campaign.pk
    return (
        grant.objects.filter(_has_authenticator(user.pk), user_id=user.pk, campaign_id=campaign_id)
        .values_list("level", flat=True)
        .first()
    )


def has_register_grant(user) -> bool:
    """Does ``user`` hold any register grant (with or without an authenticator)?"""
    if not _is_active(user):
        return False
    from django.apps import apps

    return apps.get_model("canvassing", "RegisterGrant").objects.filter(user_id=user.pk).exists()


def _path(prefix: str, field: str) -> str:
    return f"{prefix}__{field}" if prefix else field


def _register_filter(model: type[Model], user, action: Action) -> Q | None:
    nothing = Q(pk__in=[])
    rights = register_rights(model)
    if is_system(user):
        return None
    if not _is_active(user):
        return nothing
    if action == "view" and rights.national_view and user.is_national_organiser:
        return None
    path = _path(model.scope_register_path, "pk__in") if model.scope_register_path else "pk__in"
    allowed = nothing
    if levels := rights.levels(action):
        allowed |= Q(**{path: granted_campaign_ids(user, levels)})
    if action == "view" and rights.view_own:
        allowed |= Q(**{path: granted_campaign_ids(user, rights.view_own)}) & model.scope_register_own(user)
    return allowed


def scope_filter(model: type[Model], user: User | AnonymousUser | None, action: Action = "view") -> Q | None:
    """The filter that limits ``model`` to what ``user`` may ``action``; None means no limit."""
    from volunteers.models import Role

    nothing = Q(pk__in=[])
    if getattr(model, "scope_register_path", None) is not None:
        return _register_filter(model, user, action)
    if is_system(user):
        return None
    if action == "add":
        action = "change"  # rows one may add to are those one may change (their seats', their own)
    if action == "delete" and getattr(model, "scope_no_delete", False):
        return nothing
    if action == "delete":
        action = "change"
    if action == "view" and getattr(model, "scope_public", False):
        return None
    public_rows = model.scope_public_read() if action == "view" and hasattr(model, "scope_public_read") else nothing
    if not _is_active(user):
        return public_rows
    if user.is_national_organiser:
        return None
    if action == "change" and getattr(model, "scope_national_change", False):
        return nothing
    allowed = public_rows
    seat_path = getattr(model, "scope_seat_path", None)
    if seat_path is not None and user.role == Role.SEAT_ORGANISER:
        seat_rows = Q(**{_path(seat_path, "pk__in") if seat_path else "pk__in": granted_seat_ids(user)})
        if action == "change" and hasattr(model, "scope_seat_change"):
            seat_rows &= model.scope_seat_change()
        allowed |= seat_rows
    if owner_path := getattr(model, "scope_owner_path", None):
        allowed |= Q(**{owner_path: user.pk})
    if lead_path := getattr(model, "scope_lead_path", None):
        allowed |= Q(**{lead_path: user.pk})
    if action == "view" and hasattr(model, "scope_members_read") and user.role in (Role.VOLUNTEER, Role.TEAM_LEAD):
        allowed |= model.scope_members_read()
    return allowed


def restrict(queryset: QuerySet, user: User | AnonymousUser | None, action: Action = "view") -> QuerySet:
    """Limit ``queryset`` to the rows ``user`` may see (or change, add to, delete, with ``action``)."""
    condition = scope_filter(queryset.model, user, action)
    return queryset if condition is None else queryset.filter(condition)


def _allows(user, obj: Model, action: Action) -> bool:
    return restrict(type(obj)._default_manager.filter(pk=obj.pk), user, action).exists()


def can_view(user: User | AnonymousUser | None, obj: Model) -> bool:
    return _allows(user, obj, "view")


def can_change(user: User | AnonymousUser | None, obj: Model) -> bool:
    """May ``user`` change this row?"""
    return _allows(user, obj, "change")


def can_delete(user: User | AnonymousUser | None, obj: Model) -> bool:
    """May ``user`` delete this row?"""
    return _allows(user, obj, "delete")


def can_add(user: User | AnonymousUser | None, model: type[Model]) -> bool:
    """May ``user`` create rows of ``model`` at all? Which seat or campaign is checked by the form's choices
    (:func:`campaigns_for_action`, :func:`seats_in_scope`) and again by the service."""
    from volunteers.models import Role

    if getattr(model, "scope_register_path", None) is not None:
        return may_somewhere(user, model, "add")
    if not _is_active(user):
        return False
    if user.is_national_organiser:
        return True
    if getattr(model, "scope_national_change", False):
        return False
    return user.role == Role.SEAT_ORGANISER and getattr(model, "scope_seat_path", None) is not None


def register_allows(user, campaign, model: type[Model], action: Action) -> bool:
    """May ``user`` do ``action`` on ``model`` across the whole of this campaign (not just their own rows)?
    The register pages, the exports, the commands and the services ask this."""
    if is_system(user):
        return True
    rights = register_rights(model)
    if action == "view" and rights.national_view and _is_active(user) and user.is_national_organiser:
        return True
    if action == "add" and rights.national_add and _is_active(user) and user.is_national_organiser:
        return True
    # A campaign from canvassing.selectors.campaigns_for carries the user's level already (no query).
    level = campaign.__dict__["level"] if "level" in getattr(campaign, "__dict__", {}) else grant_level(user, campaign)
    return level in rights.levels(action)


def require_register(user, campaign, model: type[Model], action: Action) -> None:
    """PermissionDenied unless :func:`register_allows`."""
    if not register_allows(user, campaign, model, action):
        raise PermissionDenied("Your grant on this campaign's register does not allow this.")


def campaigns_for_action(user, model: type[Model], action: Action) -> QuerySet:
    """The campaigns on which ``user`` may ``action`` ``model`` (for the admin's campaign choices)."""
    from django.apps import apps

    campaigns = apps.get_model("canvassing", "CandidateCampaign").objects.all()
    if is_system(user):
        return campaigns
    if not _is_active(user):
        return campaigns.none()
    rights = register_rights(model)
    national = rights.national_add if action == "add" else rights.national_view if action == "view" else False
    if national and user.is_national_organiser:
        return campaigns
    return campaigns.filter(pk__in=granted_campaign_ids(user, rights.levels(action)))


def may_control(user, campaign, act: str) -> bool:
    """May ``user`` do an act of control (CONTROL_ACTS) on the campaign: its agent (holding the agent's grant,
    with an authenticator) or a national organiser; a job only for retention and destruction."""
    if act not in CONTROL_ACTS:
        raise ValueError(f"unknown act of control {act!r}")
    if is_system(user):
        return act in ("change_retention", "destroy")
    if not _is_active(user):
        return False
    if user.is_national_organiser:
        return True
    return campaign.agent_id == user.pk and grant_level(user, campaign) == AGENT


def require_control(user, campaign, act: str) -> None:
    if not may_control(user, campaign, act):
        raise PermissionDenied("Only the campaign's agent or a national organiser may do this.")


# --- seats and people ------------------------------------------------------------------------------------------


def seats_in_scope(user: User | AnonymousUser | None) -> QuerySet:
    """The constituencies a user works in: all for national organisers, granted ones for seat organisers."""
    from campaigns.models import Constituency
    from volunteers.models import Role

    if not _is_active(user):
        return Constituency.objects.none()
    if user.is_national_organiser:
        return Constituency.objects.all()
    if user.role == Role.SEAT_ORGANISER:
        return Constituency.objects.filter(pk__in=granted_seat_ids(user))
    return Constituency.objects.none()


def people_of_seats(seat_ids) -> Q:
    """Accounts that belong to these seats: volunteers living there, members and leads of their teams, and
    their seat organisers (a Q over User)."""
    from volunteers.models import SeatGrant, Team

    teams = Team.objects.filter(constituency_id__in=seat_ids)
    return (
        Q(profile__home_constituency_id__in=seat_ids)
        | Q(pk__in=teams.values("members"))
        | Q(pk__in=teams.values("lead_id"))
        | Q(pk__in=SeatGrant.objects.filter(constituency_id__in=seat_ids).values("user_id"))
    )


def people_in_scope(user: User | AnonymousUser | None) -> QuerySet:
    """The active accounts ``user`` may pick in a choice list (a team's members and lead, a shift's lead, a
    grantee): everyone for national organisers; for a seat organiser the people of their seats; for anyone
    else only themselves."""
    from volunteers.models import Role, User

    people = User.objects.filter(is_active=True)
    if not _is_active(user):
        return people.none()
    if user.is_national_organiser:
        return people
    if user.role == Role.SEAT_ORGANISER:
        return people.filter(people_of_seats(granted_seat_ids(user)) | Q(pk=user.pk)).distinct()
    return people.filter(pk=user.pk)


def can_use_admin(user: User | AnonymousUser | None) -> bool:
    return _is_active(user) and user.is_staff and user.is_organiser


# --- hand-written SQL ------------------------------------------------------------------------------------------


def as_sql(queryset: QuerySet, *, prefix: str = "scope") -> tuple[str, dict]:
    """A queryset compiled for a hand-written query: SQL with ``%(prefix_N)s`` parameters, and the params."""
    from django.db import connection

    sql, params = queryset.query.get_compiler(connection=connection).as_sql()
    parts = sql.replace("%%", "\x00").split("%s")
    named = "".join([parts[0], *(f"%({prefix}_{i})s{part}" for i, part in enumerate(parts[1:]))])
    return named.replace("\x00", "%%"), {f"{prefix}_{i}": value for i, value in enumerate(params)}


def sql_condition(model: type[Model], user, alias: str, action: Action = "view") -> tuple[str, dict]:
    """The scope rule as SQL over ``alias`` (a table alias of ``model``) for hand-written queries:
    ``("s.id IN (SELECT ...)", params)`` with ``%(scope_N)s`` parameters, or ``("true", {})`` without a limit.

    The subquery is the ORM's own compilation of :func:`restrict`, so the SQL and the ORM never disagree."""
    condition = scope_filter(model, user, action)
    if condition is None:
        return "true", {}
    sql, params = as_sql(model._default_manager.filter(condition).values("pk").order_by())
    return f"{alias}.{model._meta.pk.column} IN ({sql})", params
