"""Writes of the compliance core: promoter details, the publication log, spending items and their approval
against every limit, written authorisations, and donations. Pages and the admin call these; nothing else
writes these models.

Approval is the one place a limit is enforced: it locks the election row (so two approvals cannot both pass a
limit the pair would break), checks every gauge the item touches, and refuses an item that takes a hard limit
over unless a written authorisation covers it.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from campaigns.models import Election
from compliance import selectors
from compliance.figures import figures_for
from compliance.imprints import ImprintMissing, imprint_for
from compliance.models import (
    Authorisation,
    CandidateImprint,
    Donation,
    DonationStatus,
    FigureKey,
    MaterialKind,
    PromoterDetails,
    Publication,
    SpendingArea,
    SpendingAttribution,
    SpendingItem,
    SpendingKind,
    SpendingStatus,
)
from organiser import clock, scope


def _now():
    return clock.now()


def _national_only(user) -> None:
    if not (user and user.is_national_organiser):
        raise PermissionDenied("Only national organisers (the campaign's responsible person) may do this.")


# --- imprints and the publication log ------------------------------------------------------------------------------


@transaction.atomic
def promoter_details_set(*, user, election: Election, **fields) -> PromoterDetails:
    _national_only(user)
    details, _ = PromoterDetails.objects.get_or_create(election=election, defaults=fields)
    for name, value in fields.items():
        setattr(details, name, value)
    details.updated_by, details.updated_at = user, _now()
    details.full_clean()
    details.save()
    return details


@transaction.atomic
def candidate_imprint_set(*, user, endorsement, **fields) -> CandidateImprint:
    if not scope.can_change(user, endorsement):
        raise PermissionDenied("Not your seat.")
    imprint, _ = CandidateImprint.objects.get_or_create(endorsement=endorsement)
    for name, value in fields.items():
        setattr(imprint, name, value)
    imprint.updated_at = _now()
    imprint.full_clean()
    imprint.save()
    return imprint


def _retain_until(election: Election, published_on):
    days = int(figures_for(election).value(FigureKey.PUBLICATION_RETENTION_DAYS))
    return max(election.date, published_on) + timedelta(days=days)


@transaction.atomic
def publication_create(*, user, election: Election, kind: str, title: str, body: str = "", endorsement=None):
    """Publish one piece of material: its imprint decided by the one rule, logged before anyone can share it.
    Material about a candidate needs a published endorsement (the campaign only publishes those)."""
    from campaigns.models import Endorsement

    if endorsement is not None:
        if not scope.can_change(user, endorsement):
            raise PermissionDenied("Not your seat.")
        if endorsement.status != Endorsement.Status.ENDORSED or endorsement.election_id != election.pk:
            raise ValidationError("Only a published endorsement at this election can have material.")
    elif not (user and user.is_national_organiser):
        raise PermissionDenied("Only national organisers publish material that is not about one seat.")
    if kind in (MaterialKind.EMAIL_SERVICE, MaterialKind.EMAIL_ORGANISERS, MaterialKind.SMS):
        raise ValidationError("Messages are logged by messaging, not published here.")
    try:
        decision = imprint_for(kind=kind, election=election, endorsement=endorsement)
    except ImprintMissing as error:
        raise ValidationError(str(error)) from error
    now = _now()
    return Publication.objects.create(
        election=election,
        endorsement=endorsement,
        kind=kind,
        title=title.strip()[:200],
        body=body.strip(),
        imprint=decision.text,
        imprint_rule=decision.reason[:300],
        published_by=user,
        published_by_name=str(user),
        published_at=now,
        retain_until=_retain_until(election, clock.today(now)),
    )


@transaction.atomic
def publication_withdraw(*, user, publication: Publication) -> Publication:
    if not scope.can_change(user, publication):
        raise PermissionDenied("Not your seat.")
    if publication.withdrawn_at is None:
        publication.withdrawn_at = _now()
        publication.save(update_fields=["withdrawn_at"])
    return publication


def publications_expired_delete(*, today=None) -> int:
    """Delete log rows past their retention date (run daily)."""
    today = today or clock.today()
    deleted, _ = Publication.objects.filter(retain_until__lt=today).delete()
    return deleted


# --- spending -----------------------------------------------------------------------------------------------------


def _check_seats_in_scope(user, seats) -> None:
    allowed = set(scope.seats_in_scope(user).values_list("pk", flat=True))
    if any(seat.pk not in allowed for seat in seats):
        raise PermissionDenied("You may record spending only in your seats.")


@transaction.atomic
def spending_record(
    *,
    user,
    election: Election,
    kind: str,
    category: str,
    description: str,
    supplier_name: str,
    amount: Decimal,
    incurred_on,
    supplier_address: str = "",
    paid_on=None,
    candidacy=None,
    targeted_party=None,
    area: str = SpendingArea.SEATS,
    parts=(),
    seats=(),
    receipt=None,
) -> SpendingItem:
    """Record a proposed item and where it has effect. National organisers record anything; seat organisers
    record items about their own seats only."""
    if not (user and user.is_organiser):
        raise PermissionDenied("Organisers only.")
    if amount is None or amount <= 0:
        raise ValidationError({"amount": "Give an amount over £0."})
    seats = list(seats)
    if kind == SpendingKind.LOCAL:
        if candidacy is None or candidacy.election_id != election.pk:
            raise ValidationError({"candidacy": "Local spending is for (or against) one candidate at this election."})
        if targeted_party is not None:
            raise ValidationError({"targeted_party": "Targeted spending is general spending."})
        area, parts, seats = SpendingArea.SEATS, [], [candidacy.constituency]
    else:
        candidacy = None
        if area == SpendingArea.PARTS and not parts:
            raise ValidationError({"parts": "Choose the parts of the UK it affects."})
        if area == SpendingArea.SEATS and not seats:
            raise ValidationError({"seats": "Choose the constituencies it affects."})
        if area != SpendingArea.PARTS:
            parts = []
        if area != SpendingArea.SEATS:
            seats = []
    if not user.is_national_organiser:
        if kind == SpendingKind.GENERAL and area != SpendingArea.SEATS:
            raise PermissionDenied("Only national organisers record spending across parts of the UK.")
        _check_seats_in_scope(user, seats)
    item = SpendingItem(
        election=election,
        kind=kind,
        category=category,
        description=description.strip(),
        supplier_name=supplier_name.strip(),
        supplier_address=supplier_address.strip(),
        amount=amount,
        incurred_on=incurred_on,
        paid_on=paid_on,
        candidacy=candidacy,
        targeted_party=targeted_party,
        area=area,
        parts=list(parts),
        constituency=seats[0] if len(seats) == 1 else None,
        created_by=user,
        created_at=_now(),
    )
    if receipt is not None:
        item.receipt = receipt
    item.full_clean(exclude=["receipt", "seats"])
    item.save()
    if seats:
        item.seats.set(seats)
    SpendingAttribution.objects.bulk_create(
        SpendingAttribution(item=item, constituency_id=seat_id, amount=share)
        for seat_id, share in selectors.attribution_shares(item=item).items()
    )
    return item


def _covering_authorisation(item: SpendingItem) -> Authorisation | None:
    """The latest authorisation for the item's candidate (local) or targeted party (general), if any."""
    if item.kind == SpendingKind.LOCAL:
        return (
            Authorisation.objects.filter(
                election=item.election, kind=Authorisation.Kind.AGENT, candidacy=item.candidacy
            )
            .order_by("-given_on", "-pk")
            .first()
        )
    if item.targeted_party_id:
        return (
            Authorisation.objects.filter(
                election=item.election, kind=Authorisation.Kind.PARTY, party=item.targeted_party
            )
            .order_by("-given_on", "-pk")
            .first()
        )
    return None


@transaction.atomic
def spending_approve(*, user, item: SpendingItem, note: str = "") -> selectors.Check:
    """Approve (commit) a proposed item, or refuse it with the limits it would break.

    Refused: any hard limit over with the item counted (constituency limit; the notification threshold before
    registration; the registered limits per part after; the permitted sum per candidate beyond what the agent
    authorised; the targeted limit beyond what the party authorised)."""
    _national_only(user)
    Election.objects.select_for_update().get(pk=item.election_id)  # one approval at a time per election
    item = SpendingItem.objects.select_for_update().get(pk=item.pk)
    if item.status != SpendingStatus.PROPOSED:
        raise ValidationError("Only a proposed item can be approved.")
    check = selectors.spending_check(item=item)
    if check.breaches:
        raise ValidationError(
            [
                f"{gauge.label}: £{gauge.total:,.2f} would be over £{gauge.allowed:,.2f} ({gauge.source})."
                + (
                    " A written authorisation covering it must be recorded first."
                    if gauge.key.startswith(("candidate", "targeted"))
                    else ""
                )
                for gauge in check.breaches
            ]
        )
    item.status = SpendingStatus.APPROVED
    item.decided_by, item.decided_at, item.decision_note = user, _now(), note
    relied_on = [gauge for gauge in check.gauges if gauge.authorised and gauge.total > (gauge.limit or 0)]
    item.authorisation = _covering_authorisation(item) if relied_on else None
    item.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "authorisation"])
    return check


@transaction.atomic
def spending_reject(*, user, item: SpendingItem, note: str) -> SpendingItem:
    _national_only(user)
    item = SpendingItem.objects.select_for_update().get(pk=item.pk)
    if item.status != SpendingStatus.PROPOSED:
        raise ValidationError("Only a proposed item can be rejected.")
    item.status, item.decided_by, item.decided_at, item.decision_note = SpendingStatus.REJECTED, user, _now(), note
    item.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    return item


@transaction.atomic
def spending_mark_paid(*, user, item: SpendingItem, paid_on, receipt=None) -> SpendingItem:
    if not scope.can_change(user, item):
        raise PermissionDenied("Not your seat.")
    item = SpendingItem.objects.select_for_update().get(pk=item.pk)
    if item.status != SpendingStatus.APPROVED:
        raise ValidationError("Only an approved item can be paid.")
    item.paid_on = paid_on
    if receipt is not None:
        item.receipt = receipt
    item.save()
    return item


@transaction.atomic
def authorisation_record(
    *,
    user,
    election: Election,
    kind: str,
    amount: Decimal,
    covers: str,
    given_by: str,
    given_on,
    document,
    candidacy=None,
    party=None,
    part: str = "",
) -> Authorisation:
    """Record a written authorisation with its document (no document, no authorisation)."""
    if not document:
        raise ValidationError({"document": "Attach the signed authorisation."})
    if kind == Authorisation.Kind.AGENT:
        if candidacy is None or candidacy.election_id != election.pk:
            raise ValidationError({"candidacy": "An agent's authorisation names the candidate at this election."})
        if not scope.can_change(user, candidacy.constituency) and not user.is_national_organiser:
            raise PermissionDenied("Not your seat.")
        party, part, constituency = None, "", candidacy.constituency
    else:
        _national_only(user)
        if party is None or not part:
            raise ValidationError({"party": "A party's authorisation names the party and the part of the UK."})
        candidacy, constituency = None, None
    authorisation = Authorisation(
        election=election,
        kind=kind,
        candidacy=candidacy,
        party=party,
        part=part,
        constituency=constituency,
        amount=amount,
        covers=covers.strip(),
        given_by=given_by.strip(),
        given_on=given_on,
        document=document,
        recorded_by=user,
        recorded_at=_now(),
    )
    authorisation.full_clean(exclude=["document"])
    authorisation.save()
    return authorisation


# --- donations ------------------------------------------------------------------------------------------------------


@transaction.atomic
def donation_record(*, user, election: Election, **fields) -> Donation:
    _national_only(user)
    donation = Donation(election=election, recorded_by=user, recorded_at=_now(), **fields)
    donation.full_clean()
    donation.save()
    return donation


@transaction.atomic
def donation_accept(*, user, donation: Donation, check_note: str = "", today=None) -> Donation:
    """Accept a donation: never from an impermissible source, and over the threshold only once the donor's
    identity and permissibility are checked and the check written down."""
    _national_only(user)
    donation = Donation.objects.select_for_update().get(pk=donation.pk)
    figures = figures_for(donation.election)
    if donation.status != DonationStatus.RECEIVED:
        raise ValidationError("Only a donation still being checked can be accepted.")
    if donation.amount > figures.value(FigureKey.DONATION_THRESHOLD):
        if not donation.permissible_kind:
            raise ValidationError("This source is not permissible (PPERA s.54(2)): return it.")
        note = (check_note or donation.check_note).strip()
        if not note:
            raise ValidationError("Write down what you checked (the register entry, Companies House) first.")
        donation.check_done, donation.check_note = True, note
    donation.status = DonationStatus.ACCEPTED
    donation.decided_on, donation.decided_by = today or clock.today(), user
    donation.save()
    return donation


@transaction.atomic
def donation_return(*, user, donation: Donation, check_note: str, today=None) -> Donation:
    _national_only(user)
    donation = Donation.objects.select_for_update().get(pk=donation.pk)
    if donation.status != DonationStatus.RECEIVED:
        raise ValidationError("Only a donation still being checked can be returned.")
    donation.status, donation.check_note = DonationStatus.RETURNED, check_note.strip() or donation.check_note
    donation.decided_on, donation.decided_by = today or clock.today(), user
    donation.save()
    return donation
