"""Public pages of conversations: the "support the campaign" form, a supporter's own data behind an emailed link
(see, download, withdraw a consent, delete), and the shift loop's links (confirm or cancel; how did it go). Thin:
forms validate, ``conversations.services`` writes, ``compliance.subject_access`` reads.

Supporters have no account, so their link is their credential: asked for with the email or mobile number they
gave, sent only there (the page says the same whether or not we hold it), valid for a day, and rate-limited with
allauth's limits for emailed login codes. The shift loop's links are signed and expire likewise.
"""

from __future__ import annotations

from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from campaigns.postcodes import constituency_for_postcode
from compliance import subject_access
from conversations.forms import DataLinkForm, DeleteSupporterForm, ShiftFeedbackForm, SupportForm
from conversations.services import shift_loop
from conversations.services import supporters as services
from organiser import errors
from organiser.inputs import attachment, refuse
from volunteers.models import Channel, Consent
from volunteers.services import SignupError


def support(request: HttpRequest) -> HttpResponse:
    """The public "support the campaign" form (no account needed)."""
    form = SupportForm(request.POST or None)
    show_seat_choice = not getattr(settings, "POSTCODE_LOOKUP_URL", "")
    if request.method == "POST" and (limited := ratelimit.consume_or_429(request, action="signup")):
        return limited
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        seat = data["constituency"] or constituency_for_postcode(data["postcode"])
        if seat is None:
            show_seat_choice = True
            form.add_error("constituency", "We could not find your constituency from your postcode: choose it.")
        else:
            try:
                services.supporter_sign_up(
                    full_name=data["full_name"],
                    email=data["email"],
                    phone=data["phone"],
                    postcode=data["postcode"],
                    constituency=seat,
                    agrees=data["agrees"],
                    source=f"support form ({request.path})",
                    user=request.user if request.user.is_authenticated else None,
                    language=getattr(request, "LANGUAGE_CODE", None),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return redirect("conversations:thanks")
    if form.errors.get("constituency"):
        show_seat_choice = True
    return render(request, "conversations/support.html", {"form": form, "show_seat_choice": show_seat_choice})


def thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "conversations/thanks.html")


def data_link(request: HttpRequest) -> HttpResponse:
    """Ask for the link to one's data."""
    form = DataLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        address = form.cleaned_data["address"]
        limited = ratelimit.consume_or_429(request, action="request_login_code", key=address.lower())
        if limited:
            return limited
        services.data_link_send(address=address)
        return render(request, "conversations/data_link_sent.html", {"address": address})
    return render(request, "conversations/data_link.html", {"form": form})


def _supporter_or_404(token: str):
    supporter = services.supporter_for_data_link(token)
    if supporter is None:
        raise Http404("This link has expired or is not valid: ask for a new one.")
    return supporter


@never_cache
def my_data_page(request: HttpRequest, token: str) -> HttpResponse:
    """What we hold about the supporter the link names, with what they agreed to and ways to change it."""
    supporter = _supporter_or_404(token)
    data = subject_access.for_supporter(supporter)
    active = Consent.objects.filter(supporter=supporter, withdrawn_at__isnull=True).order_by("channel")
    return render(
        request,
        "conversations/my_data.html",
        {"token": token, "supporter": supporter, "data": data, "active": active, "channels": Channel},
    )


@never_cache
def my_data_json(request: HttpRequest, token: str) -> HttpResponse:
    supporter = _supporter_or_404(token)
    response = HttpResponse(
        subject_access.as_json(subject_access.for_supporter(supporter)), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = attachment("my-data.json")
    return response


@require_POST
def consent_withdraw(request: HttpRequest, token: str) -> HttpResponse:
    supporter = _supporter_or_404(token)
    channel = request.POST.get("channel", "")
    try:
        services.supporter_consent_withdraw(
            supporter=supporter, channel=channel, source=f"own data page ({request.path})"
        )
    except ValidationError as error:
        errors.say(request, error)
    else:
        messages.success(request, f"Done: we will no longer contact you by {Channel(channel).label.lower()}.")
    return redirect("conversations:my_data_page", token=token)


@never_cache
def delete(request: HttpRequest, token: str) -> HttpResponse:
    supporter = _supporter_or_404(token)
    form = DeleteSupporterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.supporter_delete(supporter=supporter)
        messages.success(request, "Everything we held about you is deleted.")
        return redirect("home")
    return render(request, "conversations/delete.html", {"form": form, "token": token})


# --- the shift loop's links ---------------------------------------------------------------------------------------


@never_cache
def shift_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The day-before link: the shift and two buttons, "I'm coming" and "I can't come" (a GET changes nothing)."""
    signup = shift_loop.signup_for_confirm_link(token)
    if signup is None:
        raise Http404("This link has expired or is not valid.")
    done = ""
    if request.method == "POST":
        answer = request.POST.get("answer")
        if answer not in ("confirm", "cancel"):
            return refuse(request, "Say whether you are coming: confirm or cancel.")
        try:
            signup = shift_loop.confirm_answer(signup=signup, answer=answer)
        except SignupError as error:
            messages.error(request, error.message)
        else:
            done = answer
    signup.refresh_from_db()
    return render(
        request,
        "conversations/shift_confirm.html",
        {
            "signup": signup,
            "shift": signup.shift,
            "token": token,
            "chosen": request.GET.get("answer", ""),
            "done": done,
        },
    )


@never_cache
def shift_feedback(request: HttpRequest, token: str) -> HttpResponse:
    """The after-shift link: did they come, a rating, a note."""
    signup = shift_loop.signup_for_feedback_link(token)
    if signup is None:
        raise Http404("This link has expired or is not valid.")
    initial = {"attended": request.GET.get("attended")} if request.GET.get("attended") in ("yes", "no") else {}
    form = ShiftFeedbackForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            shift_loop.feedback_answer(
                signup=signup, attended=data["attended"], rating=data["rating"], note=data["note"]
            )
        except (SignupError, ValidationError) as error:
            form.add_error(None, getattr(error, "message", None) or " ".join(error.messages))
        else:
            return render(request, "conversations/shift_feedback_done.html", {"shift": signup.shift})
    return render(request, "conversations/shift_feedback.html", {"form": form, "shift": signup.shift, "signup": signup})
