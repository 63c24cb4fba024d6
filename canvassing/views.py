"""Pages of the register and canvassing, under /canvass/. Thin: each view checks the user's grant on the
campaign (organiser.scope, then the grant's level), calls selectors and services, and writes every view or
export of elector data to the access log.

Who sees what: agents and organisers (grant levels ``agent``/``organiser``) see the register, every walk
list, knock-up and chase lists, the access log and the flagged entries, and import and export; canvassers see
the lists assigned to them (``my lists``), record on the doorstep and enter tellers' numbers. Anyone without a
grant gets 404 for every page of the campaign, whatever their role.
"""

from __future__ import annotations

import csv
from functools import wraps
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from canvassing import selectors, services
from canvassing.forms import AssignForm, ColumnMappingForm, CutForm, RegisterUploadForm, TellerForm
from canvassing.import_jobs import (
    job_progress,
    register_import_job_create,
    register_import_job_discard,
    register_import_job_map,
)
from canvassing.models import (
    AccessLog,
    CandidateCampaign,
    CanvassResponse,
    Elector,
    KnockUpSheet,
    Outcome,
    PollingDayVote,
    PollingDistrict,
    RegisterGrant,
    RegisterImportJob,
    RegisterLayout,
    SurveyQuestion,
    WalkList,
)
from canvassing.register_import import UnknownLayout, guess_columns, layout_save, read_headers, recognise
from organiser import clock, errors, scope
from organiser.inputs import object_ids

SERVICE_WORKER = Path(__file__).resolve().parent.parent / "static" / "canvassing" / "service-worker.js"


def campaign_view(model=CandidateCampaign, action="view"):
    """Logged in, granted on the campaign ``pk`` (else 404), with a grant whose level may ``action`` the whole
    campaign's ``model`` (organiser.scope.REGISTER_RIGHTS; else 403). Never stored by a browser or a proxy."""

    def decorator(view):
        @wraps(view)
        @never_cache
        @login_required
        def wrapper(request: HttpRequest, pk: int, *args, **kwargs):
            try:
                campaign = selectors.campaign_get(request.user, pk)
            except CandidateCampaign.DoesNotExist:
                raise Http404("No such campaign.") from None
            if not scope.register_allows(request.user, campaign, model, action):
                raise PermissionDenied("Your grant on this register does not allow this page.")
            return view(request, campaign, *args, **kwargs)

        return wrapper

    return decorator


def _organising(user, campaign) -> bool:
    """Does the page show the organisers' parts (the register, every list, knock-up)?"""
    return scope.register_allows(user, campaign, Elector, "view")


def _log(request: HttpRequest, campaign, action: str, electors: int, **detail) -> None:
    services.access_log(
        campaign=campaign,
        user=request.user,
        action=action,
        electors=electors,
        route=request.get_full_path(),
        via=services.request_via(request),
        **detail,
    )


def _walk_list(request: HttpRequest, pk: int) -> tuple[WalkList, bool]:
    """A walk list the user may open (organiser.scope: any list of the campaign for its organisers, their own
    for canvassers; 404 otherwise), and whether they organise its campaign."""
    walk_list = get_object_or_404(
        scope.restrict(WalkList.objects.select_related("campaign", "polling_district"), request.user), pk=pk
    )
    return walk_list, scope.register_allows(request.user, walk_list.campaign, WalkList, "change")


# --- campaigns and progress -------------------------------------------------------------------------------


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    return render(request, "canvassing/campaign_list.html", {"campaigns": selectors.campaigns_for(request.user)})


@campaign_view()
def campaign_home(request: HttpRequest, campaign: CandidateCampaign) -> HttpResponse:
    """Progress per polling district (aggregates only: no elector is named, so nothing to log)."""
    return render(
        request,
        "canvassing/campaign_home.html",
        {
            "campaign": campaign,
            "progress": selectors.progress(campaign),
            "organising": _organising(request.user, campaign),
        },
    )


# --- the register ---------------------------------------------------------------------------------------------


@campaign_view(Elector, "view")
def register(request: HttpRequest, campaign: CandidateCampaign) -> HttpResponse:
    district = request.GET.get("pd", "")[:6]
    page = Paginator(selectors.register_page(request.user, campaign, district=district), 100).get_page(
        request.GET.get("page")
    )
    _log(request, campaign, AccessLog.Action.VIEW, len(page.object_list))
    districts = PollingDistrict.objects.filter(campaign=campaign).values_list("code", flat=True)
    return render(
        request,
        "canvassing/register.html",
        {"campaign": campaign, "page": page, "district": district, "districts": districts},
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_cell(value) -> str:
    """A cell a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@campaign_view(Elector, "view")
def register_export(request: HttpRequest, campaign: CandidateCampaign) -> StreamingHttpResponse:
    """The register with what the campaign recorded, as CSV for the granted user only (logged)."""
    electors = selectors.register_page(request.user, campaign)
    _log(request, campaign, AccessLog.Action.EXPORT, electors.count(), format="csv")
    writer = csv.writer(_Echo())
    header = ["Elector number", "Surname", "Forenames", "Markers", "Address", "Postcode", "Postal", "Proxy"]
    header += ["Outcome", "Intention"]

    def rows():
        yield writer.writerow(header)
        for e in electors.iterator(chunk_size=2000):
            yield writer.writerow(
                [
                    _csv_cell(v)
                    for v in (
                        e.elector_number,
                        e.surname,
                        e.forenames,
                        e.markers,
                        ", ".join(x for x in (e.address_1, e.address_2, e.address_3, e.address_4) if x),
                        e.postcode,
                        "yes" if e.postal_voter else "",
                        "yes" if e.proxy_voter else "",
                        e.current_outcome,
                        e.current_intention.code if e.current_intention else "",
                    )
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="register-{campaign.pk}.csv"'
    response["Cache-Control"] = "no-store"
    return response


@campaign_view(RegisterImportJob, "add")
def register_upload(request: HttpRequest, campaign: CandidateCampaign) -> HttpResponse:
    """Upload a register, an update or an absent-voter list (CSV, .xlsx or .ods); a file of any other kind is
    refused on the form with what it is. A layout not recognised keeps the file and asks for a column mapping.

    The import itself runs in a Celery task (a full register outlasts a web request): the file is stored and
    the organiser follows the job on its page.
    """
    form = RegisterUploadForm(request.POST or None, request.FILES or None)
    context = {"campaign": campaign, "form": form, "jobs": RegisterImportJob.objects.filter(campaign=campaign)[:10]}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            recognise(read_headers(upload.file), RegisterLayout.objects.filter(campaign=campaign))
        except UnknownLayout:
            job = register_import_job_create(campaign=campaign, user=request.user, upload=upload, mapped=False)
            return redirect("canvassing:import_mapping", pk=campaign.pk, job=job.pk)
        job = register_import_job_create(campaign=campaign, user=request.user, upload=upload)
        return redirect("canvassing:import_job", pk=campaign.pk, job=job.pk)
    return render(request, "canvassing/register_upload.html", context)


@campaign_view(RegisterImportJob, "add")
def register_import_mapping(request: HttpRequest, campaign: CandidateCampaign, job: int) -> HttpResponse:
    """Which column holds what, for a file whose layout was not recognised: the form comes filled with the
    columns it could guess, the file is kept (nobody chooses it again), and the mapping is saved for the next
    file like it. "Discard" drops the file."""
    job = get_object_or_404(
        scope.restrict(RegisterImportJob.objects, request.user),
        pk=job,
        campaign=campaign,
        status=RegisterImportJob.Status.MAPPING,
    )
    try:
        with job.file.open("rb") as stored:
            headers = read_headers(stored)
    except FileNotFoundError:
        register_import_job_discard(job=job, user=request.user)
        messages.error(request, f"The stored copy of {job.filename} is gone: nothing was imported. Upload it again.")
        return redirect("canvassing:import", pk=campaign.pk)
    if request.method == "POST" and request.POST.get("action") == "discard":
        register_import_job_discard(job=job, user=request.user)
        messages.success(request, f"{job.filename} is discarded: nothing was imported.")
        return redirect("canvassing:import", pk=campaign.pk)
    guessed = guess_columns(headers)
    initial = {f"map_{name}": header for name, header in guessed.items()}
    mapping_form = ColumnMappingForm(request.POST or None, headers=headers, initial=initial)
    del mapping_form.fields["headers"]  # the stored file says them
    missing: list[str] = []
    try:
        recognise(headers, [])
    except UnknownLayout as unknown:
        missing = unknown.missing
    if request.method == "POST" and mapping_form.is_valid():
        try:
            layout_save(
                campaign=campaign,
                user=request.user,
                name=mapping_form.cleaned_data["name"],
                headers=headers,
                mapping=mapping_form.mapping(),
            )
        except UnknownLayout as still:
            mapping_form.add_error(None, f"Still no column for {', '.join(still.missing)}: choose one.")
        except ValueError as error:
            mapping_form.add_error(None, str(error))
        else:
            register_import_job_map(job=job, user=request.user)
            return redirect("canvassing:import_job", pk=campaign.pk, job=job.pk)
    return render(
        request,
        "canvassing/register_mapping.html",
        {"campaign": campaign, "job": job, "mapping_form": mapping_form, "missing": missing, "guessed": guessed},
    )


@campaign_view(RegisterImportJob, "view")
def register_import_job(request: HttpRequest, campaign: CandidateCampaign, job: int) -> HttpResponse:
    """A register import's status, progress and, when it is rejected, every bad row (logged: it is register
    data). htmx asks for the status part again every few seconds until the job has finished."""
    job = get_object_or_404(scope.restrict(RegisterImportJob.objects, request.user), pk=job, campaign=campaign)
    _log(request, campaign, AccessLog.Action.VIEW, 0, import_job=job.pk)
    context = {"campaign": campaign, "job": job, "progress": job_progress(job)}
    if request.headers.get("HX-Request"):
        return render(request, "canvassing/_import_job_status.html", context)
    return render(request, "canvassing/import_job.html", context)


@campaign_view(AccessLog, "view")
def access_log(request: HttpRequest, campaign: CandidateCampaign) -> HttpResponse:
    page = Paginator(
        AccessLog.objects.filter(campaign=campaign).select_related("user").order_by("-at", "-pk"), 100
    ).get_page(request.GET.get("page"))
    return render(request, "canvassing/access_log.html", {"campaign": campaign, "page": page})


@campaign_view(CanvassResponse, "view")
def flagged(request: HttpRequest, campaign: CandidateCampaign) -> HttpResponse:
    """Entries recorded at an implausible pace, for the organiser to check with the canvasser."""
    responses = list(selectors.flagged_responses(campaign)[:500])
    _log(request, campaign, AccessLog.Action.VIEW, len({r.elector_id for r in responses}))
    return render(request, "canvassing/flagged.html", {"campaign": campaign, "responses": responses})


# --- walk lists ------------------------------------------------------------------------------------------------


def _districts(campaign) -> list[tuple[int, str]]:
    return list(PollingDistrict.objects.filter(campaign=campaign).values_list("pk", "code"))


@campaign_view(WalkList, "view")
def walk_lists(request: HttpRequest, campaign: CandidateCampaign) -> HttpResponse:
    form = CutForm(request.POST or None, districts=_districts(campaign))
    if request.method == "POST" and form.is_valid():
        district = form.cleaned_data["polling_district"]
        try:
            result = services.walk_lists_cut(
                campaign=campaign,
                doors=form.cleaned_data["doors"],
                polling_district=PollingDistrict.objects.get(pk=district, campaign=campaign) if district else None,
                filters=form.cleaned_data["filters"],
                user=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, f"Cut {result.lists} walk lists: {result.doors} doors, {result.electors} electors."
            )
            return redirect("canvassing:walk_lists", pk=campaign.pk)
    lists = list(selectors.walk_lists_for(request.user, campaign))
    assign_form = _assign_form(campaign)
    for walk_list in lists:
        walk_list.assign_form = assign_form.for_list(walk_list.pk)
    return render(request, "canvassing/walk_lists.html", {"campaign": campaign, "form": form, "lists": lists})


def _assign_form(campaign, data=None) -> AssignForm:
    from volunteers.models import Shift, Team, User

    granted = RegisterGrant.objects.filter(campaign=campaign).values("user_id")
    return AssignForm(
        data,
        volunteers=User.objects.filter(pk__in=granted, is_active=True).order_by("full_name", "email"),
        teams=Team.objects.filter(constituency_id=campaign.constituency_id),
        shifts=Shift.objects.filter(constituency_id=campaign.constituency_id).order_by("-starts_at"),
    )


@require_POST
@campaign_view(WalkList, "change")
def walk_lists_merge(request: HttpRequest, campaign: CandidateCampaign) -> HttpResponse:
    ids = object_ids(request.POST.getlist("lists"))
    chosen = list(WalkList.objects.filter(campaign=campaign, pk__in=ids))
    try:
        merged = services.walk_lists_merge(walk_lists=chosen, user=request.user)
    except ValidationError as error:
        errors.say(request, error)
    else:
        messages.success(request, f"Merged into {merged.name}.")
    return redirect("canvassing:walk_lists", pk=campaign.pk)


@require_POST
@login_required
def walk_list_split(request: HttpRequest, pk: int) -> HttpResponse:
    walk_list, _ = _walk_list(request, pk)
    try:
        second = services.walk_list_split(walk_list=walk_list, user=request.user)
    except ValidationError as error:
        errors.say(request, error)
    else:
        messages.success(request, f"Split: {walk_list.doors} and {second.doors} doors.")
    return redirect("canvassing:walk_lists", pk=walk_list.campaign_id)


@require_POST
@login_required
def walk_list_assign(request: HttpRequest, pk: int) -> HttpResponse:
    walk_list, _ = _walk_list(request, pk)
    form = _assign_form(walk_list.campaign, request.POST)
    if form.is_valid():
        try:
            services.walk_list_assign(walk_list=walk_list, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            errors.say(request, error)
        else:
            messages.success(request, f"{walk_list.name} assigned.")
    else:
        messages.error(request, "Pick a volunteer, a team or a shift of this seat.")
    return redirect("canvassing:walk_lists", pk=walk_list.campaign_id)


@never_cache
@login_required
def walk_list_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The list on paper: doors in walking order, electors, boxes to tick (print stylesheet)."""
    walk_list, organising = _walk_list(request, pk)
    entries = list(selectors.walk_list_entries(walk_list))
    _log(request, walk_list.campaign, AccessLog.Action.VIEW, len(entries), walk_list=walk_list.pk)
    doors: list[dict] = []
    for entry in entries:
        elector = entry.elector
        if not doors or doors[-1]["key"] != elector.property_key:
            doors.append({"key": elector.property_key, "address": elector.address, "electors": []})
        doors[-1]["electors"].append(elector)
    codes = walk_list.campaign.intention_codes.all()
    return render(
        request,
        "canvassing/walk_list_print.html",
        {"walk_list": walk_list, "doors": doors, "codes": codes, "organising": organising},
    )


@never_cache
@login_required
def my_lists(request: HttpRequest) -> HttpResponse:
    """The lists given to the volunteer: their own first, then their team's and shifts' still to take (a list
    given to a team is the team's pool: a member takes one, and the others see who has it)."""
    lists = list(selectors.my_walk_lists(request.user).select_related("volunteer"))
    mine = [wl for wl in lists if wl.volunteer_id == request.user.pk]
    shared = [wl for wl in lists if wl.volunteer_id != request.user.pk]
    return render(request, "canvassing/my_lists.html", {"mine": mine, "shared": shared, "lists": lists})


@require_POST
@login_required
def walk_list_take(request: HttpRequest, pk: int) -> HttpResponse:
    walk_list, _ = _walk_list(request, pk)
    try:
        services.walk_list_take(walk_list=walk_list, volunteer=request.user)
    except ValidationError as error:
        errors.say(request, error)
    else:
        messages.success(request, f"{walk_list.name} is yours: it is under My lists.")
    return redirect("canvassing:my_lists")


# --- the doorstep -----------------------------------------------------------------------------------------------


@login_required
def doorstep(request: HttpRequest, pk: int) -> HttpResponse:
    """The phone page: a shell with no elector data; the list comes from walk_list_data and is kept on the
    phone (IndexedDB), entries are queued there and sent when there is signal."""
    walk_list, _ = _walk_list(request, pk)
    return render(request, "canvassing/doorstep.html", {"walk_list": walk_list})


@never_cache
@login_required
def walk_list_data(request: HttpRequest, pk: int) -> JsonResponse:
    """The list for the phone, door by door, with the campaign's codes and questions (logged)."""
    walk_list, _ = _walk_list(request, pk)
    entries = list(selectors.walk_list_entries(walk_list))
    _log(request, walk_list.campaign, AccessLog.Action.VIEW, len(entries), walk_list=walk_list.pk)
    # A knock-up list (polling day) shows as done only what its round's doors said: earlier canvassing is past.
    since = walk_list.knock_up_round.cut_off if walk_list.knock_up_round_id else None
    doors: list[dict] = []
    for entry in entries:
        e = entry.elector
        if not doors or doors[-1]["key"] != e.property_key:
            doors.append({"key": e.property_key, "address": e.address, "electors": []})
        doors[-1]["electors"].append(
            {
                "id": e.pk,
                "number": e.elector_number,
                "name": e.name,
                "postal": e.postal_voter,
                "proxy": e.proxy_voter,
                "outcome": e.current_outcome
                if since is None or (e.current_outcome_at and e.current_outcome_at >= since)
                else "",
                "intention": e.current_intention.code if e.current_intention else "",
            }
        )
    campaign = walk_list.campaign
    return JsonResponse(
        {
            "id": walk_list.pk,
            "name": walk_list.name,
            "campaign": campaign.name,
            "doors": doors,
            "intentions": list(campaign.intention_codes.values("code", "label", "category")),
            "outcomes": dict(Outcome.choices),
            # A polling day knock-up list (canvassing.pollingday): the door says reminded, already voted,
            # needs a lift or won't vote.
            "knock_up": walk_list.knock_up_round_id is not None,
            "questions": list(
                SurveyQuestion.objects.filter(campaign=campaign, active=True).values("key", "text", "kind", "choices")
            ),
        }
    )


def offline(request: HttpRequest) -> HttpResponse:
    """What the service worker shows for a page the phone cannot reach: the walk lists kept on it (read from
    IndexedDB on the phone; the page itself holds no elector data)."""
    return render(request, "canvassing/offline.html")


def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, served from /canvass/ so that it controls the doorstep pages."""
    response = HttpResponse(SERVICE_WORKER.read_bytes(), content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"  # it answers the offline page for any page out of reach
    response["Cache-Control"] = "no-cache"
    return response


# --- polling day ----------------------------------------------------------------------------------------------


@campaign_view(PollingDayVote, "add")
def polling_day(request: HttpRequest, campaign: CandidateCampaign) -> HttpResponse:
    """Tellers enter poll numbers on a phone; organisers get the knock-up lists per district."""
    districts = _districts(campaign)
    form = TellerForm(request.POST or None, districts=districts, initial={"polling_district": request.GET.get("pd")})
    result = None
    if request.method == "POST" and form.is_valid():
        district = get_object_or_404(PollingDistrict, pk=form.cleaned_data["polling_district"], campaign=campaign)
        result = services.poll_numbers_record(
            user=request.user, campaign=campaign, polling_district=district, numbers=form.numbers_list()
        )
        form = TellerForm(districts=districts, initial={"polling_district": district.pk})
    return render(
        request,
        "canvassing/polling_day.html",
        {
            "campaign": campaign,
            "form": form,
            "result": result,
            "districts": districts,
            "organising": scope.register_allows(request.user, campaign, KnockUpSheet, "view"),
        },
    )


@campaign_view(KnockUpSheet, "view")
def knock_up(request: HttpRequest, campaign: CandidateCampaign, code: str) -> HttpResponse:
    """Promises and leans in the district not yet voted: regenerated on each request (and printable)."""
    district = get_object_or_404(PollingDistrict, campaign=campaign, code=code)
    if request.method == "POST":
        services.knock_up_sheets_generate(campaign=campaign, user=request.user, polling_district=district)
        return redirect("canvassing:knock_up", pk=campaign.pk, code=code)
    electors = list(selectors.knock_up(campaign, district))
    _log(request, campaign, AccessLog.Action.VIEW, len(electors), polling_district=code)
    return render(
        request,
        "canvassing/knock_up.html",
        {"campaign": campaign, "district": district, "electors": electors, "as_of": clock.now()},
    )


@campaign_view(Elector, "view")
def postal_chase(request: HttpRequest, campaign: CandidateCampaign) -> HttpResponse:
    electors = list(selectors.postal_chase(campaign)[:2000])
    _log(request, campaign, AccessLog.Action.VIEW, len(electors), list="postal_chase")
    return render(request, "canvassing/postal_chase.html", {"campaign": campaign, "electors": electors})
