"""Who may see and change what: the one place the platform's scope rules live.

Every way in (admin querysets, organiser and volunteer pages, the API) filters through
``restrict`` and asks ``can_change`` / ``can_add``; no view writes a role check of its own.

A model states how it is scoped with class attributes, all optional:

- ``scope_public = True``: anyone, anonymous included, may read every row (results, seats).
- ``scope_seat_path = "constituency"``: the ORM path from the model to its Constituency
  (``""`` for Constituency itself). Seat organisers reach the rows of the seats granted to them.
- ``scope_owner_path = "user"``: the path to the account that owns the row; its owner may
  read and change it (a volunteer's own profile and sign-ups).
- ``scope_lead_path = "shift__lead"``: the path to the team lead who runs it; that lead may
  read and change it (check-in on the day).
- ``scope_national_change = True``: only national organisers change it (reference data).
- ``scope_members_read()``: a classmethod returning a Q of the rows volunteers and team leads
  may read (not change): upcoming shifts, which every volunteer chooses from. Seat organisers
  do not get it: their workspace holds their own seats and nothing of any other.
- ``scope_public_read()``: a classmethod returning a Q of the rows anyone, anonymous included,
  may read: published endorsements.
- ``scope_register_path = "campaign"``: electoral-register data (electors, canvass responses,
  walk lists), held per endorsed candidate's campaign under its agent's control. Only users
  granted on that campaign (``canvassing.RegisterGrant``) see or change it, whatever their role:
  a national organiser without a grant sees none of it. This rule replaces all the others.

Roles: a national organiser reads and changes everything; a seat organiser only the seats
granted to them (``volunteers.SeatGrant``); a team lead what they lead; a volunteer their own
rows; the anonymous public only public models. Rows outside a rule are invisible, so a
request for one by id answers 404, never 403 with a hint that it exists.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from django.db.models import Model, Q, QuerySet

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from volunteers.models import User

Action = Literal["view", "change"]


def _is_active(user: User | AnonymousUser | None) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def granted_seat_ids(user: User) -> QuerySet:
    """The ids of the constituencies granted to a seat organiser (a subquery, not a list)."""
    from volunteers.models import SeatGrant

    return SeatGrant.objects.filter(user_id=user.pk).values("constituency_id")


def granted_campaign_ids(user: User) -> QuerySet:
    """The ids of the candidate campaigns whose register ``user`` is granted (a subquery)."""
    from django.apps import apps

    grant = apps.get_model("canvassing", "RegisterGrant")
    return grant.objects.filter(user_id=user.pk).values("campaign_id")


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


def _path(prefix: str, field: str) -> str:
    return f"{prefix}__{field}" if prefix else field


def scope_filter(model: type[Model], user: User | AnonymousUser | None, action: Action = "view") -> Q | None:
    """The filter that limits ``model`` to what ``user`` may ``action``; None means no limit."""
    from volunteers.models import Role

    nothing = Q(pk__in=[])
    register_path = getattr(model, "scope_register_path", None)
    if register_path is not None:
        if not _is_active(user):
            return nothing
        return Q(**{_path(register_path, "pk__in") if register_path else "pk__in": granted_campaign_ids(user)})
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
        allowed |= Q(**{_path(seat_path, "pk__in") if seat_path else "pk__in": granted_seat_ids(user)})
    if owner_path := getattr(model, "scope_owner_path", None):
        allowed |= Q(**{owner_path: user.pk})
    if lead_path := getattr(model, "scope_lead_path", None):
        allowed |= Q(**{lead_path: user.pk})
    if action == "view" and hasattr(model, "scope_members_read") and user.role in (Role.VOLUNTEER, Role.TEAM_LEAD):
        allowed |= model.scope_members_read()
    return allowed


def restrict(queryset: QuerySet, user: User | AnonymousUser | None, action: Action = "view") -> QuerySet:
    """Limit ``queryset`` to the rows ``user`` may see (or change, with ``action="change"``)."""
    condition = scope_filter(queryset.model, user, action)
    return queryset if condition is None else queryset.filter(condition)


def can_view(user: User | AnonymousUser | None, obj: Model) -> bool:
    return restrict(type(obj)._default_manager.filter(pk=obj.pk), user, "view").exists()


def can_change(user: User | AnonymousUser | None, obj: Model) -> bool:
    """May ``user`` change (or delete) this row?"""
    return restrict(type(obj)._default_manager.filter(pk=obj.pk), user, "change").exists()


def can_add(user: User | AnonymousUser | None, model: type[Model]) -> bool:
    """May ``user`` create rows of ``model`` at all (which seat is checked by the form's choices)?"""
    from volunteers.models import Role

    if not _is_active(user):
        return False
    if user.is_national_organiser:
        return True
    if hasattr(model, "scope_register_path"):
        return True  # which campaign is checked against the user's grants by the service
    if getattr(model, "scope_national_change", False):
        return False
    return user.role == Role.SEAT_ORGANISER and getattr(model, "scope_seat_path", None) is not None


def can_use_admin(user: User | AnonymousUser | None) -> bool:
    return _is_active(user) and user.is_staff and user.is_organiser
