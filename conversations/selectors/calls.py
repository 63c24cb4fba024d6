"""Reads of call and text assignments: which an organiser sees (``organiser.scope``: their seats'), which a caller or
texter works (those they were named on, and for organisers those they may change), the progress of one (one
aggregate query per table, whatever its size), and the conversations with replies."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from conversations.models import (
    Call,
    CallAssignment,
    CallTarget,
    ConversationState,
    Outcome,
    Segment,
    TargetState,
    TextAssignment,
    TextConversation,
)
from organiser import scope


def call_assignments_visible_to(user) -> QuerySet[CallAssignment]:
    return scope.restrict(CallAssignment.objects.select_related("constituency", "segment"), user)


def text_assignments_visible_to(user) -> QuerySet[TextAssignment]:
    return scope.restrict(TextAssignment.objects.select_related("constituency", "segment"), user)


def segments_for_assignments(user) -> QuerySet[Segment]:
    """The segments ``user`` may make an assignment from: theirs by scope (a seat organiser's are of their seats)."""
    segments = scope.restrict(Segment.objects.select_related("constituency"), user)
    if not getattr(user, "is_national_organiser", False):
        segments = segments.filter(constituency__isnull=False)
    return segments.order_by("name", "pk")


def _worked_by(model, user, people: str) -> QuerySet:
    if not getattr(user, "is_authenticated", False):
        return model.objects.none()
    ids = model.objects.filter(**{people: user}).values("pk")
    changeable = scope.restrict(model.objects.all(), user, "change").values("pk")
    return (
        model.objects.filter(Q(pk__in=ids) | Q(pk__in=changeable), is_open=True)
        .select_related("constituency")
        .order_by("-created_at", "-pk")
    )


def call_assignments_for_caller(user) -> QuerySet[CallAssignment]:
    """Open call assignments ``user`` calls for: named as a caller, or an organiser who may change it."""
    return _worked_by(CallAssignment, user, "callers")


def text_assignments_for_texter(user) -> QuerySet[TextAssignment]:
    return _worked_by(TextAssignment, user, "texters")


def held_by(*, assignment: CallAssignment, caller) -> CallTarget | None:
    """The person ``caller`` holds in the assignment (their claim may have run out, if nobody took them since)."""
    return (
        CallTarget.objects.filter(assignment=assignment, claimed_by=caller, state=TargetState.OPEN)
        .select_related("supporter", "user")
        .order_by("pk")
        .first()
    )


def call_progress(assignment: CallAssignment) -> dict:
    """How far the assignment is: people by state, calls by outcome, and each caller's calls and conversations
    (first call, last call) for steady-effort recognition; three queries."""
    states = dict(
        CallTarget.objects.filter(assignment=assignment).order_by().values_list("state").annotate(n=Count("pk"))
    )
    calls = Call.objects.filter(target__assignment=assignment).order_by()
    outcomes = dict(calls.values_list("outcome").annotate(n=Count("pk")))
    callers = list(
        calls.values("caller__full_name", "caller__email")
        .annotate(calls=Count("pk"), talked=Count("pk", filter=Q(outcome=Outcome.TALKED)))
        .order_by("-calls", "caller__email")
    )
    return {
        "states": [(label, states.get(value, 0)) for value, label in TargetState.choices],
        "to_call": states.get(TargetState.OPEN, 0),
        "outcomes": [(label, outcomes.get(value, 0)) for value, label in Outcome.choices],
        "calls": sum(outcomes.values()),
        "callers": callers,
    }


def not_offered(assignment: CallAssignment, limit: int = 50) -> QuerySet[CallTarget]:
    """People of the assignment not offered or removed, with the reason (for the organiser)."""
    return (
        CallTarget.objects.filter(
            assignment=assignment, state__in=[TargetState.SCREENED, TargetState.REMOVED, TargetState.DROPPED]
        )
        .only("name", "state", "reason")
        .order_by("name", "pk")[:limit]
    )


def text_progress(assignment: TextAssignment) -> dict:
    states = dict(
        TextConversation.objects.filter(assignment=assignment).order_by().values_list("state").annotate(n=Count("pk"))
    )
    return {"states": [(label, states.get(value, 0)) for value, label in ConversationState.choices]}


def next_to_text(assignment: TextAssignment) -> TextConversation | None:
    return (
        TextConversation.objects.filter(assignment=assignment, state=ConversationState.TO_SEND)
        .select_related("assignment")
        .order_by("pk")
        .first()
    )


def conversations_with_replies(assignment: TextAssignment, limit: int = 100) -> QuerySet[TextConversation]:
    return TextConversation.objects.filter(
        assignment=assignment, state__in=[ConversationState.REPLIED, ConversationState.OPTED_OUT]
    ).order_by("-last_message_at", "-pk")[:limit]
