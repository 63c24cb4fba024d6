"""Writes of segments: saving a segment (its name, its seat, its filter) and deleting one.

Who may save what is organiser.scope's: national organisers any segment, a seat organiser only segments of one
of their seats (a segment without a seat spans every seat, so it is national organisers' alone). The filter is
parsed by ``conversations.selectors.segments.SegmentFilter``, the one filter the admin, the API and (next) call
assignments evaluate, so a saved segment always evaluates.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from conversations.models import Segment
from conversations.selectors.segments import SegmentFilter
from organiser import scope


def _check_seat(*, user, constituency) -> None:
    if constituency is None:
        if not (scope.is_system(user) or getattr(user, "is_national_organiser", False)):
            raise ValidationError({"constituency": ["Choose the seat this segment is for."]})
        return
    if not scope.is_system(user) and not scope.seats_in_scope(user).filter(pk=constituency.pk).exists():
        raise ValidationError({"constituency": ["You can only make segments of your own seats."]})


@transaction.atomic
def segment_create(*, name: str, constituency=None, filters: dict | SegmentFilter, user) -> Segment:
    """A new segment; ValidationError (by field) for a bad name, seat or filter."""
    if not scope.can_add(user, Segment):
        raise PermissionDenied("You cannot make segments.")
    parsed = filters if isinstance(filters, SegmentFilter) else SegmentFilter.from_json(filters)
    _check_seat(user=user, constituency=constituency)
    segment = Segment(
        name=" ".join(str(name).split())[:200],
        constituency=constituency,
        filters=parsed.to_json(),
        created_by=None if scope.is_system(user) else user,
    )
    segment.full_clean(exclude=["created_by", "constituency"])
    segment.save()
    return segment


@transaction.atomic
def segment_update(
    *, segment: Segment, user, name: str | None = None, constituency=..., filters: dict | SegmentFilter | None = None
) -> Segment:
    """Change a segment's name, seat (``None``: every seat) or filter; only what is given changes."""
    if not scope.is_system(user) and not scope.can_change(user, segment):
        raise PermissionDenied("You cannot change this segment.")
    if name is not None:
        segment.name = " ".join(str(name).split())[:200]
    if constituency is not ...:
        _check_seat(user=user, constituency=constituency)
        segment.constituency = constituency
    if filters is not None:
        parsed = filters if isinstance(filters, SegmentFilter) else SegmentFilter.from_json(filters)
        segment.filters = parsed.to_json()
    segment.full_clean(exclude=["created_by", "constituency"])
    segment.save()
    return segment


@transaction.atomic
def segment_delete(*, segment: Segment, user) -> None:
    if not scope.is_system(user) and not scope.can_delete(user, segment):
        raise PermissionDenied("You cannot delete this segment.")
    segment.delete()
