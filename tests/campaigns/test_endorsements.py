"""Endorsements: seat organisers propose, national organisers review, endorse and withdraw; history is kept."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from campaigns.models import Endorsement
from campaigns.services.endorsements import (
    endorsement_endorse,
    endorsement_propose,
    endorsement_review,
    endorsement_withdraw,
)
from tests.campaigns.factories import CandidacyFactory, ConstituencyFactory, ElectionFactory, PartyFactory
from tests.conftest import make_user
from volunteers.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def candidacy(seat_a):
    return CandidacyFactory(constituency=seat_a, party=PartyFactory(name="Independent-ish", abbreviation="X"))


def test_full_lifecycle_with_history(candidacy, seat_organiser, national_organiser):
    endorsement = endorsement_propose(user=seat_organiser, candidacy=candidacy, reason="Strong local campaign")
    assert endorsement.status == Endorsement.Status.PROPOSED
    endorsement_review(user=national_organiser, endorsement=endorsement, reason="Checking")
    endorsement_endorse(user=national_organiser, endorsement=endorsement, reason="Agreed", statement="Our candidate")
    endorsement_withdraw(user=national_organiser, endorsement=endorsement, reason="Stood down")
    endorsement.refresh_from_db()
    assert endorsement.status == Endorsement.Status.WITHDRAWN
    history = list(endorsement.events.values_list("status", "actor", "reason"))
    assert history == [
        ("proposed", seat_organiser.pk, "Strong local campaign"),
        ("under_review", national_organiser.pk, "Checking"),
        ("endorsed", national_organiser.pk, "Agreed"),
        ("withdrawn", national_organiser.pk, "Stood down"),
    ]


def test_only_national_organisers_endorse(candidacy, seat_organiser):
    endorsement = endorsement_propose(user=seat_organiser, candidacy=candidacy)
    with pytest.raises(PermissionDenied):
        endorsement_endorse(user=seat_organiser, endorsement=endorsement, reason="self-approval")
    assert Endorsement.objects.get().status == Endorsement.Status.PROPOSED


def test_seat_organisers_propose_only_in_their_seats(seat_organiser):
    elsewhere = CandidacyFactory(constituency=ConstituencyFactory(), election=ElectionFactory())
    with pytest.raises(PermissionDenied):
        endorsement_propose(user=seat_organiser, candidacy=elsewhere)
    volunteer = make_user(Role.VOLUNTEER)
    with pytest.raises(PermissionDenied):
        endorsement_propose(user=volunteer, candidacy=elsewhere)


def test_one_endorsement_per_seat_and_a_decision_needs_a_reason(candidacy, seat_organiser, national_organiser):
    endorsement_propose(user=seat_organiser, candidacy=candidacy)
    other = CandidacyFactory(constituency=candidacy.constituency, election=candidacy.election)
    endorsement = endorsement_propose(user=seat_organiser, candidacy=other)
    assert Endorsement.objects.count() == 1
    assert endorsement.candidacy == other
    with pytest.raises(ValidationError):
        endorsement_endorse(user=national_organiser, endorsement=endorsement, reason=" ")
    endorsement_endorse(user=national_organiser, endorsement=endorsement, reason="ok")
    with pytest.raises(PermissionDenied):  # a seat organiser cannot replace an endorsed candidate
        endorsement_propose(user=seat_organiser, candidacy=candidacy)
