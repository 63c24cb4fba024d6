"""Admin for accounts, seat grants and teams (scoped through organiser.admin.ScopedAdmin)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from organiser.admin import ScopedAdmin
from volunteers.models import SeatGrant, Team, User


class SeatGrantInline(admin.TabularInline):
    model = SeatGrant
    extra = 0
    autocomplete_fields = ["constituency"]


@admin.register(User)
class UserAdmin(ScopedAdmin, DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "role", "is_staff", "is_active", "date_joined"]
    list_filter = ["role", "is_staff", "is_active"]
    search_fields = ["email", "full_name"]
    inlines = [SeatGrantInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("full_name",)}),
        ("Role", {"fields": ("role", "is_staff", "is_active", "is_superuser")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "role", "password1", "password2")}),)

    def has_add_permission(self, request) -> bool:
        return request.user.is_national_organiser

    def has_change_permission(self, request, obj=None) -> bool:
        # Accounts and roles are managed by national organisers only.
        return request.user.is_national_organiser


@admin.register(Team)
class TeamAdmin(ScopedAdmin):
    list_display = ["name", "constituency", "lead"]
    list_filter = ["constituency__nation"]
    search_fields = ["name", "constituency__name"]
    list_select_related = ["constituency", "lead"]
    autocomplete_fields = ["constituency", "lead"]
    filter_horizontal = ["members"]
