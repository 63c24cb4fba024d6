"""The admin site: logins go through allauth (rate limits, MFA), every model admin is scoped.

``ScopedAdmin`` is the base of every ModelAdmin in the project: its querysets, object
permissions and foreign-key choices all come from ``organiser.scope``.
"""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.db.models import ForeignKey

from organiser import scope

admin.site.site_header = "Organiser"
admin.site.site_title = "Organiser admin"
admin.site.index_title = "Campaign administration"
admin.site.login = secure_admin_login(admin.site.login)
admin.site.has_permission = lambda request: scope.can_use_admin(request.user)


class ScopedAdmin(admin.ModelAdmin):
    """A ModelAdmin whose rows, permissions and choices follow organiser.scope."""

    def get_queryset(self, request):
        return scope.restrict(super().get_queryset(request), request.user, "view")

    def has_module_permission(self, request) -> bool:
        return scope.can_use_admin(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        if not scope.can_use_admin(request.user):
            return False
        return obj is None or scope.can_view(request.user, obj)

    def has_add_permission(self, request) -> bool:
        return scope.can_use_admin(request.user) and scope.can_add(request.user, self.model)

    def has_change_permission(self, request, obj=None) -> bool:
        if not scope.can_use_admin(request.user):
            return False
        if obj is None:
            return request.user.is_national_organiser or not getattr(self.model, "scope_national_change", False)
        return scope.can_change(request.user, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self.has_change_permission(request, obj)

    def formfield_for_foreignkey(self, db_field: ForeignKey, request, **kwargs):
        related = db_field.related_model
        from campaigns.models import Constituency

        if related is Constituency:
            kwargs["queryset"] = scope.seats_in_scope(request.user)
        elif hasattr(related, "scope_seat_path") or hasattr(related, "scope_owner_path"):
            kwargs["queryset"] = scope.restrict(related._default_manager.all(), request.user, "view")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
