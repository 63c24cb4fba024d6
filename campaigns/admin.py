"""Admin for what the campaign knows (scoped through organiser.admin.ScopedAdmin), and the import upload:
an organiser uploads a file, a Celery task imports it, and the job shows its status and report."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import F, Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html

from campaigns.models import (
    Candidacy,
    Constituency,
    Election,
    Endorsement,
    EndorsementEvent,
    ImportJob,
    Party,
    Result,
    Target,
    TargetCriteria,
)
from campaigns.services.jobs import import_job_create
from organiser import jobs
from organiser.admin import ScopedAdmin
from organiser.admin_inputs import AdminInputs


@admin.register(Election)
class ElectionAdmin(ScopedAdmin):
    list_display = ["name", "slug", "date"]
    search_fields = ["name", "slug"]


def _seat_page_link(slug: str | None, code: str | None, text: str = "Seat page") -> str:
    if not slug or not code:
        return "—"
    return format_html('<a href="{}">{}</a>', reverse("campaigns:seat", args=[slug, code]), text)


@admin.register(Constituency)
class ConstituencyAdmin(ScopedAdmin):
    """Seats. Each links to its organisers' seat page for the latest election (results and candidates;
    candidates are proposed and endorsed there)."""

    list_display = ["name", "code", "nation", "region_name", "seat_page"]
    list_filter = ["nation", "region_name"]
    search_fields = ["name", "code"]
    readonly_fields = ["seat_page"]

    def get_queryset(self, request):
        # One uncorrelated subquery: PostgreSQL finds the latest election once for the whole list.
        latest = Election.objects.order_by("-date", "-pk").values("slug")[:1]
        # ``stored_code``: the code as saved. A change page shown again with the errors of what was typed holds
        # the typed code in ``code``; the link goes to the seat that exists.
        return super().get_queryset(request).annotate(latest_election_slug=Subquery(latest), stored_code=F("code"))

    @admin.display(description="Seat page")
    def seat_page(self, obj: Constituency) -> str:
        text = "Open the seat page: propose and endorse candidates there"
        return _seat_page_link(getattr(obj, "latest_election_slug", None), getattr(obj, "stored_code", None), text)


@admin.register(Party)
class PartyAdmin(ScopedAdmin):
    list_display = ["name", "abbreviation", "colour"]
    search_fields = ["name", "abbreviation"]


@admin.register(Result)
class ResultAdmin(ScopedAdmin):
    list_display = ["constituency", "election", "result_text", "majority", "declared_at"]
    list_filter = ["election"]
    search_fields = ["constituency__name", "constituency__code"]
    list_select_related = ["constituency", "election"]
    raw_id_fields = ["winner"]


@admin.register(Candidacy)
class CandidacyAdmin(ScopedAdmin):
    list_display = ["person", "party", "constituency", "votes", "elected"]
    list_filter = ["election", "elected"]
    search_fields = ["person__name", "constituency__name"]
    list_select_related = ["person", "party", "constituency"]
    raw_id_fields = ["person"]


class EndorsementEventInline(AdminInputs, admin.TabularInline):
    model = EndorsementEvent
    extra = 0
    can_delete = False
    readonly_fields = ["status", "candidacy", "actor", "at", "reason"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Endorsement)
class EndorsementAdmin(ScopedAdmin):
    """Read-only here: decisions are taken on the seat page so each one goes through the service and its history."""

    list_display = ["constituency", "candidacy", "status", "updated_at", "seat_page"]
    list_filter = ["election", "status"]
    list_select_related = ["constituency", "candidacy__person", "election"]
    readonly_fields = [
        "election",
        "constituency",
        "candidacy",
        "status",
        "statement",
        "updated_by",
        "updated_at",
        "seat_page",
    ]
    inlines = [EndorsementEventInline]

    @admin.display(description="Decide")
    def seat_page(self, obj: Endorsement) -> str:
        return _seat_page_link(obj.election.slug, obj.constituency.code, "On the seat page")

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Target)
class TargetAdmin(ScopedAdmin):
    list_display = ["constituency", "score", "tier", "computed_at"]
    list_filter = ["election", "tier"]
    list_select_related = ["constituency"]


@admin.register(TargetCriteria)
class TargetCriteriaAdmin(ScopedAdmin):
    list_display = ["election", "updated_at"]


class ImportJobForm(forms.ModelForm):
    upload = forms.FileField(help_text="CSV (UTF-8 with or without BOM, or Windows-1252) or HexJSON")

    class Meta:
        model = ImportJob
        fields = ["kind", "election"]


@admin.register(ImportJob)
class ImportJobAdmin(ScopedAdmin):
    """A job's page has the shape of a register import's (templates/organiser/_job_outcome.html)."""

    list_display = ["filename", "kind", "status", "created_at", "summary"]
    list_filter = ["kind", "status"]
    readonly_fields = [
        "filename",
        "kind",
        "election",
        "status",
        "attempts",
        "created_by",
        "created_at",
        "started_at",
        "finished_at",
        "outcome",
    ]
    exclude = ["data", "report", "problems", "error"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ImportJobForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else []

    def get_exclude(self, request, obj=None):
        return self.exclude if obj else [f.name for f in ImportJob._meta.fields if f.name not in ("kind", "election")]

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # a job is a record: viewed, never edited

    def save_model(self, request, obj, form, change) -> None:
        if change:
            return
        upload = form.cleaned_data["upload"]
        job = import_job_create(
            user=request.user,
            kind=form.cleaned_data["kind"],
            election=form.cleaned_data["election"],
            filename=upload.name,
            data=upload.read(),
        )
        obj.pk, obj.filename, obj.status = job.pk, job.filename, job.status

    def save_related(self, request, form, formsets, change) -> None:
        pass

    @admin.display(description="outcome")
    def summary(self, obj: ImportJob) -> str:
        return obj.summary

    @admin.display(description="outcome")
    def outcome(self, obj: ImportJob) -> str:
        """Its status, progress and outcome: the report as a sentence and a table, or every problem."""
        return render_to_string(
            "organiser/_job_outcome.html",
            {"job": obj, "progress": jobs.progress_of(obj), "report_template": "campaigns/_import_report.html"},
        )
