"""Admin for elections and constituencies (scoped through organiser.admin.ScopedAdmin)."""

from django.contrib import admin

from campaigns.models import Constituency, Election
from organiser.admin import ScopedAdmin


@admin.register(Election)
class ElectionAdmin(ScopedAdmin):
    list_display = ["name", "slug", "date"]
    search_fields = ["name", "slug"]


@admin.register(Constituency)
class ConstituencyAdmin(ScopedAdmin):
    list_display = ["name", "code", "nation", "region_name"]
    list_filter = ["nation", "region_name"]
    search_fields = ["name", "code"]
