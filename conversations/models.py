"""Who the campaign talks with, beyond its volunteers: supporters (people who asked to hear from the campaign,
with or without an account) and segments (saved filters over volunteers and supporters); and when the shift loop
asks volunteers to confirm and how it went (its answers are kept on ``volunteers.Signup``).

A supporter's consents are rows of the project's one consent record, ``volunteers.Consent`` (``supporter`` set
instead of ``user``): the wording they agreed to, when, where, and who recorded it. A supporter recorded at the
door has no link to the register: no foreign key to an elector or a candidate's campaign, so destroying the
register leaves it alone, and it exists only because the person agreed to it (its consents say so).
"""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower

from organiser import clock

TAG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


def validate_tags(value) -> None:
    """A jsonb list of tags: lower-case words and hyphens, up to 40 characters each (``housing``, ``mosque-a``)."""
    if not isinstance(value, list) or not all(isinstance(tag, str) for tag in value):
        raise ValidationError('Tags must be a list of words, e.g. ["housing"].', code="invalid")
    if bad := [tag for tag in value if not TAG_RE.match(tag)]:
        raise ValidationError(
            f"Tags are lower-case letters, digits and hyphens, up to 40 characters: {', '.join(bad)[:200]}.",
            code="invalid",
        )


class SupporterSource(models.TextChoices):
    FORM = "form", "The support form"
    DOORSTEP = "doorstep", "At the door, recorded by a canvasser"


class Supporter(models.Model):
    """Someone who asked to hear from the campaign: how to reach them (an email, a mobile number or both), their
    seat, and what they agreed to (their ``consents``). No religion, ethnicity or political opinion, ever.

    ``user`` links the supporter to an account of the same person when they have one (they signed up while
    logged in): the account's own data page shows this record too, and deleting the account deletes it."""

    scope_seat_path = "constituency"
    scope_owner_path = "user"

    full_name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True, help_text="lower case")
    phone = models.CharField(max_length=20, blank=True, help_text="E.164, e.g. +447911123456")
    postcode = models.CharField(max_length=8, blank=True, help_text="normalised, e.g. IG6 2AA")
    constituency = models.ForeignKey(
        "campaigns.Constituency", on_delete=models.SET_NULL, null=True, blank=True, related_name="supporters"
    )
    language = models.CharField(max_length=10, default="en-gb", help_text="the language of their messages")
    tags = models.JSONField(default=list, blank=True, validators=[validate_tags], help_text="organisers' tags")
    source = models.CharField(max_length=10, choices=SupporterSource.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="the canvasser who recorded them at the door",
    )
    doorstep_entry = models.UUIDField(
        null=True, blank=True, unique=True, help_text="the id the canvasser's phone gave the entry (exactly once)"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,  # deleting an account deletes what it holds, this record too
        null=True,
        blank=True,
        related_name="supporter_records",
    )
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(auto_now=True)
    last_active_at = models.DateTimeField(default=clock.now, help_text="last time they told us something")

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(Lower("email"), condition=~Q(email=""), name="supporter_one_per_email"),
            models.CheckConstraint(condition=~Q(email="") | ~Q(phone=""), name="supporter_has_a_way_to_reach"),
        ]
        indexes = [
            models.Index(fields=["constituency", "last_active_at"], name="supporter_seat_active"),
            models.Index(fields=["phone"], name="supporter_phone"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email or self.phone


class Population(models.TextChoices):
    EVERYONE = "everyone", "Volunteers and supporters"
    VOLUNTEERS = "volunteers", "Volunteers only"
    SUPPORTERS = "supporters", "Supporters only"


class Segment(models.Model):
    """A saved filter over volunteers and supporters, evaluated afresh each time it is used
    (``conversations.selectors.segments``); ``filters`` is its JSON form (``SegmentFilter``).

    A segment of a seat (``constituency``) only ever holds people of that seat, and only that seat's organisers
    (and national organisers) see it; one without a seat is national organisers'."""

    scope_seat_path = "constituency"

    name = models.CharField(max_length=200)
    constituency = models.ForeignKey(
        "campaigns.Constituency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="segments",
        help_text="empty: across every seat (national organisers only)",
    )
    filters = models.JSONField(default=dict, blank=True, help_text="what people must match (SegmentFilter)")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class ShiftLoopSettings(models.Model):
    """When the shift loop asks (UK time): "confirm or cancel" at ``confirm_at`` on the day before each shift, and
    "how did it go" ``feedback_after_hours`` after it ends. One row for the campaign (national organisers')."""

    scope_national_change = True

    key = models.CharField(max_length=10, default="campaign", unique=True, editable=False)
    enabled = models.BooleanField(default=True, help_text="off: neither message is sent")
    confirm_at = models.TimeField(default=dt.time(18, 0), help_text="UK time, on the day before the shift")
    feedback_after_hours = models.PositiveSmallIntegerField(
        default=1, validators=[MaxValueValidator(48)], help_text="hours after the shift ends (0 to 48)"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "shift loop settings"
        constraints = [
            models.CheckConstraint(condition=Q(feedback_after_hours__lte=48), name="shift_loop_feedback_within_48h")
        ]

    def __str__(self) -> str:
        state = "on" if self.enabled else "off"
        return f"Shift loop {state}: confirm at {self.confirm_at:%H:%M} the day before"


# --- calls ------------------------------------------------------------------------------------------------------

#: Calling and texting hours, UK time: never before 08:00 or after 21:00 (an assignment may be stricter).
EARLIEST, LATEST = dt.time(8, 0), dt.time(21, 0)


class CallAssignment(models.Model):
    """Who to call (a segment, re-evaluated each time its people are refreshed), the script the callers read,
    how long to leave someone after an unanswered call (``cooldown_hours``), the calling hours (UK time, within
    08:00 to 21:00), how long a caller holds the person they were given (``claim_minutes``: abandoned, the person
    goes back), and who calls (``callers``: volunteers; organisers of the seat may call too).

    Of a seat (``constituency``): that seat's organisers and national organisers see and change it; without one,
    national organisers only. Callers reach it as callers (``conversations.selectors.calls``), not through scope."""

    scope_seat_path = "constituency"

    name = models.CharField(max_length=200)
    constituency = models.ForeignKey(
        "campaigns.Constituency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="call_assignments",
        help_text="empty: across every seat (national organisers only)",
    )
    segment = models.ForeignKey(Segment, on_delete=models.PROTECT, related_name="call_assignments")
    script = models.TextField(help_text="what the caller says; {name} is the person's first name")
    cooldown_hours = models.PositiveSmallIntegerField(
        default=24, validators=[MaxValueValidator(24 * 30)], help_text="after no answer, busy or a message left"
    )
    max_attempts = models.PositiveSmallIntegerField(
        default=3, validators=[MaxValueValidator(20)], help_text="unanswered calls before we stop trying"
    )
    calls_from = models.TimeField(default=dt.time(10, 0), help_text="UK time, 08:00 at the earliest")
    calls_until = models.TimeField(default=dt.time(20, 0), help_text="UK time, 21:00 at the latest")
    claim_minutes = models.PositiveSmallIntegerField(
        default=15, validators=[MaxValueValidator(120)], help_text="how long a caller holds the person given"
    )
    callers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="call_assignments")
    is_open = models.BooleanField(default=True, help_text="closed: nobody is given anyone to call")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)
    refreshed_at = models.DateTimeField(null=True, blank=True, help_text="when the segment was last evaluated")

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(calls_from__gte=EARLIEST, calls_until__lte=LATEST, calls_from__lt=F("calls_until")),
                name="call_hours_within_8_to_21",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        hours = (self.calls_from, self.calls_until)
        if all(hours) and (hours[0] < EARLIEST or hours[1] > LATEST or hours[0] >= hours[1]):
            raise ValidationError(
                {"calls_until": ["Calling hours are within 08:00 to 21:00 UK time, and end after they start."]}
            )


class TargetState(models.TextChoices):
    OPEN = "open", "To call"
    DONE = "done", "Done"
    SCREENED = "screened", "Not offered (a do-not-call list, no consent to calls)"
    REMOVED = "removed", "Removed (do not call, or a wrong number)"
    DROPPED = "dropped", "No longer in the segment"


class Outcome(models.TextChoices):
    TALKED = "talked", "Talked"
    NO_ANSWER = "no_answer", "No answer"
    BUSY = "busy", "Busy"
    CALL_BACK = "call_back", "Call back at…"
    LEFT_MESSAGE = "left_message", "Left a message"
    WRONG_NUMBER = "wrong_number", "Wrong number"
    DO_NOT_CALL = "do_not_call", "Do not call"


class CallTarget(models.Model):
    """One person of an assignment: a volunteer (``user``) or a supporter without an account (``supporter``), the
    number to call, and where they stand. ``available_at`` is when they may next be given to a caller (their
    cooldown, or the time they asked to be called back); ``claimed_by`` holds them for one caller until
    ``claimed_until`` (after that, abandoned, anyone may be given them). Call-backs (``priority`` 0) come first."""

    scope_seat_path = "assignment__constituency"

    assignment = models.ForeignKey(CallAssignment, on_delete=models.CASCADE, related_name="targets")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    name = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=20)
    state = models.CharField(max_length=10, choices=TargetState.choices, default=TargetState.OPEN)
    reason = models.CharField(max_length=200, blank=True, help_text="why not offered or removed, for organisers")
    priority = models.PositiveSmallIntegerField(default=1, help_text="0: a call-back that is due first")
    available_at = models.DateTimeField(default=clock.now)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True)
    call_back_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["assignment", "priority", "available_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "user"], name="call_target_once_per_account"),
            models.UniqueConstraint(fields=["assignment", "supporter"], name="call_target_once_per_supporter"),
            models.CheckConstraint(
                condition=Q(user__isnull=False, supporter__isnull=True) | Q(user__isnull=True, supporter__isnull=False),
                name="call_target_an_account_or_a_supporter",
            ),
        ]
        indexes = [
            models.Index(
                fields=["assignment", "priority", "available_at", "id"],
                condition=Q(state="open"),
                name="call_target_next",
            ),
            models.Index(fields=["phone"], name="call_target_phone"),
            models.Index(fields=["claimed_by", "claimed_until"], name="call_target_claimed"),
        ]

    def __str__(self) -> str:
        return self.name or self.phone


class Call(models.Model):
    """One call a caller made and how it went (two taps); ``call_back_at`` when the person asked to be called back."""

    scope_seat_path = "target__assignment__constituency"

    target = models.ForeignKey(CallTarget, on_delete=models.CASCADE, related_name="calls")
    caller = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    notes = models.TextField(blank=True, max_length=2000)
    call_back_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} ({self.created_at:%Y-%m-%d %H:%M})"


class DoNotCall(models.Model):
    """The campaign's own do-not-call list: numbers whose owner asked us not to call (national: a number is not a
    seat's). A number here is never offered to a caller unless its owner later gave consent to calls."""

    scope_national_change = True

    phone = models.CharField(max_length=20, unique=True, help_text="E.164")
    reason = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = "do-not-call number"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.phone


class PreferenceList(models.TextChoices):
    TPS = "tps", "Telephone Preference Service"
    CTPS = "ctps", "Corporate Telephone Preference Service"


class TPSNumber(models.Model):
    """A number on the TPS or CTPS file the campaign licenses (imported whole: ``conversations.services.calls.
    tps_import``). PECR reg 21: no unsolicited live call to it, unless its owner consented to our calls."""

    scope_national_change = True

    phone = models.CharField(max_length=20, unique=True, help_text="E.164")
    list = models.CharField(max_length=4, choices=PreferenceList.choices, default=PreferenceList.TPS)
    imported_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = "TPS number"
        ordering = ["phone"]

    def __str__(self) -> str:
        return self.phone


# --- texts ------------------------------------------------------------------------------------------------------


class TextAssignment(models.Model):
    """Two-way texting to a segment: its people with SMS consent, a script with their name filled in, each first
    text sent by a texter pressing send (peer to peer) within the texting hours (UK time, within 08:00 to 21:00),
    and the replies in a conversation the texters and the organisers see. Scoped by seat like call assignments."""

    scope_seat_path = "constituency"

    name = models.CharField(max_length=200)
    constituency = models.ForeignKey(
        "campaigns.Constituency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="text_assignments",
        help_text="empty: across every seat (national organisers only)",
    )
    segment = models.ForeignKey(Segment, on_delete=models.PROTECT, related_name="text_assignments")
    script = models.TextField(max_length=480, help_text="the first text; {name} is the person's first name")
    texts_from = models.TimeField(default=dt.time(10, 0), help_text="UK time, 08:00 at the earliest")
    texts_until = models.TimeField(default=dt.time(20, 0), help_text="UK time, 21:00 at the latest")
    texters = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="text_assignments")
    is_open = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(texts_from__gte=EARLIEST, texts_until__lte=LATEST, texts_from__lt=F("texts_until")),
                name="text_hours_within_8_to_21",
            )
        ]

    def __str__(self) -> str:
        return self.name


class ConversationState(models.TextChoices):
    TO_SEND = "to_send", "Not texted yet"
    SENT = "sent", "Texted"
    REPLIED = "replied", "Replied"
    OPTED_OUT = "opted_out", "Replied STOP"


class TextConversation(models.Model):
    """One person of a text assignment (a volunteer or a supporter without an account) and the texts with them."""

    scope_seat_path = "assignment__constituency"

    assignment = models.ForeignKey(TextAssignment, on_delete=models.CASCADE, related_name="conversations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    name = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=20)
    state = models.CharField(max_length=10, choices=ConversationState.choices, default=ConversationState.TO_SEND)
    texter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_message_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["assignment", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "user"], name="text_conversation_once_per_account"),
            models.UniqueConstraint(fields=["assignment", "supporter"], name="text_conversation_once_per_supporter"),
            models.CheckConstraint(
                condition=Q(user__isnull=False, supporter__isnull=True) | Q(user__isnull=True, supporter__isnull=False),
                name="text_conversation_an_account_or_a_supporter",
            ),
        ]
        indexes = [models.Index(fields=["phone", "last_message_at"], name="text_conversation_phone")]

    def __str__(self) -> str:
        return self.name or self.phone


class Direction(models.TextChoices):
    OUT = "out", "Sent"
    IN = "in", "Received"


class TextMessage(models.Model):
    """One text, sent (through the outbox: ``outbox``) or received (through the provider's signed webhook). A reply
    from a number no conversation holds is kept without one (its STOP is honoured all the same)."""

    scope_seat_path = "conversation__assignment__constituency"

    conversation = models.ForeignKey(
        TextConversation, on_delete=models.CASCADE, null=True, blank=True, related_name="messages"
    )
    direction = models.CharField(max_length=3, choices=Direction.choices)
    phone = models.CharField(max_length=20, help_text="the person's number")
    body = models.TextField(max_length=1600)
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    outbox = models.ForeignKey("messaging.Outbox", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    provider_id = models.CharField(max_length=64, blank=True, help_text="the provider's id of an inbound text")
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider_id"], condition=~Q(provider_id=""), name="text_message_inbound_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()}: {self.body[:40]}"
