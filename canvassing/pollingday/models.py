"""Polling day's models (part of the canvassing app: canvassing.models imports them).

- :class:`PollingStation`: where electors of some polling districts vote, 07:00-22:00, and the telling shifts
  (volunteers.Shift) that roster its tellers.
- :class:`TellerEntry`: one line a teller typed (a number, several, or a range) at a station, made on the phone
  with its own id: a resend is stored once, and the numbers in it become ``PollingDayVote`` rows (one per
  elector, whoever typed it first).
- :class:`KnockUpRound`: a round of knock-up lists cut at a moment (its cut-off); its lists are walk lists
  (``WalkList.knock_up_round``), so the doorstep, "my lists" and assigning work for them as for any list.
- :class:`Lift`: an elector who needs a lift to vote, matched with a volunteer who drives.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from organiser import clock

OPENS = dt.time(7, 0)
CLOSES = dt.time(22, 0)


class PollingStation(models.Model):
    """A polling station: name, address, the polling districts whose electors vote there, its hours, and the
    telling shifts whose volunteers are its tellers."""

    scope_register_path = "campaign"

    campaign = models.ForeignKey(
        "canvassing.CandidateCampaign", on_delete=models.CASCADE, related_name="polling_stations"
    )
    name = models.CharField(max_length=200)
    address = models.CharField(max_length=300, blank=True)
    districts = models.ManyToManyField("canvassing.PollingDistrict", related_name="polling_stations")
    opens_at = models.TimeField(default=OPENS)
    closes_at = models.TimeField(default=CLOSES)
    shifts = models.ManyToManyField(
        "volunteers.Shift", blank=True, related_name="polling_stations", help_text="telling shifts at this station"
    )

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "name"], name="unique_polling_station_name"),
            models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")), name="station_closes_after"),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_register_own(cls, user) -> Q:
        """The stations whose telling shifts ``user`` signed up for."""
        from volunteers.models import ACTIVE_STATUSES

        return Q(shifts__signups__volunteer_id=user.pk, shifts__signups__status__in=ACTIVE_STATUSES)


class TellerEntry(models.Model):
    """One line a teller typed at a station (``124``, ``KA-124/1``, ``KA 120-130``), stored once per ``client_id``
    (made on the phone), with what became of its numbers."""

    scope_register_path = "campaign"

    campaign = models.ForeignKey("canvassing.CandidateCampaign", on_delete=models.CASCADE, related_name="+")
    station = models.ForeignKey(PollingStation, on_delete=models.CASCADE, related_name="entries")
    client_id = models.UUIDField(unique=True, default=uuid.uuid4)
    written = models.CharField(max_length=200)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    taken_at = models.DateTimeField(help_text="on the phone, when the number was taken")
    received_at = models.DateTimeField(default=clock.now)
    recorded = models.PositiveIntegerField(default=0, help_text="numbers that were new")
    duplicates = models.PositiveIntegerField(default=0, help_text="numbers recorded before")
    rejected = models.JSONField(default=list, blank=True, help_text="numbers refused, with why")

    class Meta:
        ordering = ["-taken_at", "-pk"]
        indexes = [models.Index(fields=["station", "taken_at"], name="teller_entry_station_time")]

    def __str__(self) -> str:
        return f"{self.station_id}: {self.written}"

    @classmethod
    def scope_register_own(cls, user) -> Q:
        return Q(entered_by_id=user.pk)


class KnockUpRound(models.Model):
    """A knock-up round: lists of promises and leans not yet voted as of ``cut_off``, one walk list per route,
    assigned to volunteers. A later round leaves out whoever voted (or said so at the door) since."""

    scope_register_path = "campaign"

    campaign = models.ForeignKey("canvassing.CandidateCampaign", on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField()
    cut_off = models.DateTimeField(default=clock.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    reasoning = models.JSONField(default=list, blank=True, help_text="why these districts, as shown then")

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["campaign", "number"], name="unique_knock_up_round")]

    def __str__(self) -> str:
        return f"Round {self.number} ({clock.local(self.cut_off):%H:%M})"


class LiftStatus(models.TextChoices):
    OPEN = "open", "Needs a driver"
    OFFERED = "offered", "Offered to a driver"
    ACCEPTED = "accepted", "Driver on the way"
    DONE = "done", "Taken to vote"
    CANCELLED = "cancelled", "Cancelled"


class Lift(models.Model):
    """An elector who needs a lift to the polling station (said at the door, or on the phone to the committee
    room), when, from where, and the driver. The driver sees the pick-up only once they accept it."""

    scope_register_path = "campaign"

    campaign = models.ForeignKey("canvassing.CandidateCampaign", on_delete=models.CASCADE, related_name="lifts")
    elector = models.ForeignKey("canvassing.Elector", on_delete=models.CASCADE, related_name="+", db_constraint=False)
    response = models.OneToOneField(
        "canvassing.CanvassResponse", on_delete=models.SET_NULL, null=True, blank=True, related_name="lift",
        help_text="the doorstep entry that asked for it",
    )  # fmt: skip
    wanted_at = models.DateTimeField(default=clock.now, help_text="when they want picking up")
    pick_up = models.CharField(max_length=300, help_text="where to pick them up")
    note = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=LiftStatus.choices, default=LiftStatus.OPEN)
    driver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="lifts_driven"
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["wanted_at", "pk"]
        indexes = [models.Index(fields=["campaign", "status"], name="lift_campaign_status")]

    def __str__(self) -> str:
        return f"Lift {self.pk} ({self.status})"
