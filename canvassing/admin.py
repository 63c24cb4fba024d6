"""Admin for the register and canvassing: every model scoped by organiser.admin.ScopedAdmin (only users
granted on a campaign see its rows, whatever their role); register rows are read-only here and every
changelist or change page of electors or responses is written to the access log."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import ForeignKey

from canvassing import services
from canvassing.models import (
    AccessLog,
    CandidateCampaign,
    CanvassResponse,
    Elector,
    IntentionCode,
    RegisterGrant,
    SurveyQuestion,
    WalkList,
)
from organiser import scope
from organiser.admin import ScopedAdmin


class RegisterAdmin(ScopedAdmin):
    """Foreign-key choices limited to the campaigns the user is granted, too."""

    def formfield_for_foreignkey(self, db_field: ForeignKey, request, **kwargs):
        related = db_field.related_model
        if hasattr(related, "scope_register_path"):
            kwargs["queryset"] = scope.restrict(related._default_manager.all(), request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ReadOnlyRegisterAdmin(RegisterAdmin):
    """Register data changes through imports and the doorstep, never by hand; views are logged."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            shown: dict[int, int] = {}
            for row in changelist.result_list:
                shown[row.campaign_id] = shown.get(row.campaign_id, 0) + 1
            for campaign_id, count in shown.items():
                services.access_log(
                    campaign=campaign_id,
                    user=request.user,
                    action="view",
                    electors=count,
                    route=request.get_full_path(),
                )
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        original = getattr(response, "context_data", {}).get("original")
        if original is not None:
            services.access_log(
                campaign=original.campaign_id,
                user=request.user,
                action="view",
                electors=1,
                route=request.get_full_path(),
            )
        return response


@admin.register(CandidateCampaign)
class CandidateCampaignAdmin(RegisterAdmin):
    list_display = ["name", "constituency", "agent", "polling_day", "retention_date", "destroyed_at"]
    readonly_fields = ["destroyed_at"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        created = services.candidate_campaign_create(
            endorsement=obj.endorsement,
            agent=obj.agent,
            polling_day=obj.polling_day,
            retention_date=obj.retention_date,
            votes_to_win=obj.votes_to_win,
            name=obj.name,
            granted_by=request.user,
        )
        obj.pk = created.pk


@admin.register(RegisterGrant)
class RegisterGrantAdmin(RegisterAdmin):
    list_display = ["user", "campaign", "level", "granted_by", "granted_at"]
    list_filter = ["level"]
    readonly_fields = ["granted_by", "granted_at"]

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None:
            return services.grant_level(request.user, obj.campaign_id) == "agent"
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        services.register_grant_create(campaign=obj.campaign, user=obj.user, level=obj.level, granted_by=request.user)


@admin.register(AccessLog)
class AccessLogAdmin(RegisterAdmin):
    list_display = ["at", "user", "action", "electors", "campaign", "route"]
    list_filter = ["action"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Elector)
class ElectorAdmin(ReadOnlyRegisterAdmin):
    list_display = ["__str__", "surname", "forenames", "postcode", "postal_voter", "current_outcome"]
    list_select_related = ["polling_district"]
    search_fields = ["surname", "postcode"]


@admin.register(CanvassResponse)
class CanvassResponseAdmin(ReadOnlyRegisterAdmin):
    list_display = ["elector", "outcome", "intention", "recorded_by", "recorded_at", "flagged"]
    list_filter = ["flagged", "outcome"]
    list_select_related = ["elector__polling_district", "intention", "recorded_by"]


@admin.register(WalkList)
class WalkListAdmin(RegisterAdmin):
    list_display = ["name", "campaign", "doors", "electors_count", "volunteer", "team", "shift"]
    fields = ["name", "volunteer", "team", "shift"]

    def has_add_permission(self, request) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        obj.save(update_fields=["name"])
        services.walk_list_assign(
            walk_list=obj, shift=obj.shift, team=obj.team, volunteer=obj.volunteer, user=request.user
        )


@admin.register(IntentionCode)
class IntentionCodeAdmin(RegisterAdmin):
    list_display = ["code", "label", "category", "campaign", "order"]


@admin.register(SurveyQuestion)
class SurveyQuestionAdmin(RegisterAdmin):
    list_display = ["key", "text", "kind", "campaign", "active"]
