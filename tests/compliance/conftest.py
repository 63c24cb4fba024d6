"""Fixtures for compliance: the 2024 election with its figures of law, seats in three parts of the UK, an
endorsed independent candidate, promoter details, and a PDF to upload as a document."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from campaigns.models import Constituency, Endorsement
from compliance.models import PromoterDetails
from tests.campaigns.factories import CandidacyFactory, PartyFactory
from tests.conftest import make_user
from volunteers.models import Role

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name: str = "authorisation.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def seat_scot(db) -> Constituency:
    return Constituency.objects.create(code="S14000060", name="Glasgow East", nation="Scotland")


@pytest.fixture
def seat_wales(db) -> Constituency:
    return Constituency.objects.create(code="W07000081", name="Cardiff East", nation="Wales")


@pytest.fixture
def endorsement(db, election, seat_a) -> Endorsement:
    candidacy = CandidacyFactory(election=election, constituency=seat_a, party=None, person__name="Shockat Adam")
    return Endorsement.objects.create(
        election=election, constituency=seat_a, candidacy=candidacy, status=Endorsement.Status.ENDORSED
    )


@pytest.fixture
def endorsement_b(db, election, seat_b) -> Endorsement:
    candidacy = CandidacyFactory(election=election, constituency=seat_b, party=None, person__name="Adnan Hussain")
    return Endorsement.objects.create(
        election=election, constituency=seat_b, candidacy=candidacy, status=Endorsement.Status.ENDORSED
    )


@pytest.fixture
def promoter(db, election) -> PromoterDetails:
    return PromoterDetails.objects.create(
        election=election,
        promoter_name="Amina Khan",
        promoter_address="1 High Road, Ilford IG1 1AA",
        on_behalf_name="Independents Together",
        on_behalf_address="1 High Road, Ilford IG1 1AA",
        printer_name="Print Co Ltd",
        printer_address="2 Mill Lane, Leeds LS1 1AA",
    )


@pytest.fixture
def organiser(db, seat_a, seat_b):
    return make_user(Role.NATIONAL_ORGANISER, mfa=True)


@pytest.fixture
def labour(db):
    return PartyFactory(name="Labour Party", abbreviation="Lab")


def money(value) -> Decimal:
    return Decimal(str(value))


TODAY = dt.date(2024, 6, 1)


@pytest.fixture
def election(election):
    """The project's election fixture, read back so its date is a date."""
    election.refresh_from_db()
    return election
