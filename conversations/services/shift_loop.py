"""The shift loop: asking each volunteer on a shift to confirm or cancel the day before, and how it went after,
and recording their answers.

Both are service messages (about a shift the person signed up to: not marketing; messaging.models.Purpose), so
they go without the marketing opt-in, in the "reminders" category a volunteer can turn off, through the one outbox
exactly once: the key names the sign-up and the shift's start (or end), so a second beat, a retry or two workers
at once write nothing more. They go by text to a volunteer who gave a mobile number (one tap on the phone they
canvass with), by email to everyone else.

The links are signed, expire (the confirm link when the shift starts, the feedback link two weeks after it ends) and
open a page with the one button to press: a GET never changes anything, because mail scanners follow links.
A cancel is ``volunteers.services.signup_cancel`` (the first on the waiting list gets the place and is told); a
confirmation and the feedback are ``volunteers.services.signup_attendance_confirm`` and ``signup_feedback_record``
(which counts in the no-show rate where the lead has not checked them in).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse

from conversations import tokens
from conversations.selectors import shift_loop as selectors
from messaging import rendering
from messaging.models import MessageKind, OutboxChannel
from messaging.services import _stamp, first_name, outbox_row, outbox_write, shift_context
from organiser import clock
from volunteers import services as volunteer_services
from volunteers.models import Signup


def _channel(signup) -> str:
    return OutboxChannel.SMS if signup.by_text else OutboxChannel.EMAIL


def _row(signup, *, kind: str, key: str, extra: dict):
    context = {"name": first_name(signup.volunteer), "shift": shift_context(signup.shift), **extra}
    return outbox_row(
        recipient_id=signup.volunteer_id,
        kind=kind,
        key=key,
        channel=_channel(signup),
        context=context,
        constituency_id=signup.shift.constituency_id,
    )


def confirm_url(signup: Signup, answer: str = "") -> str:
    token = tokens.make(purpose="confirm", subject_id=signup.pk, expires_at=signup.shift.starts_at)
    path = reverse("conversations:shift_confirm", args=[token])
    return rendering.absolute(path + (f"?answer={answer}" if answer else ""))


def feedback_url(signup: Signup, attended: str = "") -> str:
    expires = signup.shift.ends_at + dt.timedelta(days=selectors.FEEDBACK_LINK_DAYS)
    token = tokens.make(purpose="feedback", subject_id=signup.pk, expires_at=expires)
    path = reverse("conversations:shift_feedback", args=[token])
    return rendering.absolute(path + (f"?attended={attended}" if attended else ""))


def shift_loop_queue_due(*, now: dt.datetime | None = None) -> list[int]:
    """Write and queue every "confirm or cancel" and "how did it go" due at ``now``; returns the ids written."""
    now = now or clock.now()
    settings = selectors.shift_loop_settings()
    if not settings.enabled:
        return []
    rows = []
    for signup in selectors.confirms_due(now=now, settings=settings):
        links = {
            "answer_url": confirm_url(signup),
            "confirm_url": confirm_url(signup, "confirm"),
            "cancel_url": confirm_url(signup, "cancel"),
        }
        key = f"shift-confirm:{signup.pk}:{_stamp(signup.shift.starts_at)}"
        rows.append(_row(signup, kind=MessageKind.SHIFT_CONFIRM, key=key, extra=links))
    for signup in selectors.feedback_due(now=now, settings=settings):
        links = {
            "answer_url": feedback_url(signup),
            "came_url": feedback_url(signup, "yes"),
            "missed_url": feedback_url(signup, "no"),
        }
        key = f"shift-feedback:{signup.pk}:{_stamp(signup.shift.ends_at)}"
        rows.append(_row(signup, kind=MessageKind.SHIFT_FEEDBACK, key=key, extra=links))
    with transaction.atomic():
        return outbox_write(rows)


def signup_for_confirm_link(token: str) -> Signup | None:
    signup_id = tokens.read(token, purpose="confirm")
    if signup_id is None:
        return None
    return Signup.objects.select_related("shift__constituency", "volunteer").filter(pk=signup_id).first()


def signup_for_feedback_link(token: str) -> Signup | None:
    signup_id = tokens.read(token, purpose="feedback")
    if signup_id is None:
        return None
    return Signup.objects.select_related("shift__constituency", "volunteer").filter(pk=signup_id).first()


def confirm_answer(*, signup: Signup, answer: str) -> Signup:
    """The volunteer's answer from the link: "confirm" (they are coming) or "cancel" (their place goes to the
    waiting list). SignupError when it can no longer be given (cancelled already, the shift started)."""
    if answer == "confirm":
        return volunteer_services.signup_attendance_confirm(signup=signup.pk)
    if answer == "cancel":
        if signup.shift.starts_at <= clock.now():
            raise volunteer_services.SignupError("This shift has started.", code="shift_started")
        return volunteer_services.signup_cancel(signup=signup.pk, by=signup.volunteer)
    raise ValueError(f"unknown answer {answer!r}")


def feedback_answer(*, signup: Signup, attended: bool, rating: int | None, note: str) -> Signup:
    return volunteer_services.signup_feedback_record(signup=signup.pk, attended=attended, rating=rating, note=note)
