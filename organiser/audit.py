"""The audit of privileges: every change to who may do what (an account's role, staff, superuser and active
flags, its groups and permissions, its seat grants and register grants) is written to
:class:`accounts.models.AuditEntry` with who did it, to whom, what changed and when, and emailed (after commit)
to the person affected and to every national organiser when a person made it (and whenever it is superuser).

It is done by model signals, so no path skips it (the admin, a service, a command, the shell); the actor is the
request's user (read when the change is saved, so an API token's owner counts too), else what
:func:`acting_as` names, else the process itself (``system: manage.py createsuperuser``). Bulk ``update()``
calls bypass signals: the code paths that use one on grants log the change themselves (the access log).
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import sys
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from organiser import clock, scope

logger = logging.getLogger(__name__)

_request: contextvars.ContextVar = contextvars.ContextVar("audit_request", default=None)
_actor: contextvars.ContextVar = contextvars.ContextVar("audit_actor", default=None)

#: The account fields whose change is a change of privilege.
PRIVILEGE_FIELDS = ("role", "is_staff", "is_superuser", "is_active")


class AuditActorMiddleware:
    """Remembers the request while it is handled, so a change saved during it names the request's user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)


@contextlib.contextmanager
def acting_as(actor):
    """Name the actor of changes made outside a request (a command, a job): ``with acting_as(system("x")):``."""
    token = _actor.set(actor)
    try:
        yield
    finally:
        _actor.reset(token)


def current_actor() -> tuple[object | None, str, str]:
    """(the acting account or None, its name as logged, the route)."""
    request = _request.get()
    if request is not None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return user, user.email, request.path[:300]
        return None, "anonymous", request.path[:300]
    actor = _actor.get()
    if actor is not None:
        if scope.is_system(actor):
            return None, str(actor), ""
        return actor, actor.email, ""
    program = " ".join(arg.rsplit("/", 1)[-1] for arg in sys.argv[:2]) or "python"
    return None, f"system: {program}"[:254], ""


def _shown(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)[:300]


def record(*, subject, what: str, before="", after="", link: bool = True) -> None:
    """Write one audit entry and email it, after commit, to the subject and the national organisers.
    ``link=False`` names the subject without a foreign key (their account may be being deleted)."""
    from accounts.models import AuditEntry

    actor, actor_name, route = current_actor()
    entry = AuditEntry.objects.create(
        at=clock.now(),
        actor=actor if actor is not None and getattr(actor, "pk", None) else None,
        actor_name=actor_name[:254],
        subject=subject if link and subject is not None and subject.pk else None,
        subject_name=(getattr(subject, "email", "") or str(subject))[:254],
        what=what,
        before=_shown(before),
        after=_shown(after),
        route=route,
    )
    # Emailed when a person made the change (in a request, or named with acting_as), and always for superuser:
    # what jobs, loaders and set-up code do to accounts is in the audit, without mail to everyone each time.
    if entry.actor_id is not None or what in ("is_superuser",) or "superuser yes" in entry.after:
        transaction.on_commit(partial(_send, entry.pk))


def _send(entry_pk: int) -> None:
    from django.core.mail import EmailMessage

    from accounts.models import AuditEntry
    from volunteers.models import Role, User

    entry = AuditEntry.objects.filter(pk=entry_pk).select_related("subject").first()
    if entry is None:
        return
    national = User.objects.filter(is_active=True).filter(role=Role.NATIONAL_ORGANISER) | User.objects.filter(
        is_active=True, is_superuser=True
    )
    recipients = sorted({*national.values_list("email", flat=True), entry.subject_name} - {""})
    what = entry.get_what_display()
    change = f"{entry.before or '(none)'} → {entry.after or '(none)'}"
    when = clock.local(entry.at).strftime("%-d %B %Y at %H:%M")
    body = "\n".join(
        [
            f"A change of privileges on {entry.subject_name}'s account:",
            "",
            f"  {what}: {change}",
            f"  by {entry.actor_name}, {when}" + (f" ({entry.route})" if entry.route else ""),
            "",
            "If this was not expected, tell a national organiser at once: the account may need to be locked.",
            "",
            f"{settings.CAMPAIGN_NAME}: {settings.SITE_URL}",
        ]
    )
    subject = f"[{settings.CAMPAIGN_NAME}] {what} changed on {entry.subject_name}"
    for to in recipients:  # one message each: nobody learns who else was told
        try:
            EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to]).send()
        except Exception:  # the change stands and is in the audit; the notice is logged
            logger.exception("audit notice to %s not sent (entry %s)", to, entry_pk)


# --- receivers --------------------------------------------------------------------------------------------------


def _user_before(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    instance._audit_before = None
    if raw or instance.pk is None:
        return
    if update_fields is not None and not set(update_fields) & set(PRIVILEGE_FIELDS):
        return
    instance._audit_before = sender._default_manager.filter(pk=instance.pk).values(*PRIVILEGE_FIELDS).first()


def _user_after(sender, instance, created, raw=False, **kwargs) -> None:
    from accounts.models import AuditEntry
    from volunteers.models import Role

    if raw:
        return
    if created:
        if instance.is_staff or instance.is_superuser or instance.role != Role.VOLUNTEER:
            held = f"role {instance.role}, staff {_shown(instance.is_staff)}, superuser {_shown(instance.is_superuser)}"
            record(subject=instance, what=AuditEntry.What.ACCOUNT, after=held)
        return
    before = getattr(instance, "_audit_before", None)
    if not before:
        return
    for field in PRIVILEGE_FIELDS:
        if before[field] != getattr(instance, field):
            record(subject=instance, what=field, before=before[field], after=getattr(instance, field))


def _m2m(what: str):
    def receiver(sender, instance, action, pk_set, reverse, model, **kwargs) -> None:
        if action not in ("post_add", "post_remove", "post_clear") or reverse:
            return
        sign = {"post_add": "+", "post_remove": "-", "post_clear": "- all"}[action]
        rows = model._default_manager.filter(pk__in=pk_set) if pk_set else []
        names = ", ".join(sorted(str(row) for row in rows))
        record(subject=instance, what=what, after=f"{sign} {names}".strip())

    return receiver


def _seat_grant_saved(sender, instance, created, raw=False, **kwargs) -> None:
    if created and not raw:
        record(subject=instance.user, what="seat_grant", after=f"+ {instance.constituency}")


def _seat_grant_deleted(sender, instance, **kwargs) -> None:
    record(
        subject=instance.user, what="seat_grant", before=f"{instance.constituency_id}", after="- revoked", link=False
    )


def _register_grant_before(sender, instance, raw=False, **kwargs) -> None:
    instance._audit_level = None
    if not raw and instance.pk is not None:
        instance._audit_level = sender._default_manager.filter(pk=instance.pk).values_list("level", flat=True).first()


def _register_grant_saved(sender, instance, created, raw=False, **kwargs) -> None:
    if raw:
        return
    campaign = instance.campaign.name
    if created:
        record(subject=instance.user, what="register_grant", after=f"{instance.level} on {campaign}")
    elif getattr(instance, "_audit_level", None) not in (None, instance.level):
        record(
            subject=instance.user, what="register_grant", before=f"{instance._audit_level} on {campaign}",
            after=f"{instance.level} on {campaign}",
        )  # fmt: skip


def _register_grant_deleted(sender, instance, **kwargs) -> None:
    record(
        subject=instance.user,
        what="register_grant",
        before=f"{instance.level} on campaign {instance.campaign_id}",
        after="- revoked",
        link=False,
    )


def connect() -> None:
    """Connect the receivers (accounts.apps.AccountsConfig.ready)."""
    from django.apps import apps

    user = apps.get_model(settings.AUTH_USER_MODEL)
    seat_grant = apps.get_model("volunteers", "SeatGrant")
    register_grant = apps.get_model("canvassing", "RegisterGrant")
    pre_save.connect(_user_before, sender=user, dispatch_uid="audit_user_before")
    post_save.connect(_user_after, sender=user, dispatch_uid="audit_user_after")
    m2m_changed.connect(_m2m("groups"), sender=user.groups.through, dispatch_uid="audit_groups", weak=False)
    m2m_changed.connect(
        _m2m("permissions"), sender=user.user_permissions.through, dispatch_uid="audit_permissions", weak=False
    )
    post_save.connect(_seat_grant_saved, sender=seat_grant, dispatch_uid="audit_seat_grant_saved")
    post_delete.connect(_seat_grant_deleted, sender=seat_grant, dispatch_uid="audit_seat_grant_deleted")
    pre_save.connect(_register_grant_before, sender=register_grant, dispatch_uid="audit_register_grant_before")
    post_save.connect(_register_grant_saved, sender=register_grant, dispatch_uid="audit_register_grant_saved")
    post_delete.connect(_register_grant_deleted, sender=register_grant, dispatch_uid="audit_register_grant_deleted")
