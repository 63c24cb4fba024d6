"""Admin for API tokens (listed by prefix; revoked, never made or read here) and the privilege audit (read
only: national organisers see every entry, anyone else the entries about their own account)."""

from django.contrib import admin

from accounts import tokens
from accounts.models import ApiToken, AuditEntry
from organiser.admin import ScopedAdmin


@admin.register(ApiToken)
class ApiTokenAdmin(ScopedAdmin):
    list_display = ["prefix", "user", "name", "created_at", "last_used_at"]
    search_fields = ["prefix", "user__email"]
    list_select_related = ["user"]
    fields = ["prefix", "user", "name", "created_at", "last_used_at"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False  # a token is made by its owner, on their own tokens page, and shown to them once

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def delete_model(self, request, obj) -> None:
        tokens.token_revoke(user=request.user, token=obj)

    def delete_queryset(self, request, queryset) -> None:
        for token in queryset.select_related("user"):
            tokens.token_revoke(user=request.user, token=token)


@admin.register(AuditEntry)
class AuditEntryAdmin(ScopedAdmin):
    list_display = ["at", "actor_name", "subject_name", "what", "before", "after", "route"]
    list_filter = ["what"]
    search_fields = ["actor_name", "subject_name"]
    date_hierarchy = "at"
    fields = ["at", "actor_name", "subject_name", "what", "before", "after", "route"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
