"""Writing messages into the outbox, in the caller's transaction, and queueing their sends after commit.

Call these inside the transaction that makes the change (``signup_create``, ``signup_cancel``, a promotion):
the outbox row commits with the change or not at all, and the send task is queued by
``transaction.on_commit``, so a rolled-back change never sends and a committed one always has its row.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence

from django.contrib.auth import get_user_model
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.urls import reverse

from messaging import rendering
from messaging.conf import int_setting
from messaging.models import CONSENT_FREE_KINDS, KIND_CATEGORY, MessageKind, Outbox, OutboxChannel, OutboxStatus
from organiser import clock, jobs

#: How long before a shift its lead hears that it is short of its minimum.
SHORT_SHIFT_WINDOW = dt.timedelta(hours=48)


def _stamp(moment: dt.datetime | None) -> str:
    """A moment in a key, to the microsecond: a sign-up cancelled and made again within a second differs."""
    return str(round(moment.timestamp() * 1_000_000)) if moment else "0"


def first_name(user) -> str:
    name = (user.full_name or "").strip()
    return name.split()[0] if name else ""


def shift_context(shift) -> dict:
    """What a message says about a shift (JSON-ready; times already in UK time)."""
    return {
        "id": shift.pk,
        "title": shift.display_title,
        "kind": shift.get_kind_display(),
        "seat": shift.constituency.name,
        "when": rendering.local_when(shift.starts_at, shift.ends_at),
        "starts_at": shift.starts_at.isoformat(),
        "meeting_point": shift.meeting_point,
        "notes": shift.notes,
        "url": rendering.absolute(reverse("volunteers:shift_detail", args=[shift.pk])),
    }


def outbox_row(
    *,
    recipient_id: int | None = None,
    supporter_id: int | None = None,
    kind: str,
    key: str,
    context: dict,
    channel: str = OutboxChannel.EMAIL,
    constituency_id: int | None = None,
) -> Outbox:
    """One message to an account (``recipient_id``) or to a supporter without one (``supporter_id``)."""
    if (recipient_id is None) == (supporter_id is None):
        raise ValueError("an outbox row goes to exactly one of an account and a supporter")
    return Outbox(
        recipient_id=recipient_id,
        supporter_id=supporter_id,
        kind=kind,
        category=KIND_CATEGORY[MessageKind(kind)],
        key=key,
        channel=channel,
        context=context,
        constituency_id=constituency_id,
    )


INSERT_NEW = """
INSERT INTO messaging_outbox
    (recipient_id, supporter_id, key, kind, category, channel, constituency_id, context,
     status, attempts, last_error, subject, created_at)
VALUES {values}
ON CONFLICT DO NOTHING
RETURNING id
"""
# ON CONFLICT without a target: a row is left alone when either unique key, (recipient, key) or
# (supporter, key), exists already.
INSERT_ROW = "(%s, %s, %s, %s, %s, %s, %s, %s::jsonb, 'pending', 0, '', '', %s)"
INSERT_CHUNK = 1000


def outbox_write(rows: Sequence[Outbox]) -> list[int]:
    """Insert the rows that are new and queue them for sending once the transaction commits; a row whose
    (recipient, key) exists already, from an earlier or a concurrent run, is left alone and not queued.
    Returns the ids of the rows inserted.

    Set-based: one ``INSERT … ON CONFLICT DO NOTHING RETURNING id`` per thousand rows (Django's
    ``bulk_create(ignore_conflicts=True)`` cannot say which rows it inserted, and queueing only the new
    ones keeps a repeated run from re-queueing rows whose retry is waiting its backoff)."""
    if not rows:
        return []
    now = clock.now()
    ids: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), INSERT_CHUNK):
            chunk = rows[start : start + INSERT_CHUNK]
            params: list = []
            for row in chunk:
                params += [
                    row.recipient_id,
                    row.supporter_id,
                    row.key,
                    row.kind,
                    row.category,
                    row.channel,
                    row.constituency_id,
                    json.dumps(row.context, cls=DjangoJSONEncoder),
                    now,
                ]
            cursor.execute(INSERT_NEW.format(values=", ".join([INSERT_ROW] * len(chunk))), params)
            ids.extend(row_id for (row_id,) in cursor.fetchall())
    ids.sort()
    queue_sends(ids)
    return ids


def queue_sends(ids: Iterable[int]) -> None:
    """Queue send tasks for these rows after the current transaction commits (at once outside one).
    Sending twice is harmless: each row is locked and sent at most once. A broker that cannot be reached is
    logged, not raised: the rows are in the database, and the sweep queues them again."""
    ids = list(ids)
    if not ids:
        return
    chunk = max(1, int_setting("MESSAGING_SEND_CHUNK", 50))
    for start in range(0, len(ids), chunk):
        # Robust: with the broker down the change has committed all the same (a sign-up must not answer an
        # error for it); the periodic sweep queues the rows again (messaging.reminders.outbox_requeue_stale).
        # By name: the task module imports this one, not the other way round.
        jobs.task_queue_on_commit("messaging.tasks.send_outbox_batch", ids[start : start + chunk])


# --- reminders caused by a change -----------------------------------------------------------------


def _signup_message(signup, *, kind: str, key: str, extra: dict | None = None) -> list[int]:
    volunteer = signup.volunteer
    if volunteer is None:
        return []
    shift = signup.shift
    context = {"name": first_name(volunteer), "shift": shift_context(shift), "status": signup.status, **(extra or {})}
    row = outbox_row(
        recipient_id=volunteer.pk, kind=kind, key=key, context=context, constituency_id=shift.constituency_id
    )
    return outbox_write([row])


def signup_made(signup) -> list[int]:
    """A sign-up was made (confirmed, or on the waiting list): tell the volunteer, with the .ics attached."""
    from volunteers import calendar
    from volunteers.models import SignupStatus

    waitlisted = signup.status == SignupStatus.WAITLISTED
    ics = calendar.calendar(
        [calendar.shift_event(shift=signup.shift, status=signup.status)], name=signup.shift.display_title
    )
    return _signup_message(
        signup,
        kind=MessageKind.SIGNUP_WAITLISTED if waitlisted else MessageKind.SIGNUP_CONFIRMED,
        key=f"signup:{signup.pk}:{_stamp(signup.queued_at)}",
        extra={"ics": ics},
    )


def signup_cancelled(signup) -> list[int]:
    """A sign-up was cancelled: tell the volunteer, with a calendar CANCEL that takes the shift off the calendar
    the confirmation's file put it on (same UID, a later SEQUENCE)."""
    from volunteers import calendar
    from volunteers.models import SignupStatus

    ics = calendar.calendar(
        [calendar.shift_event(shift=signup.shift, status=SignupStatus.CANCELLED, sequence=1)],
        name=signup.shift.display_title,
        method="CANCEL",
    )
    ids = _signup_message(
        signup,
        kind=MessageKind.SIGNUP_CANCELLED,
        key=f"signup-cancelled:{signup.pk}:{_stamp(signup.cancelled_at)}",
        extra={"ics": ics},
    )
    return ids + shift_short_check(signup.shift)


def signup_promoted(signup) -> list[int]:
    from volunteers import calendar

    ics = calendar.calendar(
        [calendar.shift_event(shift=signup.shift, status=signup.status)], name=signup.shift.display_title
    )
    return _signup_message(
        signup,
        kind=MessageKind.SIGNUP_PROMOTED,
        key=f"signup-promoted:{signup.pk}:{_stamp(signup.promoted_at)}",
        extra={"ics": ics},
    )


def shift_short_check(shift, *, now: dt.datetime | None = None) -> list[int]:
    """If ``shift`` starts within 48 hours and has fewer people than its minimum, tell its lead (once)."""
    from volunteers.models import FILLED_STATUSES

    now = now or clock.now()
    if not shift.lead_id or not (now < shift.starts_at <= now + SHORT_SHIFT_WINDOW):
        return []
    filled = shift.signups.filter(status__in=FILLED_STATUSES).count()
    if filled >= shift.minimum:
        return []
    return outbox_write([short_shift_row(shift, filled)])


def short_shift_row(shift, filled: int) -> Outbox:
    return outbox_row(
        recipient_id=shift.lead_id,
        kind=MessageKind.SHIFT_SHORT,
        key=f"shift-short:{shift.pk}:{_stamp(shift.starts_at)}",
        context={
            "name": first_name(shift.lead),
            "shift": shift_context(shift),
            "filled": filled,
            "minimum": shift.minimum,
            "missing": shift.minimum - filled,
        },
        constituency_id=shift.constituency_id,
    )


def short_shifts(*, now: dt.datetime):
    """Shifts in the next 48 hours, with a lead, short of their minimum (annotated with ``taken``, counted)."""
    from volunteers.models import FILLED_STATUSES, Shift

    return (
        Shift.objects.filter(starts_at__gt=now, starts_at__lte=now + SHORT_SHIFT_WINDOW, lead__isnull=False)
        .annotate(taken=Count("signups", filter=Q(signups__status__in=FILLED_STATUSES)))
        .filter(taken__lt=F("minimum"))
        .select_related("constituency", "lead")
    )


# --- unsubscribe and preferences -----------------------------------------------------------------------


@transaction.atomic
def unsubscribe(*, user_id: int | None = None, supporter_id: int | None = None, via: str) -> None:
    """Stop campaign email to this person from this moment: withdraw their email consent (PECR), note where the
    withdrawal came from, and skip their pending campaign emails now (the send re-checks consent as well).
    Service messages (a shift they signed up to) still come: they turn those off in their preferences. The person
    is an account (``user_id``) or a supporter without one (``supporter_id``)."""
    from messaging.models import Unsubscribe
    from volunteers.services import consent_set

    if user_id is not None:
        from volunteers.models import User

        owner = {"user": User.objects.get(pk=user_id)}
        pending = Outbox.objects.filter(recipient_id=user_id)
    else:
        from conversations.models import Supporter

        owner = {"supporter": Supporter.objects.get(pk=supporter_id)}
        pending = Outbox.objects.filter(supporter_id=supporter_id)
    from volunteers.models import Consent

    consenting = Consent.objects.filter(**owner, channel="email", withdrawn_at__isnull=True).exists()
    already = Unsubscribe.objects.filter(**owner, channel=OutboxChannel.EMAIL).exists()
    consent_set(**owner, channel="email", given=False, source=f"unsubscribe ({via})")
    if consenting or not already:  # the same link posted again (a mail scanner, a second click) writes nothing
        Unsubscribe.objects.create(**owner, channel=OutboxChannel.EMAIL, via=via)
    pending.filter(channel=OutboxChannel.EMAIL, status=OutboxStatus.PENDING).exclude(
        kind__in=CONSENT_FREE_KINDS
    ).update(status=OutboxStatus.SKIPPED_NO_CONSENT)


@transaction.atomic
def preferences_set(*, user, language: str | None = None, **categories: bool):
    """Save which categories of message ``user`` wants (``reminders=``, ``shift_alerts=``, ``digest=``)."""
    from messaging.models import Category, MessagePreference

    preference, _ = MessagePreference.objects.select_for_update().get_or_create(user=user)
    for name, wanted in categories.items():
        if name not in Category.values:
            raise ValueError(f"unknown message category {name}")
        setattr(preference, name, bool(wanted))
    if language:
        preference.language = language
        if user.language != language:  # one language per person: the pages follow the messages' choice
            get_user_model().objects.filter(pk=user.pk).update(language=language)
            user.language = language
    preference.save()
    return preference
