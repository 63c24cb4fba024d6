"""The demo: a synthetic register for a target seat's endorsed candidate with walk lists assigned; commands."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from canvassing.demo import demo_canvassing_load
from canvassing.models import AccessLog, Elector, WalkList
from tests.conftest import make_user
from volunteers.models import Role, Team


def test_demo_register_with_lists_assigned_and_idempotent(election, seat_a):
    team = Team.objects.create(name="Doors", constituency=seat_a, lead=make_user(Role.TEAM_LEAD))
    team.members.add(*(make_user(Role.VOLUNTEER) for _ in range(3)))
    first = demo_canvassing_load(electors=800, seed=3, doors=30)
    assert first["electors"] == 800 and first["walk_lists"] > 5 and first["assigned"] >= 3 and first["grants"] == 5
    assert Elector.objects.filter(postal_voter=True).exists()
    member = team.members.first()
    assert WalkList.objects.filter(volunteer=member).exists()
    assert demo_canvassing_load(electors=800, seed=3, doors=30) == first


def test_commands_write_and_import_a_synthetic_register(tmp_path, campaign, agent):
    path = tmp_path / "register.csv"
    absent = tmp_path / "absent.csv"
    call_command("synthetic_register", str(path), "--electors", "300", "--seed", "4", "--absent-voters", str(absent))
    call_command("import_register", str(campaign.pk), str(path), "--user", agent.email)
    call_command("import_register", str(campaign.pk), str(absent), "--user", agent.email)
    assert Elector.objects.filter(campaign=campaign).count() == 300
    assert AccessLog.objects.filter(campaign=campaign, action="import", route="command:import_register").count() == 2
    stranger = make_user(Role.NATIONAL_ORGANISER)
    with pytest.raises(CommandError):
        call_command("import_register", str(campaign.pk), str(path), "--user", stranger.email)


def test_demo_dates_follow_the_run_and_a_destroyed_demo_register_stays_destroyed(travel, election, seat_a):
    from canvassing import services
    from canvassing.models import CandidateCampaign
    from organiser import clock

    now = travel("2027-12-31T23:59:30+00:00")
    demo_canvassing_load(electors=300, seed=3, doors=30)
    campaign = CandidateCampaign.objects.get()
    assert campaign.polling_day == clock.today(now) + dt.timedelta(days=60) == dt.date(2028, 2, 29)
    assert campaign.retention_date == campaign.polling_day + dt.timedelta(days=90)

    travel(clock.at(campaign.retention_date, dt.time(3, 15)))
    assert services.registers_destroy_expired() == [campaign.pk]  # the daily job
    again = demo_canvassing_load(electors=300, seed=3, doors=30)
    assert again["destroyed"] == 1 and again["electors"] == 0
    assert not Elector.objects.exists() and not WalkList.objects.exists()
    out = io.StringIO()
    call_command("load_demo_canvassing", "--electors", "300", stdout=out)
    assert "destroyed" in out.getvalue() and not Elector.objects.exists()
