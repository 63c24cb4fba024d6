"""The demo: teams, volunteers and the coming week of shifts relative to the moment it runs (from the next whole
hour on), finished shifts with attendance; idempotent, and a later run tops the week up and loses nothing; a
login counts as activity."""

import datetime as dt

import pytest
from django.core.management import call_command

from organiser import clock
from volunteers.demo import DROP_IN_HOURS, demo_volunteers_load
from volunteers.models import Shift, Signup, SignupStatus, Team, User, VolunteerProfile

pytestmark = pytest.mark.django_db

# UK times where the old demo ("today at 10:00 and 18:00") broke: after lunch, in the evening, at midnight.
AWKWARD_INSTANTS = ["2027-06-09T11:31:00+00:00", "2027-06-09T19:31:00+00:00", "2027-06-09T22:59:30+00:00"]


def _coming_and_finished(now):
    coming = Shift.objects.filter(ends_at__gt=now)
    return coming, Shift.objects.filter(ends_at__lte=now)


@pytest.mark.parametrize("instant", AWKWARD_INSTANTS)
def test_demo_at_any_hour_has_the_coming_week_and_finished_shifts(travel, seat_a, seat_b, instant):
    now = travel(instant)
    counts = demo_volunteers_load()
    assert counts["seats"] == 2 and Team.objects.count() == 2
    assert VolunteerProfile.objects.filter(home_constituency=seat_b).count() == 12
    coming, finished = _coming_and_finished(now)
    first = clock.next_whole_hour(now)
    for shift in coming:
        assert first <= shift.starts_at < first + dt.timedelta(days=7)
    # two sessions a day for the week (14), plus a drop-in at the next whole hour in the daytime
    per_seat = 14 + (clock.local(first).hour in DROP_IN_HOURS)
    assert coming.filter(constituency=seat_a).count() == per_seat
    assert counts["shifts"] == 2 * per_seat
    # Sign-ups only on shifts still to come when they were made; none on a shift that had started.
    assert not Signup.objects.filter(shift__starts_at__lte=now, status=SignupStatus.CONFIRMED).exists()
    assert Signup.objects.filter(shift__in=coming).count() == counts["signups"] > 0
    # Finished shifts with hours and a no-show, so reliability and hours show.
    assert finished.filter(constituency=seat_a).count() == 2
    assert Signup.objects.filter(shift__in=finished, status=SignupStatus.ATTENDED, hours__gt=0).exists()
    assert Signup.objects.filter(shift__in=finished, status=SignupStatus.NO_SHOW).exists()
    for shift in Shift.objects.all():
        assert shift.filled == shift.signups.filter(status__in=(SignupStatus.CONFIRMED, SignupStatus.ATTENDED)).count()


def test_demo_volunteers_load_is_idempotent(travel, seat_a, seat_b):
    travel("2027-06-09T11:31:00+00:00")
    call_command("load_demo_volunteers", stdout=open("/dev/null", "w"))  # noqa: SIM115
    counts = (Team.objects.count(), User.objects.count(), Shift.objects.count(), Signup.objects.count())
    call_command("load_demo_volunteers", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert (Team.objects.count(), User.objects.count(), Shift.objects.count(), Signup.objects.count()) == counts


def test_a_later_run_tops_the_week_up_and_loses_nothing(travel, seat_a, seat_b):
    travel("2027-06-09T19:31:00+00:00")
    demo_volunteers_load()
    before = {
        shift.pk: (shift.starts_at, sorted(shift.signups.values_list("volunteer_id", "status")))
        for shift in Shift.objects.prefetch_related("signups")
    }
    now = travel("2027-06-12T07:05:00+00:00")  # three days on: the shifts of two of the old days are over
    added = demo_volunteers_load()
    after = {
        shift.pk: (shift.starts_at, sorted(shift.signups.values_list("volunteer_id", "status")))
        for shift in Shift.objects.prefetch_related("signups")
    }
    assert {pk: after[pk] for pk in before} == before  # every shift and sign-up kept as it was
    assert added["shifts"] > 0
    last = max(starts for starts, _ in after.values())
    assert last >= clock.next_whole_hour(now) + dt.timedelta(days=6)  # the week from now is covered
    assert Shift.objects.filter(constituency=seat_a, starts_at__gt=now).count() >= 14


def test_login_counts_as_activity(client, volunteer):
    VolunteerProfile.objects.create(user=volunteer)
    client.post("/accounts/login/", {"login": volunteer.email, "password": "correct-horse-battery-staple"})
    assert VolunteerProfile.objects.get(user=volunteer).last_active_at is not None
