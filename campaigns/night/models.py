"""What election night adds beside the results: when each seat is expected to declare, when it was first seen
declared (the exactly-once key of its messages), and count agents' results from the hall.

Loaded by campaigns.models (the app's models module), so these are models of the campaigns app."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from organiser import clock


class ExpectedDeclaration(models.Model):
    """When a seat is expected to declare (from a CSV of the press's estimates, or typed in): the board shows a
    seat past this time and not declared as overdue."""

    scope_seat_path = "constituency"

    class Source(models.TextChoices):
        IMPORTED = "imported"
        ENTERED = "entered"

    election = models.ForeignKey("campaigns.Election", on_delete=models.CASCADE, related_name="+")
    constituency = models.ForeignKey("campaigns.Constituency", on_delete=models.CASCADE, related_name="+")
    expected_at = models.DateTimeField()
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.ENTERED)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["expected_at"]
        constraints = [
            models.UniqueConstraint(fields=["election", "constituency"], name="expected_declaration_unique_seat")
        ]

    def __str__(self) -> str:
        return f"{self.constituency}: expected {self.expected_at:%H:%M}"


class Declaration(models.Model):
    """A seat seen declared on the night, once: by the feed (a result with its declaration time) or by a
    confirmed count report, whichever came first. Its id is the key of the messages the declaration sends, so
    each goes once; a rehearsal's reset deletes these and the next rehearsal sends again."""

    scope_public = True
    scope_seat_path = "constituency"
    scope_national_change = True

    class Source(models.TextChoices):
        FEED = "feed", "Results feed"
        COUNT = "count", "Count agents"

    election = models.ForeignKey("campaigns.Election", on_delete=models.CASCADE, related_name="+")
    constituency = models.ForeignKey("campaigns.Constituency", on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=5, choices=Source.choices)
    declared_at = models.DateTimeField()
    recorded_at = models.DateTimeField(default=clock.now)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-declared_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["election", "constituency"], name="declaration_unique_seat")]

    def __str__(self) -> str:
        return f"{self.constituency}: declared {self.declared_at:%H:%M} ({self.source})"


class CountReport(models.Model):
    """A seat's result as the count agent heard it declared in the hall: every candidate's votes (CountVote)
    and the totals announced, entered by one user and confirmed by a second before the board shows it as
    declared (the Democracy Club results recorder's model). When the feed has the seat, the report is checked
    against it: ``feed_check`` says whether they agree, ``feed_differences`` how they differ."""

    scope_seat_path = "constituency"

    class Status(models.TextChoices):
        AWAITING = "awaiting", "Awaiting a second user"
        CONFIRMED = "confirmed"
        REJECTED = "rejected"

    class FeedCheck(models.TextChoices):
        NOT_YET = "", "Not in the feed yet"
        AGREES = "agrees", "The feed agrees"
        DIFFERS = "differs", "The feed differs"

    election = models.ForeignKey("campaigns.Election", on_delete=models.CASCADE, related_name="+")
    constituency = models.ForeignKey("campaigns.Constituency", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.AWAITING)
    valid_votes = models.PositiveIntegerField(help_text="the total of valid votes as announced")
    rejected_ballots = models.PositiveIntegerField(null=True, blank=True)
    electorate = models.PositiveIntegerField(null=True, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(default=clock.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    feed_check = models.CharField(max_length=10, choices=FeedCheck.choices, blank=True, default="")
    feed_differences = models.JSONField(default=list, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-entered_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["election", "constituency"],
                condition=Q(status="confirmed"),
                name="count_report_one_confirmed_per_seat",
            ),
            models.UniqueConstraint(
                fields=["election", "constituency"],
                condition=Q(status="awaiting"),
                name="count_report_one_awaiting_per_seat",
            ),
            models.CheckConstraint(
                condition=~Q(status="confirmed") | ~Q(decided_by=models.F("entered_by")),
                name="count_report_decided_by_a_second_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.constituency}: count report ({self.status})"


class CountVote(models.Model):
    """One candidate's votes in a count report."""

    scope_seat_path = "report__constituency"

    report = models.ForeignKey(CountReport, on_delete=models.CASCADE, related_name="votes")
    candidacy = models.ForeignKey("campaigns.Candidacy", on_delete=models.PROTECT, related_name="+")
    votes = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "candidacy"], name="count_vote_unique_candidate")]

    def __str__(self) -> str:
        return f"{self.candidacy_id}: {self.votes}"
