"""Services: profiles, consent, shifts (weekly series), sign-ups with waiting list, check-in, erasure."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from campaigns.postcodes import normalise_postcode
from compliance import subject_access
from organiser import clock
from tests.timetravel import next_clock_change
from volunteers import services
from volunteers.models import Channel, Consent, ErasedAccount, Shift, Signup, SignupStatus, User, VolunteerProfile
from volunteers.phones import normalise_phone

from .factories import ProfileFactory, ShiftFactory, SignupFactory, UserFactory, in_hours

pytestmark = pytest.mark.django_db


def test_phone_is_stored_in_e164():
    assert normalise_phone("07911 123456") == "+447911123456"
    assert normalise_phone("+44 (0)7911-123456") == "+447911123456"
    with pytest.raises(ValidationError):
        normalise_phone("12345")


@pytest.mark.parametrize(
    ("typed", "normalised"), [("ig62aa", "IG6 2AA"), (" sw1a 1aa ", "SW1A 1AA"), ("M1 1AE", "M1 1AE")]
)
def test_postcode_is_normalised(typed, normalised):
    assert normalise_postcode(typed) == normalised


@pytest.mark.parametrize("bad", ["", "12345", "IG6 2A", "QQ1 1QQ1", "IG6 2CI"])
def test_postcode_rejects_what_is_not_one(bad):
    with pytest.raises(ValidationError):
        normalise_postcode(bad)


def test_profile_update_normalises_and_checks_choices(volunteer, seat_a):
    profile = services.profile_update(
        user=volunteer, phone="07911 123456", postcode="ig6 2aa", home_constituency=seat_a, skills=["driving"]
    )
    assert (profile.phone, profile.postcode, profile.home_constituency) == ("+447911123456", "IG6 2AA", seat_a)
    with pytest.raises(ValidationError):
        services.profile_update(user=volunteer, skills=["religion"])


def test_no_profile_field_asks_about_religion_or_ethnicity():
    names = " ".join(field.name for field in VolunteerProfile._meta.get_fields())
    for word in ("religion", "faith", "ethnic", "race", "nationality"):
        assert word not in names


def test_consent_is_recorded_per_channel_and_withdrawn(volunteer):
    services.consent_set(user=volunteer, channel=Channel.EMAIL, given=True, source="/join/")
    services.consent_set(user=volunteer, channel=Channel.EMAIL, given=True, source="/join/")  # idempotent
    assert Consent.objects.filter(user=volunteer, withdrawn_at__isnull=True).count() == 1
    consent = Consent.objects.get(user=volunteer)
    assert consent.channel == "email" and "email me" in consent.wording and consent.source == "/join/"
    services.consent_set(user=volunteer, channel=Channel.SMS, given=False, source="/join/")
    assert not Consent.objects.filter(channel=Channel.SMS).exists()
    services.consent_set(user=volunteer, channel=Channel.EMAIL, given=False, source="/profile/")
    assert Consent.objects.get(user=volunteer).withdrawn_at is not None


def test_weekly_series_keeps_local_time_across_the_clock_change(seat_a):
    change = next_clock_change(3)  # the clocks go forward early that Sunday
    first = clock.at(change - dt.timedelta(days=8), dt.time(10))  # Saturday 10:00, a week and a day before
    shifts = services.shift_create_weekly(
        weeks=3,
        constituency=seat_a,
        kind="canvassing",
        starts_at=first,
        ends_at=first + dt.timedelta(hours=2),
        meeting_point="Library",
        capacity=6,
        minimum=2,
    )
    assert [clock.local(shift.starts_at).hour for shift in shifts] == [10, 10, 10]
    assert len({shift.series for shift in shifts}) == 1
    utc = [shift.starts_at.astimezone(dt.UTC) for shift in shifts]
    assert utc[2] - utc[0] == dt.timedelta(days=14, hours=-1)  # an hour less: the clocks went forward


def test_shift_rejects_minimum_above_capacity(seat_a):
    with pytest.raises(ValidationError):
        services.shift_create(
            constituency=seat_a,
            kind="canvassing",
            starts_at=in_hours(2),
            ends_at=in_hours(4),
            meeting_point="x",
            capacity=2,
            minimum=3,
        )


def test_signup_confirms_then_waitlists_and_cancel_promotes_first_waiting(django_capture_on_commit_callbacks):
    shift = ShiftFactory(capacity=2)
    first, second, third, fourth = UserFactory.create_batch(4)
    assert services.signup_create(shift=shift, volunteer=first).status == SignupStatus.CONFIRMED
    assert services.signup_create(shift=shift, volunteer=second).status == SignupStatus.CONFIRMED
    waiting = services.signup_create(shift=shift, volunteer=third)
    later = services.signup_create(shift=shift, volunteer=fourth)
    assert waiting.status == later.status == SignupStatus.WAITLISTED

    with django_capture_on_commit_callbacks(execute=True):
        services.signup_cancel(signup=Signup.objects.get(shift=shift, volunteer=first))
    waiting.refresh_from_db()
    assert waiting.status == SignupStatus.CONFIRMED and waiting.promoted_at is not None
    assert Signup.objects.get(pk=later.pk).status == SignupStatus.WAITLISTED


def test_cancelling_a_waitlisted_signup_promotes_nobody():
    from messaging.models import MessageKind, Outbox

    shift = ShiftFactory(capacity=1)
    SignupFactory(shift=shift)
    waiting = services.signup_create(shift=shift, volunteer=UserFactory())
    also_waiting = services.signup_create(shift=shift, volunteer=UserFactory())
    services.signup_cancel(signup=waiting)
    assert Signup.objects.get(pk=also_waiting.pk).status == SignupStatus.WAITLISTED
    assert not Outbox.objects.filter(kind=MessageKind.SIGNUP_PROMOTED).exists()


def test_cannot_sign_up_twice_but_can_again_after_cancelling():
    shift, volunteer = ShiftFactory(), UserFactory()
    signup = services.signup_create(shift=shift, volunteer=volunteer)
    with pytest.raises(services.SignupError, match="already signed up"):
        services.signup_create(shift=shift, volunteer=volunteer)
    services.signup_cancel(signup=signup)
    again = services.signup_create(shift=shift, volunteer=volunteer)
    assert again.pk == signup.pk and again.status == SignupStatus.CONFIRMED
    assert Signup.objects.filter(shift=shift, volunteer=volunteer).count() == 1


def test_overlapping_shift_needs_confirmation(seat_a):
    volunteer = UserFactory()
    morning = ShiftFactory(constituency=seat_a, starts_at=in_hours(24), ends_at=in_hours(27))
    overlapping = ShiftFactory(constituency=seat_a, starts_at=in_hours(26), ends_at=in_hours(28))
    back_to_back = ShiftFactory(constituency=seat_a, starts_at=in_hours(27), ends_at=in_hours(29))
    services.signup_create(shift=morning, volunteer=volunteer)
    with pytest.raises(services.OverlapWarning) as warning:
        services.signup_create(shift=overlapping, volunteer=volunteer)
    assert warning.value.overlapping == [morning]
    assert services.signup_create(shift=back_to_back, volunteer=volunteer).status == SignupStatus.CONFIRMED
    assert services.signup_create(shift=overlapping, volunteer=volunteer, allow_overlap=True).pk


def test_cannot_sign_up_for_a_shift_that_is_over():
    shift = ShiftFactory(starts_at=in_hours(-3), ends_at=in_hours(-1))
    with pytest.raises(services.SignupError, match="over"):
        services.signup_create(shift=shift, volunteer=UserFactory())


def test_check_in_logs_hours_and_counts_no_shows(team_lead):
    shift = ShiftFactory(starts_at=in_hours(-1), ends_at=in_hours(2), lead=team_lead)
    came, stayed_home = SignupFactory(shift=shift), SignupFactory(shift=shift)
    came = services.signup_check_in(signup=came, by=team_lead)
    assert came.status == SignupStatus.ATTENDED and came.hours == Decimal("3.00") and came.checked_in_by == team_lead
    assert services.signup_check_in(signup=stayed_home, by=team_lead, attended=False).status == SignupStatus.NO_SHOW


def test_check_in_does_not_open_days_ahead(team_lead):
    signup = SignupFactory(shift=ShiftFactory(starts_at=in_hours(30), ends_at=in_hours(32)))
    with pytest.raises(services.SignupError, match="opens"):
        services.signup_check_in(signup=signup, by=team_lead)


def test_my_data_export_holds_everything(volunteer, seat_a):
    services.profile_update(user=volunteer, phone="07911123456", postcode="IG6 2AA", home_constituency=seat_a)
    services.consent_set(user=volunteer, channel=Channel.SMS, given=True, source="/join/")
    SignupFactory(volunteer=volunteer, shift=ShiftFactory(constituency=seat_a))
    data = json.loads(subject_access.as_json(subject_access.for_account(volunteer)))
    assert data["account"]["email"] == volunteer.email
    assert data["profile"]["phone"] == "+447911123456"
    assert data["profile"]["home_constituency"]["code"] == seat_a.code
    assert data["consents"][0]["channel"] == "sms"
    assert data["signups"][0]["seat"] == seat_a.code


def test_account_delete_removes_person_keeps_counts_and_blocks_resubscription(django_capture_on_commit_callbacks):
    volunteer = UserFactory(email="Leaving@Example.org")
    ProfileFactory(user=volunteer)
    services.consent_set(user=volunteer, channel=Channel.EMAIL, given=True, source="/join/")
    past = ShiftFactory(starts_at=in_hours(-5), ends_at=in_hours(-3))
    SignupFactory(shift=past, volunteer=volunteer, status=SignupStatus.ATTENDED, hours=Decimal(2))
    full = ShiftFactory(capacity=1)
    mine = SignupFactory(shift=full, volunteer=volunteer)
    waiting = services.signup_create(shift=full, volunteer=UserFactory())
    with django_capture_on_commit_callbacks(execute=True):
        services.account_delete(user=volunteer)

    assert not User.objects.filter(email__iexact="leaving@example.org").exists()
    assert not VolunteerProfile.objects.exists() and not Consent.objects.exists()
    assert not Signup.objects.filter(pk=mine.pk).exists()
    kept = Signup.objects.get(shift=past)
    assert kept.volunteer is None and kept.status == SignupStatus.ATTENDED  # the count stays, the person goes
    assert Signup.objects.get(pk=waiting.pk).status == SignupStatus.CONFIRMED
    assert ErasedAccount.objects.count() == 1
    assert "leaving" not in ErasedAccount.objects.get().email_hash
    assert services.email_was_erased(" leaving@example.ORG")
    assert Shift.objects.count() == 2


def test_calendar_token_rotates_and_revokes(volunteer):
    first = services.calendar_token_rotate(user=volunteer)
    second = services.calendar_token_rotate(user=volunteer)
    assert first and second and first != second and len(second) >= 40
    assert services.calendar_token_rotate(user=volunteer, revoke=True) is None


def test_changes_are_handed_to_messaging_in_the_same_transaction():
    from messaging.models import Outbox

    shift = ShiftFactory(capacity=1)
    first, second = UserFactory(), UserFactory()
    mine = services.signup_create(shift=shift, volunteer=first)
    services.signup_create(shift=shift, volunteer=second)
    services.signup_cancel(signup=mine)
    kinds = sorted(Outbox.objects.values_list("recipient_id", "kind"))
    assert kinds == sorted(
        [
            (first.pk, "signup_confirmed"),
            (second.pk, "signup_waitlisted"),
            (first.pk, "signup_cancelled"),
            (second.pk, "signup_promoted"),
        ]
    )


def test_place_count_on_the_shift_follows_every_change(team_lead):
    """Shift.filled is kept by the services; after any mix of them it equals the count of taken places."""
    import random

    rng = random.Random(7)
    shift = ShiftFactory(capacity=3, lead=team_lead, starts_at=in_hours(1), ends_at=in_hours(3))
    people = UserFactory.create_batch(6)
    for _ in range(40):
        person = rng.choice(people)
        signup = Signup.objects.filter(shift=shift, volunteer=person).first()
        action = rng.choice(["join", "cancel", "here", "absent"])
        try:
            if action == "join":
                services.signup_create(shift=shift, volunteer=person)
            elif signup and action == "cancel":
                services.signup_cancel(signup=signup)
            elif signup:
                services.signup_check_in(signup=signup, by=team_lead, attended=action == "here")
        except services.SignupError:
            pass
        shift.refresh_from_db()
        taken = Signup.objects.filter(shift=shift, status__in=["confirmed", "attended"]).count()
        assert shift.filled == taken  # (attendance may pass capacity: a lead can correct a no-show)
