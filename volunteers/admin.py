"""Admin for accounts, seat grants, teams, volunteers, shifts, sign-ups and consents (all scoped through
organiser.admin.ScopedAdmin); plus the coverage view and the roster (per seat, per day, CSV) on shifts."""

import datetime as dt

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.template.response import TemplateResponse
from django.urls import path

from organiser import clock, scope
from organiser.admin import ScopedAdmin
from organiser.admin_inputs import AdminInputs, ChoiceListFilter
from organiser.inputs import refuse
from volunteers import selectors, services
from volunteers.models import (
    AVAILABILITY_CHOICES,
    Consent,
    Language,
    SeatGrant,
    Shift,
    Signup,
    Skill,
    Team,
    User,
    VolunteerProfile,
    choice_list,
)
from volunteers.spreadsheet import csv_response


class SeatGrantInline(AdminInputs, admin.TabularInline):
    """Seat grants on an account: national organisers grant and revoke them, never on their own account
    (each change is audited and emailed: organiser.audit)."""

    model = SeatGrant
    extra = 0
    autocomplete_fields = ["constituency"]
    fields = ["constituency", "granted_at"]
    readonly_fields = ["granted_at"]

    def _may(self, request, obj) -> bool:
        return request.user.is_national_organiser and obj is not None and obj.pk != request.user.pk

    def has_add_permission(self, request, obj=None) -> bool:
        return self._may(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._may(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._may(request, obj)


class AccountCreationForm(forms.ModelForm):
    """A new account: its address, name and role. No password: its owner sets one from the email sent."""

    class Meta:
        model = User
        fields = ["email", "full_name", "role"]

    def clean_email(self):
        return User.objects.normalize_email(self.cleaned_data["email"]).lower()

    def save(self, commit=True):
        user = super().save(commit=False)
        user.set_unusable_password()
        if commit:
            user.save()
        return user


#: What nobody changes on their own account, and what only a superuser changes on anyone's.
PRIVILEGE_FIELDS = ("role", "is_staff", "is_active", "is_superuser")


def send_password_reset(request, user) -> None:
    """Email ``user`` a link to set their own password (allauth's reset), audited: the one way the admin helps
    with someone's password."""
    from allauth.account.forms import ResetPasswordForm

    from accounts.models import AuditEntry
    from organiser import audit

    form = ResetPasswordForm(data={"email": user.email})
    if form.is_valid():
        form.save(request)
    audit.record(subject=user, what=AuditEntry.What.PASSWORD_RESET, after="reset link emailed to the owner")


@admin.register(User)
class UserAdmin(ScopedAdmin, DjangoUserAdmin):
    """Accounts. Nobody sets another person's password here (the password page is refused; "Send a password
    reset email" mails the owner a link), nor changes their address (the owner does, verified). Role, staff,
    active and seat grants are national organisers' to change, superuser a superuser's, never on one's own
    account; every change is audited and emailed to the person and the national organisers (organiser.audit)."""

    ordering = ["email"]
    list_display = ["email", "full_name", "role", "is_staff", "is_active", "date_joined"]
    list_filter = ["role", "is_staff", "is_active"]
    search_fields = ["email", "full_name"]
    inlines = [SeatGrantInline]
    fieldsets = (
        (None, {"fields": ("email",)}),
        ("Person", {"fields": ("full_name",)}),
        ("Role", {"fields": ("role", "is_staff", "is_active", "is_superuser")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_form = AccountCreationForm
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "full_name", "role")}),)
    actions = ["send_password_reset_email"]

    def has_add_permission(self, request) -> bool:
        return request.user.is_national_organiser

    def has_change_permission(self, request, obj=None) -> bool:
        # Accounts and roles are managed by national organisers only.
        return request.user.is_national_organiser

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        fixed = ["email", "last_login", "date_joined"]
        if obj.pk == request.user.pk:
            return [*fixed, *PRIVILEGE_FIELDS]
        if not request.user.is_superuser:
            return [*fixed, "is_superuser"]
        return fixed

    def user_change_password(self, request, id, form_url=""):
        raise PermissionDenied(
            "Nobody sets another person's password: use “Send a password reset email” to mail them a link."
        )

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        if not change:
            send_password_reset(request, obj)

    @admin.action(description="Send a password reset email (to the account's own address)")
    def send_password_reset_email(self, request, queryset):
        people = list(queryset.filter(is_active=True))
        for person in people:
            send_password_reset(request, person)
        self.message_user(request, f"{len(people)} reset link(s) emailed to their owners.", messages.SUCCESS)

    def delete_model(self, request, obj) -> None:
        # As when a volunteer deletes their own account: places go to the waiting list, counts stay.
        services.account_delete(user=obj)

    def delete_queryset(self, request, queryset) -> None:
        for user in queryset:
            services.account_delete(user=user)


@admin.register(Team)
class TeamAdmin(ScopedAdmin):
    list_display = ["name", "constituency", "lead"]
    list_filter = ["constituency__nation"]
    search_fields = ["name", "constituency__name"]
    list_select_related = ["constituency", "lead"]
    autocomplete_fields = ["constituency", "lead"]
    filter_horizontal = ["members"]


# --- volunteers, shifts, sign-ups -------------------------------------------------------------------


class ScopedSeatFilter(ChoiceListFilter):
    """Filter by seat, offering only the seats in the organiser's scope."""

    title = "seat"
    parameter_name = "seat"
    seat_path = "constituency"

    def lookups(self, request, model_admin):
        return list(scope.seats_in_scope(request.user).values_list("code", "name"))

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(**{f"{self.seat_path}__code": self.value()})
        return queryset


class HomeSeatFilter(ScopedSeatFilter):
    title = "home seat"
    seat_path = "home_constituency"


class SignupSeatFilter(ScopedSeatFilter):
    seat_path = "shift__constituency"


class JsonChoiceFilter(ChoiceListFilter):
    """Filter on one value of a jsonb list field (``field @> '["value"]'``)."""

    field = ""
    options: list[tuple[str, str]] = []

    def lookups(self, request, model_admin):
        return self.options

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(**{f"{self.field}__contains": [self.value()]})
        return queryset


class SkillFilter(JsonChoiceFilter):
    title, parameter_name, field, options = "skill", "skill", "skills", Skill.choices


class LanguageFilter(JsonChoiceFilter):
    title, parameter_name, field, options = "language", "language", "languages", Language.choices


class AvailabilityFilter(JsonChoiceFilter):
    title, parameter_name, field, options = "availability", "free", "availability", AVAILABILITY_CHOICES


class LastActiveFilter(ChoiceListFilter):
    title = "last active"
    parameter_name = "active"

    def lookups(self, request, model_admin):
        return [
            ("7", "In the last 7 days"),
            ("30", "In the last 30 days"),
            ("90", "In the last 90 days"),
            ("no", "Not in 90 days"),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if value == "no":
            since = clock.now() - dt.timedelta(days=90)
            return queryset.filter(Q(last_active_at__lt=since) | Q(last_active_at__isnull=True))
        return queryset.filter(last_active_at__gte=clock.now() - dt.timedelta(days=int(value)))


PROFILE_CSV_HEADER = ["name", "email", "phone", "postcode", "home seat", "skills", "languages", "attended", "no-shows"]


def _profile_row(profile: VolunteerProfile) -> list:
    return [
        profile.user.full_name,
        profile.user.email,
        profile.phone,
        profile.postcode,
        profile.home_constituency.name if profile.home_constituency else "",
        ", ".join(choice_list(profile.skills)),
        ", ".join(choice_list(profile.languages)),
        profile.attended,
        profile.no_shows,
    ]


class VolunteerProfileForm(forms.ModelForm):
    """Skills, languages and availability as ticks among their choices (the model validates them too)."""

    skills = forms.MultipleChoiceField(choices=Skill.choices, required=False, widget=forms.CheckboxSelectMultiple)
    languages = forms.MultipleChoiceField(choices=Language.choices, required=False, widget=forms.CheckboxSelectMultiple)
    availability = forms.MultipleChoiceField(
        choices=AVAILABILITY_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = VolunteerProfile
        fields = ["phone", "postcode", "home_constituency", "skills", "languages", "availability", "travel"]
        fields += ["travel_miles", "seats"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("skills", "languages", "availability"):
            if name in self.initial:
                self.initial[name] = choice_list(self.initial[name])


@admin.register(VolunteerProfile)
class VolunteerProfileAdmin(ScopedAdmin):
    """Volunteers: seat organisers see those whose home seat is theirs."""

    form = VolunteerProfileForm

    list_display = ["name", "email", "home_constituency", "skill_list", "language_list", "last_active_at", "no_show"]
    list_filter = [HomeSeatFilter, SkillFilter, LanguageFilter, AvailabilityFilter, LastActiveFilter, "travel"]
    search_fields = ["user__email", "user__full_name", "phone", "postcode"]
    list_select_related = ["user", "home_constituency"]
    # The calendar feed's token is its owner's secret (the feed works without a login): never shown here.
    readonly_fields = ["user", "last_active_at", "created_at", "updated_at"]
    autocomplete_fields = ["home_constituency"]
    filter_horizontal = ["seats"]
    actions = ["add_to_shift", "export_csv"]

    def get_queryset(self, request):
        return selectors.profiles_with_reliability(super().get_queryset(request))

    def has_add_permission(self, request) -> bool:
        return False  # volunteers join through the sign-up page

    @admin.display(ordering="user__full_name")
    def name(self, obj):
        return obj.user.full_name

    @admin.display(ordering="user__email")
    def email(self, obj):
        return obj.user.email

    @admin.display(description="skills")
    def skill_list(self, obj):
        return ", ".join(choice_list(obj.skills))

    @admin.display(description="languages")
    def language_list(self, obj):
        return ", ".join(choice_list(obj.languages))

    @admin.display(description="no-show rate", ordering="no_show_rate")
    def no_show(self, obj):
        if obj.no_show_rate is None:
            return "-"
        return f"{obj.no_show_rate:.0%} ({obj.no_shows} of {obj.no_shows + obj.attended})"

    @admin.action(description="Add the selected volunteers to a shift")
    def add_to_shift(self, request, queryset):
        shifts = selectors.shifts_with_places(
            scope.restrict(Shift.objects.all(), request.user, "change").filter(ends_at__gt=clock.now())
        ).select_related("constituency")[:200]
        if "shift" in request.POST:
            shift = scope.restrict(Shift.objects.all(), request.user, "change").filter(pk=request.POST["shift"]).first()
            if shift is None:
                self.message_user(request, "Choose a shift you organise.", messages.ERROR)
                return None
            volunteers = [profile.user for profile in queryset.select_related("user")]
            outcome = services.signups_add_to_shift(
                shift=shift, volunteers=volunteers, allow_overlap=request.POST.get("allow_overlap") == "on"
            )
            self.message_user(request, f"{len(outcome.done)} added to {shift}.", messages.SUCCESS)
            for problem in outcome.problems:
                self.message_user(request, problem, messages.WARNING)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Add volunteers to a shift",
            "profiles": queryset.select_related("user"),
            "shifts": shifts,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/volunteers/add_to_shift.html", context)

    @admin.action(description="Export the selected volunteers (CSV)")
    def export_csv(self, request, queryset):
        rows = (_profile_row(profile) for profile in queryset.select_related("user", "home_constituency"))
        return csv_response("volunteers.csv", PROFILE_CSV_HEADER, rows)


class ShiftForm(forms.ModelForm):
    repeat_weeks = forms.IntegerField(
        label="Repeat weekly for", min_value=1, max_value=52, initial=1, required=False, help_text="weeks (1 = once)"
    )
    required_skills = forms.MultipleChoiceField(
        choices=Skill.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Shift
        fields = [
            "kind",
            "title",
            "constituency",
            "team",
            "starts_at",
            "ends_at",
            "meeting_point",
            "capacity",
            "minimum",
            "required_skills",
            "lead",
            "notes",
        ]


@admin.register(Shift)
class ShiftAdmin(ScopedAdmin):
    form = ShiftForm
    list_display = ["__str__", "constituency", "kind", "starts_at", "places", "lead"]
    list_filter = [ScopedSeatFilter, "kind", ("starts_at", admin.DateFieldListFilter)]
    search_fields = ["title", "meeting_point", "constituency__name"]
    list_select_related = ["constituency", "lead"]
    autocomplete_fields = ["constituency", "lead"]
    date_hierarchy = "starts_at"
    change_list_template = "admin/volunteers/shift_change_list.html"

    def get_queryset(self, request):
        # Every signed-in account may read upcoming shifts (Shift.scope_members_read); the admin lists the
        # ones this organiser runs.
        queryset = super().get_queryset(request)
        return selectors.shifts_with_places(scope.restrict(queryset, request.user, "change"))

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        return fields if obj is None else [field for field in fields if field != "repeat_weeks"]

    @admin.display(description="people", ordering="filled")
    def places(self, obj):
        short = " (short)" if obj.filled < obj.minimum else ""
        return f"{obj.filled} / {obj.capacity}{short}"

    def save_model(self, request, obj, form, change):
        weeks = form.cleaned_data.get("repeat_weeks") or 1
        if change or weeks == 1:
            super().save_model(request, obj, form, change)
            return
        fields = {name: form.cleaned_data[name] for name in ShiftForm.Meta.fields}
        first, *_later = services.shift_create_weekly(weeks=weeks, **fields)
        obj.pk = first.pk
        self.message_user(request, f"{weeks} weekly shifts created.", messages.SUCCESS)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("coverage/", view(self.coverage_view), name="volunteers_shift_coverage"),
            path("roster/", view(self.roster_view), name="volunteers_shift_roster"),
            *super().get_urls(),
        ]

    def coverage_view(self, request):
        """Shifts in the next 14 days with fewer people than their minimum."""
        context = {
            **self.admin_site.each_context(request),
            "title": "Shifts short of people (next 14 days)",
            "shifts": selectors.coverage(user=request.user),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/volunteers/coverage.html", context)

    def roster_view(self, request):
        """Who is on which shift, per seat and per day; ``?format=csv`` downloads it."""
        in_scope = scope.seats_in_scope(request.user).annotate(
            has_shifts=Exists(Shift.objects.filter(constituency=OuterRef("pk")))
        )
        in_scope = list(in_scope.order_by("name").values_list("code", "name", "has_shifts"))
        seats = [(code, name) for code, name, has_shifts in in_scope if has_shifts]
        seat_code = request.GET.get("seat", "")
        if seat_code and seat_code not in {code for code, _, _ in in_scope}:
            return refuse(request, "That seat is not one of yours: choose one from the list.")
        try:
            day = dt.date.fromisoformat(request.GET.get("day", "")) if request.GET.get("day") else clock.today()
        except ValueError:
            day = clock.today()
        shifts = selectors.roster(user=request.user, seat_code=seat_code, day=day).order_by("starts_at", "pk")
        if request.GET.get("format") == "csv":
            return csv_response(f"roster-{seat_code or 'all'}-{day}.csv", ROSTER_CSV_HEADER, roster_rows(shifts))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Roster for {day:%A %-d %B %Y}",
            "shifts": shifts,
            "seats": seats,
            "seat_code": seat_code,
            "day": day,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/volunteers/roster.html", context)


ROSTER_CSV_HEADER = [
    "shift",
    "seat",
    "starts",
    "ends",
    "meeting point",
    "volunteer",
    "email",
    "phone",
    "status",
    "hours",
]


def _roster_row(shift: Shift, signup: Signup) -> list:
    person = signup.volunteer
    profile = getattr(person, "profile", None) if person else None
    return [
        shift.display_title,
        shift.constituency.name,
        clock.local(shift.starts_at).strftime("%Y-%m-%d %H:%M"),
        clock.local(shift.ends_at).strftime("%Y-%m-%d %H:%M"),
        shift.meeting_point,
        person.full_name if person else "(deleted account)",
        person.email if person else "",
        profile.phone if profile else "",
        signup.get_status_display(),
        signup.hours if signup.hours is not None else "",
    ]


def roster_rows(shifts):
    """CSV rows of a roster (shifts with ``roster`` prefetched, see selectors.roster)."""
    for shift in shifts:
        for signup in shift.roster:
            yield _roster_row(shift, signup)


@admin.register(Signup)
class SignupAdmin(ScopedAdmin):
    """Sign-ups change through the services (actions), so the rules (capacity, waiting list) always hold."""

    list_display = ["volunteer", "shift", "status", "hours", "created_at"]
    list_filter = ["status", SignupSeatFilter, "shift__kind", ("shift__starts_at", admin.DateFieldListFilter)]
    search_fields = ["volunteer__email", "volunteer__full_name", "shift__title", "shift__constituency__name"]
    list_select_related = ["volunteer", "shift__constituency"]
    readonly_fields = [field.name for field in Signup._meta.fields]
    actions = ["mark_attended", "mark_no_show", "cancel", "export_csv"]

    def has_add_permission(self, request) -> bool:
        return False  # through "Add the selected volunteers to a shift" on volunteers

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # cancel instead: the waiting list moves up and the place count stays right

    @admin.action(description="Mark attended (hours from the shift)")
    def mark_attended(self, request, queryset):
        outcome = services.signups_mark_attended(signups=queryset.select_related("shift"), by=request.user)
        self.message_user(request, f"{len(outcome.done)} marked attended.", messages.SUCCESS)
        for problem in outcome.problems:
            self.message_user(request, problem, messages.WARNING)

    @admin.action(description="Mark no-show")
    def mark_no_show(self, request, queryset):
        done = 0
        for signup in queryset:
            try:
                services.signup_check_in(signup=signup, by=request.user, attended=False)
                done += 1
            except services.SignupError as error:
                self.message_user(request, f"{signup}: {error.message}", messages.WARNING)
        self.message_user(request, f"{done} marked no-show.", messages.SUCCESS)

    @admin.action(description="Cancel (the waiting list moves up)")
    def cancel(self, request, queryset):
        for signup in queryset:
            try:
                services.signup_cancel(signup=signup, by=request.user)
            except services.SignupError as error:
                self.message_user(request, f"{signup}: {error.message}", messages.WARNING)

    @admin.action(description="Export the selected sign-ups (CSV)")
    def export_csv(self, request, queryset):
        signups = queryset.select_related("volunteer__profile", "shift__constituency").order_by("shift__starts_at")
        return csv_response("signups.csv", ROSTER_CSV_HEADER, (_roster_row(signup.shift, signup) for signup in signups))


@admin.register(Consent)
class ConsentAdmin(ScopedAdmin):
    """The record of opt-ins; read-only (volunteers change theirs on their profile page)."""

    list_display = ["user", "supporter", "channel", "given_at", "source", "recorded_by", "withdrawn_at"]
    list_filter = ["channel", ("withdrawn_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__email", "supporter__email"]
    list_select_related = ["user", "supporter", "recorded_by"]
    readonly_fields = ["user", "supporter", "channel", "wording", "given_at", "source", "recorded_by", "withdrawn_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
