"""Fixtures for the canvassing tests: an endorsed candidate's campaign with its agent, and synthetic registers
generated at test time (never a real register)."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from campaigns.models import Candidacy, Endorsement, Person
from canvassing import services, synthetic
from canvassing.models import CandidateCampaign, GrantLevel
from canvassing.register_import import register_import
from organiser import clock, scope
from tests.conftest import make_user
from volunteers.models import Role

#: Polling day of the test campaigns: this many days after the clock's date (never a fixed year, which the
#: suite would one day pass, and retention with it).
POLLING_DAY_AFTER = dt.timedelta(days=60)


def make_campaign(election, seat, *, agent=None, polling_day=None, votes_to_win=500) -> CandidateCampaign:
    polling_day = polling_day or clock.today() + POLLING_DAY_AFTER
    person = Person.objects.create(key=f"test:{seat.code}", name=f"Candidate for {seat.name}")
    candidacy = Candidacy.objects.create(election=election, constituency=seat, person=person)
    endorsement = Endorsement.objects.create(
        election=election, constituency=seat, candidacy=candidacy, status=Endorsement.Status.ENDORSED
    )
    agent = agent or make_user(Role.SEAT_ORGANISER, seats=(seat,), mfa=True)
    return services.candidate_campaign_create(
        user=scope.system("test set-up"),
        endorsement=endorsement,
        agent=agent,
        polling_day=polling_day,
        retention_date=polling_day + dt.timedelta(days=30),
        votes_to_win=votes_to_win,
    )


@pytest.fixture
def campaign(db, election, seat_a) -> CandidateCampaign:
    return make_campaign(election, seat_a)


@pytest.fixture
def other_campaign(db, election, seat_b) -> CandidateCampaign:
    return make_campaign(election, seat_b)


@pytest.fixture
def agent(campaign):
    return campaign.agent


def grant(campaign, level=GrantLevel.CANVASSER, role=Role.VOLUNTEER, **kwargs):
    """A new account granted the campaign's register at ``level`` by its agent (with an authenticator, which
    every grantee needs: organiser.scope)."""
    kwargs.setdefault("mfa", True)
    user = make_user(role, **kwargs)
    services.register_grant_create(campaign=campaign, user=user, level=level, granted_by=campaign.agent)
    return user


@pytest.fixture
def canvasser(campaign):
    return grant(campaign)


def csv_file(text: str, encoding: str = "utf-8") -> io.BytesIO:
    return io.BytesIO(text.encode(encoding))


def synthetic_register(electors: int, seed: int = 1) -> io.BytesIO:
    out = io.BytesIO()
    synthetic.write_register(out, electors, seed=seed)
    out.seek(0)
    return out


def load_register(campaign, electors: int = 600, seed: int = 1):
    return register_import(campaign=campaign, file=synthetic_register(electors, seed), user=campaign.agent)
