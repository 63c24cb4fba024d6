"""What the campaign sends and to whom: the outbox (one row per recipient and purpose, the idempotency key of
every send), when each seat's weekly digest goes, and what each person chose to receive.

An outbox row is written in the same transaction as the change that causes it (a sign-up, a cancellation,
a due reminder, a week's digest); the send task runs after commit and sends a row at most once.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from organiser import clock


class MessageKind(models.TextChoices):
    SIGNUP_CONFIRMED = "signup_confirmed", "Sign-up confirmed"
    SIGNUP_WAITLISTED = "signup_waitlisted", "On the waiting list"
    SIGNUP_CANCELLED = "signup_cancelled", "Sign-up cancelled"
    SIGNUP_PROMOTED = "signup_promoted", "Promoted from the waiting list"
    REMINDER_24H = "reminder_24h", "Reminder the day before"
    REMINDER_2H = "reminder_2h", "Reminder two hours before (SMS)"
    SHIFT_SHORT = "shift_short", "Shift short of its minimum (to the lead)"
    DIGEST_VOLUNTEER = "digest_volunteer", "Weekly digest for volunteers"
    DIGEST_ORGANISER = "digest_organiser", "Weekly digest for organisers"
    SHIFT_CONFIRM = "shift_confirm", "Confirm or cancel, the day before"
    SHIFT_FEEDBACK = "shift_feedback", "How did it go, after the shift"
    SUPPORTER_WELCOME = "supporter_welcome", "Welcome to a new supporter"
    DATA_ACCESS_LINK = "data_access_link", "A link to see, download or delete one's data"
    SEAT_DECLARED = "seat_declared", "An endorsed seat has declared (to its volunteers)"
    SEAT_DECLARED_ORGANISER = "seat_declared_organiser", "An endorsed seat has declared (to its organisers)"
    CONVERSATION_TEXT = "conversation_text", "A text from a texter (two-way texting)"
    TEXT_STOP_CONFIRMED = "text_stop_confirmed", "STOP confirmed: no more texts"


class Category(models.TextChoices):
    """What a person can choose to receive or not (the preferences page)."""

    REMINDERS = "reminders", "Sign-up confirmations and reminders about my shifts"
    SHIFT_ALERTS = "shift_alerts", "Alerts about shifts I lead"
    DIGEST = "digest", "The weekly digest"
    # Not choosable (no preference column): a supporter's consents are their choice; a link to one's own data,
    # asked for at that moment, always goes.
    UPDATES = "updates", "News from the campaign (supporters)"
    ACCOUNT = "account", "About my data"
    RESULTS = "results", "Results on election night"


KIND_CATEGORY = {
    MessageKind.SIGNUP_CONFIRMED: Category.REMINDERS,
    MessageKind.SIGNUP_WAITLISTED: Category.REMINDERS,
    MessageKind.SIGNUP_CANCELLED: Category.REMINDERS,
    MessageKind.SIGNUP_PROMOTED: Category.REMINDERS,
    MessageKind.REMINDER_24H: Category.REMINDERS,
    MessageKind.REMINDER_2H: Category.REMINDERS,
    MessageKind.SHIFT_SHORT: Category.SHIFT_ALERTS,
    MessageKind.DIGEST_VOLUNTEER: Category.DIGEST,
    MessageKind.DIGEST_ORGANISER: Category.DIGEST,
    MessageKind.SHIFT_CONFIRM: Category.REMINDERS,
    MessageKind.SHIFT_FEEDBACK: Category.REMINDERS,
    MessageKind.SUPPORTER_WELCOME: Category.UPDATES,
    MessageKind.DATA_ACCESS_LINK: Category.ACCOUNT,
    MessageKind.SEAT_DECLARED: Category.RESULTS,
    MessageKind.SEAT_DECLARED_ORGANISER: Category.RESULTS,
    MessageKind.CONVERSATION_TEXT: Category.UPDATES,
    MessageKind.TEXT_STOP_CONFIRMED: Category.ACCOUNT,
}


class Purpose(models.TextChoices):
    """Why a message is sent, which decides whether it needs the person's recorded opt-in (docs/messages.md).

    A *service* message is one the person needs for something they asked for: the confirmation, calendar file
    and reminders of a shift they signed up to, the day-before "still coming?" and the "how did it go" about it,
    alerts about a shift they lead, an organiser's weekly report on the seats they run, a link to their own data
    they just asked for. It promotes nothing, so it is not direct marketing (PECR reg 22 governs marketing) and
    goes without the opt-in, only to an address or number the person gave us; they can still turn each category
    off in their preferences. *Marketing* is campaign content: the volunteers' digest with its appeals ("where you
    are needed most"), news to supporters. It needs the channel's recorded opt-in (political campaigns have no
    soft opt-in) and carries one-click unsubscribe.
    """

    SERVICE = "service", "Service message"
    MARKETING = "marketing", "Campaign content (marketing)"


KIND_PURPOSE = {
    MessageKind.SIGNUP_CONFIRMED: Purpose.SERVICE,
    MessageKind.SIGNUP_WAITLISTED: Purpose.SERVICE,
    MessageKind.SIGNUP_CANCELLED: Purpose.SERVICE,
    MessageKind.SIGNUP_PROMOTED: Purpose.SERVICE,
    MessageKind.REMINDER_24H: Purpose.SERVICE,
    MessageKind.REMINDER_2H: Purpose.SERVICE,
    MessageKind.SHIFT_SHORT: Purpose.SERVICE,
    MessageKind.SHIFT_CONFIRM: Purpose.SERVICE,
    MessageKind.SHIFT_FEEDBACK: Purpose.SERVICE,
    MessageKind.DIGEST_ORGANISER: Purpose.SERVICE,
    MessageKind.DATA_ACCESS_LINK: Purpose.SERVICE,
    # An organiser hears that the seat they run has declared (their work); a volunteer's "your seat has declared"
    # is campaign content: it needs their opt-in to the channel.
    MessageKind.SEAT_DECLARED_ORGANISER: Purpose.SERVICE,
    MessageKind.TEXT_STOP_CONFIRMED: Purpose.SERVICE,
    MessageKind.DIGEST_VOLUNTEER: Purpose.MARKETING,
    MessageKind.SUPPORTER_WELCOME: Purpose.MARKETING,
    MessageKind.SEAT_DECLARED: Purpose.MARKETING,
    MessageKind.CONVERSATION_TEXT: Purpose.MARKETING,
}

#: Kinds sent without a consent to their channel: the service messages (see Purpose). Everything else needs the
#: channel's recorded opt-in (PECR reg 22), and a kind not listed in KIND_PURPOSE counts as marketing.
CONSENT_FREE_KINDS = frozenset(kind.value for kind, purpose in KIND_PURPOSE.items() if purpose == Purpose.SERVICE)


def is_marketing(kind: str) -> bool:
    return kind not in CONSENT_FREE_KINDS


class OutboxChannel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "SMS"


class OutboxStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    SKIPPED_NO_CONSENT = "skipped_no_consent", "Skipped: no consent"
    SKIPPED_OPTED_OUT = "skipped_opted_out", "Skipped: opted out"
    SKIPPED_NO_ADDRESS = "skipped_no_address", "Skipped: no address or phone"


class Outbox(models.Model):
    """One message to one person for one purpose. ``(recipient, key)`` is unique: the key names the purpose
    (``signup-confirmed:<signup>:<time>``, ``reminder-24h:<signup>:<start>``, ``digest:2026-W48``), so writing
    the same message twice, from a retry, a second beat or a late run, writes nothing.

    The person is an account (``recipient``) or a supporter without one (``supporter``), never both; for a
    supporter ``(supporter, key)`` is unique the same way."""

    scope_owner_path = "recipient"
    scope_seat_path = "constituency"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="outbox", null=True, blank=True
    )
    supporter = models.ForeignKey(
        "conversations.Supporter", on_delete=models.CASCADE, related_name="outbox", null=True, blank=True
    )
    key = models.CharField(max_length=120)
    kind = models.CharField(max_length=24, choices=MessageKind.choices)
    category = models.CharField(max_length=16, choices=Category.choices)
    channel = models.CharField(max_length=5, choices=OutboxChannel.choices, default=OutboxChannel.EMAIL)
    constituency = models.ForeignKey(
        "campaigns.Constituency", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    context = models.JSONField(default=dict, blank=True, help_text="what the templates render (JSON)")
    status = models.CharField(max_length=20, choices=OutboxStatus.choices, default=OutboxStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    subject = models.CharField(max_length=300, blank=True, help_text="as sent")
    created_at = models.DateTimeField(default=clock.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "outbox"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="outbox_once_per_purpose"),
            models.UniqueConstraint(fields=["supporter", "key"], name="outbox_once_per_purpose_supporter"),
            models.CheckConstraint(
                condition=Q(recipient__isnull=False, supporter__isnull=True)
                | Q(recipient__isnull=True, supporter__isnull=False),
                name="outbox_to_an_account_or_a_supporter",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "created_at"], name="outbox_status_created"),
            models.Index(fields=["key"], name="outbox_key"),
        ]

    def __str__(self) -> str:
        to = self.recipient_id if self.recipient_id else f"supporter {self.supporter_id}"
        return f"{self.get_kind_display()} to {to} ({self.status})"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class DigestSchedule(models.Model):
    """When the weekly digest goes (UK time): one row for the whole organisation (no seat), and optionally one
    per seat, which wins for volunteers whose home seat it is. ``note`` is the organisers' note in the digest."""

    scope_seat_path = "constituency"

    constituency = models.OneToOneField(
        "campaigns.Constituency",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="digest_schedule",
        help_text="empty: the organisation's default",
    )
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices, default=Weekday.MONDAY)
    hour = models.PositiveSmallIntegerField(default=8, help_text="0-23, UK time")
    note = models.TextField(blank=True, help_text="a note from the organisers, in this week's digest")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["constituency__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["constituency"],
                name="digest_schedule_one_default",
                nulls_distinct=False,
            ),
            models.CheckConstraint(condition=models.Q(hour__lte=23), name="digest_schedule_hour"),
            models.CheckConstraint(condition=models.Q(weekday__lte=6), name="digest_schedule_weekday"),
        ]

    def __str__(self) -> str:
        where = self.constituency.name if self.constituency_id else "Default"
        return f"{where}: {self.get_weekday_display()} {self.hour:02d}:00"


class MessagePreference(models.Model):
    """What one person chose: the language of their messages and which categories they receive."""

    scope_owner_path = "user"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="message_preference")
    language = models.CharField(max_length=10, default="en-gb")
    reminders = models.BooleanField(default=True)
    shift_alerts = models.BooleanField(default=True)
    digest = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"preferences of {self.user_id}"


class Unsubscribe(models.Model):
    """An unsubscribe (one-click from a mail client, or the confirm page): when, how, from which message.
    It withdraws the person's email consent at that moment; this row says where the withdrawal came from."""

    scope_owner_path = "user"
    scope_seat_path = "supporter__constituency"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="unsubscribes", null=True, blank=True
    )
    supporter = models.ForeignKey(
        "conversations.Supporter", on_delete=models.CASCADE, related_name="unsubscribes", null=True, blank=True
    )
    channel = models.CharField(max_length=5, choices=OutboxChannel.choices, default=OutboxChannel.EMAIL)
    via = models.CharField(max_length=20, help_text="one-click, or page")
    at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, supporter__isnull=True) | Q(user__isnull=True, supporter__isnull=False),
                name="unsubscribe_of_an_account_or_a_supporter",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id or f'supporter {self.supporter_id}'} unsubscribed {self.at:%Y-%m-%d %H:%M}"
