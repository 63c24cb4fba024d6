"""Pages of election night: the results board (national, and each seat's with its count report), its live
parts that htmx polls (a 304 while nothing changed), expected declaration times, and the public results page.
Thin: each view calls campaigns.night selectors and services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from campaigns import selectors as campaign_selectors
from campaigns.models import Candidacy, Constituency, Election
from campaigns.night import selectors, services
from campaigns.night.caching import private_conditional, public_cached
from campaigns.night.forms import CountReportForm, ExpectedImportForm, ExpectedTimeForm
from campaigns.views import organiser_required
from organiser import clock, scope
from organiser.imports import ImportRejected

#: How often the boards ask whether anything changed (seconds).
POLL_SECONDS = 5
#: Upload size for the expected times' CSV.
MAX_CSV_BYTES = 1_000_000


def _election(slug: str) -> Election:
    return get_object_or_404(Election, slug=slug)


def latest(request: HttpRequest) -> HttpResponse:
    election = campaign_selectors.election_list().first()
    if election is None:
        raise Http404("No election has been loaded yet.")
    return redirect("campaigns:night_board", slug=election.slug)


def _minute() -> str:
    """Overdue seats change with the time: fingerprints hold the minute."""
    return clock.now().strftime("%Y%m%d%H%M")


def _board_context(request: HttpRequest, election: Election) -> dict:
    board = selectors.results_board(election=election, seats=scope.seats_in_scope(request.user))
    return {"election": election, "board": board, "poll_seconds": POLL_SECONDS}


@organiser_required
def board(request: HttpRequest, slug: str) -> HttpResponse:
    """The results board: the national picture, then every seat in the user's scope, endorsed and target seats
    first; it polls its live part."""
    election = _election(slug)
    fingerprint = selectors.results_fingerprint(election=election, extra=_minute())
    return private_conditional(
        request,
        fingerprint,
        lambda: render(
            request,
            "campaigns/night/board.html",
            {**_board_context(request, election), "import_form": ExpectedImportForm()},
        ),
    )


@organiser_required
def board_live(request: HttpRequest, slug: str) -> HttpResponse:
    election = _election(slug)
    fingerprint = selectors.results_fingerprint(election=election, extra=_minute())
    return private_conditional(
        request,
        fingerprint,
        lambda: render(request, "campaigns/night/_board.html", _board_context(request, election)),
    )


def _seat_context(request: HttpRequest, election: Election, code: str) -> dict:
    data = selectors.seat_night(election=election, seats=scope.seats_in_scope(request.user), code=code)
    if data is None:
        raise Http404("No such seat in your scope.")
    return {"election": election, **data, "poll_seconds": POLL_SECONDS, "at": clock.now()}


@organiser_required
def seat(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    """A seat's night: its result as it stands, the count report from the hall (enter; a second user confirms
    or rejects), and its expected declaration time."""
    election = _election(slug)
    if request.method == "POST":
        return _seat_action(request, election, code)
    seat = scope.seats_in_scope(request.user).filter(code=code).first()
    if seat is None:
        raise Http404("No such seat in your scope.")
    fingerprint = selectors.results_fingerprint(election=election, seat=seat, extra=_minute())

    def page() -> HttpResponse:
        context = _seat_context(request, election, code)
        candidacies = context["candidacies"]
        expected = context["row"].expected_at
        context |= {
            "report_form": CountReportForm(candidacies=candidacies),
            "expected_form": ExpectedTimeForm(
                election=election, initial={"expected": clock.local(expected).strftime("%H:%M") if expected else ""}
            ),
        }
        return render(request, "campaigns/night/seat.html", context)

    return private_conditional(request, fingerprint, page)


@organiser_required
def seat_live(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    election = _election(slug)
    seat = scope.seats_in_scope(request.user).filter(code=code).first()
    if seat is None:
        raise Http404("No such seat in your scope.")
    fingerprint = selectors.results_fingerprint(election=election, seat=seat, extra=_minute())
    return private_conditional(
        request,
        fingerprint,
        lambda: render(request, "campaigns/night/_seat_status.html", _seat_context(request, election, code)),
    )


def _seat_action(request: HttpRequest, election: Election, code: str) -> HttpResponse:
    seat = scope.seats_in_scope(request.user).filter(code=code).first()
    if seat is None:
        raise Http404("No such seat in your scope.")
    action = request.POST.get("action", "")
    back = redirect("campaigns:night_seat", slug=election.slug, code=seat.code)
    try:
        if action == "enter":
            candidacies = list(
                Candidacy.objects.filter(election=election, constituency=seat)
                .select_related("person", "party")
                .order_by("person__surname", "person__name")
            )
            form = CountReportForm(request.POST, candidacies=candidacies)
            if not form.is_valid():
                return _seat_form_again(request, election, code, report_form=form)
            try:
                services.count_report_enter(
                    user=request.user,
                    election=election,
                    seat=seat,
                    votes=form.votes(),
                    valid_votes=form.cleaned_data["valid_votes"],
                    rejected_ballots=form.cleaned_data["rejected_ballots"],
                    electorate=form.cleaned_data["electorate"],
                )
            except ValidationError as exc:
                for problem in exc.messages:
                    form.add_error(None, problem)
                return _seat_form_again(request, election, code, report_form=form)
            messages.success(request, "Report entered: a second user must confirm it before it shows as declared.")
        elif action in ("confirm", "reject"):
            report_id = request.POST.get("report", "")
            if not report_id.isdigit() or not report_id.isascii() or len(report_id) > 12:
                messages.error(request, "Choose a report.")
                return back
            if action == "confirm":
                services.count_report_confirm(user=request.user, report_id=int(report_id))
                messages.success(request, "Confirmed: the seat shows as declared.")
            else:
                services.count_report_reject(user=request.user, report_id=int(report_id))
                messages.success(request, "Report rejected.")
        elif action == "expected":
            form = ExpectedTimeForm(request.POST, election=election)
            if not form.is_valid():
                return _seat_form_again(request, election, code, expected_form=form)
            services.expected_declaration_set(
                user=request.user, election=election, seat=seat, expected_at=form.cleaned_data["expected"]
            )
            messages.success(request, "Expected declaration time saved.")
        else:
            messages.error(request, "Choose an action.")
    except PermissionDenied as exc:
        messages.error(request, str(exc) or "You may not do that.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return back


def _seat_form_again(request: HttpRequest, election: Election, code: str, **forms) -> HttpResponse:
    context = _seat_context(request, election, code)
    context["report_form"] = forms.get("report_form") or CountReportForm(candidacies=context["candidacies"])
    context["expected_form"] = forms.get("expected_form") or ExpectedTimeForm(election=election)
    return render(request, "campaigns/night/seat.html", context, status=400)


@organiser_required
def expected_import(request: HttpRequest, slug: str) -> HttpResponse:
    """Upload the expected declaration times (all or nothing; every bad row listed)."""
    election = _election(slug)
    form = ExpectedImportForm(request.POST or None, request.FILES or None)
    problems = []
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > MAX_CSV_BYTES:
                form.add_error("file", "The file is too large for a list of seats (1 MB at most).")
            else:
                try:
                    written = services.expected_declarations_import(
                        user=request.user, election=election, data=upload.read()
                    )
                except ImportRejected as rejected:
                    problems = rejected.problems
                else:
                    messages.success(request, f"Expected declaration times saved for {written} seats.")
                    return redirect("campaigns:night_board", slug=election.slug)
        status = 400
    return render(
        request,
        "campaigns/night/expected_import.html",
        {"election": election, "form": form, "problems": problems},
        status=status,
    )


# --- public --------------------------------------------------------------------------------------------------


def _public_context(election: Election) -> dict:
    rows = selectors.board_rows(election=election, seats=Constituency.objects.all())
    national, declared, seats = selectors.national_picture(election=election)
    latest = sorted((r for r in rows if r.declared and r.declared_at), key=lambda r: r.declared_at, reverse=True)
    return {
        "election": election,
        "national": national,
        "declared": declared,
        "seats": seats,
        "endorsed": [r for r in rows if r.endorsed_name],
        "latest": latest[: selectors.OTHERS_SHOWN],
        "poll_seconds": POLL_SECONDS,
        "at": clock.now(),
    }


@public_cached
def public_night(request: HttpRequest, slug: str) -> HttpResponse:
    """The night for anyone: seats by party so far, the latest declarations, and the seats we endorse."""
    election = _election(slug)
    return render(request, "campaigns/night/public.html", _public_context(election))


@public_cached
def public_night_live(request: HttpRequest, slug: str) -> HttpResponse:
    election = _election(slug)
    return render(request, "campaigns/night/_public.html", _public_context(election))
