"""People and their time: the custom user with its role, seat grants, teams, volunteers' profiles and
consents, shifts and sign-ups."""

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from organiser import clock


class Role(models.TextChoices):
    NATIONAL_ORGANISER = "national_organiser", "National organiser"
    SEAT_ORGANISER = "seat_organiser", "Seat organiser"
    TEAM_LEAD = "team_lead", "Team lead"
    VOLUNTEER = "volunteer", "Volunteer"


ORGANISER_ROLES = frozenset({Role.NATIONAL_ORGANISER, Role.SEAT_ORGANISER})


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "User":
        fields.update(is_staff=True, is_superuser=True, role=Role.NATIONAL_ORGANISER)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """An account. Everyone logs in by email; ``role`` decides what they may see (organiser.scope)."""

    scope_owner_path = "pk"

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200, blank=True)
    role = models.CharField(max_length=32, choices=Role.choices, default=Role.VOLUNTEER)
    is_staff = models.BooleanField(default=False, help_text="May log in to the admin (organisers).")
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=clock.now)
    # Pages, emails and texts in this language (one of settings.LANGUAGES; organiser.i18n); empty: the browser's.
    language = models.CharField(max_length=16, blank=True, default="", help_text="Language for pages and messages.")

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def is_national_organiser(self) -> bool:
        return self.is_active and (self.role == Role.NATIONAL_ORGANISER or self.is_superuser)

    @property
    def is_organiser(self) -> bool:
        return self.is_active and (self.role in ORGANISER_ROLES or self.is_superuser)


class SeatGrant(models.Model):
    """Grants a seat organiser one constituency."""

    scope_seat_path = "constituency"
    scope_national_change = True

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="seat_grants")
    constituency = models.ForeignKey("campaigns.Constituency", on_delete=models.CASCADE, related_name="grants")
    granted_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "constituency"], name="unique_seat_grant")]

    def __str__(self) -> str:
        return f"{self.user} → {self.constituency}"


class Team(models.Model):
    """A team of volunteers working one seat, with a lead."""

    scope_seat_path = "constituency"
    scope_lead_path = "lead"

    name = models.CharField(max_length=200)
    constituency = models.ForeignKey("campaigns.Constituency", on_delete=models.PROTECT, related_name="teams")
    lead = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="teams_led")
    members = models.ManyToManyField(User, blank=True, related_name="teams")

    class Meta:
        ordering = ["constituency__name", "name"]

    def __str__(self) -> str:
        return self.name


# --- Volunteers' profiles and consent ------------------------------------------------------------


class Skill(models.TextChoices):
    CANVASSING = "canvassing", "Canvassing"
    PHONE_BANKING = "phone_banking", "Phone banking"
    LEAFLETING = "leafleting", "Leafleting"
    TELLING = "telling", "Polling-day telling"
    DRIVING = "driving", "Driving"
    DATA_ENTRY = "data_entry", "Data entry"
    TRANSLATION = "translation", "Translation"
    SOCIAL_MEDIA = "social_media", "Social media"
    DESIGN = "design", "Design and video"
    EVENTS = "events", "Running events"


class Language(models.TextChoices):
    """Languages a volunteer can canvass or translate in (a skill; never used to infer anything else)."""

    ENGLISH = "en", "English"
    WELSH = "cy", "Welsh"
    GAELIC = "gd", "Scottish Gaelic"
    URDU = "ur", "Urdu"
    PUNJABI = "pa", "Punjabi"
    BENGALI = "bn", "Bengali"
    GUJARATI = "gu", "Gujarati"
    HINDI = "hi", "Hindi"
    TAMIL = "ta", "Tamil"
    ARABIC = "ar", "Arabic"
    SOMALI = "so", "Somali"
    TURKISH = "tr", "Turkish"
    KURDISH = "ku", "Kurdish"
    PERSIAN = "fa", "Persian"
    PASHTO = "ps", "Pashto"
    POLISH = "pl", "Polish"
    ROMANIAN = "ro", "Romanian"
    PORTUGUESE = "pt", "Portuguese"
    SPANISH = "es", "Spanish"
    FRENCH = "fr", "French"
    BSL = "bfi", "British Sign Language"


DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
PARTS_OF_DAY = (("morning", "morning"), ("afternoon", "afternoon"), ("evening", "evening"))
AVAILABILITY_CHOICES = [
    (f"{day}_{part}", f"{name} {label}")
    for day, name in zip(DAYS, DAY_NAMES, strict=True)
    for part, label in PARTS_OF_DAY
]


class Travel(models.TextChoices):
    HOME_SEAT = "home", "Only my home constituency"
    CHOSEN_SEATS = "chosen", "My home constituency and the ones I choose"
    RADIUS = "radius", "Anywhere within the distance I give"


def choice_list(value) -> list[str]:
    """A jsonb list of choice values as a list of strings, whatever was stored (for readers: never fails)."""
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _validate_choice_list(value, choices, what: str) -> None:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError(f'{what} must be a list of choices, e.g. ["{choices[0][0]}"].', code="invalid")
    allowed = {choice for choice, _ in choices}
    if unknown := [item for item in value if item not in allowed]:
        raise ValidationError(f"Unknown {what.lower()}: {', '.join(unknown)}.", code="invalid_choice")


def validate_skills(value) -> None:
    """A jsonb list of Skill values (the model validator, so admin forms and serializers check it)."""
    _validate_choice_list(value, Skill.choices, "Skills")


def validate_languages(value) -> None:
    _validate_choice_list(value, Language.choices, "Languages")


def validate_availability(value) -> None:
    _validate_choice_list(value, AVAILABILITY_CHOICES, "Availability")


def new_calendar_token() -> str:
    import secrets

    return secrets.token_urlsafe(32)


class VolunteerProfile(models.Model):
    """What a volunteer tells us about themselves: how to reach them, where they are, what they can do, when.

    Deliberately nothing about religion, ethnicity or political opinion (see docs/domain.md).
    """

    scope_owner_path = "user"
    scope_seat_path = "home_constituency"

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    phone = models.CharField(max_length=20, blank=True, help_text="E.164, e.g. +447911123456")
    postcode = models.CharField(max_length=8, blank=True, help_text="normalised, e.g. IG6 2AA")
    home_constituency = models.ForeignKey(
        "campaigns.Constituency", on_delete=models.SET_NULL, null=True, blank=True, related_name="home_volunteers"
    )
    # Lists of choice values held as jsonb arrays (``skills__contains=["driving"]`` is a jsonb @> test).
    # jsonb rather than ArrayField: ArrayField needs django.contrib.postgres installed, which the project does not.
    skills = models.JSONField(default=list, blank=True, validators=[validate_skills], help_text="Skill values")
    languages = models.JSONField(default=list, blank=True, validators=[validate_languages], help_text="Language values")
    availability = models.JSONField(
        default=list, blank=True, validators=[validate_availability], help_text="weekly slots, e.g. sat_morning"
    )
    travel = models.CharField(max_length=10, choices=Travel.choices, default=Travel.HOME_SEAT)
    travel_miles = models.PositiveSmallIntegerField(null=True, blank=True)
    seats = models.ManyToManyField(
        "campaigns.Constituency", blank=True, related_name="travelling_volunteers", help_text="seats I will travel to"
    )
    calendar_token = models.CharField(max_length=64, unique=True, null=True, blank=True, default=new_calendar_token)
    last_active_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return str(self.user)


class Channel(models.TextChoices):
    """What a person can agree to be contacted by. Volunteers are asked for email and SMS; supporters
    (conversations.Supporter) also for calls and for being asked to volunteer."""

    EMAIL = "email", "Email"
    SMS = "sms", "SMS"
    CALLS = "calls", "Phone calls"
    VOLUNTEERING = "volunteering", "Being asked to volunteer"


class Consent(models.Model):
    """A recorded opt-in to one channel (PECR): the wording agreed, when, where, and who recorded it (a canvasser
    at the door; empty when the person gave it themselves); withdrawn_at ends it.

    The one consent record of the project: a row belongs to an account (``user``) or to a supporter without
    one (``supporter``), never both; the outbox reads it at the moment of every send, and an unsubscribe
    withdraws it, whichever the person is."""

    scope_owner_path = "user"
    scope_seat_path = "supporter__constituency"  # a supporter's consents: the organisers of their seat

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="consents", null=True, blank=True)
    supporter = models.ForeignKey(
        "conversations.Supporter", on_delete=models.CASCADE, related_name="consents", null=True, blank=True
    )
    channel = models.CharField(max_length=12, choices=Channel.choices)
    wording = models.TextField()
    given_at = models.DateTimeField(default=clock.now)
    source = models.CharField(max_length=200, help_text="where it was given, e.g. the page's path")
    recorded_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="who recorded it for the person (a canvasser at the door); empty when they gave it themselves",
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-given_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "channel"],
                condition=Q(withdrawn_at__isnull=True),
                name="consent_one_active_per_channel",
            ),
            models.UniqueConstraint(
                fields=["supporter", "channel"],
                condition=Q(withdrawn_at__isnull=True),
                name="consent_one_active_per_supporter_channel",
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False, supporter__isnull=True) | Q(user__isnull=True, supporter__isnull=False),
                name="consent_of_an_account_or_a_supporter",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user or self.supporter} {self.channel} consent"


class ErasedAccount(models.Model):
    """What is left of a deleted account: a keyed hash of its email (to stop an accidental re-subscription)
    and when. No other personal data; these rows are also the count of deletions."""

    email_hash = models.CharField(max_length=64, unique=True)
    erased_at = models.DateTimeField(default=clock.now)

    def __str__(self) -> str:
        return f"erased {self.erased_at:%Y-%m-%d}"


# --- Shifts and sign-ups -------------------------------------------------------------------------


class ShiftKind(models.TextChoices):
    CANVASSING = "canvassing", "Canvassing"
    PHONE_BANK = "phone_bank", "Phone bank"
    LEAFLET_DROP = "leaflet_drop", "Leaflet drop"
    TELLING = "telling", "Polling-day telling"
    KNOCK_UP = "knock_up", "Knock-up"
    DATA_ENTRY = "data_entry", "Data entry"


SHIFT_KIND_LABELS = dict(ShiftKind.choices)


class Shift(models.Model):
    """A session in one seat: when, where to meet, how many people it takes and needs, who runs it."""

    scope_seat_path = "constituency"
    scope_lead_path = "lead"

    kind = models.CharField(max_length=20, choices=ShiftKind.choices)
    title = models.CharField(max_length=200, blank=True)
    constituency = models.ForeignKey("campaigns.Constituency", on_delete=models.PROTECT, related_name="shifts")
    team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="shifts")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    meeting_point = models.CharField(max_length=300)
    capacity = models.PositiveIntegerField(default=10)
    minimum = models.PositiveIntegerField(default=2, help_text="fewer than this and the session is short")
    filled = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="places taken (confirmed or attended sign-ups); kept by volunteers.services under the row lock",
    )
    required_skills = models.JSONField(
        default=list, blank=True, validators=[validate_skills], help_text="Skill values, as a jsonb array"
    )
    lead = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="shifts_led")
    notes = models.TextField(blank=True)
    series = models.UUIDField(null=True, blank=True, db_index=True, help_text="shared by a weekly-repeating series")
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["constituency", "starts_at"]), models.Index(fields=["starts_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="shift_ends_after_start"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="shift_capacity_positive"),
            models.CheckConstraint(condition=Q(minimum__lte=F("capacity")), name="shift_minimum_within_capacity"),
        ]

    def __str__(self) -> str:
        return f"{self.display_title} {clock.local(self.starts_at):%a %d %b %H:%M}"

    @classmethod
    def scope_members_read(cls, *, now: dt.datetime | None = None) -> Q:
        """Every signed-in account may read the shifts not yet over at ``now``: volunteers choose from them."""
        return Q(ends_at__gt=now or clock.now())

    @property
    def kind_label(self) -> str:
        # A dict lookup: get_kind_display() builds a dict of the choices on every call (lists of shifts use it).
        return SHIFT_KIND_LABELS.get(self.kind, self.kind)

    @property
    def display_title(self) -> str:
        return self.title or f"{self.kind_label}, {self.constituency.name}"

    @property
    def when(self) -> str:
        """``Sat 6 Dec, 10:00-12:30`` (an en dash) in UK time: cheaper in lists than two template date filters."""
        start, end = clock.local(self.starts_at), clock.local(self.ends_at)
        return f"{start:%a} {start.day} {start:%b}, {start:%H:%M}\u2013{end:%H:%M}"

    @property
    def duration_hours(self) -> Decimal:
        return Decimal((self.ends_at - self.starts_at).total_seconds() / 3600).quantize(Decimal("0.01"))


class SignupStatus(models.TextChoices):
    CONFIRMED = "confirmed", "Confirmed"
    WAITLISTED = "waitlisted", "On the waiting list"
    CANCELLED = "cancelled", "Cancelled"
    ATTENDED = "attended", "Attended"
    NO_SHOW = "no_show", "No-show"


#: Statuses that take a place on a shift.
FILLED_STATUSES = (SignupStatus.CONFIRMED, SignupStatus.ATTENDED)
#: Statuses in which the volunteer still means to come (or came).
ACTIVE_STATUSES = (SignupStatus.CONFIRMED, SignupStatus.WAITLISTED, SignupStatus.ATTENDED)


class Signup(models.Model):
    """A volunteer on a shift. One row per (shift, volunteer): cancelling and signing up again reuses it.

    ``volunteer`` is NULL after the volunteer deleted their account: the row then only counts (attendance).
    """

    scope_owner_path = "volunteer"
    scope_lead_path = "shift__lead"
    scope_seat_path = "shift__constituency"

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="signups")
    volunteer = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="signups")
    status = models.CharField(max_length=12, choices=SignupStatus.choices, default=SignupStatus.CONFIRMED)
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(auto_now=True)
    queued_at = models.DateTimeField(default=clock.now, help_text="place in the waiting list")
    promoted_at = models.DateTimeField(null=True, blank=True, help_text="moved off the waiting list")
    cancelled_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_in_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    hours = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    # The shift loop (conversations.services.shift_loop): the volunteer's answers to "confirm or cancel" the day
    # before and "how did it go" after. Reset when the sign-up is made again.
    attendance_confirmed_at = models.DateTimeField(
        null=True, blank=True, help_text="confirmed they are coming, from the day-before message"
    )
    feedback_at = models.DateTimeField(null=True, blank=True)
    feedback_attended = models.BooleanField(null=True, blank=True, help_text="they say they came")
    feedback_rating = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)], help_text="1 to 5"
    )
    feedback_note = models.TextField(blank=True, max_length=1000)

    class Meta:
        ordering = ["queued_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["shift", "volunteer"], name="signup_once_per_shift"),
            models.CheckConstraint(
                condition=Q(feedback_rating__isnull=True) | Q(feedback_rating__gte=1, feedback_rating__lte=5),
                name="signup_feedback_rating_1_to_5",
            ),
        ]
        indexes = [
            models.Index(fields=["shift", "status"]),
            models.Index(fields=["volunteer", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer or 'deleted account'} on {self.shift_id} ({self.status})"
