"""The demo: teams, volunteers and a week of shifts, idempotent; a login counts as activity."""

import pytest
from django.core.management import call_command

from volunteers.models import Shift, Team, User, VolunteerProfile

pytestmark = pytest.mark.django_db


def test_demo_volunteers_load_is_idempotent(seat_a, seat_b):
    call_command("load_demo_volunteers", stdout=open("/dev/null", "w"))  # noqa: SIM115
    counts = (Team.objects.count(), User.objects.count(), Shift.objects.count())
    assert counts[0] == 2 and Shift.objects.filter(constituency=seat_a).count() == 14
    assert VolunteerProfile.objects.filter(home_constituency=seat_b).count() == 12
    call_command("load_demo_volunteers", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert (Team.objects.count(), User.objects.count(), Shift.objects.count()) == counts


def test_login_counts_as_activity(client, volunteer):
    VolunteerProfile.objects.create(user=volunteer)
    client.post("/accounts/login/", {"login": volunteer.email, "password": "correct-horse-battery-staple"})
    assert VolunteerProfile.objects.get(user=volunteer).last_active_at is not None
