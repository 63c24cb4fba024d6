"""Sending outbox rows, each at most once.

Each row is sent in a transaction of its own that holds the row's lock (``SELECT … FOR UPDATE SKIP
LOCKED``) from before the send until it is marked sent: a second task for the same row skips it (locked, or
no longer pending), and a worker that dies mid-send leaves the row pending (its transaction rolls back) for
the redelivered task. Consent and preferences are read in that same locking query, at the moment of the
send, so a withdrawal or an unsubscribe is honoured from the moment it commits.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass, field

from django.core.mail import mailers
from django.db import transaction
from django.db.models import BooleanField, Case, Exists, OuterRef, Subquery, Value, When
from django.utils import timezone

from messaging import rendering
from messaging.models import Category, MessagePreference, Outbox, OutboxChannel, OutboxStatus
from messaging.sms import PermanentSendError, TransientSendError, is_e164, sms_backend

logger = logging.getLogger(__name__)


@dataclass
class DeliveryResult:
    sent: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


def classify(error: BaseException) -> type[Exception] | None:
    """TransientSendError for errors worth retrying, PermanentSendError for refusals, None if unknown."""
    if isinstance(error, TransientSendError | PermanentSendError):
        return type(error)
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return TransientSendError if codes and all(400 <= code < 500 for code in codes) else PermanentSendError
    if isinstance(error, smtplib.SMTPResponseException):
        return TransientSendError if error.smtp_code < 500 else PermanentSendError
    if isinstance(error, smtplib.SMTPException | OSError):  # disconnected, refused, timed out
        return TransientSendError
    status = getattr(error, "status_code", None)  # anymail's API errors
    if isinstance(status, int):
        return TransientSendError if status == 429 or status >= 500 else PermanentSendError
    return None


def _locked_row(outbox_id: int) -> Outbox | None:
    from volunteers.models import Consent, VolunteerProfile

    preferences = MessagePreference.objects.filter(user_id=OuterRef("recipient_id"))
    return (
        Outbox.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(pk=outbox_id, status=OutboxStatus.PENDING)
        .select_related("recipient")
        .only(
            "pk",
            "key",
            "kind",
            "category",
            "channel",
            "context",
            "status",
            "attempts",
            "recipient_id",
            "recipient__email",
            "recipient__is_active",
            "recipient__full_name",
        )
        .annotate(
            consent_given_at=Subquery(
                Consent.objects.filter(
                    user_id=OuterRef("recipient_id"), channel=OuterRef("channel"), withdrawn_at__isnull=True
                ).values("given_at")[:1]
            ),
            phone=Subquery(VolunteerProfile.objects.filter(user_id=OuterRef("recipient_id")).values("phone")[:1]),
            language=Subquery(preferences.values("language")[:1]),
            opted_out=Case(
                When(category=Category.DIGEST, then=Exists(preferences.filter(digest=False))),
                When(category=Category.REMINDERS, then=Exists(preferences.filter(reminders=False))),
                When(category=Category.SHIFT_ALERTS, then=Exists(preferences.filter(shift_alerts=False))),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .first()
    )


class _Mailer:
    """One connection for a task's rows, opened on the first email."""

    def __init__(self) -> None:
        self.connection = None

    def send(self, message) -> None:
        if self.connection is None:
            self.connection = mailers.default
            self.connection.open()
        self.connection.send_messages([message])

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            except Exception:
                logger.debug("closing the mail connection failed", exc_info=True)
            self.connection = None


def _skip(row: Outbox, status: str) -> None:
    row.status = status
    row.save(update_fields=["status"])


def _deliver_one(outbox_id: int, mailer: _Mailer) -> str | None:
    """Send one row if it is pending and may be sent; returns the status it ends in (None: not ours now)."""
    with transaction.atomic():
        row = _locked_row(outbox_id)
        if row is None:
            return None  # sent, skipped or failed already, or another worker holds it right now
        recipient = row.recipient
        if not recipient.is_active or row.consent_given_at is None:
            _skip(row, OutboxStatus.SKIPPED_NO_CONSENT)
            return row.status
        if row.opted_out:
            _skip(row, OutboxStatus.SKIPPED_OPTED_OUT)
            return row.status
        language = row.language or "en-gb"
        if row.channel == OutboxChannel.SMS:
            if not is_e164(row.phone or ""):
                _skip(row, OutboxStatus.SKIPPED_NO_ADDRESS)
                return row.status
            body = rendering.render_sms(kind=row.kind, context=row.context, language=language)
            sms_backend().send(to=row.phone, body=body, reference=f"outbox-{row.pk}")
            row.subject = body[:300]
        else:
            if not recipient.email:
                _skip(row, OutboxStatus.SKIPPED_NO_ADDRESS)
                return row.status
            rendered = rendering.render_email(
                kind=row.kind,
                category=row.category,
                context=row.context,
                user_id=recipient.pk,
                language=language,
                consent_given_at=row.consent_given_at,
            )
            attachments = []
            if ics := row.context.get("ics"):
                attachments.append(("shift.ics", ics, "text/calendar"))
            mailer.send(
                rendering.build_email(
                    outbox_id=row.pk,
                    to=recipient.email,
                    rendered=rendered,
                    user_id=recipient.pk,
                    attachments=attachments,
                )
            )
            row.subject = rendered.subject[:300]
        row.status, row.sent_at, row.attempts, row.last_error = OutboxStatus.SENT, timezone.now(), row.attempts + 1, ""
        row.save(update_fields=["status", "sent_at", "attempts", "last_error", "subject"])
        return row.status


def _record_failure(outbox_id: int, error: BaseException, *, final: bool) -> None:
    from django.db.models import F

    fields = {"attempts": F("attempts") + 1, "last_error": f"{type(error).__name__}: {error}"[:2000]}
    if final:
        fields["status"] = OutboxStatus.FAILED
    Outbox.objects.filter(pk=outbox_id, status=OutboxStatus.PENDING).update(**fields)
    log = logger.error if final else logger.warning
    row = Outbox.objects.filter(pk=outbox_id).values("recipient_id", "kind", "key", "channel", "attempts").first()
    log(
        "outbox send %s",
        "failed for good" if final else "failed, will retry",
        extra={"outbox_id": outbox_id, "error": repr(error), **(row or {})},
    )


def deliver(outbox_ids: list[int], *, final_attempt: bool = False) -> DeliveryResult:
    """Send these rows. A transient failure (SMTP 4xx, connection refused, provider 5xx) is recorded on the
    row and raised as TransientSendError so that the task retries (rows sent by then are skipped next time);
    on the final attempt, and for permanent refusals, the row is marked failed and the others go on."""
    result = DeliveryResult()
    mailer = _Mailer()
    try:
        for outbox_id in outbox_ids:
            try:
                status = _deliver_one(outbox_id, mailer)
            except Exception as error:
                kind = classify(error)
                if kind is None:
                    raise
                mailer.close()
                permanent = kind is PermanentSendError
                _record_failure(outbox_id, error, final=permanent or final_attempt)
                if permanent or final_attempt:
                    result.failed.append(outbox_id)
                    continue
                raise TransientSendError(str(error)) from error
            if status == OutboxStatus.SENT:
                result.sent.append(outbox_id)
            elif status is not None:
                result.skipped.append(outbox_id)
    finally:
        mailer.close()
    return result
