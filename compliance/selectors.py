"""Reads of the compliance core: the gauges of every limit (spent, committed, the item being decided, the
limit and what authorisations add), the check an approval must pass, donation flags, and what a return holds.

Everything is set-based: one aggregate query per kind of gauge, whatever the number of items or seats.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

from django.db.models import Q, QuerySet, Sum

from campaigns.models import Constituency
from compliance.figures import Figures, MissingFigure, figures_for
from compliance.models import (
    ZERO,
    Authorisation,
    Donation,
    DonationStatus,
    FigureKey,
    PartOfUK,
    PromoterDetails,
    SpendingArea,
    SpendingAttribution,
    SpendingItem,
    SpendingKind,
    SpendingStatus,
)

PENNY = Decimal("0.0001")


@dataclass
class Gauge:
    """One limit: what is spent (paid), committed (approved, paid or not), and the item being decided."""

    key: str
    label: str
    limit: Decimal | None
    source: str
    hard: bool = True
    committed: Decimal = ZERO
    spent: Decimal = ZERO
    pending: Decimal = ZERO
    authorised: Decimal = ZERO
    warn_percent: Decimal = Decimal("80")
    note: str = ""

    @property
    def allowed(self) -> Decimal | None:
        return None if self.limit is None else self.limit + self.authorised

    @property
    def total(self) -> Decimal:
        return self.committed + self.pending

    @property
    def percent(self) -> int:
        if not self.allowed:
            return 0
        return int((self.total * 100 / self.allowed).to_integral_value(rounding=ROUND_DOWN))

    @property
    def bar_percent(self) -> int:
        return min(self.percent, 100)

    @property
    def level(self) -> str:
        if self.allowed is None:
            return "ok"
        if self.total > self.allowed:
            return "over" if self.hard else "warn"
        if self.percent >= self.warn_percent:
            return "warn"
        return "ok"

    @property
    def breached(self) -> bool:
        return self.hard and self.allowed is not None and self.total > self.allowed


@dataclass
class Check:
    """What approving an item would do to every limit it touches."""

    gauges: list[Gauge] = field(default_factory=list)

    @property
    def breaches(self) -> list[Gauge]:
        return [gauge for gauge in self.gauges if gauge.breached]

    @property
    def warnings(self) -> list[Gauge]:
        return [gauge for gauge in self.gauges if gauge.level == "warn"]


def promoter_for(election) -> PromoterDetails | None:
    return PromoterDetails.objects.filter(election=election).first()


def regulated_period(election, figures: Figures) -> tuple[date, date]:
    days = int(figures.value(FigureKey.REGULATED_PERIOD_DAYS))
    return election.date - timedelta(days=days - 1), election.date


def attribution_shares(*, item: SpendingItem) -> dict[int, Decimal]:
    """The equal share of a general item per constituency it affects (PPERA Sch 10 para 2; EC attribution
    rules): every seat for the UK, every seat of the chosen parts, or the chosen seats."""
    if item.kind != SpendingKind.GENERAL:
        return {}
    if item.area == SpendingArea.UK:
        seats = Constituency.objects.all()
    elif item.area == SpendingArea.PARTS:
        seats = Constituency.objects.filter(nation__in=item.parts)
    else:
        seats = item.seats.all() if item.pk else Constituency.objects.none()
    ids = list(seats.values_list("pk", flat=True))
    if not ids:
        return {}
    share = (item.amount / len(ids)).quantize(PENNY)
    return dict.fromkeys(ids, share)


def _committed(election) -> QuerySet[SpendingItem]:
    return SpendingItem.objects.filter(election=election, status=SpendingStatus.APPROVED)


def _sum(queryset, field_name: str = "amount") -> Decimal:
    return queryset.aggregate(total=Sum(field_name))["total"] or ZERO


def _warn(figures: Figures) -> Decimal:
    try:
        return figures.value(FigureKey.WARNING_PERCENT)
    except MissingFigure:
        return Decimal("80")


def national_gauge(*, election, figures: Figures, pending: Decimal = ZERO) -> Gauge:
    """UK-wide general spending against the notification threshold (a hard limit until registered)."""
    promoter = promoter_for(election)
    registered = bool(promoter and promoter.registered)
    general = _committed(election).filter(kind=SpendingKind.GENERAL)
    figure = figures.get(FigureKey.NOTIFICATION_THRESHOLD)
    return Gauge(
        key="national",
        label="UK-wide general campaign spending",
        limit=None if registered else figure.value,
        source=figure.source,
        hard=not registered,
        committed=_sum(general),
        spent=_sum(general.filter(paid_on__isnull=False)),
        pending=pending,
        warn_percent=_warn(figures),
        note="Notification in force: the limits per part of the UK apply."
        if registered
        else "Over this needs a notification in force with the Electoral Commission first.",
    )


def part_gauges(*, election, figures: Figures, pending: dict[str, Decimal] | None = None) -> list[Gauge]:
    """General spending attributed to each part of the UK: against the registered limit (hard) once the
    campaign is registered, else against the reporting threshold (for information)."""
    pending = pending or {}
    promoter = promoter_for(election)
    registered = bool(promoter and promoter.registered)
    rows = SpendingAttribution.objects.filter(item__election=election, item__status=SpendingStatus.APPROVED)
    committed = dict(
        rows.values("constituency__nation").annotate(total=Sum("amount")).values_list("constituency__nation", "total")
    )
    spent = dict(
        rows.filter(item__paid_on__isnull=False)
        .values("constituency__nation")
        .annotate(total=Sum("amount"))
        .values_list("constituency__nation", "total")
    )
    gauges = []
    for part in PartOfUK.values:
        figure = figures.get(FigureKey.PART_LIMIT if registered else FigureKey.REPORTING_THRESHOLD, part)
        gauges.append(
            Gauge(
                key=f"part:{part}",
                label=f"{part}: {'registered limit' if registered else 'reporting threshold'}",
                limit=figure.value,
                source=figure.source,
                hard=registered,
                committed=committed.get(part) or ZERO,
                spent=spent.get(part) or ZERO,
                pending=pending.get(part, ZERO),
                warn_percent=_warn(figures),
            )
        )
    return gauges


def seat_gauges(*, election, figures: Figures, seat_ids=None, pending: dict[int, Decimal] | None = None) -> list[Gauge]:
    """General spending attributed to each constituency against the constituency limit (hard for everyone),
    for the seats given (default: every seat with spending)."""
    pending = pending or {}
    figure = figures.get(FigureKey.CONSTITUENCY_LIMIT)
    rows = SpendingAttribution.objects.filter(item__election=election, item__status=SpendingStatus.APPROVED)
    if seat_ids is not None:
        rows = rows.filter(constituency_id__in=seat_ids)
    totals = {
        row["constituency_id"]: row
        for row in rows.values("constituency_id").annotate(
            total=Sum("amount"), spent=Sum("amount", filter=Q(item__paid_on__isnull=False))
        )
    }
    ids = set(totals) | set(pending) | (set(seat_ids) if seat_ids is not None else set())
    names = dict(Constituency.objects.filter(pk__in=ids).values_list("pk", "name"))
    gauges = [
        Gauge(
            key=f"seat:{seat_id}",
            label=f"{names.get(seat_id, seat_id)}: constituency limit",
            limit=figure.value,
            source=figure.source,
            committed=(totals.get(seat_id) or {}).get("total") or ZERO,
            spent=(totals.get(seat_id) or {}).get("spent") or ZERO,
            pending=pending.get(seat_id, ZERO),
            warn_percent=_warn(figures),
        )
        for seat_id in ids
    ]
    return sorted(gauges, key=lambda gauge: (-gauge.total, gauge.label))


def candidate_gauges(*, election, figures: Figures, candidacy_ids=None, pending: dict[int, Decimal] | None = None):
    """Local spending per candidate against the permitted sum, plus what the agent authorised in writing."""
    from campaigns.models import Candidacy

    pending = pending or {}
    figure = figures.get(FigureKey.PERMITTED_SUM)
    local = _committed(election).filter(kind=SpendingKind.LOCAL)
    authorisations = Authorisation.objects.filter(election=election, kind=Authorisation.Kind.AGENT)
    if candidacy_ids is not None:
        local = local.filter(candidacy_id__in=candidacy_ids)
        authorisations = authorisations.filter(candidacy_id__in=candidacy_ids)
    totals = {
        row["candidacy_id"]: row
        for row in local.values("candidacy_id").annotate(
            total=Sum("amount"), spent=Sum("amount", filter=Q(paid_on__isnull=False))
        )
    }
    authorised = dict(
        authorisations.values("candidacy_id").annotate(total=Sum("amount")).values_list("candidacy_id", "total")
    )
    ids = set(totals) | set(authorised) | set(pending)
    candidacies = {c.pk: c for c in Candidacy.objects.filter(pk__in=ids).select_related("person", "constituency")}
    gauges = []
    for candidacy_id in ids:
        candidacy = candidacies[candidacy_id]
        gauges.append(
            Gauge(
                key=f"candidate:{candidacy_id}",
                label=f"{candidacy.person.name} ({candidacy.constituency.name}): permitted sum",
                limit=figure.value,
                source=figure.source,
                committed=(totals.get(candidacy_id) or {}).get("total") or ZERO,
                spent=(totals.get(candidacy_id) or {}).get("spent") or ZERO,
                pending=pending.get(candidacy_id, ZERO),
                authorised=authorised.get(candidacy_id) or ZERO,
                warn_percent=_warn(figures),
                note="Over the permitted sum, spending needs the agent's written authorisation and counts "
                "against the candidate's own limit.",
            )
        )
    return sorted(gauges, key=lambda gauge: gauge.label)


def targeted_gauges(*, election, figures: Figures, pending: dict[tuple[int, str], Decimal] | None = None):
    """General spending targeted at one registered party, per part of the UK, against the targeted limit plus
    what the party authorised."""
    from campaigns.models import Party

    pending = pending or {}
    rows = SpendingAttribution.objects.filter(
        item__election=election, item__status=SpendingStatus.APPROVED, item__targeted_party__isnull=False
    )
    totals = {
        (row["item__targeted_party_id"], row["constituency__nation"]): row["total"]
        for row in rows.values("item__targeted_party_id", "constituency__nation").annotate(total=Sum("amount"))
    }
    authorised = {
        (row["party_id"], row["part"]): row["total"]
        for row in Authorisation.objects.filter(election=election, kind=Authorisation.Kind.PARTY)
        .values("party_id", "part")
        .annotate(total=Sum("amount"))
    }
    keys = set(totals) | set(pending)
    names = dict(Party.objects.filter(pk__in={party for party, _ in keys}).values_list("pk", "name"))
    gauges = []
    for party_id, part in sorted(keys):
        figure = figures.get(FigureKey.TARGETED_LIMIT, part)
        gauges.append(
            Gauge(
                key=f"targeted:{party_id}:{part}",
                label=f"Targeted at {names.get(party_id)} in {part}",
                limit=figure.value,
                source=figure.source,
                committed=totals.get((party_id, part)) or ZERO,
                pending=pending.get((party_id, part), ZERO),
                authorised=authorised.get((party_id, part)) or ZERO,
                warn_percent=_warn(figures),
            )
        )
    return gauges


def spending_check(*, item: SpendingItem) -> Check:
    """Every limit ``item`` touches, with the item counted as pending (nothing is written)."""
    election = item.election
    figures = figures_for(election)
    check = Check()
    if item.kind == SpendingKind.LOCAL:
        check.gauges += candidate_gauges(
            election=election,
            figures=figures,
            candidacy_ids=[item.candidacy_id],
            pending={item.candidacy_id: item.amount},
        )
        return check
    shares = attribution_shares(item=item)
    nations = dict(Constituency.objects.filter(pk__in=shares).values_list("pk", "nation"))
    per_part: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for seat_id, share in shares.items():
        per_part[nations[seat_id]] += share
    check.gauges.append(national_gauge(election=election, figures=figures, pending=item.amount))
    check.gauges += [
        gauge
        for gauge in part_gauges(election=election, figures=figures, pending=dict(per_part))
        if gauge.pending or gauge.breached
    ]
    check.gauges += seat_gauges(election=election, figures=figures, seat_ids=list(shares), pending=shares)
    if item.targeted_party_id:
        check.gauges += targeted_gauges(
            election=election,
            figures=figures,
            pending={(item.targeted_party_id, part): amount for part, amount in per_part.items()},
        )
    return check


def dashboard(*, election, seat_ids=None) -> dict:
    """Every gauge of the election, for the organisers' compliance page (seat organisers: their seats)."""
    figures = figures_for(election)
    national = seat_ids is None
    candidacy_ids = None
    if not national:
        from campaigns.models import Candidacy

        candidacy_ids = list(
            Candidacy.objects.filter(election=election, constituency_id__in=seat_ids).values_list("pk", flat=True)
        )
    return {
        "figures": figures,
        "national": national_gauge(election=election, figures=figures) if national else None,
        "parts": part_gauges(election=election, figures=figures) if national else [],
        "seats": seat_gauges(election=election, figures=figures, seat_ids=seat_ids),
        "candidates": candidate_gauges(election=election, figures=figures, candidacy_ids=candidacy_ids),
        "targeted": targeted_gauges(election=election, figures=figures) if national else [],
    }


# --- donations ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DonationFlags:
    is_donation: bool
    needs_check: bool
    impermissible: bool
    decide_by: date | None
    overdue: bool
    reportable: bool
    weekly_prepoll: bool
    messages: tuple[str, ...]


def donation_flags(*, donation: Donation, figures: Figures, today: date, aggregate: Decimal | None = None):
    """What the rules require of one donation (PPERA Sch 11; EC donation guidance)."""
    threshold = figures.value(FigureKey.DONATION_THRESHOLD)
    reportable_over = figures.value(FigureKey.DONATION_REPORTABLE)
    days = int(figures.value(FigureKey.DONATION_DECISION_DAYS))
    is_donation = donation.amount > threshold
    messages = []
    pending = donation.status == DonationStatus.RECEIVED
    impermissible = is_donation and not donation.permissible_kind
    needs_check = is_donation and not donation.check_done and pending
    decide_by = donation.received_on + timedelta(days=days) if is_donation else None
    overdue = bool(decide_by and pending and today > decide_by)
    total = aggregate if aggregate is not None else donation.amount
    reportable = is_donation and donation.status != DonationStatus.RETURNED and total > reportable_over
    promoter = promoter_for(donation.election)
    weekly = bool(
        reportable
        and donation.amount > reportable_over
        and promoter
        and promoter.registered
        and promoter.dissolution_date
        and promoter.dissolution_date <= donation.received_on <= donation.election.date
    )
    if not is_donation:
        messages.append(f"£{threshold} or less: not a donation under PPERA; no checks needed.")
    if impermissible and pending:
        messages.append(f"Impermissible source: return it by {decide_by:%d %B %Y}.")
    if needs_check:
        messages.append(f"Over £{threshold}: check the donor's identity and permissibility by {decide_by:%d %B %Y}.")
    if overdue:
        messages.append("The 30 days to check it have passed: decide now and record why it is late.")
    if reportable:
        messages.append(f"Over £{reportable_over} (alone or with this donor's others): report it.")
    if weekly:
        messages.append("Received after dissolution: include it in the weekly pre-poll report.")
    return DonationFlags(
        is_donation, needs_check, impermissible, decide_by, overdue, reportable, weekly, tuple(messages)
    )


def donation_rows(*, election, today: date) -> list[tuple[Donation, DonationFlags]]:
    """Every donation with its flags; aggregates per donor (by name, case-insensitive) in one query."""
    figures = figures_for(election)
    donations = list(Donation.objects.filter(election=election).order_by("-received_on", "-pk"))
    totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
    threshold = figures.value(FigureKey.DONATION_THRESHOLD)
    for donation in donations:
        if donation.status != DonationStatus.RETURNED and donation.amount > threshold:
            totals[donation.donor_name.strip().casefold()] += donation.amount
    return [
        (
            donation,
            donation_flags(
                donation=donation,
                figures=figures,
                today=today,
                aggregate=totals.get(donation.donor_name.strip().casefold()),
            ),
        )
        for donation in donations
    ]
