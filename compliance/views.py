"""Pages of compliance. Organisers (under /organise/<election>/compliance/): gauges, the spending ledger,
authorisations, donations, promoter details, the publication log, returns, and the data-protection records.
Public: share pages and cards, the embeddable widget, the privacy notice. Thin: forms validate, services write,
selectors read; organiser.scope decides who sees which rows."""

from __future__ import annotations

import hashlib
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_POST

from campaigns.models import Candidacy, Constituency, Election, Endorsement
from campaigns.views import organiser_required
from compliance import records, selectors, services
from compliance import subject_access as subject_access_service
from compliance.cards import card_png
from compliance.figures import figures_for
from compliance.forms import (
    AuthorisationForm,
    DecisionForm,
    DonationDecisionForm,
    DonationForm,
    PaidForm,
    PromoterForm,
    PublicationForm,
    SpendingForm,
    SubjectAccessElectorForm,
    SubjectAccessPersonForm,
)
from compliance.imprints import imprint_text_or_empty
from compliance.models import (
    Authorisation,
    Donation,
    FigureKey,
    MaterialKind,
    PromoterDetails,
    Publication,
    SpendingAttribution,
    SpendingItem,
    SpendingKind,
    SpendingStatus,
)
from organiser import clock, scope
from organiser.inputs import attachment
from volunteers.spreadsheet import csv_response


def _election(slug: str) -> Election:
    return get_object_or_404(Election, slug=slug)


def _seat_ids(user) -> list[int] | None:
    """None for national organisers (everything); the granted seats for seat organisers."""
    return None if user.is_national_organiser else list(scope.seats_in_scope(user).values_list("pk", flat=True))


def national_required(view):
    @wraps(view)
    @organiser_required
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not request.user.is_national_organiser:
            raise PermissionDenied("National organisers only.")
        return view(request, *args, **kwargs)

    return wrapper


def _candidacies(user, election: Election):
    """Candidates in the user's seats where the campaign has an endorsement (local spending is about them and
    their opponents)."""
    seats = Endorsement.objects.filter(election=election).values("constituency_id")
    return Candidacy.objects.filter(
        election=election, constituency__in=scope.seats_in_scope(user), constituency_id__in=seats
    ).order_by("constituency__name", "person__name")


# --- dashboard ------------------------------------------------------------------------------------------------------


@organiser_required
def dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    election = _election(slug)
    data = selectors.dashboard(election=election, seat_ids=_seat_ids(request.user))
    promoter = PromoterDetails.objects.filter(election=election).first()
    items = scope.restrict(SpendingItem.objects.filter(election=election), request.user)
    period = selectors.regulated_period(election, data["figures"])
    return render(
        request,
        "compliance/dashboard.html",
        {
            "election": election,
            **data,
            "promoter": promoter,
            "imprint_missing": not (promoter and promoter.promoter_name and promoter.promoter_address),
            "proposed": items.filter(status=SpendingStatus.PROPOSED).count(),
            "period": period,
        },
    )


# --- spending -------------------------------------------------------------------------------------------------------


@organiser_required
def spending_list(request: HttpRequest, slug: str) -> HttpResponse:
    election = _election(slug)
    form = SpendingForm(
        request.POST or None,
        request.FILES or None,
        seats=scope.seats_in_scope(request.user),
        candidacies=_candidacies(request.user, election),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item = services.spending_record(
                user=request.user,
                election=election,
                kind=data["kind"],
                category=data["category"],
                description=data["description"],
                supplier_name=data["supplier_name"],
                supplier_address=data["supplier_address"],
                amount=data["amount"],
                incurred_on=data["incurred_on"],
                paid_on=data["paid_on"],
                candidacy=data["candidacy"],
                targeted_party=data["targeted_party"],
                area=data.get("area") or "seats",
                parts=data["parts"],
                seats=data["seats"] or [],
                receipt=data["receipt"],
            )
        except PermissionDenied as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Spending recorded. Check the gauges, then approve it.")
            return redirect("compliance:spending_item", slug=slug, pk=item.pk)
    items = (
        scope.restrict(SpendingItem.objects.filter(election=election), request.user)
        .select_related("candidacy__person", "constituency", "targeted_party")
        .order_by("-incurred_on", "-pk")
    )
    return render(request, "compliance/spending_list.html", {"election": election, "form": form, "items": items[:200]})


def _item(request: HttpRequest, election: Election, pk: int) -> SpendingItem:
    return get_object_or_404(
        scope.restrict(SpendingItem.objects.filter(election=election), request.user).select_related(
            "candidacy__person", "candidacy__constituency", "constituency", "targeted_party", "authorisation"
        ),
        pk=pk,
    )


@organiser_required
def spending_item(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    election = _election(slug)
    item = _item(request, election, pk)
    decision = DecisionForm(request.POST or None)
    paid = PaidForm(request.POST or None, request.FILES or None, prefix="paid")
    if request.method == "POST":
        try:
            if "paid-paid_on" in request.POST:
                if paid.is_valid():
                    services.spending_mark_paid(
                        user=request.user, item=item, paid_on=paid.cleaned_data["paid_on"],
                        receipt=paid.cleaned_data["receipt"],
                    )  # fmt: skip
                    messages.success(request, "Marked as paid.")
                    return redirect("compliance:spending_item", slug=slug, pk=pk)
            elif decision.is_valid():
                if decision.cleaned_data["action"] == "approve":
                    check = services.spending_approve(user=request.user, item=item, note=decision.cleaned_data["note"])
                    for gauge in check.warnings:
                        messages.warning(request, f"{gauge.label}: now at {gauge.percent}% of £{gauge.allowed:,.0f}.")
                    messages.success(request, "Approved.")
                else:
                    services.spending_reject(user=request.user, item=item, note=decision.cleaned_data["note"])
                    messages.success(request, "Rejected.")
                return redirect("compliance:spending_item", slug=slug, pk=pk)
        except PermissionDenied as error:
            messages.error(request, str(error))
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.error(request, "Check the form.")
    check = selectors.spending_check(item=item) if item.status == SpendingStatus.PROPOSED else None
    attributions = SpendingAttribution.objects.filter(item=item)
    return render(
        request,
        "compliance/spending_item.html",
        {
            "election": election,
            "item": item,
            "check": check,
            "decision": decision,
            "paid": paid,
            "seats_count": attributions.count(),
            "seat_names": list(
                attributions.select_related("constituency").values_list("constituency__name", flat=True)[:12]
            ),
            "can_decide": request.user.is_national_organiser,
        },
    )


@organiser_required
def private_file(request: HttpRequest, slug: str, kind: str, pk: int) -> FileResponse:
    """A receipt or an authorisation document, to organisers who may see its row."""
    election = _election(slug)
    if kind == "receipt":
        row = _item(request, election, pk)
        upload = row.receipt
    elif kind == "authorisation":
        row = get_object_or_404(scope.restrict(Authorisation.objects.filter(election=election), request.user), pk=pk)
        upload = row.document
    else:
        raise Http404
    if not upload:
        raise Http404("No file.")
    response = FileResponse(upload.open("rb"), as_attachment=True, filename=upload.name.rsplit("/", 1)[-1])
    response["Cache-Control"] = "no-store"
    return response


# --- authorisations ---------------------------------------------------------------------------------------------------


@organiser_required
def authorisations(request: HttpRequest, slug: str) -> HttpResponse:
    election = _election(slug)
    form = AuthorisationForm(
        request.POST or None, request.FILES or None, candidacies=_candidacies(request.user, election)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.authorisation_record(
                user=request.user, election=election, kind=data["kind"], amount=data["amount"], covers=data["covers"],
                given_by=data["given_by"], given_on=data["given_on"], document=data["document"],
                candidacy=data["candidacy"], party=data["party"], part=data["part"],
            )  # fmt: skip
        except PermissionDenied as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Authorisation recorded with its document.")
            return redirect("compliance:authorisations", slug=slug)
    rows = scope.restrict(Authorisation.objects.filter(election=election), request.user).select_related(
        "candidacy__person", "candidacy__constituency", "party"
    )
    return render(request, "compliance/authorisations.html", {"election": election, "form": form, "rows": rows})


# --- donations --------------------------------------------------------------------------------------------------------


@national_required
def donations(request: HttpRequest, slug: str) -> HttpResponse:
    election = _election(slug)
    form = DonationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.donation_record(user=request.user, election=election, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Donation recorded.")
            return redirect("compliance:donations", slug=slug)
    rows = selectors.donation_rows(election=election, today=clock.today())
    return render(request, "compliance/donations.html", {"election": election, "form": form, "rows": rows})


@national_required
@require_POST
def donation_decide(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    election = _election(slug)
    donation = get_object_or_404(Donation, election=election, pk=pk)
    form = DonationDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose accept or return.")
        return redirect("compliance:donations", slug=slug)
    try:
        if form.cleaned_data["action"] == "accept":
            services.donation_accept(user=request.user, donation=donation, check_note=form.cleaned_data["check_note"])
            messages.success(request, "Accepted.")
        else:
            services.donation_return(user=request.user, donation=donation, check_note=form.cleaned_data["check_note"])
            messages.success(request, "Marked as returned.")
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect("compliance:donations", slug=slug)


# --- promoter details and the publication log -------------------------------------------------------------------------


@national_required
def promoter(request: HttpRequest, slug: str) -> HttpResponse:
    election = _election(slug)
    details = PromoterDetails.objects.filter(election=election).first()
    initial = {name: getattr(details, name) for name in PromoterForm.base_fields} if details else {}
    form = PromoterForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.promoter_details_set(user=request.user, election=election, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Promoter details saved: every imprint now uses them.")
            return redirect("compliance:dashboard", slug=slug)
    return render(request, "compliance/promoter.html", {"election": election, "form": form})


@organiser_required
def materials(request: HttpRequest, slug: str) -> HttpResponse:
    election = _election(slug)
    endorsements = scope.restrict(
        Endorsement.objects.filter(election=election, status=Endorsement.Status.ENDORSED), request.user, "change"
    )
    form = PublicationForm(request.POST or None, endorsements=endorsements)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            publication = services.publication_create(
                user=request.user, election=election, kind=data["kind"], title=data["title"], body=data["body"],
                endorsement=data["endorsement"],
            )  # fmt: skip
        except PermissionDenied as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Published and logged with its imprint.")
            return redirect(reverse("compliance:materials", args=[slug]) + f"#publication-{publication.pk}")
    log = scope.restrict(Publication.objects.filter(election=election), request.user).select_related(
        "endorsement__constituency", "endorsement__candidacy__person"
    )
    return render(
        request,
        "compliance/materials.html",
        {
            "election": election,
            "form": form,
            "log": log[:200],
            "widget_url": request.build_absolute_uri(reverse("compliance:widget", args=[slug])),
        },
    )


@organiser_required
@require_POST
def material_withdraw(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    election = _election(slug)
    publication = get_object_or_404(scope.restrict(Publication.objects.filter(election=election), request.user), pk=pk)
    try:
        services.publication_withdraw(user=request.user, publication=publication)
    except PermissionDenied as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Withdrawn: no longer served. The log entry is kept.")
    return redirect("compliance:materials", slug=slug)


@organiser_required
def material_print(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A leaflet or poster to print, with its print imprint (printer, promoter, on whose behalf)."""
    election = _election(slug)
    publication = get_object_or_404(
        scope.restrict(Publication.objects.filter(election=election), request.user).select_related(
            "endorsement__candidacy__person", "endorsement__candidacy__party", "endorsement__constituency"
        ),
        pk=pk,
        kind__in=[MaterialKind.LEAFLET, MaterialKind.POSTER],
        withdrawn_at__isnull=True,
    )
    return render(request, "compliance/print.html", {"election": election, "publication": publication})


# --- public: share kit, cards, widget, privacy ------------------------------------------------------------------------


def _live_publication(pk: int, kinds) -> Publication:
    return get_object_or_404(
        Publication.objects.select_related(
            "endorsement__candidacy__person", "endorsement__candidacy__party", "endorsement__constituency", "election"
        ),
        pk=pk,
        kind__in=kinds,
        withdrawn_at__isnull=True,
        endorsement__status=Endorsement.Status.ENDORSED,
    )


def share_list(request: HttpRequest) -> HttpResponse:
    """Everything the campaign has published for sharing: cards and texts, each with its imprint."""
    rows = (
        Publication.objects.filter(
            kind__in=[MaterialKind.SHARE_CARD, MaterialKind.SHARE_TEXT],
            withdrawn_at__isnull=True,
            endorsement__status=Endorsement.Status.ENDORSED,
        )
        .select_related("endorsement__constituency", "endorsement__candidacy__person")
        .order_by("endorsement__constituency__name", "-published_at")
    )
    return render(request, "compliance/share_list.html", {"rows": rows[:200]})


def share(request: HttpRequest, pk: int) -> HttpResponse:
    publication = _live_publication(pk, [MaterialKind.SHARE_CARD, MaterialKind.SHARE_TEXT])
    text = (
        f"{publication.title}\n{publication.body}\n{publication.imprint}".strip()
        if publication.kind == MaterialKind.SHARE_TEXT
        else ""
    )
    return render(
        request,
        "compliance/share.html",
        {"publication": publication, "share_text": "\n".join(line for line in text.splitlines() if line.strip())},
    )


@cache_control(public=True, max_age=300)
def card(request: HttpRequest, pk: int) -> HttpResponse:
    publication = _live_publication(pk, [MaterialKind.SHARE_CARD])
    endorsement = publication.endorsement
    body = card_png(
        campaign=settings.CAMPAIGN_NAME,
        title=publication.title,
        candidate=f"{endorsement.candidacy.person.name} ({endorsement.candidacy.party_label})",
        seat=endorsement.constituency.name,
        body=publication.body,
        imprint=publication.imprint,
    )
    response = HttpResponse(body, content_type="image/png")
    response["ETag"] = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    response["Content-Disposition"] = f'inline; filename="card-{publication.pk}.png"'
    return response


WIDGET_CSP = {**settings.SECURE_CSP, "frame-ancestors": ["*"], "form-action": ["'self'"]}


@xframe_options_exempt
@csp_override(WIDGET_CSP)
def widget(request: HttpRequest, slug: str) -> HttpResponse:
    """ "Who we endorse here", for other sites to embed in an iframe: no script at all, a plain GET form (so
    it is CSP-safe wherever it is embedded), its imprint inside the frame."""
    from campaigns import selectors as campaign_selectors
    from campaigns.postcodes import constituency_code_for_postcode, looks_like_postcode

    election = _election(slug)
    query = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    problem, matches = None, []
    if query:
        seats = Constituency.objects.all()
        if looks_like_postcode(query):
            lookup = constituency_code_for_postcode(query)
            problem = lookup.problem
            seats = seats.filter(code=lookup.code) if lookup.code else seats.none()
        else:
            seats = seats.filter(name__icontains=query)
        if not problem:
            matches = campaign_selectors.endorsement_for_seats(election=election, seats=seats, limit=5)
            if not matches:
                problem = "No constituency matches that search."
    imprint = imprint_text_or_empty(kind=MaterialKind.WIDGET, election=election)
    return render(
        request,
        "compliance/widget.html",
        {"election": election, "query": query, "problem": problem, "matches": matches, "imprint": imprint},
    )


def privacy(request: HttpRequest) -> HttpResponse:
    from compliance.notices import NOTICES, contact_for, controller_for

    return render(
        request,
        "compliance/privacy.html",
        {"notices": NOTICES.values(), "controller": controller_for(), "contact": contact_for()},
    )


# --- returns --------------------------------------------------------------------------------------------------------


def _receipt_needed(item: SpendingItem, threshold) -> str:
    if item.amount <= threshold:
        return "not needed"
    return "attached" if item.receipt else "MISSING"


SPENDING_HEADER = [
    "Date incurred", "Date paid", "Description", "Category", "Supplier", "Supplier address", "Amount (£)",
    "Rules", "Candidate", "Targeted party", "Where", "Receipt", "Approved by", "Approved at", "Authorisation",
]  # fmt: skip


def _spending_rows(items, threshold):
    for item in items:
        where = item.get_area_display() if item.kind == SpendingKind.GENERAL else item.candidacy.constituency.name
        if item.kind == SpendingKind.GENERAL and item.area == "parts":
            where = ", ".join(item.parts)
        yield [
            item.incurred_on.isoformat(),
            item.paid_on.isoformat() if item.paid_on else "",
            item.description,
            item.get_category_display(),
            item.supplier_name,
            item.supplier_address,
            item.amount,
            item.get_kind_display(),
            item.candidacy.person.name if item.candidacy_id else "",
            item.targeted_party.name if item.targeted_party_id else "",
            where,
            _receipt_needed(item, threshold),
            str(item.decided_by or ""),
            item.decided_at.isoformat() if item.decided_at else "",
            str(item.authorisation or ""),
        ]


def _approved(election):
    return SpendingItem.objects.filter(election=election, status=SpendingStatus.APPROVED).select_related(
        "candidacy__person", "candidacy__constituency", "targeted_party", "decided_by",
        "authorisation__candidacy__person", "authorisation__party",
    )  # fmt: skip


@national_required
@never_cache
def return_campaign_csv(request: HttpRequest, slug: str) -> HttpResponse:
    election = _election(slug)
    threshold = figures_for(election).value(FigureKey.RECEIPT_THRESHOLD)
    items = _approved(election).filter(kind=SpendingKind.GENERAL).order_by("incurred_on", "pk")
    return csv_response(f"spending-return-{slug}.csv", SPENDING_HEADER, _spending_rows(items, threshold))


@organiser_required
@never_cache
def return_candidate_csv(request: HttpRequest, slug: str, candidacy: int) -> HttpResponse:
    """Local spending for one candidate: what the agent needs (authorised expenses, RPA 1983 s.75(2))."""
    election = _election(slug)
    row = get_object_or_404(_candidacies(request.user, election), pk=candidacy)
    threshold = figures_for(election).value(FigureKey.RECEIPT_THRESHOLD)
    items = _approved(election).filter(kind=SpendingKind.LOCAL, candidacy=row).order_by("incurred_on", "pk")
    return csv_response(
        f"local-spending-{slug}-{row.constituency.code}.csv", SPENDING_HEADER, _spending_rows(items, threshold)
    )


@organiser_required
@never_cache
def return_seat_csv(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    """General spending attributed to one constituency (the constituency limit)."""
    election = _election(slug)
    seat = get_object_or_404(scope.seats_in_scope(request.user), code=code)
    rows = (
        SpendingAttribution.objects.filter(
            item__election=election, item__status=SpendingStatus.APPROVED, constituency=seat
        )
        .select_related("item")
        .order_by("item__incurred_on", "item_id")
    )
    header = [
        "Date incurred",
        "Description",
        "Supplier",
        "Item amount (£)",
        f"Attributed to {seat.name} (£)",
        "Seats sharing it",
    ]
    counts = dict(
        SpendingAttribution.objects.filter(item__in=rows.values("item_id"))
        .values("item_id")
        .annotate(n=Count("pk"))
        .values_list("item_id", "n")
    )
    body = (
        [r.item.incurred_on.isoformat(), r.item.description, r.item.supplier_name, r.item.amount, r.amount,
         counts.get(r.item_id, 1)]
        for r in rows
    )  # fmt: skip
    return csv_response(f"seat-spending-{slug}-{seat.code}.csv", header, body)


@national_required
@never_cache
def return_donations_csv(request: HttpRequest, slug: str) -> HttpResponse:
    election = _election(slug)
    header = ["Received", "Donor", "Kind of donor", "Address", "Number", "Value (£)", "Non-cash", "Status",
              "Decided", "Check", "Reportable", "Weekly pre-poll"]  # fmt: skip
    body = (
        [d.received_on.isoformat(), d.donor_name, d.get_donor_kind_display(), d.donor_address, d.company_number,
         d.amount, "yes" if d.non_cash else "", d.get_status_display(),
         d.decided_on.isoformat() if d.decided_on else "", d.check_note, "yes" if flags.reportable else "",
         "yes" if flags.weekly_prepoll else ""]
        for d, flags in selectors.donation_rows(election=election, today=clock.today())
    )  # fmt: skip
    return csv_response(f"donations-{slug}.csv", header, body)


@organiser_required
def returns(request: HttpRequest, slug: str) -> HttpResponse:
    """The printable report: totals, constituencies to list, every item with its receipt, donations."""
    election = _election(slug)
    figures = figures_for(election)
    seat_ids = _seat_ids(request.user)
    data = selectors.dashboard(election=election, seat_ids=seat_ids)
    listing = figures.value(FigureKey.CONSTITUENCY_LISTING)
    items = scope.restrict(_approved(election), request.user).order_by("kind", "incurred_on", "pk")
    threshold = figures.value(FigureKey.RECEIPT_THRESHOLD)
    return render(
        request,
        "compliance/returns.html",
        {
            "election": election,
            **data,
            "listed_seats": [gauge for gauge in data["seats"] if gauge.committed > listing],
            "listing": listing,
            "items": [(item, _receipt_needed(item, threshold)) for item in items],
            "donations": selectors.donation_rows(election=election, today=clock.today()) if seat_ids is None else [],
            "national": seat_ids is None,
            "candidacies": _candidacies(request.user, election).select_related("person", "constituency"),
            "seat_codes": Constituency.objects.filter(pk__in=[int(g.key.split(":")[1]) for g in data["seats"]]),
            "generated_at": clock.now(),
        },
    )


# --- data-protection records ---------------------------------------------------------------------------------------


@organiser_required
def record_of_processing(request: HttpRequest) -> HttpResponse:
    rows = records.record_of_processing()
    if request.GET.get("format") == "csv":
        header = ["Model", "Field", "Category", "Whose data", "Purpose", "Lawful basis", "Article 9 condition",
                  "Retention", "Controller"]  # fmt: skip
        return csv_response(
            "record-of-processing.csv",
            header,
            ([r.model, r.field, r.category, r.subjects, r.purpose, r.basis, r.condition, r.retention, r.controller]
             for r in rows),
        )  # fmt: skip
    return render(request, "compliance/record_of_processing.html", {"rows": rows})


@organiser_required
def dpia(request: HttpRequest) -> HttpResponse:
    special = [row for row in records.record_of_processing() if row.category == "special"]
    return render(request, "compliance/dpia.html", {"special": special})


@organiser_required
def policy_document(request: HttpRequest) -> HttpResponse:
    special = [row for row in records.record_of_processing() if row.category == "special"]
    return render(request, "compliance/policy_document.html", {"special": special})


@never_cache
@login_required
def subject_access(request: HttpRequest) -> HttpResponse:
    """Subject access requests answered from one place (compliance.subject_access): a volunteer's or supporter's,
    by the address they gave (national organisers: the campaign is their controller), and an elector's, from a
    register the user holds as its agent or an organiser (logged in that register's access log). Each answer is
    the JSON to send the person."""
    from canvassing.models import Elector

    national = request.user.is_national_organiser
    campaigns = scope.campaigns_for_action(request.user, Elector, "view").order_by("name")
    if not national and not campaigns.exists():
        raise PermissionDenied("National organisers answer volunteers' and supporters' requests; an elector's is "
                               "answered by the agent or an organiser granted on the register.")  # fmt: skip
    person_form = SubjectAccessPersonForm(request.POST if request.POST.get("kind") == "person" else None)
    elector_form = SubjectAccessElectorForm(
        request.POST if request.POST.get("kind") == "elector" else None, campaigns=campaigns
    )
    answer, filename, not_found = None, "", ""
    if request.method == "POST" and request.POST.get("kind") == "person" and national and person_form.is_valid():
        address = person_form.cleaned_data["address"]
        answer, filename = subject_access_service.for_person(address), "subject-access.json"
        not_found = "" if answer is not None else _("We hold nothing for %(address)s.") % {"address": address}
    elif request.method == "POST" and request.POST.get("kind") == "elector" and elector_form.is_valid():
        campaign = elector_form.cleaned_data["campaign"]
        number = elector_form.cleaned_data["elector_number"]
        elector = subject_access_service.elector_find(campaign, number)
        if elector is None:
            not_found = _("No elector %(number)s on this register.") % {"number": number}
        else:
            answer = subject_access_service.for_elector(elector, user=request.user, route=request.get_full_path())
            filename = f"subject-access-{elector.elector_number.replace('/', '-')}.json"
    if answer is not None:
        response = HttpResponse(subject_access_service.as_json(answer), content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = attachment(filename)
        return response
    return render(
        request,
        "compliance/subject_access.html",
        {"national": national, "person_form": person_form, "elector_form": elector_form,
         "has_campaigns": campaigns.exists(), "not_found": not_found},
    )  # fmt: skip
