"""The shift loop at fixed instants (the travel fixture): "confirm or cancel" at the campaign's time on the day
before (across both clock changes), by text or by email as service messages (no marketing opt-in), exactly once;
its links (a GET changes nothing, confirm, cancel promoting the waiting list, expired once the shift starts); "how
did it go" after the shift, its answers counting in the no-show rate without overriding the lead's check-in; the
beat entry."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from conversations.models import ShiftLoopSettings
from conversations.services.shift_loop import shift_loop_queue_due
from messaging.delivery import deliver
from messaging.models import MessageKind, Outbox, OutboxChannel, OutboxStatus
from messaging.services import preferences_set
from organiser import clock
from organiser.celery import collect_beat_schedule
from tests.volunteers.factories import ProfileFactory, ShiftFactory, SignupFactory
from volunteers import selectors as volunteer_selectors
from volunteers import services as volunteer_services
from volunteers.models import Consent, SignupStatus, VolunteerProfile

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def _volunteer(*, phone=""):
    """A volunteer who agreed to no campaign messages: the shift loop's are service messages all the same."""
    return ProfileFactory(phone=phone).user


def _shift_on(day: dt.date, hour: int = 10, **fields):
    start = clock.at(day, dt.time(hour))
    return ShiftFactory(starts_at=start, ends_at=start + dt.timedelta(hours=2), **fields)


def _confirms() -> list[Outbox]:
    return list(Outbox.objects.filter(kind=MessageKind.SHIFT_CONFIRM).order_by("pk"))


@pytest.mark.parametrize(
    ("shift_day", "asked_at_utc"),
    [
        (dt.date(2027, 3, 28), dt.datetime(2027, 3, 27, 18, 0, tzinfo=UTC)),  # Sunday the clocks go forward: GMT
        (dt.date(2027, 10, 31), dt.datetime(2027, 10, 30, 17, 0, tzinfo=UTC)),  # Sunday they go back: asked in BST
        (dt.date(2027, 11, 1), dt.datetime(2027, 10, 31, 18, 0, tzinfo=UTC)),  # the Monday after: GMT again
    ],
)
def test_confirm_or_cancel_goes_at_the_campaigns_time_on_the_day_before(travel, shift_day, asked_at_utc):
    travel(asked_at_utc - dt.timedelta(days=3))
    shift = _shift_on(shift_day)
    signup = volunteer_services.signup_create(shift=shift, volunteer=_volunteer())
    Outbox.objects.all().delete()  # the sign-up's own confirmation

    travel(asked_at_utc - dt.timedelta(minutes=1))
    assert shift_loop_queue_due() == [] and _confirms() == []
    travel(asked_at_utc)
    written = shift_loop_queue_due()
    assert len(written) == 1
    [row] = _confirms()
    assert row.recipient_id == signup.volunteer_id and row.channel == OutboxChannel.EMAIL
    assert clock.local(asked_at_utc).time() == dt.time(18, 0)
    # Exactly once: the next beat, and a later one, write nothing more.
    travel(asked_at_utc + dt.timedelta(minutes=5))
    assert shift_loop_queue_due() == [] and len(_confirms()) == 1


def test_the_time_is_the_campaigns_and_late_sign_ups_are_not_asked(travel):
    ShiftLoopSettings.objects.create(confirm_at=dt.time(12, 30))
    travel(dt.datetime(2027, 6, 1, 9, 0, tzinfo=UTC))
    shift = _shift_on(dt.date(2027, 6, 3))
    early = volunteer_services.signup_create(shift=shift, volunteer=_volunteer())
    travel(clock.at(dt.date(2027, 6, 2), dt.time(12, 45)))
    late = volunteer_services.signup_create(shift=shift, volunteer=_volunteer())  # after the moment: just told
    shift_loop_queue_due()
    assert [row.recipient_id for row in _confirms()] == [early.volunteer_id]
    assert late.volunteer_id not in {row.recipient_id for row in _confirms()}


def test_by_text_to_those_who_gave_a_mobile_by_email_to_the_rest_and_off_when_switched_off(travel, sms_gateway, smtp):
    travel(dt.datetime(2027, 6, 1, 9, 0, tzinfo=UTC))
    shift = _shift_on(dt.date(2027, 6, 3), capacity=10)
    texter = volunteer_services.signup_create(shift=shift, volunteer=_volunteer(phone="+447911123456"))
    emailed = volunteer_services.signup_create(shift=shift, volunteer=_volunteer())
    quiet = volunteer_services.signup_create(shift=shift, volunteer=_volunteer())
    preferences_set(user=quiet.volunteer, reminders=False)
    ShiftLoopSettings.objects.create(enabled=False)
    travel(clock.at(dt.date(2027, 6, 2), dt.time(18)))
    assert shift_loop_queue_due() == []  # switched off
    ShiftLoopSettings.objects.update(enabled=True)
    shift_loop_queue_due()
    rows = {row.recipient_id: row for row in _confirms()}
    assert rows[texter.volunteer_id].channel == OutboxChannel.SMS
    assert rows[emailed.volunteer_id].channel == OutboxChannel.EMAIL
    assert not Consent.objects.filter(user__in=[texter.volunteer, emailed.volunteer]).exists()  # no opt-in needed
    deliver([row.pk for row in rows.values()])
    [text] = sms_gateway.requests
    assert text["form"]["To"] == "+447911123456" and "/shift-answers/" in text["form"]["Body"]
    assert [message["To"] for message in smtp.messages] == [emailed.volunteer.email]
    assert "List-Unsubscribe" not in smtp.messages[0]  # a service message: no one-click unsubscribe
    rows[quiet.volunteer_id].refresh_from_db()
    assert rows[quiet.volunteer_id].status == OutboxStatus.SKIPPED_OPTED_OUT  # turned shift messages off


def _confirm_path(row: Outbox, which: str) -> str:
    return re.sub(r"^https?://[^/]+", "", row.context[which])


def test_the_confirm_link_shows_first_then_confirms_or_cancels_and_the_waiting_list_moves(travel, smtp):
    travel(dt.datetime(2027, 6, 1, 9, 0, tzinfo=UTC))
    shift = _shift_on(dt.date(2027, 6, 3), capacity=2)
    staying = volunteer_services.signup_create(shift=shift, volunteer=_volunteer())
    leaving = volunteer_services.signup_create(shift=shift, volunteer=_volunteer())
    waiting = volunteer_services.signup_create(shift=shift, volunteer=_volunteer())
    assert waiting.status == SignupStatus.WAITLISTED
    travel(clock.at(dt.date(2027, 6, 2), dt.time(18)))
    shift_loop_queue_due()
    rows = {row.recipient_id: row for row in _confirms()}
    assert set(rows) == {staying.volunteer_id, leaving.volunteer_id}  # the waiting list is not asked

    result = deliver([rows[staying.volunteer_id].pk])
    assert len(result.sent) == 1
    [message] = smtp.messages
    body = message.get_payload()[0].get_payload(decode=True).decode()
    assert rows[staying.volunteer_id].context["confirm_url"] in body and "give my place away" in body

    client = Client()
    path = _confirm_path(rows[staying.volunteer_id], "confirm_url")
    page = client.get(path)
    assert page.status_code == 200 and b"Yes, I'm coming" in page.content
    staying.refresh_from_db()
    assert staying.attendance_confirmed_at is None  # a GET (a mail scanner) changes nothing
    client.post(path, {"answer": "confirm"})
    staying.refresh_from_db()
    assert staying.attendance_confirmed_at == clock.now() and staying.status == SignupStatus.CONFIRMED

    client.post(_confirm_path(rows[leaving.volunteer_id], "cancel_url"), {"answer": "cancel"})
    leaving.refresh_from_db()
    waiting.refresh_from_db()
    assert leaving.status == SignupStatus.CANCELLED and waiting.status == SignupStatus.CONFIRMED
    assert Outbox.objects.filter(recipient=waiting.volunteer, kind=MessageKind.SIGNUP_PROMOTED).exists()
    assert client.post(path, {"answer": "maybe"}).status_code == 400

    travel(shift.starts_at)  # the link stops working when the shift starts
    assert client.get(path).status_code == 404


def test_how_did_it_go_after_the_shift_feeds_the_no_show_rate_and_keeps_the_leads_check_in(travel, team_lead):
    travel(dt.datetime(2027, 6, 1, 9, 0, tzinfo=UTC))
    shift = _shift_on(dt.date(2027, 6, 3), hour=10, capacity=5)  # 10:00 to 12:00 BST
    came = volunteer_services.signup_create(shift=shift, volunteer=_volunteer())
    missed = volunteer_services.signup_create(shift=shift, volunteer=_volunteer())
    checked = volunteer_services.signup_create(shift=shift, volunteer=_volunteer())
    travel(shift.starts_at + dt.timedelta(minutes=10))
    volunteer_services.signup_check_in(signup=checked, by=team_lead, attended=True)

    travel(shift.ends_at + dt.timedelta(minutes=59))
    shift_loop_queue_due()
    assert not Outbox.objects.filter(kind=MessageKind.SHIFT_FEEDBACK).exists()  # an hour after, by default
    travel(shift.ends_at + dt.timedelta(hours=1))
    shift_loop_queue_due()
    rows = {row.recipient_id: row for row in Outbox.objects.filter(kind=MessageKind.SHIFT_FEEDBACK)}
    assert set(rows) == {came.volunteer_id, missed.volunteer_id, checked.volunteer_id}
    shift_loop_queue_due()
    assert Outbox.objects.filter(kind=MessageKind.SHIFT_FEEDBACK).count() == 3  # once each

    client = Client()
    came_path = _confirm_path(rows[came.volunteer_id], "came_url")
    assert b'value="yes"' in client.get(came_path).content
    assert client.post(came_path, {"attended": "yes", "rating": "5", "note": "Great team"}).status_code == 200
    client.post(_confirm_path(rows[missed.volunteer_id], "missed_url"), {"attended": "no"})
    client.post(_confirm_path(rows[checked.volunteer_id], "came_url"), {"attended": "no", "rating": "3"})
    refused = client.post(came_path, {"attended": "yes", "rating": "9"})
    assert refused.status_code == 200 and b"Select a valid choice" in refused.content

    for signup in (came, missed, checked):
        signup.refresh_from_db()
    assert (came.status, came.feedback_rating, came.feedback_note) == (SignupStatus.ATTENDED, 5, "Great team")
    assert came.hours == shift.duration_hours
    assert missed.status == SignupStatus.NO_SHOW and missed.feedback_attended is False
    assert checked.status == SignupStatus.ATTENDED and checked.feedback_attended is False  # the lead's record wins
    reliability = volunteer_selectors.profiles_with_reliability(
        VolunteerProfile.objects.filter(user=missed.volunteer)
    ).get()
    assert (reliability.no_shows, reliability.no_show_rate) == (1, 1.0)

    travel(shift.ends_at + dt.timedelta(days=15))
    assert client.get(came_path).status_code == 404  # the feedback link lasts two weeks


def test_nobody_is_asked_about_a_shift_long_over(travel):
    travel(dt.datetime(2027, 6, 1, 9, 0, tzinfo=UTC))
    shift = ShiftFactory(
        starts_at=clock.now() - dt.timedelta(days=5), ends_at=clock.now() - dt.timedelta(days=5, hours=-2)
    )
    volunteer = _volunteer()
    SignupFactory(
        shift=shift,
        volunteer=volunteer,
        status=SignupStatus.CONFIRMED,
        queued_at=shift.starts_at - dt.timedelta(days=1),
    )
    assert shift_loop_queue_due() == []


def test_the_shift_loop_is_in_the_beat_schedule_with_expires():
    tasks = {entry["task"]: entry for entry in collect_beat_schedule().values()}
    assert tasks["conversations.tasks.queue_shift_loop"]["options"]["expires"] > 0
