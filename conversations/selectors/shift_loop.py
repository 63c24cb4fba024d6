"""Reads of the shift loop: its settings, and which sign-ups are due a "confirm or cancel" or a "how did it go" at
an instant (one query each, over every sign-up, with the channel each can be reached by).

The day-before moment is the campaign's wall-clock time (``ShiftLoopSettings.confirm_at``, 18:00 by default) on
the UK calendar day before the shift's UK date, from ``organiser.clock.at``: a shift on the Sunday the clocks go
forward is asked at 18:00 GMT on the Saturday, one on the Monday after they go back at 18:00 GMT on the Sunday.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, F, OuterRef, Q, QuerySet

from conversations.models import ShiftLoopSettings
from organiser import clock
from volunteers.models import Signup, SignupStatus, VolunteerProfile

#: No "confirm or cancel" for a shift starting sooner than this (a late beat after downtime): too late to help.
CONFIRM_NO_LATER_THAN = dt.timedelta(hours=2)
#: How long after a shift "how did it go" may still be asked (a loop switched on asks nobody about old shifts).
FEEDBACK_WINDOW = dt.timedelta(hours=48)
#: The confirm link works until the shift starts; the feedback link for this long after it ends.
FEEDBACK_LINK_DAYS = 14


def shift_loop_settings() -> ShiftLoopSettings:
    """The campaign's settings (the defaults until a national organiser changes them)."""
    return ShiftLoopSettings.objects.filter(key="campaign").first() or ShiftLoopSettings()


def confirm_moment(shift_day: dt.date, settings: ShiftLoopSettings) -> dt.datetime:
    """When a shift on the UK date ``shift_day`` is asked to confirm: ``confirm_at`` on the day before."""
    return clock.at(shift_day - dt.timedelta(days=1), settings.confirm_at)


def _reachable(queryset: QuerySet[Signup]) -> QuerySet[Signup]:
    """Annotated with ``by_text``: the volunteer gave a mobile number (the message goes by text, one tap on the
    phone they canvass with), else it goes by email. Service messages: no marketing opt-in is asked for."""
    mobile = VolunteerProfile.objects.filter(user_id=OuterRef("volunteer_id"), phone__startswith="+")
    return queryset.annotate(by_text=Exists(mobile)).select_related("shift__constituency", "volunteer")


def confirms_due(*, now: dt.datetime, settings: ShiftLoopSettings | None = None) -> QuerySet[Signup]:
    """Confirmed sign-ups whose shift's day-before moment has come, signed up (or promoted) before it, with a
    shift starting at least CONFIRM_NO_LATER_THAN from now, not confirmed already."""
    settings = settings or shift_loop_settings()
    today = clock.today(now)
    by_day = Q(pk__in=[])
    for day in (today, today + dt.timedelta(days=1), today + dt.timedelta(days=2)):
        moment = confirm_moment(day, settings)
        if moment > now:
            continue
        start, end = clock.day_bounds(day)
        by_day |= Q(shift__starts_at__gte=start, shift__starts_at__lt=end, queued_at__lt=moment) & (
            Q(promoted_at__isnull=True) | Q(promoted_at__lt=moment)
        )
    return _reachable(
        Signup.objects.filter(
            by_day,
            status=SignupStatus.CONFIRMED,
            volunteer__is_active=True,
            shift__starts_at__gt=now + CONFIRM_NO_LATER_THAN,
            attendance_confirmed_at__isnull=True,
        )
    )


def feedback_due(*, now: dt.datetime, settings: ShiftLoopSettings | None = None) -> QuerySet[Signup]:
    """Sign-ups of shifts that ended ``feedback_after_hours`` ago (within FEEDBACK_WINDOW), where the volunteer
    was on the shift (confirmed, or checked in as there) and has not answered yet."""
    settings = settings or shift_loop_settings()
    asked_at = now - dt.timedelta(hours=settings.feedback_after_hours)
    return _reachable(
        Signup.objects.filter(
            status__in=(SignupStatus.CONFIRMED, SignupStatus.ATTENDED),
            volunteer__is_active=True,
            shift__ends_at__lte=asked_at,
            shift__ends_at__gt=asked_at - FEEDBACK_WINDOW,
            queued_at__lt=F("shift__ends_at"),
            feedback_at__isnull=True,
        )
    )
