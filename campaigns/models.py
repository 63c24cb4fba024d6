"""What the campaign knows: elections, the Westminster seats, parties, candidates and results, notional
previous results, published demographic aggregates, endorsements, targets, and import jobs."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

from organiser import clock, jobs


class Election(models.Model):
    """An election, slugged with Democracy Club's election id (e.g. ``parl.2024-07-04``)."""

    scope_public = True
    scope_national_change = True

    # Not a SlugField: Democracy Club's ids hold dots, which Django's slugs (and their schema) refuse.
    slug = models.CharField(
        max_length=100,
        unique=True,
        validators=[
            RegexValidator(
                r"^[-a-zA-Z0-9_.]+$", "Letters, digits, dots, hyphens and underscores, e.g. parl.2024-07-04."
            )
        ],
    )
    name = models.CharField(max_length=200)
    date = models.DateField()

    class Meta:
        ordering = ["-date"]

    def __str__(self) -> str:
        return self.name


class Constituency(models.Model):
    """A Westminster seat on the 2024 boundaries, keyed by its ONS/GSS code."""

    scope_public = True
    scope_seat_path = ""
    scope_national_change = True

    class Nation(models.TextChoices):
        ENGLAND = "England"
        WALES = "Wales"
        SCOTLAND = "Scotland"
        NORTHERN_IRELAND = "Northern Ireland"

    code = models.CharField(max_length=9, unique=True, help_text="ONS/GSS code, e.g. E14001063")
    name = models.CharField(max_length=200)
    nation = models.CharField(max_length=20, choices=Nation.choices)
    region_code = models.CharField(max_length=9, blank=True)
    region_name = models.CharField(max_length=100, blank=True)
    constituency_type = models.CharField(max_length=20, blank=True)
    hex_q = models.IntegerField(null=True, blank=True, help_text="hex map column (odd-r layout)")
    hex_r = models.IntegerField(null=True, blank=True, help_text="hex map row (odd-r layout; grows northwards)")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "constituencies"

    def __str__(self) -> str:
        return self.name


class Party(models.Model):
    """A registered party as the Commons Library names it. Labour and Labour Co-op share the abbreviation ``Lab``
    and are told apart by name; the Speaker is a party of one. Independents have no party (candidacy.party NULL)."""

    scope_public = True
    scope_national_change = True

    name = models.CharField(max_length=200, unique=True)
    # An abbreviation column can hold a whole name (older Commons Library files): sized like the name.
    abbreviation = models.CharField(max_length=200, db_index=True)
    colour = models.CharField(max_length=7, default="#999999")
    ec_party_id = models.CharField("Electoral Commission id", max_length=50, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "parties"

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    """A candidate. ``key`` is ``dc:<Democracy Club person id>`` where known, else a per-election name key."""

    scope_public = True
    scope_national_change = True

    key = models.CharField(max_length=300, unique=True)
    dc_person_id = models.PositiveIntegerField(null=True, blank=True, unique=True)
    name = models.CharField(max_length=200)
    first_name = models.CharField(max_length=100, blank=True)
    surname = models.CharField(max_length=100, blank=True)
    gender = models.CharField(max_length=20, blank=True)
    photo_url = models.URLField(max_length=500, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Candidacy(models.Model):
    """A person standing in a seat at an election, for a party or (party NULL) as an independent."""

    scope_public = True
    scope_seat_path = "constituency"
    scope_national_change = True

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="candidacies")
    constituency = models.ForeignKey(Constituency, on_delete=models.CASCADE, related_name="candidacies")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="candidacies")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, null=True, blank=True, related_name="candidacies")
    votes = models.PositiveIntegerField(null=True, blank=True)
    elected = models.BooleanField(default=False)

    class Meta:
        ordering = ["constituency__name", "-votes"]
        verbose_name_plural = "candidacies"
        constraints = [
            models.UniqueConstraint(fields=["election", "constituency", "person"], name="candidacy_unique_person_seat")
        ]
        indexes = [models.Index(fields=["election", "elected"])]

    def __str__(self) -> str:
        return f"{self.person} ({self.party or 'Independent'}), {self.constituency}"

    @property
    def party_label(self) -> str:
        return self.party.name if self.party_id else "Independent"

    @property
    def abbreviation(self) -> str:
        return self.party.abbreviation if self.party_id else "Ind"


class Result(models.Model):
    """A seat's declared result. Turnout is valid votes / electorate (Commons Library convention), computed."""

    scope_public = True
    scope_seat_path = "constituency"
    scope_national_change = True

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="results")
    constituency = models.ForeignKey(Constituency, on_delete=models.CASCADE, related_name="results")
    electorate = models.PositiveIntegerField(null=True, blank=True)
    valid_votes = models.PositiveIntegerField(null=True, blank=True)
    invalid_votes = models.PositiveIntegerField(null=True, blank=True)
    winner = models.ForeignKey(Candidacy, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    majority = models.PositiveIntegerField(null=True, blank=True)
    result_text = models.CharField(max_length=100, blank=True)
    first_party = models.CharField(max_length=200, blank=True)
    second_party = models.CharField(max_length=200, blank=True)
    declared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["constituency__name"]
        constraints = [models.UniqueConstraint(fields=["election", "constituency"], name="result_unique_seat")]

    def __str__(self) -> str:
        return f"{self.constituency}: {self.result_text or 'declared'}"

    @property
    def turnout(self) -> float | None:
        if self.electorate and self.valid_votes is not None:
            return self.valid_votes / self.electorate
        return None


class NotionalResult(models.Model):
    """The previous election's result as it would have been on this election's boundaries (e.g. Rallings &
    Thrasher's notional 2019 results for the 2024 seats): the base for majority and share change."""

    scope_public = True
    scope_seat_path = "constituency"
    scope_national_change = True

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="notional_results")
    constituency = models.ForeignKey(Constituency, on_delete=models.CASCADE, related_name="notional_results")
    label = models.CharField(max_length=100, default="Notional 2019")
    electorate = models.PositiveIntegerField()
    total_votes = models.PositiveIntegerField()
    majority = models.PositiveIntegerField()
    winner = models.CharField(max_length=200, help_text="party abbreviation")
    second = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["election", "constituency"], name="notional_unique_seat")]

    def __str__(self) -> str:
        return f"{self.label}: {self.constituency}"


class NotionalVote(models.Model):
    """A party's notional votes in a seat (``Other`` = all other candidates together)."""

    scope_public = True
    scope_seat_path = "notional_result__constituency"
    scope_national_change = True

    notional_result = models.ForeignKey(NotionalResult, on_delete=models.CASCADE, related_name="votes")
    party_abbreviation = models.CharField(max_length=30)
    votes = models.PositiveIntegerField()
    share = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["notional_result", "party_abbreviation"], name="notional_vote_unique")
        ]

    def __str__(self) -> str:
        return f"{self.party_abbreviation}: {self.votes}"


class DemographicValue(models.Model):
    """One published aggregate for a constituency (a census count or an estimated share), as a long row so a new
    variable needs no migration. Never about an individual."""

    scope_public = True
    scope_seat_path = "constituency"
    scope_national_change = True

    constituency = models.ForeignKey(Constituency, on_delete=models.CASCADE, related_name="demographics")
    source = models.CharField(max_length=50)
    topic = models.CharField(max_length=100)
    variable = models.CharField(max_length=200)
    variable_code = models.CharField(max_length=20, blank=True)
    value = models.FloatField()
    nation_value = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["constituency", "source", "topic", "variable"], name="demographic_unique_variable"
            )
        ]
        indexes = [models.Index(fields=["source", "topic", "variable"])]

    def __str__(self) -> str:
        return f"{self.constituency}: {self.topic} / {self.variable} = {self.value}"


class Endorsement(models.Model):
    """The campaign's endorsement in one seat at one election. Seat organisers propose; national organisers
    review, endorse and withdraw. Every change is kept in :class:`EndorsementEvent`."""

    scope_seat_path = "constituency"
    scope_no_delete = True  # withdraw instead: the decision and its history stay

    class Status(models.TextChoices):
        PROPOSED = "proposed"
        UNDER_REVIEW = "under_review", "Under review"
        ENDORSED = "endorsed"
        WITHDRAWN = "withdrawn"

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="endorsements")
    constituency = models.ForeignKey(Constituency, on_delete=models.CASCADE, related_name="endorsements")
    candidacy = models.ForeignKey(Candidacy, on_delete=models.PROTECT, related_name="endorsements")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROPOSED)
    statement = models.TextField(blank=True, help_text="Public reason for the endorsement")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["constituency__name"]
        constraints = [models.UniqueConstraint(fields=["election", "constituency"], name="endorsement_unique_seat")]

    def __str__(self) -> str:
        return f"{self.constituency}: {self.candidacy.person} ({self.status})"

    @classmethod
    def scope_public_read(cls) -> Q:
        """Published endorsements are public; proposals and reviews are the organisers' business."""
        return Q(status=cls.Status.ENDORSED)

    @classmethod
    def scope_seat_change(cls) -> Q:
        """A seat organiser changes a proposal only: under review, endorsed or withdrawn is a national decision."""
        return Q(status=cls.Status.PROPOSED)


class EndorsementEvent(models.Model):
    """History: who moved an endorsement to which status (and candidate), when and why."""

    scope_seat_path = "endorsement__constituency"
    scope_national_change = True  # history is written by the endorsement services, never edited
    scope_no_delete = True

    endorsement = models.ForeignKey(Endorsement, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=20, choices=Endorsement.Status.choices)
    candidacy = models.ForeignKey(Candidacy, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(default=clock.now)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.endorsement_id}: {self.status} at {self.at:%Y-%m-%d %H:%M}"


class TargetCriteria(models.Model):
    """The organisers' weighted, explainable criteria for picking target seats at an election."""

    scope_national_change = True

    election = models.OneToOneField(Election, on_delete=models.CASCADE, related_name="target_criteria")
    small_majority_votes = models.PositiveIntegerField(default=5000, help_text="a majority under this is small")
    small_majority_weight = models.FloatField(default=3)
    collapse_ratio = models.FloatField(default=0.5, help_text="majority fell below this fraction of the notional")
    collapse_weight = models.FloatField(default=2)
    demographic_source = models.CharField(max_length=50, default="census2021-ts030")
    demographic_variable = models.CharField(max_length=200, default="Muslim")
    demographic_threshold = models.FloatField(default=0.10, help_text="share (0-1) at or above which it counts")
    demographic_weight = models.FloatField(default=3)
    split_party_abbreviations = models.JSONField(
        default=list, blank=True, help_text='like-minded parties, e.g. ["WPB", "Green"]'
    )
    split_independents = models.BooleanField(default=True, help_text="count independent candidates as like-minded")
    split_weight = models.FloatField(default=2)
    endorsed_weight = models.FloatField(default=1)
    tier_one_score = models.FloatField(default=6)
    tier_two_score = models.FloatField(default=3)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name_plural = "target criteria"

    def __str__(self) -> str:
        return f"Target criteria for {self.election}"


class Target(models.Model):
    """A seat's target score under the election's criteria, its tier, and the reasons (human-readable)."""

    scope_seat_path = "constituency"
    scope_national_change = True  # which seats the campaign targets is a national decision

    class Tier(models.IntegerChoices):
        ONE = 1, "Tier 1"
        TWO = 2, "Tier 2"
        THREE = 3, "Tier 3"
        NONE = 0, "Not a target"

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="targets")
    constituency = models.ForeignKey(Constituency, on_delete=models.CASCADE, related_name="targets")
    score = models.FloatField()
    tier = models.PositiveSmallIntegerField(choices=Tier.choices)
    reasons = models.JSONField(default=list)
    computed_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-score", "constituency__name"]
        constraints = [models.UniqueConstraint(fields=["election", "constituency"], name="target_unique_seat")]

    def __str__(self) -> str:
        return f"{self.constituency}: {self.score:g} ({self.get_tier_display()})"


class ImportJob(jobs.Job):
    """A file uploaded by an organiser in the admin, imported by a Celery task (:mod:`organiser.jobs`: the
    same lifecycle as a register import); the report, or every problem, is kept and the bytes emptied."""

    scope_national_change = True
    Status = jobs.Status

    class Kind(models.TextChoices):
        RESULTS = "results", "Results (Commons Library, by candidate or by constituency)"
        NOTIONAL = "notional", "Notional previous results"
        CENSUS_RELIGION = "census_religion", "Census 2021 religion"
        DEMOGRAPHICS = "demographics", "Commons Library demographic estimates"
        CANDIDATES = "candidates", "Democracy Club candidates"
        HEXMAP = "hexmap", "Hex map layout (HexJSON)"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    election = models.ForeignKey(Election, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    filename = models.CharField(max_length=255)
    data = models.BinaryField(blank=True, help_text="the uploaded file, emptied once the job finishes")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.filename} ({self.status})"


# Election night's models live beside the code that uses them (campaigns/night/); they are this app's models.
from campaigns.night.models import CountReport, CountVote, Declaration, ExpectedDeclaration  # noqa: E402

__all__ = [
    "Candidacy",
    "Constituency",
    "CountReport",
    "CountVote",
    "Declaration",
    "DemographicValue",
    "Election",
    "Endorsement",
    "EndorsementEvent",
    "ExpectedDeclaration",
    "ImportJob",
    "NotionalResult",
    "NotionalVote",
    "Party",
    "Person",
    "Result",
    "Target",
    "TargetCriteria",
]
