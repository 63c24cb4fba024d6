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
from django.db.models import Q
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
