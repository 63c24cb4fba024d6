"""Admin for the register and canvassing: every model scoped by organiser.admin.ScopedAdmin at the rights of
the user's grant level (organiser.scope.REGISTER_RIGHTS): only users granted on a campaign see its rows, a
canvasser only their own lists' electors and their own responses. Register rows are read-only here; every
changelist, change page and history page of electors or responses is written to the access log.

The campaign's acts of control (naming another agent, changing the retention date, destroying the register
early) are the agent's and national organisers' only, each on a page of its own with its confirmation, through
the services that check and log them; the ordinary change form never changes them.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import ForeignKey
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from canvassing import services
from canvassing.models import (
    AccessLog,
    CandidateCampaign,
    CanvassResponse,
    Elector,
    GrantLevel,
    IntentionCode,
    RegisterGrant,
    SurveyQuestion,
    WalkList,
)
from organiser import clock, scope
from organiser.admin import ScopedAdmin


def _log_view(request, campaign_id: int, electors: int, **detail) -> None:
    services.access_log(
        campaign=campaign_id,
        user=request.user,
        action=AccessLog.Action.VIEW,
        electors=electors,
        route=request.get_full_path(),
        via="admin",
        **detail,
    )


class RegisterAdmin(ScopedAdmin):
    """Register models: history pages (which name the rows) are logged like change pages."""

    #: Does a row of this model name electors (its history page is then register data seen)?
    names_electors = False

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        original = getattr(response, "context_data", {}).get("object")
        if original is not None and getattr(original, "campaign_id", None):
            _log_view(request, original.campaign_id, 1 if self.names_electors else 0, page="history")
        return response


class ReadOnlyRegisterAdmin(RegisterAdmin):
    """Register data changes through imports and the doorstep, never by hand; views are logged."""

    names_electors = True

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
                _log_view(request, campaign_id, count)
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        original = getattr(response, "context_data", {}).get("original")
        if original is not None:
            _log_view(request, original.campaign_id, 1)
        return response


# --- the campaign and its acts of control --------------------------------------------------------------------


class CampaignAddForm(forms.ModelForm):
    class Meta:
        model = CandidateCampaign
        fields = ["endorsement", "agent", "name", "polling_day", "retention_date", "votes_to_win"]


class AgentForm(forms.Form):
    agent = forms.ModelChoiceField(queryset=None, help_text="who becomes the campaign's election agent")

    def __init__(self, *args, agents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = agents


class RetentionForm(forms.Form):
    retention_date = forms.DateField(help_text="the register is destroyed on this date (after polling day)")
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)


class DestroyForm(forms.Form):
    confirmation = forms.CharField(label="Type the campaign's name to confirm", max_length=200)


def _agent_candidates(user):
    """Who may be named agent: active accounts with an authenticator, never the one naming."""
    from allauth.mfa.models import Authenticator

    with_mfa = Authenticator.objects.filter(type=Authenticator.Type.TOTP).values("user_id")
    return scope.people_in_scope(user).filter(pk__in=with_mfa).exclude(pk=user.pk).order_by("full_name", "email")


@admin.register(CandidateCampaign)
class CandidateCampaignAdmin(RegisterAdmin):
    list_display = ["name", "constituency", "agent", "polling_day", "retention_date", "destroyed_at"]
    readonly_fields = [
        "endorsement",
        "election",
        "constituency",
        "agent",
        "polling_day",
        "retention_date",
        "retention_pending_date",
        "retention_pending_from",
        "retention_pending_by",
        "destroyed_at",
        "created_at",
    ]
    fields = ["name", "votes_to_win", *readonly_fields]
    change_form_template = "admin/canvassing/candidatecampaign/change_form.html"

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = CampaignAddForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        return CampaignAddForm.Meta.fields if obj is None else self.fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def formfield_for_foreignkey(self, db_field: ForeignKey, request, **kwargs):
        if db_field.name == "agent":
            kwargs["queryset"] = _agent_candidates(request.user)
        elif db_field.name == "endorsement":
            from campaigns.models import Endorsement

            kwargs["queryset"] = scope.restrict(
                Endorsement.objects.filter(status=Endorsement.Status.ENDORSED, candidate_campaign__isnull=True),
                request.user,
            ).select_related("constituency", "candidacy__person")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["name", "votes_to_win"])
            return
        created = services.candidate_campaign_create(
            user=request.user,
            endorsement=obj.endorsement,
            agent=obj.agent,
            polling_day=obj.polling_day,
            retention_date=obj.retention_date,
            votes_to_win=obj.votes_to_win,
            name=obj.name,
            route=request.path,
        )
        obj.pk = created.pk

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if object_id is not None:
            campaign = self.get_object(request, object_id)
            if campaign is not None:
                extra_context = {
                    **(extra_context or {}),
                    "may_control": scope.may_control(request.user, campaign, "name_agent"),
                }
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (ValidationError, PermissionDenied) as error:
            self.message_user(request, " ".join(getattr(error, "messages", [str(error)])), messages.ERROR)
            return redirect(request.path)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/agent/", view(self.agent_view), name="canvassing_candidatecampaign_agent"),
            path("<int:pk>/retention/", view(self.retention_view), name="canvassing_candidatecampaign_retention"),
            path("<int:pk>/destroy/", view(self.destroy_view), name="canvassing_candidatecampaign_destroy"),
            *super().get_urls(),
        ]

    def _controlled(self, request, pk: int, act: str) -> CandidateCampaign:
        campaign = get_object_or_404(scope.restrict(CandidateCampaign.objects.all(), request.user), pk=pk)
        if not scope.may_control(request.user, campaign, act):
            raise PermissionDenied("Only the campaign's agent or a national organiser may do this.")
        return campaign

    def _page(self, request, campaign, title: str, form, **extra):
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "original": campaign,
            "form": form,
            **extra,
        }
        return TemplateResponse(request, "admin/canvassing/candidatecampaign/act.html", context)

    def _done(self, request, campaign, message: str):
        self.message_user(request, message, messages.SUCCESS)
        return redirect(reverse("admin:canvassing_candidatecampaign_change", args=[campaign.pk]))

    def agent_view(self, request, pk: int):
        """Name another agent (the agent's or a national organiser's act)."""
        campaign = self._controlled(request, pk, "name_agent")
        form = AgentForm(request.POST or None, agents=_agent_candidates(request.user))
        if request.method == "POST" and form.is_valid():
            try:
                services.campaign_agent_set(
                    user=request.user, campaign=campaign, agent=form.cleaned_data["agent"], route=request.path,
                    via="admin",
                )  # fmt: skip
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return self._done(request, campaign, f"{form.cleaned_data['agent']} is now the agent.")
        return self._page(request, campaign, f"Name another agent of {campaign}", form)

    def retention_view(self, request, pk: int):
        """Change the retention date: later at once; earlier only confirmed, and after a delay (cancellable)."""
        campaign = self._controlled(request, pk, "change_retention")
        if request.method == "POST" and request.POST.get("cancel_pending"):
            services.campaign_retention_cancel(user=request.user, campaign=campaign, route=request.path, via="admin")
            return self._done(request, campaign, "The shorter retention date is cancelled.")
        form = RetentionForm(request.POST or None, initial={"retention_date": campaign.retention_date})
        confirming = None
        if request.method == "POST" and form.is_valid():
            try:
                services.campaign_retention_set(
                    user=request.user, campaign=campaign, retention_date=form.cleaned_data["retention_date"],
                    confirmed=form.cleaned_data["confirmed"], route=request.path, via="admin",
                )  # fmt: skip
            except services.ConfirmationNeeded as needed:
                confirming = needed.messages[0]
                form = RetentionForm(initial={**form.cleaned_data, "confirmed": True})
            except ValidationError as error:
                form.add_error(None, error)
            else:
                campaign.refresh_from_db()
                if campaign.retention_pending_date:
                    return self._done(
                        request, campaign,
                        f"The retention date becomes {campaign.retention_pending_date:%-d %B %Y} from "
                        f"{campaign.retention_pending_from:%-d %B %Y %H:%M} unless cancelled before then.",
                    )  # fmt: skip
                return self._done(request, campaign, f"The retention date is {campaign.retention_date:%-d %B %Y}.")
        return self._page(request, campaign, f"Retention date of {campaign}", form, confirming=confirming)

    def destroy_view(self, request, pk: int):
        """Destroy the register early (typed confirmation): it waits, cancellable, and everyone is told."""
        campaign = self._controlled(request, pk, "destroy")
        form = DestroyForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                campaign = services.register_destroy_early(
                    campaign=campaign, user=request.user, route=request.path, via="admin",
                    confirmation=form.cleaned_data["confirmation"],
                )  # fmt: skip
            except ValidationError as error:
                form.add_error("confirmation", error)
            else:
                when = clock.local(campaign.retention_pending_from)
                return self._done(
                    request, campaign,
                    f"The register will be destroyed from {when:%-d %B %Y %H:%M} unless cancelled before then; the "
                    "agent and the national organisers are told.",
                )  # fmt: skip
        return self._page(request, campaign, f"Destroy the register of {campaign} early", form, destroying=True)


# --- grants and the log ---------------------------------------------------------------------------------------


class GrantForm(forms.ModelForm):
    level = forms.ChoiceField(choices=[(v, label) for v, label in GrantLevel.choices if v != GrantLevel.AGENT])

    class Meta:
        model = RegisterGrant
        fields = ["campaign", "user", "level"]


@admin.register(RegisterGrant)
class RegisterGrantAdmin(RegisterAdmin):
    """The agent grants and revokes the register (never their own grant, never the agent's level)."""

    form = GrantForm
    list_display = ["user", "campaign", "level", "granted_by", "granted_at"]
    list_filter = ["level"]
    readonly_fields = ["granted_by", "granted_at"]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "campaign", "user"] if obj is not None else self.readonly_fields

    def formfield_for_foreignkey(self, db_field: ForeignKey, request, **kwargs):
        if db_field.name == "user":
            agent_of = scope.campaigns_for_action(request.user, RegisterGrant, "add").values("constituency_id")
            from volunteers.models import User

            kwargs["queryset"] = (
                User.objects.filter(scope.people_of_seats(agent_of), is_active=True)
                .exclude(pk=request.user.pk)
                .distinct()
                .order_by("full_name", "email")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, **kwargs):
        if obj is not None and obj.level == GrantLevel.AGENT:
            kwargs["form"] = forms.ModelForm  # the agent's grant changes only by naming another agent
        return super().get_form(request, obj, **kwargs)

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and (obj.level == GrantLevel.AGENT or obj.user_id == request.user.pk):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and (obj.level == GrantLevel.AGENT or obj.user_id == request.user.pk):
            return False
        return super().has_delete_permission(request, obj)

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        campaign = obj.campaign
        services.register_grant_create(
            campaign=campaign, user=obj.user, level=obj.level, granted_by=request.user, route=request.path,
            via="admin",
        )  # fmt: skip
        obj.pk = RegisterGrant.objects.get(campaign=campaign, user=obj.user).pk

    def delete_model(self, request, obj):
        services.register_grant_revoke(
            campaign=obj.campaign, user=obj.user, revoked_by=request.user, route=request.path, via="admin"
        )

    def delete_queryset(self, request, queryset):
        for grant in queryset.select_related("campaign", "user"):
            self.delete_model(request, grant)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (ValidationError, PermissionDenied) as error:
            self.message_user(request, " ".join(getattr(error, "messages", [str(error)])), messages.ERROR)
            return redirect(request.path)


@admin.register(AccessLog)
class AccessLogAdmin(RegisterAdmin):
    list_display = ["at", "actor", "via", "action", "electors", "campaign", "route"]
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
        return False  # lists are cut on the walk lists page

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is not None and "volunteer" in form.base_fields:
            granted = RegisterGrant.objects.filter(campaign_id=obj.campaign_id).values("user_id")
            form.base_fields["volunteer"].queryset = form.base_fields["volunteer"].queryset.filter(pk__in=granted)
        return form

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
