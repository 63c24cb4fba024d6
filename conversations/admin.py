"""Admin of conversations: supporters (with what they agreed to, read-only) and segments (a form over the one
segment filter, and who matches it now). Scoped through organiser.admin.ScopedAdmin: a seat organiser sees and
changes only their seats' supporters and segments. Every write goes through ``conversations.services``."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from campaigns.models import Constituency
from conversations.models import (
    TAG_RE,
    CallAssignment,
    DoNotCall,
    Population,
    Segment,
    ShiftLoopSettings,
    Supporter,
    TextAssignment,
    TPSNumber,
)
from conversations.selectors import segments as selectors
from conversations.services import calls as call_services
from conversations.services import segments as segment_services
from conversations.services import supporters as supporter_services
from organiser import scope
from organiser.admin import ScopedAdmin, ScopedInline
from volunteers.admin import ScopedSeatFilter
from volunteers.models import Channel, Consent, Language, Skill

#: How many of a segment's people its change page lists.
PEOPLE_SHOWN = 50


class SupporterConsentInline(ScopedInline, admin.TabularInline):
    model = Consent
    fk_name = "supporter"
    extra = 0
    can_delete = False
    fields = ["channel", "wording", "given_at", "source", "recorded_by", "withdrawn_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # consent comes from the person: the form, the door, or their own link

    def has_change_permission(self, request, obj=None) -> bool:
        return False


def _tags_from_text(text: str) -> list[str]:
    tags = sorted({part.strip().lower() for part in text.replace(";", ",").split(",") if part.strip()})
    if bad := [tag for tag in tags if not TAG_RE.match(tag)]:
        raise ValidationError(f"Tags are lower-case letters, digits and hyphens, up to 40 characters: {', '.join(bad)}")
    return tags


class SupporterForm(forms.ModelForm):
    tags_text = forms.CharField(label="Tags", required=False, help_text="comma-separated, e.g. housing, mosque-a")

    class Meta:
        model = Supporter
        fields = ["full_name", "constituency"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["tags_text"].initial = ", ".join(self.instance.tags or [])

    def clean_tags_text(self) -> list[str]:
        return _tags_from_text(self.cleaned_data.get("tags_text", ""))


@admin.register(Supporter)
class SupporterAdmin(ScopedAdmin):
    form = SupporterForm
    list_display = ["__str__", "email", "phone", "constituency", "source", "tag_list", "created_at"]
    list_filter = ["source", ScopedSeatFilter]
    search_fields = ["full_name", "email", "phone"]
    list_select_related = ["constituency"]
    readonly_fields = ["email", "phone", "postcode", "source", "recorded_by", "user", "created_at", "last_active_at"]
    fields = ["full_name", "email", "phone", "postcode", "constituency", "tags_text", *readonly_fields[3:]]
    inlines = [SupporterConsentInline]
    show_full_result_count = False

    @admin.display(description="tags")
    def tag_list(self, obj: Supporter) -> str:
        return ", ".join(obj.tags or [])

    def has_add_permission(self, request) -> bool:
        return False  # a supporter exists because they asked: the support form or the door

    def save_model(self, request, obj, form, change) -> None:
        supporter_services.supporter_update(
            supporter=obj,
            full_name=form.cleaned_data["full_name"],
            constituency=form.cleaned_data["constituency"],
            tags=form.cleaned_data["tags_text"],
        )

    def delete_model(self, request, obj) -> None:
        supporter_services.supporter_delete(supporter=obj)

    def delete_queryset(self, request, queryset) -> None:
        for supporter in scope.restrict(queryset, request.user, "delete"):
            supporter_services.supporter_delete(supporter=supporter)


class SegmentForm(forms.ModelForm):
    """The segment's filter as fields; saved as its JSON through the one SegmentFilter."""

    population = forms.ChoiceField(choices=Population.choices, initial=Population.EVERYONE)
    seats = forms.ModelMultipleChoiceField(
        queryset=Constituency.objects.none(), required=False, help_text="home seat (volunteers) or seat (supporters)"
    )
    skills = forms.MultipleChoiceField(
        choices=Skill.choices, required=False, widget=forms.CheckboxSelectMultiple, help_text="has every one"
    )
    languages = forms.MultipleChoiceField(
        choices=Language.choices, required=False, widget=forms.CheckboxSelectMultiple, help_text="speaks any of them"
    )
    active_within_days = forms.IntegerField(min_value=1, max_value=selectors.MAX_DAYS, required=False)
    min_shifts_done = forms.IntegerField(
        min_value=0, max_value=10_000, required=False, label="At least this many shifts done"
    )
    consents = forms.MultipleChoiceField(
        choices=Channel.choices, required=False, widget=forms.CheckboxSelectMultiple, help_text="holds every one now"
    )
    tags = forms.CharField(required=False, help_text="supporters tagged with any of these (comma-separated)")

    class Meta:
        model = Segment
        fields = ["name", "constituency"]

    def __init__(self, *args, user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["seats"].queryset = scope.seats_in_scope(user).order_by("name")
        if self.instance.pk:
            parsed = selectors.SegmentFilter.from_json(self.instance.filters)
            self.initial.update(
                population=parsed.population,
                seats=list(Constituency.objects.filter(code__in=parsed.seats).values_list("pk", flat=True)),
                skills=list(parsed.skills),
                languages=list(parsed.languages),
                active_within_days=parsed.active_within_days,
                min_shifts_done=parsed.min_shifts_done,
                consents=list(parsed.consents),
                tags=", ".join(parsed.tags),
            )

    def clean(self):
        cleaned = super().clean()
        if self.user is not None and not self.user.is_national_organiser and not cleaned.get("constituency"):
            self.add_error("constituency", "Choose the seat this segment is for.")
        try:
            cleaned["filter"] = selectors.SegmentFilter.from_json(
                {
                    "population": cleaned.get("population"),
                    "seats": [seat.code for seat in cleaned.get("seats") or []],
                    "skills": cleaned.get("skills") or [],
                    "languages": cleaned.get("languages") or [],
                    "active_within_days": cleaned.get("active_within_days"),
                    "min_shifts_done": cleaned.get("min_shifts_done"),
                    "consents": cleaned.get("consents") or [],
                    "tags": _tags_from_text(cleaned.get("tags") or ""),
                }
            )
        except ValidationError as error:
            for name, problems in getattr(error, "message_dict", {"tags": error.messages}).items():
                self.add_error(name if name in self.fields else None, problems)
        return cleaned


@admin.register(Segment)
class SegmentAdmin(ScopedAdmin):
    form = SegmentForm
    list_display = ["name", "constituency", "created_by", "updated_at"]
    list_filter = [ScopedSeatFilter]
    search_fields = ["name"]
    list_select_related = ["constituency", "created_by"]
    change_form_template = "admin/conversations/segment/change_form.html"

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)

        class ScopedSegmentForm(form):
            def __init__(self, *args, **inner):
                super().__init__(*args, user=request.user, **inner)

        return ScopedSegmentForm

    def get_fields(self, request, obj=None):
        return ["name", "constituency", "population", "seats", "skills", "languages", "active_within_days",
                "min_shifts_done", "consents", "tags"]  # fmt: skip

    def get_changeform_initial_data(self, request):
        seats = scope.seats_in_scope(request.user)
        initial = super().get_changeform_initial_data(request)
        if not request.user.is_national_organiser and seats.count() == 1:
            initial["constituency"] = seats.get().pk
        return initial

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The change page also shows who matches the segment now, evaluated for the viewer."""
        extra_context = dict(extra_context or {})
        segment = self.get_object(request, object_id)
        if segment is not None:
            extra_context["segment_counts"] = selectors.segment_counts(segment=segment, user=request.user)
            extra_context["segment_people"] = list(
                selectors.segment_people(segment=segment, user=request.user)[:PEOPLE_SHOWN]
            )
            extra_context["people_shown"] = PEOPLE_SHOWN
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change) -> None:
        data = form.cleaned_data
        if change:
            segment_services.segment_update(
                segment=obj, user=request.user, name=data["name"], constituency=data["constituency"],
                filters=data["filter"],
            )  # fmt: skip
        else:
            saved = segment_services.segment_create(
                name=data["name"], constituency=data["constituency"], filters=data["filter"], user=request.user
            )
            obj.pk = saved.pk

    def delete_model(self, request, obj) -> None:
        segment_services.segment_delete(segment=obj, user=request.user)

    def delete_queryset(self, request, queryset) -> None:
        for segment in scope.restrict(queryset, request.user, "delete"):
            segment_services.segment_delete(segment=segment, user=request.user)


@admin.register(ShiftLoopSettings)
class ShiftLoopSettingsAdmin(ScopedAdmin):
    """When the day-before and after-shift messages go: one row, national organisers'."""

    list_display = ["__str__", "enabled", "confirm_at", "feedback_after_hours", "updated_at"]
    fields = ["enabled", "confirm_at", "feedback_after_hours"]

    def has_add_permission(self, request) -> bool:
        return super().has_add_permission(request) and not ShiftLoopSettings.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# --- calls and texts: read here, made and worked on their pages (/organise/calls/) -------------------------------


class _ReadOnly:
    """Made and changed through their pages and services (``conversations.services.calls`` and ``.texts``); the
    admin lists them, scoped, for looking up."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CallAssignment)
class CallAssignmentAdmin(_ReadOnly, ScopedAdmin):
    list_display = ["name", "constituency", "segment", "is_open", "created_at"]
    list_filter = [ScopedSeatFilter, "is_open"]
    list_select_related = ["constituency", "segment"]
    search_fields = ["name"]
    exclude = ["callers"]


@admin.register(TextAssignment)
class TextAssignmentAdmin(_ReadOnly, ScopedAdmin):
    list_display = ["name", "constituency", "segment", "is_open", "created_at"]
    list_filter = [ScopedSeatFilter, "is_open"]
    list_select_related = ["constituency", "segment"]
    search_fields = ["name"]
    exclude = ["texters"]


@admin.register(DoNotCall)
class DoNotCallAdmin(ScopedAdmin):
    """The campaign's own do-not-call list (national organisers add to it; callers add to it from a call)."""

    list_display = ["phone", "reason", "recorded_by", "created_at"]
    search_fields = ["phone"]
    fields = ["phone", "reason"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        saved = call_services.do_not_call_add(phone=obj.phone, recorded_by=request.user, reason=obj.reason)
        obj.pk = saved.pk

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)

        class PhoneForm(form):
            def clean_phone(self):
                from volunteers.phones import normalise_phone

                return normalise_phone(self.cleaned_data["phone"])

        return PhoneForm


@admin.register(TPSNumber)
class TPSNumberAdmin(_ReadOnly, ScopedAdmin):
    """The TPS/CTPS file as loaded (on /organise/calls/tps/), to look a number up."""

    list_display = ["phone", "list", "imported_at"]
    search_fields = ["phone"]
    list_filter = ["list"]
