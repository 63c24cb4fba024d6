"""The periodic reminder scan: which reminders are due now, found with one query per kind over the whole set
of sign-ups, written with one INSERT … ON CONFLICT DO NOTHING, and queued.

- The day-before email goes at the same UK wall-clock time on the day before the shift (a 10:00 shift on the
  Sunday the clocks change is reminded at 10:00 on the Saturday, 23 real hours earlier), computed in SQL
  with ``AT TIME ZONE %s``, the campaign's zone (``organiser.clock.zone_name()``) as a parameter.
- The SMS goes two hours before, to volunteers who gave a mobile number.

Reminders are service messages (messaging.models.Purpose): they go without the marketing opt-in, to anyone who
has not turned reminders off in their preferences (checked at the send).
- Leads hear when a shift they run in the next 48 hours is short of its minimum.

A reminder is only for people who signed up before its moment (otherwise the sign-up email just told them).
Running the scan twice, or twice at once, writes each row once: ``(recipient, key)`` is unique.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import DateTimeField, F, Func, Q, Value

from messaging.models import MessageKind, Outbox, OutboxChannel, OutboxStatus
from messaging.services import (
    _stamp,
    first_name,
    outbox_row,
    outbox_write,
    queue_sends,
    shift_context,
    short_shift_row,
    short_shifts,
)
from organiser import clock

SMS_BEFORE = dt.timedelta(hours=2)
#: Rows pending this long with no attempt are queued again (a send task lost before it reached the broker, or
#: lost with the broker: a Redis restarted without its data).
STALE_AFTER = dt.timedelta(hours=1)
#: Rows pending this long after a failed attempt are queued again too: their retry was lost with the broker.
#: A retry chain lasts well under this (the backoff is capped at ``messaging.conf.retry_backoff_max()``: eight
#: retries take about 36 minutes), so a row still pending then has no retry left waiting in the broker.
LOST_RETRY_AFTER = dt.timedelta(hours=3)


class LocalDayBefore(Func):
    """The same wall-clock time one calendar day earlier in the campaign's zone, as a timestamptz. The zone
    is a parameter (``organiser.clock.zone_name()``), never written in the SQL."""

    output_field = DateTimeField()

    def __init__(self, expression, **extra) -> None:
        super().__init__(expression, Value(clock.zone_name()), **extra)

    def as_sql(self, compiler, connection, **extra_context):
        moment, zone = self.source_expressions
        moment_sql, moment_params = compiler.compile(moment)
        zone_sql, zone_params = compiler.compile(zone)
        sql = f"((({moment_sql}) AT TIME ZONE {zone_sql}) - interval '1 day') AT TIME ZONE {zone_sql}"
        return sql, (*moment_params, *zone_params, *zone_params)


def due_day_before(*, now: dt.datetime):
    from volunteers.models import Signup, SignupStatus

    return (
        Signup.objects.filter(
            status=SignupStatus.CONFIRMED,
            volunteer__is_active=True,
            shift__starts_at__gt=now + SMS_BEFORE,
            shift__starts_at__lte=now + dt.timedelta(hours=26),  # bounds the index range; refined below
        )
        .annotate(remind_at=LocalDayBefore("shift__starts_at"))
        .filter(remind_at__lte=now, queued_at__lt=F("remind_at"))
        .filter(Q(promoted_at__isnull=True) | Q(promoted_at__lt=F("remind_at")))
        .select_related("shift__constituency", "volunteer")
    )


def due_two_hours_before(*, now: dt.datetime):
    from volunteers.models import Signup, SignupStatus

    return (
        Signup.objects.filter(
            status=SignupStatus.CONFIRMED,
            volunteer__is_active=True,
            shift__starts_at__gt=now,
            shift__starts_at__lte=now + SMS_BEFORE,
            queued_at__lt=F("shift__starts_at") - SMS_BEFORE,
        )
        .filter(Q(promoted_at__isnull=True) | Q(promoted_at__lt=F("shift__starts_at") - SMS_BEFORE))
        .filter(volunteer__profile__phone__startswith="+")
        .select_related("shift__constituency", "volunteer")
    )


def reminders_queue_due(*, now: dt.datetime | None = None) -> list[int]:
    """Write and queue every reminder due at ``now``; returns the ids queued."""
    now = now or clock.now()
    rows = []
    for signup in due_day_before(now=now):
        rows.append(
            outbox_row(
                recipient_id=signup.volunteer_id,
                kind=MessageKind.REMINDER_24H,
                key=f"reminder-24h:{signup.pk}:{_stamp(signup.shift.starts_at)}",
                context={"name": first_name(signup.volunteer), "shift": shift_context(signup.shift)},
                constituency_id=signup.shift.constituency_id,
            )
        )
    for signup in due_two_hours_before(now=now):
        rows.append(
            outbox_row(
                recipient_id=signup.volunteer_id,
                kind=MessageKind.REMINDER_2H,
                key=f"reminder-2h:{signup.pk}:{_stamp(signup.shift.starts_at)}",
                channel=OutboxChannel.SMS,
                context={"name": first_name(signup.volunteer), "shift": shift_context(signup.shift)},
                constituency_id=signup.shift.constituency_id,
            )
        )
    rows.extend(short_shift_row(shift, shift.taken) for shift in short_shifts(now=now))
    with transaction.atomic():
        return outbox_write(rows)


def outbox_requeue_stale(*, now: dt.datetime | None = None, limit: int = 5000) -> int:
    """Queue again rows whose send task was lost: pending with no attempt for an hour (the task never reached
    the broker, or the broker lost it), or pending three hours after a failed attempt (its retry was lost with
    the broker; until then a retry may still be waiting there, and is left to it). Sending is idempotent, so a
    row queued again while its task still exists is sent once all the same."""
    now = now or clock.now()
    ids = list(
        Outbox.objects.filter(status=OutboxStatus.PENDING)
        .filter(
            Q(attempts=0, created_at__lt=now - STALE_AFTER) | Q(attempts__gt=0, created_at__lt=now - LOST_RETRY_AFTER)
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    queue_sends(ids)
    return len(ids)
