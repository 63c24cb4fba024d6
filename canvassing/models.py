"""The register and canvassing, per endorsed candidate's campaign.

Every model holding register-derived data says ``scope_register_path``: only users with a
:class:`RegisterGrant` on its campaign see or change it (organiser.scope). Nothing here records, infers or
guesses religion or ethnicity; voting intentions are political opinions, restricted like the register.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q

from organiser import clock, jobs


class CandidateCampaign(models.Model):
    """An endorsed candidate's campaign: the register's legal home, under its agent's control.

    ``retention_date`` (after polling day) is when its register data is destroyed; ``destroyed_at`` says it was.
    The row itself, its grants and its access log outlive the destruction as the record of it.
    """

    scope_register_path = ""

    endorsement = models.OneToOneField(
        "campaigns.Endorsement", on_delete=models.PROTECT, related_name="candidate_campaign"
    )
    election = models.ForeignKey("campaigns.Election", on_delete=models.PROTECT, related_name="+")
    constituency = models.ForeignKey("campaigns.Constituency", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200)
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="agent_of")
    polling_day = models.DateField()
    retention_date = models.DateField(help_text="register data is destroyed on this date (after polling day)")
    # A shorter retention date waits: it takes effect at ``retention_pending_from`` unless cancelled (see
    # canvassing.services.campaign_retention_set), so no one act can bring the destruction forward at once.
    retention_pending_date = models.DateField(null=True, blank=True, help_text="a shorter retention date, waiting")
    retention_pending_from = models.DateTimeField(null=True, blank=True, help_text="when the shorter date applies")
    retention_pending_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    votes_to_win = models.PositiveIntegerField(default=0, help_text="promises needed in the seat")
    destroyed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(retention_date__gt=F("polling_day")), name="campaign_retention_after_polling_day"
            )
        ]

    def __str__(self) -> str:
        return self.name


class GrantLevel(models.TextChoices):
    """What a grantee does with the register: organiser.scope.REGISTER_RIGHTS says it model by model."""

    AGENT = "agent", "Agent (grants, imports, exports)"
    ORGANISER = "organiser", "Organiser (register, lists, exports)"
    CANVASSER = "canvasser", "Canvasser (assigned lists only)"
    TELLER = "teller", "Teller (poll numbers on polling day only)"


class RegisterGrant(models.Model):
    """Grants one user the register of one candidate's campaign (given by its agent)."""

    scope_register_path = "campaign"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="register_grants")
    campaign = models.ForeignKey(CandidateCampaign, on_delete=models.CASCADE, related_name="grants")
    level = models.CharField(max_length=10, choices=GrantLevel.choices, default=GrantLevel.CANVASSER)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    granted_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "campaign"], name="unique_register_grant")]

    def __str__(self) -> str:
        return f"{self.user} → {self.campaign} ({self.level})"

    @classmethod
    def scope_register_own(cls, user) -> Q:
        return Q(user_id=user.pk)


class AccessLog(models.Model):
    """Who touched the register, when, how (view, export, import, destroy, and the acts of control over it:
    grants, the agent, the retention date), how many electors, by which route.

    ``actor`` names who acted as they were at the time (the account's email, or the job: ``system: ...``);
    ``via`` how (a session, an API token by its prefix, a task, a command)."""

    scope_register_path = "campaign"

    class Action(models.TextChoices):
        VIEW = "view"
        EXPORT = "export"
        IMPORT = "import"
        DESTROY = "destroy"
        GRANT = "grant"
        AGENT = "agent"
        RETENTION = "retention"

    campaign = models.ForeignKey(CandidateCampaign, on_delete=models.PROTECT, related_name="access_log")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    actor = models.CharField(max_length=254, blank=True, help_text="the account's email or the job, at the time")
    via = models.CharField(max_length=40, blank=True, help_text="session, token <prefix>, task or command")
    at = models.DateTimeField(default=clock.now, db_index=True)
    action = models.CharField(max_length=10, choices=Action.choices)
    electors = models.PositiveIntegerField(default=0, help_text="how many electors' data it concerned")
    route = models.CharField(max_length=300, help_text="page path, API path, admin, command or task")
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.action} {self.electors} ({self.route})"


class PollingDistrict(models.Model):
    """A polling district of the seat, by its letters (``KA``, ``BW1``)."""

    scope_register_path = "campaign"

    campaign = models.ForeignKey(CandidateCampaign, on_delete=models.CASCADE, related_name="polling_districts")
    code = models.CharField(max_length=6)
    name = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["campaign", "code"], name="unique_polling_district")]

    def __str__(self) -> str:
        return self.code


class IntentionCode(models.Model):
    """A voting-intention code the campaign records (``IND`` for the endorsed candidate, ``LAB``, ``L``...)."""

    scope_register_path = "campaign"

    class Category(models.TextChoices):
        PROMISE = "promise", "Promise (firm for our candidate)"
        LEAN = "lean", "Leaning to our candidate"
        UNDECIDED = "undecided"
        OTHER = "other", "Another candidate"
        AGAINST = "against"
        WONT_SAY = "wont_say", "Won't say"

    campaign = models.ForeignKey(CandidateCampaign, on_delete=models.CASCADE, related_name="intention_codes")
    code = models.CharField(max_length=10)
    label = models.CharField(max_length=100)
    category = models.CharField(max_length=10, choices=Category.choices)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "code"]
        constraints = [models.UniqueConstraint(fields=["campaign", "code"], name="unique_intention_code")]

    def __str__(self) -> str:
        return f"{self.code}: {self.label}"


class SurveyQuestion(models.Model):
    """A question the campaign asks on the doorstep: a choice, yes/no, or free text."""

    scope_register_path = "campaign"

    class Kind(models.TextChoices):
        CHOICE = "choice"
        YES_NO = "yes_no", "Yes/no"
        TEXT = "text"

    campaign = models.ForeignKey(CandidateCampaign, on_delete=models.CASCADE, related_name="survey_questions")
    key = models.SlugField(max_length=50)
    text = models.CharField(max_length=300)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    choices = models.JSONField(default=list, blank=True, help_text='for "choice": the options, e.g. ["Housing"]')
    order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["order", "key"]
        constraints = [models.UniqueConstraint(fields=["campaign", "key"], name="unique_survey_question")]

    def __str__(self) -> str:
        return self.text


class Outcome(models.TextChoices):
    SPOKE = "spoke", "Spoke"
    NOT_HOME = "not_home", "Not home"
    MOVED = "moved", "Moved away"
    REFUSED = "refused", "Refused"
    DO_NOT_CONTACT = "do_not_contact", "Do not contact"
    # Polling day's knock-up doors (canvassing.pollingday): what the door said about voting today.
    REMINDED = "reminded", "Reminded to vote"
    ALREADY_VOTED = "already_voted", "Already voted"
    NEEDS_LIFT = "needs_lift", "Needs a lift"
    WONT_VOTE = "wont_vote", "Won't vote"


class Elector(models.Model):
    """One entry of the register. Anonymous electors have no name or address.

    ``street``, ``house_number``, ``flat`` and ``property_key`` are derived from the address at import: a
    household is the electors of one ``property_key``; a block of flats shares ``street`` and
    ``house_number``. The ``current_*`` columns are the latest canvass response's (see
    ``canvassing.services.responses_record``), kept here so lists are one query.
    """

    scope_register_path = "campaign"

    # No database foreign-key constraints here: a register of a million rows is written set-based, and a
    # per-row referential check would cost more than the whole COPY. The importer resolves both ids in SQL
    # from the same campaign, and every delete of a campaign or district removes its electors first.
    campaign = models.ForeignKey(
        CandidateCampaign, on_delete=models.CASCADE, related_name="electors", db_constraint=False, db_index=False
    )
    polling_district = models.ForeignKey(
        PollingDistrict, on_delete=models.CASCADE, related_name="electors", db_constraint=False, db_index=False
    )
    number = models.PositiveIntegerField()
    suffix = models.PositiveSmallIntegerField(default=0)
    markers = models.CharField(max_length=10, blank=True)
    attainer_date = models.DateField(null=True, blank=True, help_text="the date they turn 18, where given")
    surname = models.CharField(max_length=100, blank=True)
    forenames = models.CharField(max_length=150, blank=True)
    address_1 = models.CharField(max_length=200, blank=True)
    address_2 = models.CharField(max_length=200, blank=True)
    address_3 = models.CharField(max_length=200, blank=True)
    address_4 = models.CharField(max_length=200, blank=True)
    address_5 = models.CharField(max_length=200, blank=True)
    address_6 = models.CharField(max_length=200, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    street = models.CharField(max_length=200, blank=True)
    house_number = models.PositiveIntegerField(null=True, blank=True)
    # Derived from the address lines (see the docstring), so sized to always hold what they can.
    flat = models.CharField(max_length=200, blank=True)
    property_key = models.CharField(max_length=1300, blank=True)
    postal_voter = models.BooleanField(default=False)
    proxy_voter = models.BooleanField(default=False)
    current_outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    current_outcome_at = models.DateTimeField(null=True, blank=True)
    current_intention = models.ForeignKey(
        IntentionCode, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    current_intention_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["polling_district__code", "number", "suffix"]
        constraints = [
            models.UniqueConstraint(fields=["polling_district", "number", "suffix"], name="unique_elector_number")
        ]
        indexes = [
            models.Index(fields=["campaign", "polling_district", "street", "house_number"], name="elector_walk_order"),
        ]

    def __str__(self) -> str:
        return self.elector_number

    @classmethod
    def scope_register_own(cls, user) -> Q:
        """The electors on the lists given to ``user``."""
        return Q(pk__in=WalkListEntry.objects.filter(WalkListEntry.scope_register_own(user)).values("elector_id"))

    @property
    def elector_number(self) -> str:
        code = self.polling_district.code
        return f"{code}-{self.number}/{self.suffix}" if self.suffix else f"{code}-{self.number}"

    @property
    def name(self) -> str:
        return f"{self.forenames} {self.surname}".strip() or "(anonymous elector)"

    @property
    def address(self) -> str:
        lines = [self.address_1, self.address_2, self.address_3, self.address_4, self.address_5, self.address_6]
        return ", ".join(line for line in [*lines, self.postcode] if line)


class CanvassResponse(models.Model):
    """One visit's record for one elector. ``client_id`` is made on the phone: a resend never duplicates.

    Two canvassers recording the same elector both keep their rows (history); the elector's current outcome
    and intention are those of the latest ``recorded_at``. ``flagged`` marks an implausible pace.
    """

    scope_register_path = "campaign"

    campaign = models.ForeignKey(CandidateCampaign, on_delete=models.CASCADE, related_name="responses")
    elector = models.ForeignKey(Elector, on_delete=models.CASCADE, related_name="responses")
    client_id = models.UUIDField(unique=True, default=uuid.uuid4)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    recorded_at = models.DateTimeField(help_text="on the phone, when the door was knocked")
    received_at = models.DateTimeField(default=clock.now)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    intention = models.ForeignKey(IntentionCode, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    answers = models.JSONField(default=dict, blank=True)
    note = models.TextField(blank=True)
    walk_list = models.ForeignKey("WalkList", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    flagged = models.BooleanField(default=False)
    flag_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        indexes = [
            models.Index(fields=["recorded_by", "recorded_at"], name="response_pace"),
            models.Index(fields=["elector", "recorded_at"], name="response_elector"),
            models.Index(fields=["campaign", "flagged"], name="response_flagged"),
        ]

    def __str__(self) -> str:
        return f"{self.elector_id}: {self.outcome} at {self.recorded_at:%Y-%m-%d %H:%M}"

    @classmethod
    def scope_register_own(cls, user) -> Q:
        return Q(recorded_by_id=user.pk)


class WalkList(models.Model):
    """A route of about N doors in one polling district, assigned to a shift, a team or a volunteer."""

    scope_register_path = "campaign"

    campaign = models.ForeignKey(CandidateCampaign, on_delete=models.CASCADE, related_name="walk_lists")
    polling_district = models.ForeignKey(PollingDistrict, on_delete=models.CASCADE, related_name="walk_lists")
    name = models.CharField(max_length=200)
    sequence = models.PositiveIntegerField(default=1)
    batch = models.UUIDField(default=uuid.uuid4, help_text="the cut that made it")
    doors = models.PositiveIntegerField(default=0)
    electors_count = models.PositiveIntegerField(default=0)
    filters = models.JSONField(default=dict, blank=True)
    shift = models.ForeignKey("volunteers.Shift", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    team = models.ForeignKey("volunteers.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="walk_lists"
    )
    created_at = models.DateTimeField(default=clock.now)
    knock_up_round = models.ForeignKey(
        "canvassing.KnockUpRound", on_delete=models.CASCADE, null=True, blank=True, related_name="lists",
        help_text="polling day: the knock-up round this list belongs to",
    )  # fmt: skip

    class Meta:
        ordering = ["polling_district__code", "sequence", "pk"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_register_own(cls, user) -> Q:
        """The lists given to ``user``: to them, to a team they are in or lead, or to a shift they signed up for."""
        from volunteers.models import ACTIVE_STATUSES, Signup, Team

        teams = Team.objects.filter(Q(lead_id=user.pk) | Q(members=user.pk)).values("pk")
        shifts = Signup.objects.filter(volunteer_id=user.pk, status__in=ACTIVE_STATUSES).values("shift_id")
        return Q(volunteer_id=user.pk) | Q(team_id__in=teams) | Q(shift_id__in=shifts)


class WalkListEntry(models.Model):
    """An elector on a walk list, in walking order."""

    scope_register_path = "walk_list__campaign"

    # As for electors: tens of thousands of entries are written per cut, so no per-row referential checks;
    # the services delete entries with their lists and electors.
    walk_list = models.ForeignKey(
        WalkList, on_delete=models.CASCADE, related_name="entries", db_constraint=False, db_index=False
    )
    elector = models.ForeignKey(Elector, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["walk_list", "position"]
        constraints = [models.UniqueConstraint(fields=["walk_list", "elector"], name="unique_walk_list_elector")]
        indexes = [models.Index(fields=["walk_list", "position"], name="walk_list_order")]

    def __str__(self) -> str:
        return f"{self.walk_list_id}#{self.position}: {self.elector_id}"

    @classmethod
    def scope_register_own(cls, user) -> Q:
        return Q(walk_list_id__in=WalkList.objects.filter(WalkList.scope_register_own(user)).values("pk"))


class PollingDayVote(models.Model):
    """A poll number a teller took outside a polling station: this elector has voted. One row per elector."""

    scope_register_path = "campaign"

    campaign = models.ForeignKey(CandidateCampaign, on_delete=models.CASCADE, related_name="votes")
    elector = models.OneToOneField(Elector, on_delete=models.CASCADE, related_name="vote")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    entered_at = models.DateTimeField(default=clock.now)
    # Set by the tellers' screen (canvassing.pollingday): at which station, and when the number was taken.
    station = models.ForeignKey(
        "canvassing.PollingStation", on_delete=models.SET_NULL, null=True, blank=True, related_name="votes"
    )
    taken_at = models.DateTimeField(null=True, blank=True, help_text="when the teller took the number")

    class Meta:
        indexes = [models.Index(fields=["campaign", "taken_at"], name="vote_campaign_time")]

    def __str__(self) -> str:
        return f"{self.elector_id} voted"


class KnockUpSheet(models.Model):
    """A knock-up list as generated at one moment: promises and leans in a district not yet voted."""

    scope_register_path = "campaign"

    campaign = models.ForeignKey(CandidateCampaign, on_delete=models.CASCADE, related_name="knock_up_sheets")
    polling_district = models.ForeignKey(PollingDistrict, on_delete=models.CASCADE, related_name="+")
    generated_at = models.DateTimeField(default=clock.now)
    elector_ids = ArrayField(models.BigIntegerField(), default=list)

    class Meta:
        ordering = ["-generated_at"]

    def __str__(self) -> str:
        return f"{self.polling_district} at {self.generated_at:%H:%M}: {len(self.elector_ids)}"


class RegisterLayout(models.Model):
    """A column mapping an organiser made by hand for a council's export the importer did not recognise.

    ``headers`` is the file's header row; ``mapping`` maps each field the importer knows to a header.
    """

    scope_register_path = "campaign"

    campaign = models.ForeignKey(CandidateCampaign, on_delete=models.CASCADE, related_name="layouts")
    name = models.CharField(max_length=200)
    headers = ArrayField(models.CharField(max_length=200))
    mapping = models.JSONField()
    created_at = models.DateTimeField(default=clock.now)

    def __str__(self) -> str:
        return self.name


def register_upload_storage():
    """Uploaded register files wait here for their import job: outside MEDIA_ROOT, never served."""
    from django.core.files.storage import FileSystemStorage

    return FileSystemStorage(
        location=getattr(settings, "CANVASSING_UPLOAD_ROOT", settings.BASE_DIR / "var" / "register-uploads")
    )


class RegisterImportJob(jobs.Job):
    """A register file uploaded for import, and what became of it (the import runs in a Celery task, with the
    lifecycle of :mod:`organiser.jobs`; before it is queued it may wait for its column mapping).

    The file is register data: it is deleted when the job finishes, whatever the outcome, and with the rest of
    the campaign's register by the retention job. ``problems`` holds every bad row of a rejected file.
    """

    scope_register_path = "campaign"

    class Status(models.TextChoices):
        MAPPING = "mapping", "Waiting for its column mapping"
        QUEUED = jobs.Status.QUEUED.value, jobs.Status.QUEUED.label
        RUNNING = jobs.Status.RUNNING.value, jobs.Status.RUNNING.label
        DONE = jobs.Status.DONE.value, jobs.Status.DONE.label
        FAILED = jobs.Status.FAILED.value, jobs.Status.FAILED.label

    campaign = models.ForeignKey(CandidateCampaign, on_delete=models.CASCADE, related_name="import_jobs")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    file = models.FileField(upload_to="%Y/%m/", storage=register_upload_storage, blank=True)
    filename = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.status})"


# Polling day's own models live in canvassing.pollingday.models (they belong to this app).
from canvassing.pollingday.models import KnockUpRound, Lift, LiftStatus, PollingStation, TellerEntry  # noqa: E402, F401
