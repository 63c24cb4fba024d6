"""Pages: the public summary, endorsements and "who do you endorse where I live"; the organisers' seat list,
seat page, hex map, scatter and targets. Thin: each view calls selectors and services."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from campaigns import charts, selectors
from campaigns.forms import EndorsementActionForm, SeatFilterForm, TargetCriteriaForm
from campaigns.models import Candidacy, Constituency, Election, Endorsement, Target
from campaigns.postcodes import constituency_code_for_postcode, looks_like_postcode
from campaigns.services import endorsements as endorsement_services
from campaigns.services.targets import target_criteria_get, target_criteria_update
from organiser import errors, scope


def organiser_required(view):
    """Logged in, and an organiser (national or seat); others get 403."""

    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not request.user.is_organiser:
            raise PermissionDenied("Organisers only.")
        return view(request, *args, **kwargs)

    return wrapper


def _text_param(request: HttpRequest, name: str, length: int, *, default: str = "") -> str:
    """A free-text query parameter, trimmed to ``length``; NUL characters (which PostgreSQL refuses) dropped."""
    return request.GET.get(name, default).replace("\x00", "").strip()[:length]


def _election(slug: str) -> Election:
    return get_object_or_404(Election, slug=slug)


# --- public -----------------------------------------------------------------------------------------------------

LATEST_PAGES = {
    "summary": "campaigns:summary",
    "seats": "campaigns:seats",
    "map": "campaigns:map",
    "targets": "campaigns:targets",
}


def latest(request: HttpRequest, page: str) -> HttpResponse:
    """The latest election's ``page`` (organiser pages then ask for their login as usual)."""
    election = selectors.election_list().first()
    if election is None:
        raise Http404("No election has been loaded yet.")
    return redirect(LATEST_PAGES[page], slug=election.slug)


def summary(request: HttpRequest, slug: str) -> HttpResponse:
    election = _election(slug)
    data = selectors.election_summary(election=election)
    # The page lists the parties that won a seat or 1% of the vote; the dozens of others share one row.
    shown = [p for p in data["parties"] if p["seats"] or (p["share"] or 0) >= 0.01]
    rest = [p for p in data["parties"] if p not in shown]
    others = None
    if rest:
        votes = sum(p["votes"] for p in rest)
        others = {"count": len(rest), "votes": votes, "share": votes / data["votes"] if data["votes"] else None}
    return render(
        request, "campaigns/summary.html", {"election": election, "summary": data, "shown": shown, "others": others}
    )


def public_seat(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    """A seat's result for anyone: the vote against the notional previous result, the candidates, whom the
    campaign endorses (published endorsements only) and how to volunteer there. No targets, no demographics."""
    election = _election(slug)
    data = selectors.seat_detail(seats=Constituency.objects.all(), election=election, code=code, public=True)
    if data is None:
        raise Http404("No such constituency.")
    return render(
        request,
        "campaigns/public_seat.html",
        {"election": election, **data, "chart": charts.bar_chart(data["share_change"])},
    )


def public_map(request: HttpRequest, slug: str) -> HttpResponse:
    """The hex map of every seat by winning party, for anyone; each hex opens the seat's public page."""
    election = _election(slug)
    seats = selectors.hexmap_seats(election=election, colour_by="winner")
    return render(
        request, "campaigns/public_map.html", {"election": election, "map": charts.hex_map(seats, colour_by="winner")}
    )


def endorsed(request: HttpRequest, slug: str) -> HttpResponse:
    election = _election(slug)
    return render(
        request,
        "campaigns/endorsed.html",
        {"election": election, "endorsements": selectors.endorsed_list(election=election)},
    )


def find_endorsement(request: HttpRequest) -> HttpResponse:
    """Who does the campaign endorse where I live: by constituency name or by postcode."""
    election = selectors.election_list().first()
    query = _text_param(request, "q", 100)
    problem, matches = None, []
    if query and election:
        seats = Constituency.objects.all()
        if looks_like_postcode(query):
            lookup = constituency_code_for_postcode(query)
            problem = lookup.problem
            seats = seats.filter(code=lookup.code) if lookup.code else seats.none()
        else:
            seats = selectors.seats_named(query)
        if not problem:
            matches = selectors.endorsement_for_seats(election=election, seats=seats, limit=20)
            if not matches:
                problem = "No constituency matches that search."
    return render(
        request,
        "campaigns/find.html",
        {"election": election, "query": query, "problem": problem, "matches": matches},
    )


# --- organisers -------------------------------------------------------------------------------------------------


@organiser_required
def seat_list(request: HttpRequest, slug: str) -> HttpResponse:
    election = _election(slug)
    form = SeatFilterForm(request.GET or None, regions=selectors.region_choices())
    filters = selectors.SeatFilters()
    if form.is_bound and form.is_valid():
        filters = selectors.SeatFilters(**{k: v for k, v in form.cleaned_data.items() if v not in ("", None)})
    seats = selectors.seat_list(seats=scope.seats_in_scope(request.user), election=election, filters=filters)
    page = selectors.seat_page(seats, number=request.GET.get("page"))
    return render(request, "campaigns/seat_list.html", {"election": election, "form": form, "page": page})


@organiser_required
def seat_detail(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    election = _election(slug)
    data = selectors.seat_detail(seats=scope.seats_in_scope(request.user), election=election, code=code)
    if data is None:
        raise Http404("No such seat in your scope.")
    if request.method == "POST":
        return _endorsement_action(request, election, data)
    target = Target.objects.filter(election=election, constituency=data["seat"]).first()
    return render(
        request,
        "campaigns/seat_detail.html",
        {
            "election": election,
            **data,
            "target": target,
            "chart": charts.bar_chart(data["share_change"]),
            "history": data["endorsement"].events.select_related("actor", "candidacy__person")
            if data["endorsement"]
            else [],
        },
    )


def _endorsement_action(request: HttpRequest, election: Election, data: dict) -> HttpResponse:
    form = EndorsementActionForm(request.POST)
    seat = data["seat"]
    if not form.is_valid():
        messages.error(request, "Choose an action.")
        return redirect("campaigns:seat", slug=election.slug, code=seat.code)
    action, reason = form.cleaned_data["action"], form.cleaned_data["reason"]
    try:
        if action == "propose":
            candidacy = get_object_or_404(
                Candidacy, pk=form.cleaned_data["candidacy"] or 0, election=election, constituency=seat
            )
            endorsement_services.endorsement_propose(user=request.user, candidacy=candidacy, reason=reason)
        else:
            endorsement = get_object_or_404(Endorsement, election=election, constituency=seat)
            if action == "review":
                endorsement_services.endorsement_review(user=request.user, endorsement=endorsement, reason=reason)
            elif action == "endorse":
                endorsement_services.endorsement_endorse(
                    user=request.user, endorsement=endorsement, reason=reason, statement=form.cleaned_data["statement"]
                )
            else:
                endorsement_services.endorsement_withdraw(user=request.user, endorsement=endorsement, reason=reason)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or "You may not do that.")
    except ValidationError as exc:
        errors.say(request, exc)
    else:
        messages.success(request, "Endorsement updated.")
    return redirect("campaigns:seat", slug=election.slug, code=seat.code)


MAP_COLOURINGS = {"winner": "Winner", "tier": "Target tier", "demographic": "Demographic share"}


@organiser_required
def hex_map(request: HttpRequest, slug: str) -> HttpResponse:
    election = _election(slug)
    colour_by = request.GET.get("colour", "winner")
    if colour_by not in MAP_COLOURINGS:
        colour_by = "winner"
    variable = _text_param(request, "variable", 200, default="Muslim")
    source = _text_param(request, "source", 50, default=selectors.MUSLIM[0])
    seats = selectors.hexmap_seats(election=election, colour_by=colour_by, source=source, variable=variable)
    return render(
        request,
        "campaigns/hex_map.html",
        {
            "election": election,
            "map": charts.hex_map(seats, colour_by=colour_by),
            "colour_by": colour_by,
            "colourings": MAP_COLOURINGS,
            "variable": variable,
            "source": source,
        },
    )


@organiser_required
def scatter(request: HttpRequest, slug: str) -> HttpResponse:
    election = _election(slug)
    fit = selectors.share_change_vs_demographic(election=election)
    return render(request, "campaigns/scatter.html", {"election": election, "fit": fit, "plot": charts.scatter(fit)})


@organiser_required
def targets(request: HttpRequest, slug: str) -> HttpResponse:
    election = _election(slug)
    criteria = target_criteria_get(election=election)
    can_edit = scope.can_change(request.user, criteria)
    form = TargetCriteriaForm(request.POST or None, instance=criteria)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("Only national organisers set the target criteria.")
        if form.is_valid():
            target_criteria_update(user=request.user, election=election, **form.cleaned_data)
            messages.success(request, "Criteria saved; every seat has been scored again.")
            return redirect("campaigns:targets", slug=slug)
    rows = scope.restrict(
        Target.objects.filter(election=election).exclude(tier=Target.Tier.NONE).select_related("constituency"),
        request.user,
    )
    return render(
        request,
        "campaigns/targets.html",
        {"election": election, "form": form, "can_edit": can_edit, "targets": rows[:200]},
    )
