"""Volunteers' pages (phone first) and the lead's check-in page. Thin: forms validate, services write,
selectors read."""

from __future__ import annotations

import datetime as dt

from allauth.account.utils import complete_signup
from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from campaigns.models import Constituency
from campaigns.postcodes import constituency_for_postcode
from compliance import subject_access
from organiser import clock, errors, scope
from organiser.inputs import attachment, object_id
from volunteers import calendar, selectors, services, signals
from volunteers.forms import DeleteAccountForm, JoinForm, ProfileForm, ShiftFilterForm, WalkInForm
from volunteers.models import Channel, Consent, Shift, Signup, SignupStatus, Travel, choice_list


def _ics_response(body: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = attachment(filename)
    return response


# --- joining, profile, my data ---------------------------------------------------------------------


def join(request: HttpRequest) -> HttpResponse:
    """The volunteer sign-up form: account, contact details, home seat and consents in one step."""
    if request.user.is_authenticated:
        return redirect("volunteers:home")
    # "Volunteer here" on a seat's public page names the seat: it is chosen already.
    seat_code = request.GET.get("seat", "")[:9]
    chosen = Constituency.objects.filter(code=seat_code).first() if seat_code else None
    form = JoinForm(request.POST or None, initial={"home_constituency": chosen.pk} if chosen else None)
    show_seat_choice = not getattr(settings, "POSTCODE_LOOKUP_URL", "") or chosen is not None
    if request.method == "POST" and (limited := ratelimit.consume_or_429(request, action="signup")):
        return limited  # allauth's sign-up rate limit (ACCOUNT_RATE_LIMITS["signup"]) applies here too
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        seat = data["home_constituency"] or constituency_for_postcode(data["postcode"])
        if seat is None:
            show_seat_choice = True
            form.add_error("home_constituency", "We could not find your constituency from your postcode: choose it.")
        else:
            with transaction.atomic():
                user = services.volunteer_register(
                    email=data["email"],
                    password=data["password"],
                    full_name=data["full_name"],
                    language=translation.get_language(),  # the language they joined in: their emails' too
                    phone=data["phone"],
                    postcode=data["postcode"],
                    home_constituency=seat,
                    email_consent=data["email_consent"],
                    sms_consent=data["sms_consent"],
                    source=f"volunteer sign-up form ({request.path})",
                )
            return complete_signup(request, user, settings.ACCOUNT_EMAIL_VERIFICATION, reverse("volunteers:profile"))
    if form.errors.get("home_constituency"):
        show_seat_choice = True
    return render(request, "volunteers/join.html", {"form": form, "show_seat_choice": show_seat_choice})


@login_required
def profile_edit(request: HttpRequest) -> HttpResponse:
    user = request.user
    profile = selectors.volunteer_profile(user=user) or services.profile_update(user=user)
    consents = set(Consent.objects.filter(user=user, withdrawn_at__isnull=True).values_list("channel", flat=True))
    initial = {
        "full_name": user.full_name,
        "language": user.language,
        "phone": profile.phone,
        "postcode": profile.postcode,
        "home_constituency": profile.home_constituency_id,
        "skills": choice_list(profile.skills),
        "languages": choice_list(profile.languages),
        "availability": choice_list(profile.availability),
        "travel": profile.travel,
        "travel_miles": profile.travel_miles,
        "seats": list(profile.seats.values_list("pk", flat=True)),
        "email_consent": Channel.EMAIL in consents,
        "sms_consent": Channel.SMS in consents,
    }
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        seat = data["home_constituency"]
        if seat is None and data["postcode"]:
            seat = constituency_for_postcode(data["postcode"]) or profile.home_constituency
        try:
            with transaction.atomic():
                services.profile_update(
                    user=user,
                    full_name=data["full_name"],
                    language=data["language"],
                    phone=data["phone"],
                    postcode=data["postcode"],
                    home_constituency=seat,
                    skills=data["skills"],
                    languages=data["languages"],
                    availability=data["availability"],
                    travel=data["travel"],
                    travel_miles=data["travel_miles"],
                    seats=data["seats"] if data["travel"] == Travel.CHOSEN_SEATS else [],
                )
                source = f"profile page ({request.path})"
                services.consent_set(user=user, channel=Channel.EMAIL, given=data["email_consent"], source=source)
                services.consent_set(user=user, channel=Channel.SMS, given=data["sms_consent"], source=source)
                services.volunteer_touch(user=user)
        except ValidationError as error:
            errors.say(request, error, form=form)
        else:
            messages.success(request, _("Your profile is saved."))
            return redirect("volunteers:home")
    record = Signup.objects.filter(volunteer=user).aggregate(
        attended=Count("pk", filter=Q(status=SignupStatus.ATTENDED)),
        hours=Sum("hours", filter=Q(status=SignupStatus.ATTENDED), default=0),
    )
    seat_names = Constituency.objects.order_by("name").values_list("pk", "name")
    context = {"form": form, "profile": profile, "record": record, "seat_names": seat_names}
    return render(request, "volunteers/profile.html", context)


@login_required
@never_cache
def my_data(request: HttpRequest) -> HttpResponse:
    # One answer to subject access for everyone (compliance.subject_access): the account, its messages, and the
    # supporter records it holds.
    data = subject_access.as_json(subject_access.for_account(request.user))
    response = HttpResponse(data, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="my-data.json"'
    return response


@login_required
def delete_account(request: HttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.account_delete(user=request.user)
        except ValidationError as error:
            errors.say(request, error, form=form)
        else:
            logout(request)
            messages.success(request, _("Your account and your personal data are deleted."))
            return redirect("home")
    return render(request, "volunteers/delete_account.html", {"form": form})


@login_required
@require_POST
def calendar_feed_rotate(request: HttpRequest) -> HttpResponse:
    revoke = request.POST.get("action") == "revoke"
    services.calendar_token_rotate(user=request.user, revoke=revoke)
    messages.success(request, _("Calendar link turned off.") if revoke else _("You have a new calendar link."))
    return redirect("volunteers:profile")


@never_cache
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A volunteer's private feed of their shifts, for calendar apps (no login: the token is the secret)."""
    from volunteers.models import VolunteerProfile

    profile = VolunteerProfile.objects.select_related("user").filter(calendar_token=token).first()
    if profile is None or not profile.user.is_active:
        raise Http404
    signups = (
        Signup.objects.filter(
            volunteer_id=profile.user_id,
            status__in=(SignupStatus.CONFIRMED, SignupStatus.WAITLISTED, SignupStatus.ATTENDED),
            shift__ends_at__gt=clock.now() - dt.timedelta(days=30),
        )
        .select_related("shift__constituency")
        .order_by("shift__starts_at")
    )
    body = calendar.calendar(
        (calendar.shift_event(shift=signup.shift, status=signup.status) for signup in signups),
        name=f"{settings.CAMPAIGN_NAME} shifts",
    )
    return _ics_response(body, "shifts.ics")


# --- home, find a shift, shift detail ----------------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The volunteer's home: "my next shifts" and "shifts near me", in one query whatever the data; a team
    lead also sees the shifts they lead (one more query)."""
    leading = selectors.shifts_led(user=request.user) if selectors.is_lead_or_organiser(request.user) else []
    return render(
        request, "volunteers/home.html", {"home": selectors.volunteer_home(user=request.user), "leading": leading}
    )


@login_required
def shift_list(request: HttpRequest) -> HttpResponse:
    seats = Constituency.objects.filter(pk__in=selectors.upcoming_shifts().values("constituency_id"))
    form = ShiftFilterForm(request.GET or None, seat_choices=list(seats.values_list("code", "name")))
    filters, number = selectors.ShiftFilters(), 1
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.ShiftFilters(
            day=data["day"], kind=data["kind"], seat_code=data["seat"], free_only=data["free"]
        )
        number = data["page"] or 1
    size = selectors.FIND_PAGE_SIZE
    shifts = selectors.shift_find_for_volunteer(
        user=request.user, filters=filters, limit=size, offset=(number - 1) * size
    )
    found = shifts[0].found if shifts else 0
    pages = max(1, -(-found // size))
    query = request.GET.copy()
    query.pop("page", None)

    def page_url(n: int) -> str:
        query["page"] = n
        return f"?{query.urlencode()}"

    context = {
        "form": form,
        "shifts": shifts,
        "found": found,
        "page": number,
        "pages": pages,
        "previous_url": page_url(number - 1) if number > 1 else "",
        "next_url": page_url(number + 1) if number < pages else "",
        "first_url": page_url(1),
    }
    return render(request, "volunteers/shift_list.html", context)


def _visible_shift(request: HttpRequest, pk: int) -> Shift:
    shifts = selectors.shifts_with_places(selectors.shifts_visible_to(request.user)).select_related(
        "constituency", "lead"
    )
    return get_object_or_404(shifts, pk=pk)


@login_required
def shift_detail(request: HttpRequest, pk: int) -> HttpResponse:
    shift = _visible_shift(request, pk)
    signup = Signup.objects.filter(shift=shift, volunteer=request.user).first()
    return render(request, "volunteers/shift_detail.html", _detail_context(request, shift, signup))


def _detail_context(request: HttpRequest, shift: Shift, signup: Signup | None, **extra) -> dict:
    can_check_in = request.user.role != "volunteer" and scope.can_change(request.user, shift)
    return {"shift": shift, "signup": signup, "can_check_in": can_check_in, "now": clock.now(), **extra}


@login_required
@require_POST
def shift_signup(request: HttpRequest, pk: int) -> HttpResponse:
    shift = _visible_shift(request, pk)
    try:
        signup = services.signup_create(
            shift=shift, volunteer=request.user, allow_overlap=request.POST.get("confirm_overlap") == "yes"
        )
    except services.OverlapWarning as warning:
        context = _detail_context(request, shift, None, overlap=warning)
        return render(request, "volunteers/shift_detail.html", context, status=409)
    except services.SignupError as error:
        errors.say(request, error)
        return redirect("volunteers:shift_detail", pk=shift.pk)
    services.volunteer_touch(user=request.user)
    emailed = signals.shift_emails_reach(request.user)
    if signup.status == SignupStatus.CONFIRMED:
        told = (
            _("We are emailing you the confirmation with a calendar file, and will remind you the day before.")
            if emailed
            else _("You turned shift emails off in Messages, so none will come: add it to your calendar below.")
        )
        messages.success(request, _("You are signed up. %(told)s See you there!") % {"told": told})
    else:
        told = (
            _("We will email you if a place frees up.")
            if emailed
            else _("Shift emails are off in Messages: check back here.")
        )
        messages.success(request, _("The shift is full: you are on the waiting list. %(told)s") % {"told": told})
    return redirect("volunteers:shift_detail", pk=shift.pk)


@login_required
@require_http_methods(["GET", "POST"])
def signup_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel a place: the page asks first (GET), the button cancels (POST)."""
    signup = get_object_or_404(
        scope.restrict(Signup.objects.select_related("shift__constituency"), request.user, "change"), pk=pk
    )
    if request.method == "GET":
        if signup.status not in (SignupStatus.CONFIRMED, SignupStatus.WAITLISTED):
            return redirect("volunteers:shift_detail", pk=signup.shift_id)
        return render(request, "volunteers/signup_cancel.html", {"signup": signup})
    try:
        services.signup_cancel(signup=signup, by=request.user)
    except services.SignupError as error:
        errors.say(request, error)
    else:
        messages.success(request, _("Your sign-up is cancelled."))
    return redirect("volunteers:shift_detail", pk=signup.shift_id)


@login_required
@never_cache
def signup_ics(request: HttpRequest, pk: int) -> HttpResponse:
    signup = get_object_or_404(
        Signup.objects.select_related("shift__constituency").filter(volunteer=request.user), pk=pk
    )
    url = request.build_absolute_uri(reverse("volunteers:shift_detail", args=[signup.shift_id]))
    body = calendar.calendar(
        [calendar.shift_event(shift=signup.shift, status=signup.status, url=url)], name=signup.shift.display_title
    )
    return _ics_response(body, f"shift-{signup.shift_id}.ics")


# --- the lead on the day -----------------------------------------------------------------------------


@login_required
def lead_shifts(request: HttpRequest) -> HttpResponse:
    """Shifts the signed-in lead or organiser runs today and next."""
    now = clock.now()
    shifts = selectors.shifts_with_places(
        scope.restrict(Shift.objects.all(), request.user, "change").filter(ends_at__gt=now - dt.timedelta(hours=12))
    ).select_related("constituency")[:30]
    return render(request, "volunteers/lead_shifts.html", {"shifts": shifts})


@login_required
def check_in(request: HttpRequest, pk: int) -> HttpResponse:
    """The lead on the day: who is here, who did not come, and anyone who came without signing up."""
    shift = get_object_or_404(
        selectors.shifts_with_places(scope.restrict(Shift.objects.all(), request.user, "change")).select_related(
            "constituency"
        ),
        pk=pk,
    )
    walk_in_form = WalkInForm(request.POST if request.POST.get("action") == "walk_in" else None, prefix="walk_in")
    if request.method == "POST" and request.POST.get("action") == "walk_in":
        if walk_in_form.is_valid():
            data = walk_in_form.cleaned_data
            try:
                signup = services.signup_walk_in(
                    shift=shift, by=request.user, full_name=data["full_name"], email=data["email"], phone=data["phone"]
                )
            except (services.SignupError, ValidationError) as error:
                errors.say(request, error)
            else:
                messages.success(request, f"{signup.volunteer}: added as here.")
                return redirect("volunteers:check_in", pk=shift.pk)
    elif request.method == "POST":
        signup_id = object_id(request.POST.get("signup"))
        if signup_id is None:
            return HttpResponseBadRequest("Say whose check-in this is.")
        signup = get_object_or_404(Signup.objects.filter(shift=shift), pk=signup_id)
        try:
            signup = services.signup_check_in(
                signup=signup, by=request.user, attended=request.POST.get("attended") == "yes"
            )
        except services.SignupError as error:
            errors.say(request, error)
        else:
            who = signup.volunteer or "Someone"
            messages.success(request, f"{who}: {signup.get_status_display().lower()}.")
        return redirect("volunteers:check_in", pk=shift.pk)
    opens_at = services.check_in_opens_at(shift)
    context = {
        "shift": shift,
        "signups": selectors.shift_signups(shift=shift),
        "opens_at": opens_at,
        "open": clock.now() >= opens_at,
        "walk_in_form": walk_in_form,
    }
    return render(request, "volunteers/check_in.html", context)


@login_required
def team(request: HttpRequest) -> HttpResponse:
    """The lead's team page: each team they lead, its members with contacts and what they did lately."""
    if not selectors.is_lead_or_organiser(request.user):
        raise PermissionDenied("Team leads only.")
    return render(request, "volunteers/team.html", {"teams": selectors.team_roster(user=request.user)})
