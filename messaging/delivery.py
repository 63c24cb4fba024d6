"""Sending outbox rows, each once.

Each row is sent in a transaction of its own that holds the row's lock (``SELECT … FOR UPDATE SKIP
LOCKED``) from before the send until it is marked sent: a second task for the same row skips it (locked, or
no longer pending), and a worker that dies mid-send leaves the row pending (its transaction rolls back) for
the redelivered task. The one window in which a crash repeats a send is between the mail server's "250 OK"
and the commit a moment later (SMTP cannot do better, RFC 1047); the Message-ID comes from the row, so a
receiving system can recognise such a repeat. A database that drops in that window (a restart, a failover)
does not repeat it: the worker, which knows it sent, records the send once the database answers again
(:func:`_record_sent_after_outage`), and only a worker that dies too leaves the row to be sent again.
Consent and preferences are read in the same locking query, at the moment of the send, so a withdrawal or an
unsubscribe is honoured from the moment it commits.
"""

from __future__ import annotations

import json
import logging
import smtplib
import time
from dataclasses import dataclass, field

from django.core.mail import mailers
from django.db import InterfaceError, OperationalError, connection, transaction

from messaging import rendering
from messaging.models import CONSENT_FREE_KINDS, Outbox, OutboxChannel, OutboxStatus
from messaging.sms import PermanentSendError, TransientSendError, is_e164, sms_backend
from organiser import clock

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


@dataclass
class LockedRow:
    """An outbox row locked for sending, with what the send needs to know about its recipient now."""

    pk: int
    kind: str
    category: str
    channel: str
    context: dict
    attempts: int
    recipient_id: int | None
    supporter_id: int | None
    email: str
    is_active: bool
    full_name: str
    consent_given_at: object
    phone: str | None
    language: str | None
    opted_out: bool


# One statement, written out: it runs once per message, and building it with the ORM cost far more than
# running it. It locks the row (skipping one another worker holds) only while it is still pending, and
# reads the recipient's consent for the row's channel and their preferences at this moment. The recipient is an
# account (volunteers_user, its profile's phone, its preferences) or a supporter without one (its own email,
# phone and language; its consents are its choices); consent comes from the one consent table either way. An
# account's language is its profile's (volunteers_user.language, the pages' too), else its preferences' one.
LOCK_ROW = """
SELECT o.id, o.kind, o.category, o.channel, o.context::text, o.attempts,
       o.recipient_id, o.supporter_id,
       COALESCE(u.email, s.email, ''), COALESCE(u.is_active, s.id IS NOT NULL), COALESCE(u.full_name, s.full_name, ''),
       CASE WHEN o.recipient_id IS NOT NULL THEN
         (SELECT c.given_at FROM volunteers_consent AS c
           WHERE c.user_id = o.recipient_id AND c.channel = o.channel AND c.withdrawn_at IS NULL
           ORDER BY c.given_at DESC LIMIT 1)
       ELSE
         (SELECT c.given_at FROM volunteers_consent AS c
           WHERE c.supporter_id = o.supporter_id AND c.channel = o.channel AND c.withdrawn_at IS NULL
           ORDER BY c.given_at DESC LIMIT 1)
       END,
       CASE WHEN o.recipient_id IS NOT NULL THEN
         (SELECT p.phone FROM volunteers_volunteerprofile AS p WHERE p.user_id = o.recipient_id)
       ELSE s.phone END,
       COALESCE(NULLIF(u.language, ''), mp.language, s.language),
       COALESCE(CASE o.category
                    WHEN 'digest' THEN NOT mp.digest
                    WHEN 'reminders' THEN NOT mp.reminders
                    WHEN 'shift_alerts' THEN NOT mp.shift_alerts
                END, false)
FROM messaging_outbox AS o
LEFT JOIN volunteers_user AS u ON u.id = o.recipient_id
LEFT JOIN conversations_supporter AS s ON s.id = o.supporter_id
LEFT JOIN messaging_messagepreference AS mp ON mp.user_id = o.recipient_id
WHERE o.id = %s AND o.status = 'pending'
FOR UPDATE OF o SKIP LOCKED
"""


def _locked_row(outbox_id: int) -> LockedRow | None:
    with connection.cursor() as cursor:
        cursor.execute(LOCK_ROW, [outbox_id])
        found = cursor.fetchone()
    if found is None:
        return None
    values = list(found)
    values[4] = json.loads(values[4])
    return LockedRow(*values)


def _finish(row: LockedRow, status: str, subject: str = "") -> str:
    with connection.cursor() as cursor:
        if status == OutboxStatus.SENT:
            cursor.execute(
                "UPDATE messaging_outbox SET status = %s, sent_at = %s, attempts = attempts + 1, last_error = '',"
                " subject = %s WHERE id = %s",
                [status, clock.now(), subject[:300], row.pk],
            )
        else:
            cursor.execute("UPDATE messaging_outbox SET status = %s WHERE id = %s", [status, row.pk])
    return status


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


#: How long a worker that sent a message keeps trying to record it while the database is unreachable.
RECORD_SENT_PATIENCE = 120.0


def _deliver_one(outbox_id: int, mailer: _Mailer) -> str | None:
    """Send one row if it is pending and may be sent; returns the status it ends in (None: not ours now)."""
    sent: list = []  # (row, subject) once the message has gone, whatever happens to the transaction after
    try:
        with transaction.atomic():
            return _send_locked(outbox_id, mailer, sent)
    except (OperationalError, InterfaceError):
        if not sent:
            raise  # nothing went out: the task retries
        return _record_sent_after_outage(*sent[0])


def _send_locked(outbox_id: int, mailer: _Mailer, sent: list) -> str | None:
    row = _locked_row(outbox_id)
    if row is None:
        return None  # sent, skipped or failed already, or another worker holds it right now
    if not row.is_active or (row.consent_given_at is None and row.kind not in CONSENT_FREE_KINDS):
        return _finish(row, OutboxStatus.SKIPPED_NO_CONSENT)
    if row.opted_out:
        return _finish(row, OutboxStatus.SKIPPED_OPTED_OUT)
    language = row.language or "en-gb"
    if row.channel == OutboxChannel.SMS:
        if not is_e164(row.phone or ""):
            return _finish(row, OutboxStatus.SKIPPED_NO_ADDRESS)
        body = rendering.render_sms(kind=row.kind, context=row.context, language=language)
        sms_backend().send(to=row.phone, body=body, reference=f"outbox-{row.pk}")
        sent.append((row, body))
        return _finish(row, OutboxStatus.SENT, body)
    if not row.email:
        return _finish(row, OutboxStatus.SKIPPED_NO_ADDRESS)
    rendered = rendering.render_email(
        kind=row.kind,
        category=row.category,
        context=row.context,
        user_id=row.recipient_id,
        supporter_id=row.supporter_id,
        language=language,
        consent_given_at=row.consent_given_at,
    )
    attachments = []
    if ics := row.context.get("ics"):
        attachments.append(("shift.ics", ics, "text/calendar"))
    mailer.send(
        rendering.build_email(
            outbox_id=row.pk,
            to=row.email,
            rendered=rendered,
            user_id=row.recipient_id,
            supporter_id=row.supporter_id,
            attachments=attachments,
        )
    )
    sent.append((row, rendered.subject))
    return _finish(row, OutboxStatus.SENT, rendered.subject)


def _record_sent_after_outage(row: LockedRow, subject: str) -> str:
    """The message went out but the database dropped before the send was recorded: record it as soon as the
    database answers again (a new connection each try), so the retry does not send it a second time."""
    deadline = time.monotonic() + RECORD_SENT_PATIENCE
    while True:
        connection.close()
        try:
            with transaction.atomic():
                _finish(row, OutboxStatus.SENT, subject)
            logger.warning("outbox send recorded after the database came back", extra={"outbox_id": row.pk})
            return OutboxStatus.SENT
        except (OperationalError, InterfaceError):
            if time.monotonic() > deadline:
                logger.error("outbox send could not be recorded: it may go twice", extra={"outbox_id": row.pk})
                raise
            time.sleep(0.5)


def _record_failure(outbox_id: int, error: BaseException, *, final: bool) -> None:
    from django.db.models import F

    fields = {"attempts": F("attempts") + 1, "last_error": f"{type(error).__name__}: {error}"[:2000]}
    if final:
        fields["status"] = OutboxStatus.FAILED
    Outbox.objects.filter(pk=outbox_id, status=OutboxStatus.PENDING).update(**fields)
    log = logger.error if final else logger.warning
    row = (
        Outbox.objects.filter(pk=outbox_id)
        .values("recipient_id", "supporter_id", "kind", "key", "channel", "attempts")
        .first()
    )
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
