"""The admin site: logins go through allauth (rate limits, MFA), every model admin is scoped.

``ScopedAdmin`` is the base of every ModelAdmin in the project, and ``ScopedInline`` of every inline: their
querysets, object permissions (view, change, add, delete) and choice lists all come from ``organiser.scope``,
grant levels included. Django's own model permissions are not used.

The admin offers nothing that makes one person into another: Django's "groups" admin and allauth's e-mail
address and authenticator admins are not registered (an e-mail address changed by someone else is an account
taken over at the next password reset), and the account admin sets no password (volunteers/admin.py).
"""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db.models import ForeignKey

from organiser import scope
from organiser.admin_inputs import AdminInputs

admin.site.site_header = "Organiser"
admin.site.site_title = "Organiser admin"
admin.site.index_title = "Campaign administration"
admin.site.login = secure_admin_login(admin.site.login)
admin.site.has_permission = lambda request: scope.can_use_admin(request.user)

for model in [Group]:
    if admin.site.is_registered(model):
        admin.site.unregister(model)


def unregister_account_takeover_admins() -> None:
    """allauth's own admins (e-mail addresses, authenticators) let one account's address or second factor be
    changed by another: they are not in this admin (called once the apps' admins are registered)."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    for model in (EmailAddress, Authenticator):
        if admin.site.is_registered(model):
            admin.site.unregister(model)


def _register_model(model) -> bool:
    return getattr(model, "scope_register_path", None) is not None


def _held_levels(request) -> frozenset[str]:
    """The register grant levels the user holds, looked up once per request (the admin asks every model)."""
    if not hasattr(request, "_scope_held_levels"):
        request._scope_held_levels = scope.held_levels(request.user)
    return request._scope_held_levels


def _may_add(request, model) -> bool:
    if _register_model(model):
        return scope.may_somewhere(request.user, model, "add", levels=_held_levels(request))
    return scope.can_add(request.user, model)


class ScopedPermissions:
    """Permissions from organiser.scope, shared by ScopedAdmin and ScopedInline."""

    model = None

    def has_module_permission(self, request) -> bool:
        return scope.can_use_admin(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        if not scope.can_use_admin(request.user):
            return False
        return obj is None or scope.can_view(request.user, obj)

    def _may_any(self, request, action: str) -> bool:
        """May the user ``action`` some row of this model (for the changelist's actions and links)?"""
        user = request.user
        if _register_model(self.model):
            return scope.may_somewhere(user, self.model, action, levels=_held_levels(request))
        if action == "delete" and getattr(self.model, "scope_no_delete", False):
            return False
        return user.is_national_organiser or not getattr(self.model, "scope_national_change", False)

    def has_change_permission(self, request, obj=None) -> bool:
        if not scope.can_use_admin(request.user):
            return False
        if obj is None:
            return self._may_any(request, "change")
        return scope.can_change(request.user, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        if not scope.can_use_admin(request.user):
            return False
        if obj is None:
            return self._may_any(request, "delete")
        return scope.can_delete(request.user, obj)


def scoped_choices(model, db_field, user):
    """What ``user`` may pick for ``db_field`` (a foreign key or many-to-many of ``model``), or None for no limit:
    seats in scope, people in scope, register campaigns where their grant allows the act, rows they may see.
    The admin's dropdowns and its autocomplete answers (ScopedAutocompleteJsonView) both ask this."""
    from campaigns.models import Constituency
    from volunteers.models import User

    related = db_field.related_model
    if related is Constituency:
        return scope.seats_in_scope(user)
    if related is User:
        return scope.people_in_scope(user)
    if _register_model(related) and related._meta.label_lower == "canvassing.candidatecampaign":
        return scope.campaigns_for_action(user, model, "add") if _register_model(model) else None
    if _register_model(related):
        return scope.restrict(related._default_manager.all(), user, "view")
    if hasattr(related, "scope_seat_path") or hasattr(related, "scope_owner_path"):
        return scope.restrict(related._default_manager.all(), user, "view")
    return None


class ScopedAutocompleteJsonView(AutocompleteJsonView):
    """The admin's autocomplete answers only what the field's own choice list offers the user (so typing in
    a team's lead finds the people of one's seats, not every account)."""

    def get_queryset(self):
        choices = scoped_choices(self.source_field.model, self.source_field, self.request.user)
        if choices is None:
            return super().get_queryset()
        queryset = choices.complex_filter(self.source_field.get_limit_choices_to())
        queryset, distinct = self.model_admin.get_search_results(self.request, queryset, self.term)
        return queryset.distinct() if distinct else queryset


admin.site.autocomplete_view = lambda request: ScopedAutocompleteJsonView.as_view(admin_site=admin.site)(request)


class ScopedChoices:
    """Choice lists (foreign keys, many-to-many) limited to what the user may pick (:func:`scoped_choices`)."""

    def _choices(self, db_field, request):
        return scoped_choices(self.model, db_field, request.user)

    def formfield_for_foreignkey(self, db_field: ForeignKey, request, **kwargs):
        choices = self._choices(db_field, request)
        if choices is not None and "queryset" not in kwargs:
            kwargs["queryset"] = choices
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        from volunteers.models import User

        if db_field.related_model is User and "queryset" not in kwargs:
            kwargs["queryset"] = scope.people_in_scope(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ScopedAdmin(AdminInputs, ScopedPermissions, ScopedChoices, admin.ModelAdmin):
    """A ModelAdmin whose rows, permissions and choices follow organiser.scope. A register row has no admin
    history page: its names would be read there without an entry in the access log, which is the register's
    history (and is logged)."""

    def history_view(self, request, object_id, extra_context=None):
        if _register_model(self.model):
            raise PermissionDenied("A register row's history is its campaign's access log.")
        return super().history_view(request, object_id, extra_context)

    def get_queryset(self, request):
        return scope.restrict(super().get_queryset(request), request.user, "view")

    def has_add_permission(self, request) -> bool:
        return scope.can_use_admin(request.user) and _may_add(request, self.model)


class ScopedInline(AdminInputs, ScopedPermissions, ScopedChoices):
    """Mixin for inlines (``class X(ScopedInline, admin.TabularInline)``): the same rules as ScopedAdmin."""

    def get_queryset(self, request):
        return scope.restrict(super().get_queryset(request), request.user, "view")

    def has_add_permission(self, request, obj=None) -> bool:
        return scope.can_use_admin(request.user) and _may_add(request, self.model)
