"""Pages of messaging: one-click unsubscribe (RFC 8058, no login, no CSRF: the signed token is the
credential) with a confirm page for a GET, and the logged-in volunteer's preferences."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from messaging import services
from messaging.forms import PreferencesForm
from messaging.models import MessagePreference
from messaging.rendering import recipient_for_token


@csrf_exempt  # mail clients POST here without a session (RFC 8058); the signed token authorises it
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    from conversations.models import Supporter
    from volunteers.models import User

    found = recipient_for_token(token)
    model = {"user": User, "supporter": Supporter}.get(found[0]) if found else None
    if model is None or not model.objects.filter(pk=found[1]).exists():
        raise Http404("This unsubscribe link is not valid.")
    if request.method == "GET":
        return render(request, "messaging/unsubscribe_confirm.html", {"token": token})
    one_click = request.POST.get("List-Unsubscribe") == "One-Click"
    services.unsubscribe(**{f"{found[0]}_id": found[1]}, via="one-click" if one_click else "page")
    if one_click:
        return HttpResponse("You are unsubscribed.\n", content_type="text/plain; charset=utf-8")
    return render(request, "messaging/unsubscribe_done.html")


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    current = MessagePreference.objects.filter(user=request.user).first() or MessagePreference(user=request.user)
    initial = {
        "reminders": current.reminders,
        "shift_alerts": current.shift_alerts,
        "digest": current.digest,
        "language": request.user.language or current.language,
    }
    form = PreferencesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.preferences_set(
            user=request.user,
            language=data["language"],
            reminders=data["reminders"],
            shift_alerts=data["shift_alerts"],
            digest=data["digest"],
        )
        messages.success(request, "Your message preferences are saved.")
        return redirect("messaging:preferences")
    consents = {c.channel: c for c in request.user.consents.filter(withdrawn_at__isnull=True)}
    return render(request, "messaging/preferences.html", {"form": form, "consents": consents})
