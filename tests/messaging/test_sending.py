"""Sending outbox rows in-process against a real SMTP server and a fake SMS gateway on loopback: the
triple with the campaign's name and a reason, RFC 8058 headers, the .ics, consent checked at send time."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.db import transaction

from messaging import services
from messaging.delivery import deliver
from messaging.models import MessageKind, MessagePreference, Outbox, OutboxChannel, OutboxStatus
from messaging.services import outbox_row, outbox_write, shift_context
from messaging.sms import TransientSendError
from organiser import clock
from tests.volunteers.factories import ShiftFactory
from volunteers import services as volunteer_services

from .conftest import volunteer_with_consent

pytestmark = pytest.mark.django_db


def _sign_up(shift, volunteer):
    """signup_create writes the confirmation's outbox row in its own transaction (volunteers.services)."""
    signup = volunteer_services.signup_create(shift=shift, volunteer=volunteer, allow_overlap=True)
    ids = list(
        Outbox.objects.filter(recipient=volunteer, key__startswith=f"signup:{signup.pk}:").values_list("pk", flat=True)
    )
    return signup, ids


def test_signup_writes_one_row_in_the_same_transaction(django_capture_on_commit_callbacks):
    volunteer = volunteer_with_consent()
    shift = ShiftFactory()
    with django_capture_on_commit_callbacks() as callbacks:
        signup, ids = _sign_up(shift, volunteer)
    assert len(ids) == 1 and len(callbacks) == 1  # the send is queued on commit
    row = Outbox.objects.get(pk=ids[0])
    assert row.kind == MessageKind.SIGNUP_CONFIRMED and row.status == OutboxStatus.PENDING
    assert row.key == f"signup:{signup.pk}:{round(signup.queued_at.timestamp() * 1_000_000)}"
    # Writing the same message again writes nothing.
    with transaction.atomic():
        assert services.signup_made(signup) == []
    assert Outbox.objects.count() == 1


def test_rolled_back_change_leaves_no_row_and_queues_nothing(django_capture_on_commit_callbacks):
    volunteer = volunteer_with_consent()
    shift = ShiftFactory()
    with django_capture_on_commit_callbacks() as callbacks:
        try:
            with transaction.atomic():
                signup = volunteer_services.signup_create(shift=shift, volunteer=volunteer)
                services.signup_made(signup)
                raise RuntimeError("the change fails after the row was written")
        except RuntimeError:
            pass
    assert Outbox.objects.count() == 0 and callbacks == []


def test_email_has_triple_reason_unsubscribe_headers_and_ics(smtp, settings):
    settings.CAMPAIGN_NAME = "Independent Voices"
    volunteer = volunteer_with_consent(user__full_name="Amina Khan")
    shift = ShiftFactory(title="Saturday canvass")
    _, ids = _sign_up(shift, volunteer)

    result = deliver(ids)

    assert result.sent == ids
    [message] = smtp.messages
    assert message["To"] == volunteer.email
    assert message["Subject"].startswith("You're on: Saturday canvass")
    # A service message: no one-click unsubscribe (it is not a list); the footer links to the preferences.
    assert message["List-Unsubscribe"] is None and message["List-Unsubscribe-Post"] is None
    parts = {part.get_content_type(): part for part in message.walk()}
    text = parts["text/plain"].get_payload(decode=True).decode()
    html = parts["text/html"].get_payload(decode=True).decode()
    assert "Hi Amina," in text and "Independent Voices" in html
    assert "You get this because you signed up for this shift with Independent Voices" in text
    assert "whatever you chose about campaign emails" in text and "/unsubscribe/" not in text + html
    assert "Choose which messages you get" in html
    assert "Barkingside station" in text and "Barkingside station" in html
    ics = parts["text/calendar"].get_payload(decode=True).decode()
    assert "BEGIN:VEVENT" in ics and f"UID:shift-{shift.pk}@" in ics
    row = Outbox.objects.get(pk=ids[0])
    assert row.status == OutboxStatus.SENT and row.sent_at and row.attempts == 1
    assert row.subject == message["Subject"]
    # A second send of the same row sends nothing.
    assert deliver(ids).sent == []
    assert len(smtp.messages) == 1


def _digest_row(volunteer) -> list[int]:
    with transaction.atomic():
        return outbox_write(
            [
                outbox_row(
                    recipient_id=volunteer.pk,
                    kind=MessageKind.DIGEST_VOLUNTEER,
                    key="digest:test",
                    context={"name": "Sam", "week": "2026-W48", "next_shifts": [], "needed": [], "teams": []},
                )
            ]
        )


def test_service_messages_go_without_marketing_consent_campaign_content_does_not(smtp):
    volunteer = volunteer_with_consent(email_consent=False)
    _, ids = _sign_up(ShiftFactory(), volunteer)
    assert deliver(ids).sent == ids  # the confirmation of a shift they asked for
    digest = _digest_row(volunteer)
    assert deliver(digest).skipped == digest  # the digest is campaign content: no opt-in, none sent
    assert len(smtp.messages) == 1
    assert Outbox.objects.get(pk=digest[0]).status == OutboxStatus.SKIPPED_NO_CONSENT


def test_consent_withdrawn_after_the_row_was_written_is_honoured_at_send(smtp):
    volunteer = volunteer_with_consent()
    digest = _digest_row(volunteer)
    volunteer_services.consent_set(user=volunteer, channel="email", given=False, source="/volunteer/profile/")
    deliver(digest)
    assert smtp.messages == []
    assert Outbox.objects.get(pk=digest[0]).status == OutboxStatus.SKIPPED_NO_CONSENT


def test_the_digest_carries_one_click_unsubscribe(smtp, settings):
    volunteer = volunteer_with_consent()
    deliver(_digest_row(volunteer))
    [message] = smtp.messages
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = message["List-Unsubscribe"]
    assert unsubscribe.startswith(f"<{settings.SITE_URL}/unsubscribe/") and unsubscribe.endswith("/>")


def test_the_cancellation_carries_a_calendar_cancel(smtp):
    volunteer = volunteer_with_consent()
    signup, _ = _sign_up(ShiftFactory(), volunteer)
    volunteer_services.signup_cancel(signup=signup)
    [row] = Outbox.objects.filter(kind=MessageKind.SIGNUP_CANCELLED)
    deliver([row.pk])
    [message] = smtp.messages
    ics = next(p for p in message.walk() if p.get_content_type() == "text/calendar").get_payload(decode=True).decode()
    assert "METHOD:CANCEL" in ics and "STATUS:CANCELLED" in ics and "SEQUENCE:1" in ics
    assert f"UID:shift-{signup.shift_id}@" in ics and "ORGANIZER" in ics


def test_a_category_turned_off_is_not_sent(smtp):
    volunteer = volunteer_with_consent()
    MessagePreference.objects.create(user=volunteer, reminders=False)
    _, ids = _sign_up(ShiftFactory(), volunteer)
    deliver(ids)
    assert smtp.messages == []
    assert Outbox.objects.get(pk=ids[0]).status == OutboxStatus.SKIPPED_OPTED_OUT


def test_smtp_down_is_transient_then_failed_on_the_last_attempt(settings, caplog):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 2},  # nothing listens on discard
        }
    }
    volunteer = volunteer_with_consent()
    _, ids = _sign_up(ShiftFactory(), volunteer)
    with pytest.raises(TransientSendError):
        deliver(ids)
    row = Outbox.objects.get(pk=ids[0])
    assert row.status == OutboxStatus.PENDING and row.attempts == 1 and "ConnectionRefused" in row.last_error
    result = deliver(ids, final_attempt=True)
    assert result.failed == ids
    row.refresh_from_db()
    assert row.status == OutboxStatus.FAILED and row.attempts == 2
    failure = next(record for record in caplog.records if record.getMessage() == "outbox send failed for good")
    assert failure.outbox_id == ids[0] and failure.kind == MessageKind.SIGNUP_CONFIRMED


def _sms_row(volunteer, shift) -> list[int]:
    with transaction.atomic():
        return outbox_write(
            [
                outbox_row(
                    recipient_id=volunteer.pk,
                    kind=MessageKind.REMINDER_2H,
                    key=f"reminder-2h:test:{shift.pk}",
                    channel=OutboxChannel.SMS,
                    context={"name": "Sam", "shift": shift_context(shift)},
                )
            ]
        )


def test_sms_goes_to_the_http_gateway_in_e164(sms_gateway):
    volunteer = volunteer_with_consent(sms_consent=True, phone="+447911123456")
    shift = ShiftFactory(starts_at=clock.now() + dt.timedelta(hours=2))
    ids = _sms_row(volunteer, shift)
    assert deliver(ids).sent == ids
    [request] = sms_gateway.requests
    assert request["form"]["To"] == "+447911123456" and request["form"]["From"] == "Organiser"
    assert request["auth"] == "AC123:secret-token"
    assert "Barkingside station" in request["form"]["Body"] and "STOP" in request["form"]["Body"]


def test_the_reminder_text_is_a_service_message_but_needs_a_number_and_reminders_on(sms_gateway):
    volunteer = volunteer_with_consent(sms_consent=False, phone="+447911123456")
    assert deliver(_sms_row(volunteer, ShiftFactory())).sent  # no marketing opt-in needed for it
    no_number = volunteer_with_consent(sms_consent=True, phone="")
    ids = _sms_row(no_number, ShiftFactory())
    deliver(ids)
    assert Outbox.objects.get(pk=ids[0]).status == OutboxStatus.SKIPPED_NO_ADDRESS
    turned_off = volunteer_with_consent(phone="+447911123457")
    MessagePreference.objects.create(user=turned_off, reminders=False)
    ids = _sms_row(turned_off, ShiftFactory())
    deliver(ids)
    assert Outbox.objects.get(pk=ids[0]).status == OutboxStatus.SKIPPED_OPTED_OUT
    assert len(sms_gateway.requests) == 1


def test_sms_gateway_busy_retries_and_rejection_fails(sms_gateway):
    volunteer = volunteer_with_consent(sms_consent=True)
    ids = _sms_row(volunteer, ShiftFactory())
    sms_gateway.fail = 1
    with pytest.raises(TransientSendError):
        deliver(ids)
    assert deliver(ids).sent == ids
    other = volunteer_with_consent(sms_consent=True)
    rejected = _sms_row(other, ShiftFactory())
    sms_gateway.reject = True
    assert deliver(rejected).failed == rejected
    assert Outbox.objects.get(pk=rejected[0]).status == OutboxStatus.FAILED


def test_sms_development_backend_writes_a_log(settings, tmp_path: Path):
    settings.SMS_PROVIDER_URL = ""
    settings.SMS_LOG_PATH = str(tmp_path / "sms.log")
    volunteer = volunteer_with_consent(sms_consent=True)
    ids = _sms_row(volunteer, ShiftFactory())
    deliver(ids)
    [line] = (tmp_path / "sms.log").read_text().splitlines()
    assert json.loads(line)["to"] == "+447911123456"
