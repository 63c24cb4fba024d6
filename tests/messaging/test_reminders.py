"""Reminders: the day-before email at the same UK wall-clock time (right across the clocks changing), the
two-hour SMS for those who opted in, cancellation, promotion, the short-shift alert to the lead; a repeated
scan writes nothing twice."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from messaging.models import MessageKind, Outbox
from messaging.reminders import reminders_queue_due
from organiser import clock
from tests.volunteers.factories import ShiftFactory, SignupFactory, UserFactory
from volunteers import services as volunteer_services
from volunteers.models import Role, SignupStatus

from .conftest import volunteer_with_consent

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def _signed_up_early(shift, volunteer):
    return SignupFactory(shift=shift, volunteer=volunteer, queued_at=shift.starts_at - dt.timedelta(days=5))


def _rows(kind):
    return list(Outbox.objects.filter(kind=kind).order_by("pk"))


@pytest.mark.parametrize(
    ("shift_local", "due_local", "utc_hours_before"),
    [
        # Clocks go forward at 01:00 GMT on Sunday 28 March 2027: the Saturday 10:00 is 23 hours earlier.
        (dt.datetime(2027, 3, 28, 10, 0, tzinfo=LONDON), dt.datetime(2027, 3, 27, 10, 0, tzinfo=LONDON), 23),
        # Clocks go back at 02:00 BST on Sunday 31 October 2027: the Saturday 10:00 is 25 hours earlier.
        (dt.datetime(2027, 10, 31, 10, 0, tzinfo=LONDON), dt.datetime(2027, 10, 30, 10, 0, tzinfo=LONDON), 25),
    ],
)
def test_day_before_reminder_at_the_same_uk_time_across_the_clock_change(shift_local, due_local, utc_hours_before):
    starts_at, due = shift_local, due_local
    assert starts_at.astimezone(dt.UTC) - due.astimezone(dt.UTC) == dt.timedelta(hours=utc_hours_before)
    shift = ShiftFactory(starts_at=starts_at, ends_at=starts_at + dt.timedelta(hours=2))
    volunteer = volunteer_with_consent()
    _signed_up_early(shift, volunteer)

    assert reminders_queue_due(now=due - dt.timedelta(minutes=1)) == []
    ids = reminders_queue_due(now=due)
    assert len(ids) == 1
    row = Outbox.objects.get(pk=ids[0])
    assert row.kind == MessageKind.REMINDER_24H and row.recipient_id == volunteer.pk
    assert row.context["shift"]["when"] == f"Sunday {shift_local.day} {shift_local:%B}, 10:00 to 12:00"
    # Later runs (and a second run at once) write nothing more.
    assert reminders_queue_due(now=due + dt.timedelta(minutes=5)) == []
    assert Outbox.objects.filter(kind=MessageKind.REMINDER_24H).count() == 1


def test_the_day_before_is_reckoned_in_the_zone_of_the_setting(settings):
    """The SQL takes the zone as a parameter: with another TIME_ZONE the reminder follows that zone's clock."""
    settings.TIME_ZONE = "America/New_York"  # its clocks go forward on Sunday 14 March 2027
    new_york = ZoneInfo("America/New_York")
    starts_at = dt.datetime(2027, 3, 14, 10, 0, tzinfo=new_york)
    due = dt.datetime(2027, 3, 13, 10, 0, tzinfo=new_york)  # 23 hours earlier; London's clock says 24
    shift = ShiftFactory(starts_at=starts_at, ends_at=starts_at + dt.timedelta(hours=2))
    _signed_up_early(shift, volunteer_with_consent())
    assert reminders_queue_due(now=due - dt.timedelta(minutes=1)) == []
    assert len(reminders_queue_due(now=due)) == 1


def test_day_before_reminder_is_a_service_message_not_for_a_late_or_cancelled_signup():
    starts_at = dt.datetime(2027, 5, 8, 10, 0, tzinfo=LONDON)
    shift = ShiftFactory(starts_at=starts_at, ends_at=starts_at + dt.timedelta(hours=2))
    late = volunteer_with_consent()
    SignupFactory(shift=shift, volunteer=late, queued_at=starts_at - dt.timedelta(hours=5))
    no_marketing = volunteer_with_consent(email_consent=False)
    _signed_up_early(shift, no_marketing)
    consented = volunteer_with_consent()
    _signed_up_early(shift, consented)
    cancelled = _signed_up_early(shift, volunteer_with_consent())
    cancelled.status = SignupStatus.CANCELLED
    cancelled.save()
    ids = reminders_queue_due(now=starts_at - dt.timedelta(hours=20))
    # Both who signed up early and are still on it, whether or not they agreed to campaign emails.
    assert set(Outbox.objects.filter(pk__in=ids).values_list("recipient_id", flat=True)) == {
        no_marketing.pk,
        consented.pk,
    }


def test_two_hour_sms_to_everyone_on_the_shift_who_gave_a_mobile():
    starts_at = dt.datetime(2027, 5, 8, 10, 0, tzinfo=LONDON)
    shift = ShiftFactory(starts_at=starts_at, ends_at=starts_at + dt.timedelta(hours=2), minimum=0)
    texted = volunteer_with_consent(sms_consent=True)
    _signed_up_early(shift, texted)
    no_marketing = volunteer_with_consent(sms_consent=False)  # a service text: no opt-in needed
    _signed_up_early(shift, no_marketing)
    _signed_up_early(shift, volunteer_with_consent(sms_consent=True, phone=""))  # no number: nothing to send to
    reminders_queue_due(now=starts_at - dt.timedelta(hours=2, minutes=1))
    assert not Outbox.objects.filter(kind=MessageKind.REMINDER_2H).exists()
    ids = reminders_queue_due(now=starts_at - dt.timedelta(hours=2))
    rows = Outbox.objects.filter(pk__in=ids)
    assert {row.kind for row in rows} == {MessageKind.REMINDER_2H} and {row.channel for row in rows} == {"sms"}
    assert {row.recipient_id for row in rows} == {texted.pk, no_marketing.pk}


def test_cancellation_promotion_and_short_shift_alert_written_by_the_volunteers_services():
    lead = volunteer_with_consent(user__role=Role.TEAM_LEAD)
    shift = ShiftFactory(capacity=2, minimum=2, lead=lead)  # starts in 48 hours
    first, second, waiting = (volunteer_with_consent() for _ in range(3))
    signups = [volunteer_services.signup_create(shift=shift, volunteer=v) for v in (first, second, waiting)]
    assert [s.status for s in signups] == [SignupStatus.CONFIRMED, SignupStatus.CONFIRMED, SignupStatus.WAITLISTED]
    assert len(_rows(MessageKind.SIGNUP_WAITLISTED)) == 1

    volunteer_services.signup_cancel(signup=signups[0])
    signups[2].refresh_from_db()
    assert signups[2].status == SignupStatus.CONFIRMED
    [cancel_row] = _rows(MessageKind.SIGNUP_CANCELLED)
    [promote_row] = _rows(MessageKind.SIGNUP_PROMOTED)
    assert cancel_row.recipient_id == first.pk and promote_row.recipient_id == waiting.pk
    assert "ics" in promote_row.context
    assert _rows(MessageKind.SHIFT_SHORT) == []  # still two people: not short

    volunteer_services.signup_cancel(signup=signups[1])
    [alert] = _rows(MessageKind.SHIFT_SHORT)
    assert alert.recipient_id == lead.pk and alert.context["missing"] == 1
    # The periodic scan finds the same short shift and writes nothing more.
    reminders_queue_due()
    assert len(_rows(MessageKind.SHIFT_SHORT)) == 1


def test_signing_up_again_after_cancelling_gets_a_new_confirmation():
    volunteer = volunteer_with_consent()
    shift = ShiftFactory()
    signup = volunteer_services.signup_create(shift=shift, volunteer=volunteer)
    volunteer_services.signup_cancel(signup=signup)
    volunteer_services.signup_create(shift=shift, volunteer=volunteer)
    assert len(_rows(MessageKind.SIGNUP_CONFIRMED)) == 2
    assert len(_rows(MessageKind.SIGNUP_CANCELLED)) == 1


def test_short_shift_scan_skips_shifts_without_a_lead_or_far_off():
    ShiftFactory(minimum=2)  # no lead
    lead = UserFactory(role=Role.TEAM_LEAD)
    ShiftFactory(
        minimum=2,
        lead=lead,
        starts_at=clock.now() + dt.timedelta(days=30),  # relative: a fixed date would one day be near
        ends_at=clock.now() + dt.timedelta(days=30, hours=2),
    )
    assert reminders_queue_due() == []


def test_rows_whose_task_was_lost_are_queued_again_after_an_hour(django_capture_on_commit_callbacks):
    from django.db import transaction

    from messaging import services
    from messaging.reminders import outbox_requeue_stale

    volunteer = volunteer_with_consent()
    signup = SignupFactory(volunteer=volunteer)
    with transaction.atomic():
        [outbox_id] = services.signup_made(signup)
    assert outbox_requeue_stale() == 0  # just written: its task is on its way
    with django_capture_on_commit_callbacks() as callbacks:
        assert outbox_requeue_stale(now=clock.now() + dt.timedelta(hours=2)) == 1
    assert len(callbacks) == 1
    Outbox.objects.filter(pk=outbox_id).update(attempts=1)  # a retry is waiting in the broker: left to it
    assert outbox_requeue_stale(now=clock.now() + dt.timedelta(hours=2)) == 0
    # ... unless the broker lost it (a Redis restarted without its data): past any retry chain, queued again.
    with django_capture_on_commit_callbacks() as callbacks:
        assert outbox_requeue_stale(now=clock.now() + dt.timedelta(hours=4)) == 1
    assert len(callbacks) == 1
