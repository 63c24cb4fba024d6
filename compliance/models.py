"""What the campaign must keep to stay within election and data-protection law: the figures of law per
election, promoter details for imprints, the publication log, the spending ledger with its attributions and
the written authorisations that allow more, and donations with their permissibility checks.

Every figure (limit, threshold, period) is a :class:`LegalFigure` row loaded per election from
``compliance/data/figures/<election slug>.json``, never a constant in code; docs/law.md cites each one.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from organiser import clock


class PartOfUK(models.TextChoices):
    """The four parts of the UK as PPERA counts them (the same values as Constituency.Nation)."""

    ENGLAND = "England"
    SCOTLAND = "Scotland"
    WALES = "Wales"
    NORTHERN_IRELAND = "Northern Ireland"


class FigureKey(models.TextChoices):
    """Every figure of law the product applies. docs/law.md says where each comes from."""

    REGULATED_PERIOD_DAYS = "npc.regulated_period_days", "Regulated period (days ending with polling day)"
    ELIGIBILITY_FLOOR = "npc.eligibility_floor", "Most anyone may spend (non-eligible campaigners)"
    NOTIFICATION_THRESHOLD = "npc.notification_threshold", "Notification threshold (UK-wide)"
    REPORTING_THRESHOLD = "npc.reporting_threshold", "Reporting threshold (per part of the UK)"
    PART_LIMIT = "npc.part_limit", "Spending limit of a registered non-party campaigner (per part of the UK)"
    CONSTITUENCY_LIMIT = "npc.constituency_limit", "Constituency limit (per constituency)"
    CONSTITUENCY_LISTING = "npc.constituency_listing", "Constituencies to list in the return (spending over)"
    TARGETED_LIMIT = "npc.targeted_limit", "Unauthorised targeted spending (per part of the UK)"
    RECEIPT_THRESHOLD = "npc.receipt_threshold", "Invoices or receipts needed for payments over"
    AUDITOR_THRESHOLD = "npc.auditor_threshold", "Auditor's report needed for spending over"
    DONATION_THRESHOLD = "npc.donation_threshold", "A donation is anything over (permissibility checks)"
    DONATION_DECISION_DAYS = "npc.donation_decision_days", "Days to check and return an impermissible donation"
    DONATION_REPORTABLE = "npc.donation_reportable", "Donations to report (over, also in aggregate)"
    PERMITTED_SUM = "local.permitted_sum", "Local spending permitted sum per candidate (without the agent)"
    AUTHORISED_RETURN_DAYS = "local.authorised_return_days", "Days after the result to return authorised spending"
    CANDIDATE_FIXED = "candidate.short_fixed", "Candidate's short-campaign limit: fixed sum"
    CANDIDATE_PER_ELECTOR_BOROUGH = "candidate.per_elector_borough", "Candidate's limit per elector (borough)"
    CANDIDATE_PER_ELECTOR_COUNTY = "candidate.per_elector_county", "Candidate's limit per elector (county)"
    PUBLICATION_RETENTION_DAYS = "imprint.log_retention_days", "Publication log kept (days after polling day)"
    WARNING_PERCENT = "product.warning_percent", "Warn when a gauge reaches (percent of a limit)"


class LegalFigure(models.Model):
    """One figure of law at one election, with where it comes from and when it was checked."""

    scope_public = True
    scope_national_change = True

    election = models.ForeignKey("campaigns.Election", on_delete=models.CASCADE, related_name="legal_figures")
    key = models.CharField(max_length=40, choices=FigureKey.choices)
    part = models.CharField(max_length=20, choices=PartOfUK.choices, blank=True, help_text="empty: UK-wide")
    value = models.DecimalField(max_digits=14, decimal_places=4)
    source = models.CharField(max_length=300, help_text="act and section, or guidance page")
    url = models.URLField(max_length=500, blank=True)
    checked_on = models.DateField()
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["election", "key", "part"]
        constraints = [models.UniqueConstraint(fields=["election", "key", "part"], name="legal_figure_once")]

    def __str__(self) -> str:
        return f"{self.get_key_display()}{f' ({self.part})' if self.part else ''}: {self.value.normalize():f}"


# --- imprints --------------------------------------------------------------------------------------------------


class PromoterDetails(models.Model):
    """Who promotes the campaign's material at an election, on whose behalf, who prints it, and whether the
    campaign has a notification in force with the Electoral Commission (a "registered non-party campaigner")."""

    scope_national_change = True

    election = models.OneToOneField("campaigns.Election", on_delete=models.CASCADE, related_name="promoter")
    promoter_name = models.CharField(max_length=200, help_text="the person who causes material to be published")
    promoter_address = models.CharField(max_length=300, help_text="an address where they can be contacted")
    on_behalf_name = models.CharField(
        max_length=200, blank=True, help_text="the campaign (organisation), where it is not the promoter"
    )
    on_behalf_address = models.CharField(max_length=300, blank=True)
    printer_name = models.CharField(max_length=200, blank=True)
    printer_address = models.CharField(max_length=300, blank=True)
    registered = models.BooleanField(
        "notification in force", default=False, help_text="registered with the Electoral Commission (PPERA s.88)"
    )
    lower_tier_statement = models.BooleanField(
        default=False, help_text="the notification says it will stay under the reporting thresholds (s.88(3D))"
    )
    dissolution_date = models.DateField(null=True, blank=True, help_text="weekly pre-poll donation reports from")
    controller_name = models.CharField(
        max_length=200, blank=True, help_text="data controller named in privacy notices (default: the campaign)"
    )
    controller_contact = models.CharField(max_length=300, blank=True, help_text="email or address for data requests")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name_plural = "promoter details"

    def __str__(self) -> str:
        return f"Promoter for {self.election}: {self.promoter_name}"


class CandidateImprint(models.Model):
    """For material published on an endorsed candidate's behalf (with their agent's authority): the agent as
    promoter and the candidate on whose behalf it is published, with their addresses."""

    scope_seat_path = "endorsement__constituency"

    endorsement = models.OneToOneField("campaigns.Endorsement", on_delete=models.CASCADE, related_name="imprint")
    on_candidates_behalf = models.BooleanField(
        default=False, help_text="the candidate's agent has agreed that this material is published on their behalf"
    )
    agent_name = models.CharField(max_length=200, blank=True)
    agent_address = models.CharField(max_length=300, blank=True)
    candidate_address = models.CharField(max_length=300, blank=True)
    updated_at = models.DateTimeField(default=clock.now)

    def __str__(self) -> str:
        return f"Imprint for {self.endorsement_id}"


class MaterialKind(models.TextChoices):
    """Every kind of material Organiser makes; compliance.imprints decides what imprint each needs."""

    PUBLIC_PAGE = "public_page", "Public page about endorsed candidates"
    SHARE_CARD = "share_card", "Shareable image card"
    SHARE_TEXT = "share_text", "Text for volunteers to share (WhatsApp, social media)"
    WIDGET = "widget", "Embeddable “who we endorse here” widget"
    EMAIL_CAMPAIGN = "email_campaign", "Campaign email to volunteers (digest, appeal)"
    EMAIL_SERVICE = "email_service", "Service email (sign-up, reminder, account)"
    EMAIL_ORGANISERS = "email_organisers", "Email to organisers only"
    SMS = "sms", "SMS text message"
    LEAFLET = "leaflet", "Printed leaflet"
    POSTER = "poster", "Printed poster"
    WALK_LIST = "walk_list", "Printed walk list (canvassers' working copy)"


class Publication(models.Model):
    """The publication log: what was published, when, by whom and with which imprint (kept to show compliance,
    which is what the statutory defences rest on). Share cards, share texts, leaflets, posters and the widget are
    served from these rows, so whatever a volunteer shares has been logged first."""

    scope_seat_path = "endorsement__constituency"

    election = models.ForeignKey("campaigns.Election", on_delete=models.PROTECT, related_name="publications")
    endorsement = models.ForeignKey(
        "campaigns.Endorsement", on_delete=models.PROTECT, null=True, blank=True, related_name="publications"
    )
    kind = models.CharField(max_length=20, choices=MaterialKind.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True, help_text="the words published")
    imprint = models.TextField(blank=True, help_text="the imprint as published; empty where none is required")
    imprint_rule = models.CharField(max_length=300, help_text="why this imprint (the rule and its source)")
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_by_name = models.CharField(max_length=200, help_text="kept if the account is deleted")
    published_at = models.DateTimeField(default=clock.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    retain_until = models.DateField()

    class Meta:
        ordering = ["-published_at", "-pk"]
        indexes = [models.Index(fields=["election", "kind"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"

    @property
    def live(self) -> bool:
        return self.withdrawn_at is None


# --- spending ---------------------------------------------------------------------------------------------------


class SpendingKind(models.TextChoices):
    LOCAL = "local", "Local: for or against a particular candidate (RPA 1983 s.75)"
    GENERAL = "general", "General campaign (PPERA 2000 Part 6)"


class SpendingCategory(models.TextChoices):
    """The regulated activities (PPERA Sch 8A para 1; for local spending, RPA 1983 s.75(1))."""

    ELECTION_MATERIAL = "material", "Election material (leaflets, adverts, websites, cards)"
    CANVASSING = "canvassing", "Canvassing and market research"
    EVENTS = "events", "Public rallies and events"
    MEDIA = "media", "Press conferences and media events"
    TRANSPORT = "transport", "Transport to publicise the campaign"


class SpendingArea(models.TextChoices):
    UK = "uk", "The whole UK"
    PARTS = "parts", "Whole parts of the UK"
    SEATS = "seats", "Particular constituencies"


class SpendingStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    APPROVED = "approved", "Approved (committed)"
    REJECTED = "rejected", "Rejected"


def private_storage():
    """Receipts and authorisation documents: outside MEDIA_ROOT, served only to organisers through a view."""
    from django.core.files.storage import FileSystemStorage

    return FileSystemStorage(
        location=getattr(settings, "COMPLIANCE_FILES_ROOT", settings.BASE_DIR / "var" / "compliance-files")
    )


class Authorisation(models.Model):
    """A written authorisation that lets the campaign spend more than a limit allows on its own: a candidate's
    election agent's (RPA 1983 s.75(1): local spending, which then counts against the candidate's limit), or a
    registered party's (PPERA s.94D/94E: targeted spending). The document itself is kept with it."""

    scope_seat_path = "constituency"

    class Kind(models.TextChoices):
        AGENT = "agent", "Candidate's election agent (local spending, RPA 1983 s.75)"
        PARTY = "party", "Registered party (targeted spending, PPERA s.94D)"

    election = models.ForeignKey("campaigns.Election", on_delete=models.PROTECT, related_name="authorisations")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    candidacy = models.ForeignKey(
        "campaigns.Candidacy", on_delete=models.PROTECT, null=True, blank=True, related_name="authorisations"
    )
    party = models.ForeignKey(
        "campaigns.Party", on_delete=models.PROTECT, null=True, blank=True, related_name="authorisations"
    )
    part = models.CharField(max_length=20, choices=PartOfUK.choices, blank=True, help_text="party: which part")
    constituency = models.ForeignKey(
        "campaigns.Constituency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    amount = models.DecimalField(max_digits=12, decimal_places=2, help_text="how much more it allows, in pounds")
    covers = models.CharField(max_length=300, help_text="what it authorises, as the document says")
    given_by = models.CharField(max_length=200, help_text="the agent or party officer who signed it")
    given_on = models.DateField()
    document = models.FileField(upload_to="authorisations/%Y/", storage=private_storage)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-given_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="authorisation_amount_positive"),
            models.CheckConstraint(
                condition=(Q(kind="agent", candidacy__isnull=False) | Q(kind="party", party__isnull=False)),
                name="authorisation_names_whom",
            ),
        ]

    def __str__(self) -> str:
        whom = self.candidacy.person.name if self.candidacy_id else (self.party.name if self.party_id else "?")
        return f"{self.get_kind_display()}: £{self.amount} for {whom}"


class SpendingItem(models.Model):
    """One item of regulated spending: what, when, from whom, how much, for which limit, and who approved it.

    Local items promote or disparage one candidate; general items are attributed to the constituencies and
    parts of the UK they affect (SpendingAttribution rows, made by compliance.services). Approved items are
    committed; those with ``paid_on`` are spent."""

    scope_seat_path = "constituency"

    election = models.ForeignKey("campaigns.Election", on_delete=models.PROTECT, related_name="spending")
    kind = models.CharField(max_length=10, choices=SpendingKind.choices)
    category = models.CharField(max_length=20, choices=SpendingCategory.choices)
    description = models.CharField(max_length=300, help_text="what it was for")
    supplier_name = models.CharField(max_length=200)
    supplier_address = models.CharField(max_length=300, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2, help_text="in pounds, VAT included")
    incurred_on = models.DateField(help_text="when the commitment was made")
    paid_on = models.DateField(null=True, blank=True)
    candidacy = models.ForeignKey(
        "campaigns.Candidacy", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="local spending: the candidate it is for (or against)",
    )  # fmt: skip
    targeted_party = models.ForeignKey(
        "campaigns.Party", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="general spending that promotes one registered party or its candidates only (targeted)",
    )  # fmt: skip
    area = models.CharField(max_length=10, choices=SpendingArea.choices, default=SpendingArea.SEATS)
    parts = models.JSONField(default=list, blank=True, help_text="parts of the UK, for area 'parts'")
    seats = models.ManyToManyField("campaigns.Constituency", blank=True, related_name="+")
    constituency = models.ForeignKey(
        "campaigns.Constituency", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="the one seat it is about, where there is one (who may see it)",
    )  # fmt: skip
    status = models.CharField(max_length=10, choices=SpendingStatus.choices, default=SpendingStatus.PROPOSED)
    receipt = models.FileField(upload_to="receipts/%Y/", storage=private_storage, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    authorisation = models.ForeignKey(
        Authorisation, on_delete=models.PROTECT, null=True, blank=True, related_name="items",
        help_text="the written authorisation its approval relied on",
    )  # fmt: skip

    class Meta:
        ordering = ["-incurred_on", "-pk"]
        indexes = [models.Index(fields=["election", "status", "kind"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="spending_amount_positive"),
            models.CheckConstraint(
                condition=Q(kind="general") | Q(candidacy__isnull=False), name="spending_local_names_candidate"
            ),
        ]

    def __str__(self) -> str:
        return f"£{self.amount} {self.description}"

    @property
    def committed(self) -> bool:
        return self.status == SpendingStatus.APPROVED


class SpendingAttribution(models.Model):
    """The share of a general item attributed to one constituency (split equally between the constituencies it
    affects, PPERA Sch 10 para 2). The part of the UK follows from the constituency."""

    scope_seat_path = "constituency"

    item = models.ForeignKey(SpendingItem, on_delete=models.CASCADE, related_name="attributions")
    constituency = models.ForeignKey("campaigns.Constituency", on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(max_digits=14, decimal_places=4)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "constituency"], name="attribution_once")]
        indexes = [models.Index(fields=["constituency", "item"])]

    def __str__(self) -> str:
        return f"{self.item_id} → {self.constituency_id}: {self.amount}"


# --- donations --------------------------------------------------------------------------------------------------


class DonorKind(models.TextChoices):
    """Who gave it. The permissible sources are PPERA s.54(2) (applied to non-party campaigners by Sch 11)."""

    INDIVIDUAL = "individual", "Individual on a UK electoral register"
    COMPANY = "company", "UK-registered company carrying on business in the UK"
    TRADE_UNION = "trade_union", "UK-registered trade union"
    BUILDING_SOCIETY = "building_society", "UK-registered building society"
    LLP = "llp", "UK-registered LLP carrying on business in the UK"
    FRIENDLY_SOCIETY = "friendly_society", "UK-registered friendly, industrial or provident society"
    UNINCORPORATED = "unincorporated", "UK unincorporated association carrying on activities in the UK"
    TRUST = "trust", "Trust (permissible only in some cases: ask the Commission)"
    REGISTERED_PARTY = "registered_party", "A registered political party (never permissible)"
    OTHER = "other", "Anyone else (overseas, not on a register)"
    UNIDENTIFIABLE = "unidentifiable", "Cannot be identified"


PERMISSIBLE_DONORS = frozenset(
    {
        DonorKind.INDIVIDUAL,
        DonorKind.COMPANY,
        DonorKind.TRADE_UNION,
        DonorKind.BUILDING_SOCIETY,
        DonorKind.LLP,
        DonorKind.FRIENDLY_SOCIETY,
        DonorKind.UNINCORPORATED,
    }
)


class DonationStatus(models.TextChoices):
    RECEIVED = "received", "Received, being checked"
    ACCEPTED = "accepted", "Accepted"
    RETURNED = "returned", "Returned (impermissible or unidentifiable)"


class Donation(models.Model):
    """Money, goods or services given towards regulated campaign spending, with the permissibility check."""

    scope_national_change = True

    election = models.ForeignKey("campaigns.Election", on_delete=models.PROTECT, related_name="donations")
    donor_name = models.CharField(max_length=200)
    donor_kind = models.CharField(max_length=20, choices=DonorKind.choices)
    donor_address = models.CharField(max_length=300, blank=True)
    company_number = models.CharField(max_length=20, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2, help_text="value in pounds")
    non_cash = models.BooleanField(default=False, help_text="goods or services (give their value)")
    description = models.CharField(max_length=300, blank=True)
    received_on = models.DateField()
    status = models.CharField(max_length=10, choices=DonationStatus.choices, default=DonationStatus.RECEIVED)
    check_done = models.BooleanField(
        default=False, help_text="the donor's identity and permissibility were checked (register, Companies House)"
    )
    check_note = models.TextField(blank=True, help_text="what was checked, where, when")
    decided_on = models.DateField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-received_on", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="donation_amount_positive")]

    def __str__(self) -> str:
        return f"£{self.amount} from {self.donor_name}"

    @property
    def permissible_kind(self) -> bool:
        return self.donor_kind in PERMISSIBLE_DONORS


ZERO = Decimal("0")
