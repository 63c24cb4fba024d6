"""Polling day's pages, under /canvass/<campaign>/: the committee-room board (live, per campaign and per
district), the tellers' screen (offline), polling stations, knock-up rounds, lifts and votes to win; and the
driver's own page, /canvass/my-lifts/. Thin: each checks the grant (canvassing.views.campaign_view, which 404s
without one and 403s for a level that may not), then calls pollingday.selectors and pollingday.services.

The board updates itself: htmx asks for its live part every few seconds with the ETag of what it shows
(``If-None-Match``), and an unchanged board answers 304 after one small query (selectors.fingerprint).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from canvassing.models import (
    AccessLog,
    CandidateCampaign,
    KnockUpRound,
    Lift,
    LiftStatus,
    PollingDayVote,
    PollingDistrict,
    PollingStation,
)
from canvassing.pollingday import selectors, services
from canvassing.pollingday.forms import (
    KnockUpRoundForm,
    LiftOfferForm,
    LiftRequestForm,
    StationForm,
    VotesToWinForm,
)
from canvassing.views import _log, _organising, campaign_view
from organiser import clock, scope

#: How often the board asks for its live part (seconds): a 304 costs one small query.
BOARD_EVERY = 10


def _etag(value: str) -> str:
    return f'"{value}"'


@campaign_view(PollingDayVote, "view")
def board(request: HttpRequest, campaign: CandidateCampaign) -> HttpResponse:
    """The committee-room board: the whole campaign, or one district (``?pd=KA``). Aggregates only (no elector
    is named), so nothing to log. htmx's requests get the live part alone, or 304 when nothing changed."""
    code = request.GET.get("pd", "")[:6].upper()
    if code and not PollingDistrict.objects.filter(campaign=campaign, code=code).exists():
        code = ""
    live = bool(request.headers.get("HX-Request"))
    now = clock.now()
    print_ = selectors.fingerprint(campaign, now=now)
    tag = _etag(f"{print_}-{code or 'all'}-{'live' if live else 'page'}")
    if live and tag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponseNotModified()
        response["ETag"] = tag
        return response
    state = selectors.board(campaign, district_code=code, now=now)
    volunteers = list(selectors.volunteers_free(campaign, now=now))
    ranked = selectors.where_next(state, volunteers=len(volunteers))
    context = {
        "campaign": campaign,
        "board": state,
        "code": code,
        "where_next": ranked,
        "volunteers_free": volunteers,
        "every": BOARD_EVERY,
        "live_etag": _etag(f"{print_}-{code or 'all'}-live"),
        "organising": True,
        "round_form": KnockUpRoundForm(
            districts=[(d.pk, d.code) for d in state.districts],
            volunteers=volunteers,
            initial={"districts": [str(w.pk) for w in ranked[:2]], "volunteers": [str(v.pk) for v in volunteers]},
        ),
        "may_cut": scope.register_allows(request.user, campaign, KnockUpRound, "add"),
    }
    response = render(request, "canvassing/committee/_board_live.html" if live else "canvassing/committee/board.html",
                      context)  # fmt: skip
    response["ETag"] = tag
    response["Vary"] = "HX-Request"
    return response


@require_POST
@campaign_view(KnockUpRound, "add")
def round_cut(request: HttpRequest, campaign: CandidateCampaign) -> HttpResponse:
    """Send the next knock-up round from the board: the districts chosen (where next's first, by default), cut
    into lists and given in turn to the volunteers chosen. The reasoning shown is kept with the round."""
    now = clock.now()
    state = selectors.board(campaign, now=now)
    volunteers = list(selectors.volunteers_free(campaign, now=now))
    form = KnockUpRoundForm(request.POST, districts=[(d.pk, d.code) for d in state.districts], volunteers=volunteers)
    if not form.is_valid():
        messages.error(request, "Choose the districts (and who goes) for the round: " + form.errors.as_text())
        return redirect("canvassing:committee_room", pk=campaign.pk)
    chosen = set(form.cleaned_data["districts"])
    ranked = {w.code: w.reasoning for w in selectors.where_next(state, volunteers=len(volunteers))}
    districts = list(PollingDistrict.objects.filter(campaign=campaign, pk__in=chosen).order_by("code"))
    people = [v for v in volunteers if str(v.pk) in set(form.cleaned_data["volunteers"])]
    try:
        knock_round = services.knock_up_round_cut(
            user=request.user, campaign=campaign, districts=districts, volunteers=people,
            doors=form.cleaned_data["doors"],
            reasoning=[{"district": d.code, "why": ranked.get(d.code, "chosen by hand")} for d in districts],
        )  # fmt: skip
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        lists = knock_round.lists.count()
        messages.success(
            request,
            f"Round {knock_round.number} sent: {lists} list{'s' if lists != 1 else ''} in "
            f"{', '.join(d.code for d in districts)}"
            + (f", given to {len(people)} volunteer{'s' if len(people) != 1 else ''}." if people else "."),
        )
    return redirect("canvassing:committee_room", pk=campaign.pk)


# --- tellers ---------------------------------------------------------------------------------------------------


@campaign_view(PollingDayVote, "add")
def tellers(request: HttpRequest, campaign: CandidateCampaign) -> HttpResponse:
    """The tellers' screen: pick the station, type numbers one by one or as ranges. It holds no elector data
    (the stations and their districts only), is kept on the phone, and queues what is typed in IndexedDB with
    an id made there, sent when there is signal (canvassing/tellers.js). Counts per hour come from the server."""
    stations = selectors.stations_for(request.user, campaign)
    chosen = next((s for s in stations if str(s.pk) == request.GET.get("station", "")), None)
    return render(
        request,
        "canvassing/committee/tellers.html",
        {
            "campaign": campaign,
            "stations": stations,
            "station_data": [
                {"id": s.pk, "name": s.name, "districts": [d.code for d in s.districts.all()], "mine": s.mine}
                for s in stations
            ],
            "chosen": chosen,
            "hours": selectors.station_hours(chosen) if chosen else [],
            "organising": _organising(request.user, campaign),
        },
    )


@campaign_view(PollingStation, "view")
def stations(request: HttpRequest, campaign: CandidateCampaign) -> HttpResponse:
    """Polling stations: the districts each serves, its hours, its telling shifts (its tellers are who signed
    up for them) and the numbers taken there per hour; organisers add one."""
    from volunteers.models import Shift, ShiftKind

    may_add = scope.register_allows(request.user, campaign, PollingStation, "add")
    districts = list(PollingDistrict.objects.filter(campaign=campaign).values_list("pk", "code"))
    shifts = Shift.objects.filter(constituency_id=campaign.constituency_id, kind=ShiftKind.TELLING).order_by(
        "starts_at"
    )
    form = StationForm(request.POST or None, districts=districts, shifts=shifts) if may_add else None
    if request.method == "POST":
        if not may_add:
            raise PermissionDenied("Your grant does not set up polling stations.")
        if form.is_valid():
            data = form.cleaned_data
            try:
                station = services.station_save(
                    user=request.user, campaign=campaign, name=data["name"], address=data["address"],
                    districts=list(PollingDistrict.objects.filter(campaign=campaign, pk__in=data["districts"])),
                    opens_at=data["opens_at"], closes_at=data["closes_at"],
                    shifts=list(shifts.filter(pk__in=data["shifts"])),
                )  # fmt: skip
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, f"{station.name} added.")
                return redirect("canvassing:stations", pk=campaign.pk)
    listed = list(
        PollingStation.objects.filter(campaign=campaign).prefetch_related("districts", "shifts__signups__volunteer")
    )
    from volunteers.models import ACTIVE_STATUSES

    for station in listed:
        station.tellers = sorted(
            {
                str(signup.volunteer)
                for shift in station.shifts.all()
                for signup in shift.signups.all()
                if signup.volunteer_id and signup.status in ACTIVE_STATUSES
            }
        )
    counts = selectors.station_counts(campaign) if listed else {}
    for station in listed:
        station.numbers = counts.get(station.pk, 0)
    return render(
        request,
        "canvassing/committee/stations.html",
        {"campaign": campaign, "stations": listed, "form": form,
         "organising": _organising(request.user, campaign)},
    )  # fmt: skip


# --- lifts -----------------------------------------------------------------------------------------------------


@campaign_view(Lift, "view")
def lifts(request: HttpRequest, campaign: CandidateCampaign) -> HttpResponse:
    """Lifts to vote: those asked for at the door (collected here from the doorstep entries) and on the phone,
    matched with volunteers who drive. Names the electors, so it is logged."""
    services.lifts_from_doorstep(campaign=campaign)
    form = LiftRequestForm(request.POST or None, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        try:
            services.lift_request(user=request.user, campaign=campaign, **form.lift_fields())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Lift added: offer it to a driver below.")
            return redirect("canvassing:lifts", pk=campaign.pk)
    listed = list(
        Lift.objects.filter(campaign=campaign).select_related("elector", "elector__polling_district", "driver")
    )
    _log(request, campaign, AccessLog.Action.VIEW, len({lift.elector_id for lift in listed}), list="lifts")
    drivers = list(services.drivers_for(campaign))
    return render(
        request,
        "canvassing/committee/lifts.html",
        {"campaign": campaign, "lifts": listed, "form": form, "offer_form": LiftOfferForm(drivers=drivers),
         "drivers": drivers, "organising": True, "statuses": LiftStatus},
    )  # fmt: skip


@require_POST
@campaign_view(Lift, "change")
def lift_change(request: HttpRequest, campaign: CandidateCampaign, lift: int) -> HttpResponse:
    """Offer a lift to a driver, or close it (done, cancelled)."""
    lift = get_object_or_404(scope.restrict(Lift.objects, request.user), pk=lift, campaign=campaign)
    action = request.POST.get("action", "")
    try:
        if action == "offer":
            form = LiftOfferForm(request.POST, drivers=list(services.drivers_for(campaign)))
            if not form.is_valid():
                raise ValidationError("Choose a driver.")
            services.lift_offer(user=request.user, lift=lift, driver=form.cleaned_data["driver"])
            messages.success(request, f"Offered to {form.cleaned_data['driver']}.")
        elif action in (LiftStatus.DONE, LiftStatus.CANCELLED):
            services.lift_close(user=request.user, lift=lift, status=action)
            messages.success(request, "Lift closed.")
        else:
            raise ValidationError("Offer it to a driver, or mark it done or cancelled.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("canvassing:lifts", pk=campaign.pk)


@never_cache
@login_required
def my_lifts(request: HttpRequest) -> HttpResponse:
    """A driver's lifts: those offered to them by their time and area only; once accepted, the pick-up (and
    the first name to ask for). Nothing else of the register: a driver needs no grant on it."""
    mine = list(
        Lift.objects.filter(driver=request.user, status__in=[LiftStatus.OFFERED, LiftStatus.ACCEPTED, LiftStatus.DONE])
        .select_related("elector", "campaign")
        .order_by("wanted_at")
    )
    for lift in mine:
        lift.area = (lift.elector.postcode.split(" ")[0] if lift.elector.postcode else "") or "the seat"
        lift.first_name = (lift.elector.forenames.split(" ")[0] if lift.elector.forenames else "") or "the elector"
    accepted = [lift for lift in mine if lift.status == LiftStatus.ACCEPTED]
    for lift in accepted:
        _log(request, lift.campaign, AccessLog.Action.VIEW, 1, lift=lift.pk, page="driver")
    return render(request, "canvassing/committee/my_lifts.html", {"lifts": mine, "statuses": LiftStatus})


@require_POST
@login_required
def my_lift_answer(request: HttpRequest, lift: int) -> HttpResponse:
    lift = get_object_or_404(Lift.objects.filter(driver=request.user), pk=lift)
    action = request.POST.get("action", "")
    try:
        if action in ("accept", "decline"):
            services.lift_answer(driver=request.user, lift=lift, accept=action == "accept")
            messages.success(request, "Accepted: the pick-up is below." if action == "accept" else "Turned down.")
        elif action == LiftStatus.DONE:
            services.lift_close(user=request.user, lift=lift, status=LiftStatus.DONE)
            messages.success(request, "Thank you: marked done.")
        else:
            raise ValidationError("Accept, turn down, or mark done.")
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    return redirect("canvassing:my_lifts_driver")


# --- votes to win ----------------------------------------------------------------------------------------------


@campaign_view(PollingDayVote, "view")
def votes_to_win(request: HttpRequest, campaign: CandidateCampaign) -> HttpResponse:
    """Votes to win suggested from the 2024 and the notional results, with the reasoning; the agent takes it or
    sets their own, and the board tracks promises against it."""
    suggestion = selectors.votes_to_win_suggestion(campaign)
    may_change = scope.register_allows(request.user, campaign, CandidateCampaign, "change")
    form = VotesToWinForm(request.POST or None, initial={"votes": campaign.votes_to_win or suggestion.votes})
    if request.method == "POST":
        if not may_change:
            raise PermissionDenied("Only the agent sets votes to win.")
        if request.POST.get("action") == "suggested" and suggestion.votes:
            votes = suggestion.votes
        elif form.is_valid():
            votes = form.cleaned_data["votes"]
        else:
            votes = None
        if votes is not None:
            services.votes_to_win_set(user=request.user, campaign=campaign, votes=votes)
            messages.success(request, f"Votes to win is {votes:,}.")
            return redirect("canvassing:votes_to_win", pk=campaign.pk)
    promises = selectors.board(campaign).total
    return render(
        request,
        "canvassing/committee/votes_to_win.html",
        {"campaign": campaign, "suggestion": suggestion, "form": form, "may_change": may_change,
         "promises": promises, "organising": True},
    )  # fmt: skip


def board_url(campaign: CandidateCampaign, code: str = "") -> str:
    return reverse("canvassing:committee_room", args=[campaign.pk]) + (f"?pd={code}" if code else "")
