"""Endorsements: seat organisers propose a candidate for their seat; national organisers review, endorse and
withdraw. One endorsement per seat per election; every step is kept as an :class:`EndorsementEvent`."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from campaigns.models import Candidacy, Endorsement, EndorsementEvent
from organiser import clock, scope

Status = Endorsement.Status


def _record(endorsement: Endorsement, *, user, status: str, candidacy: Candidacy, reason: str) -> Endorsement:
    now = clock.now()
    endorsement.status = status
    endorsement.candidacy = candidacy
    endorsement.updated_by = user
    endorsement.updated_at = now
    endorsement.save()
    EndorsementEvent.objects.create(
        endorsement=endorsement, status=status, candidacy=candidacy, actor=user, at=now, reason=reason
    )
    return endorsement


@transaction.atomic
def endorsement_propose(*, user, candidacy: Candidacy, reason: str = "") -> Endorsement:
    """Propose ``candidacy`` for endorsement in its seat. Allowed to organisers of that seat (and national
    organisers), while the seat has no endorsement yet or only a proposed or withdrawn one."""
    if not (
        scope.can_add(user, Endorsement) and scope.seats_in_scope(user).filter(pk=candidacy.constituency_id).exists()
    ):
        raise PermissionDenied("Only organisers of this seat may propose an endorsement here.")
    endorsement = (
        Endorsement.objects.select_for_update()
        .filter(election_id=candidacy.election_id, constituency_id=candidacy.constituency_id)
        .first()
    )
    if endorsement is None:
        endorsement = Endorsement(
            election_id=candidacy.election_id, constituency_id=candidacy.constituency_id, candidacy=candidacy
        )
    elif endorsement.status in (Status.UNDER_REVIEW, Status.ENDORSED) and not user.is_national_organiser:
        raise PermissionDenied(f"This seat's endorsement is {endorsement.get_status_display().lower()}.")
    return _record(endorsement, user=user, status=Status.PROPOSED, candidacy=candidacy, reason=reason)


def _decide(*, user, endorsement: Endorsement, status: str, reason: str, allowed_from: set[str]) -> Endorsement:
    if not user.is_national_organiser:
        raise PermissionDenied("Only national organisers decide endorsements.")
    endorsement = Endorsement.objects.select_for_update().get(pk=endorsement.pk)
    if endorsement.status not in allowed_from:
        raise ValidationError(f"An endorsement that is {endorsement.status} cannot become {status}.")
    if status in (Status.ENDORSED, Status.WITHDRAWN) and not reason.strip():
        raise ValidationError("Say why: the reason is kept with the endorsement's history.")
    return _record(endorsement, user=user, status=status, candidacy=endorsement.candidacy, reason=reason)


@transaction.atomic
def endorsement_review(*, user, endorsement: Endorsement, reason: str = "") -> Endorsement:
    return _decide(
        user=user, endorsement=endorsement, status=Status.UNDER_REVIEW, reason=reason, allowed_from={Status.PROPOSED}
    )


@transaction.atomic
def endorsement_endorse(*, user, endorsement: Endorsement, reason: str, statement: str = "") -> Endorsement:
    endorsement = _decide(
        user=user,
        endorsement=endorsement,
        status=Status.ENDORSED,
        reason=reason,
        allowed_from={Status.PROPOSED, Status.UNDER_REVIEW},
    )
    if statement:
        endorsement.statement = statement
        endorsement.save(update_fields=["statement"])
    return endorsement


@transaction.atomic
def endorsement_withdraw(*, user, endorsement: Endorsement, reason: str) -> Endorsement:
    return _decide(
        user=user,
        endorsement=endorsement,
        status=Status.WITHDRAWN,
        reason=reason,
        allowed_from={Status.PROPOSED, Status.UNDER_REVIEW, Status.ENDORSED},
    )
