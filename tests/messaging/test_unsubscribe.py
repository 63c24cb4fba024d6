"""One-click unsubscribe (RFC 8058) without login or CSRF token, honoured at once; the confirm page; the
preferences page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from messaging.delivery import deliver
from messaging.models import MessagePreference, Outbox, OutboxStatus, Unsubscribe
from messaging.rendering import unsubscribe_token
from tests.conftest import logged_in_client
from tests.volunteers.factories import ShiftFactory
from volunteers import services as volunteer_services
from volunteers.models import Consent

from .conftest import volunteer_with_consent

pytestmark = pytest.mark.django_db


def _pending_email(volunteer) -> int:
    """A pending campaign email (the digest), which unsubscribing stops."""
    from django.db import transaction

    from messaging.services import outbox_row, outbox_write

    with transaction.atomic():
        [row_id] = outbox_write(
            [
                outbox_row(
                    recipient_id=volunteer.pk,
                    kind="digest_volunteer",
                    key=f"digest:test-{Outbox.objects.count()}",
                    context={"name": "Sam", "week": "2026-W48", "next_shifts": [], "needed": [], "teams": []},
                )
            ]
        )
    return row_id


def _pending_shift_email(volunteer) -> int:
    signup = volunteer_services.signup_create(shift=ShiftFactory(), volunteer=volunteer, allow_overlap=True)
    return Outbox.objects.get(recipient=volunteer, key__startswith=f"signup:{signup.pk}:").pk


def _url(user) -> str:
    return reverse("messaging:unsubscribe", args=[unsubscribe_token(user.pk)])


def test_one_click_post_without_login_or_csrf_unsubscribes_at_once(smtp):
    volunteer = volunteer_with_consent()
    outbox_id = _pending_email(volunteer)
    shift_email = _pending_shift_email(volunteer)
    client = Client(enforce_csrf_checks=True)

    response = client.post(_url(volunteer), {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    assert not Consent.objects.filter(user=volunteer, channel="email", withdrawn_at__isnull=True).exists()
    assert Unsubscribe.objects.get(user=volunteer).via == "one-click"
    assert Outbox.objects.get(pk=outbox_id).status == OutboxStatus.SKIPPED_NO_CONSENT
    deliver([outbox_id])
    assert smtp.messages == []
    # Anything written later is skipped at send time too.
    later = _pending_email(volunteer)
    deliver([later])
    assert smtp.messages == [] and Outbox.objects.get(pk=later).status == OutboxStatus.SKIPPED_NO_CONSENT
    # The confirmation of a shift they signed up to is a service message: it still comes.
    assert Outbox.objects.get(pk=shift_email).status == OutboxStatus.PENDING
    deliver([shift_email])
    assert len(smtp.messages) == 1


def test_get_shows_a_confirm_page_and_changes_nothing():
    volunteer = volunteer_with_consent()
    response = Client().get(_url(volunteer))
    assert response.status_code == 200
    assert b"Unsubscribe" in response.content and b'<form method="post"' in response.content
    assert Consent.objects.filter(user=volunteer, withdrawn_at__isnull=True).exists()
    # The page's own button posts without the one-click body.
    response = Client(enforce_csrf_checks=True).post(_url(volunteer))
    assert response.status_code == 200 and b"You are unsubscribed" in response.content
    assert Unsubscribe.objects.get(user=volunteer).via == "page"


def test_a_forged_token_is_404():
    volunteer = volunteer_with_consent()
    token = unsubscribe_token(volunteer.pk)
    response = Client().post(
        reverse("messaging:unsubscribe", args=[token[:-2] + "xx"]), {"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 404
    assert Consent.objects.filter(user=volunteer, withdrawn_at__isnull=True).exists()


def test_preferences_page_turns_categories_off(smtp):
    volunteer = volunteer_with_consent()
    client = logged_in_client(volunteer)
    page = client.get(reverse("messaging:preferences"))
    assert page.status_code == 200 and b"weekly digest" in page.content
    response = client.post(
        reverse("messaging:preferences"), {"reminders": "", "shift_alerts": "on", "digest": "on", "language": "en-gb"}
    )
    assert response.status_code == 302
    preference = MessagePreference.objects.get(user=volunteer)
    assert (preference.reminders, preference.shift_alerts, preference.digest) == (False, True, True)
    outbox_id = _pending_shift_email(volunteer)  # reminders turned off: even a service message is not sent
    deliver([outbox_id])
    assert smtp.messages == [] and Outbox.objects.get(pk=outbox_id).status == OutboxStatus.SKIPPED_OPTED_OUT
    assert b"not campaign messages, so they come whether or not you agreed" in page.content


def test_preferences_need_login():
    response = Client().get(reverse("messaging:preferences"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
