"""Donations: what counts, permissibility before acceptance, the 30 days, reporting thresholds (PPERA Sch 11)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from compliance import selectors, services
from compliance.models import DonationStatus, DonorKind
from tests.compliance.conftest import money

pytestmark = pytest.mark.django_db
RECEIVED = dt.date(2024, 6, 3)


def donate(user, election, amount, kind=DonorKind.INDIVIDUAL, name="Farah Begum", received_on=RECEIVED):
    return services.donation_record(
        user=user, election=election, donor_name=name, donor_kind=kind, amount=money(amount), received_on=received_on
    )


def flags_of(election, donation, today=RECEIVED):
    return {d.pk: f for d, f in selectors.donation_rows(election=election, today=today)}[donation.pk]


def test_five_hundred_pounds_or_less_is_not_a_donation(election, organiser):
    flags = flags_of(election, donate(organiser, election, 500))
    assert not flags.is_donation and not flags.needs_check and not flags.reportable


def test_over_the_threshold_is_flagged_for_a_check_within_thirty_days(election, organiser):
    donation = donate(organiser, election, "500.01")
    flags = flags_of(election, donation)
    assert flags.is_donation and flags.needs_check and flags.decide_by == dt.date(2024, 7, 3)
    assert flags_of(election, donation, today=dt.date(2024, 7, 4)).overdue


def test_acceptance_needs_the_check_written_down(election, organiser):
    donation = donate(organiser, election, 1000)
    with pytest.raises(ValidationError):
        services.donation_accept(user=organiser, donation=donation)
    accepted = services.donation_accept(user=organiser, donation=donation, check_note="On the Redbridge register")
    assert accepted.status == DonationStatus.ACCEPTED and accepted.check_done


@pytest.mark.parametrize("kind", [DonorKind.REGISTERED_PARTY, DonorKind.OTHER, DonorKind.UNIDENTIFIABLE])
def test_an_impermissible_source_is_flagged_and_cannot_be_accepted(kind, election, organiser):
    donation = donate(organiser, election, 2000, kind=kind)
    assert flags_of(election, donation).impermissible
    with pytest.raises(ValidationError):
        services.donation_accept(user=organiser, donation=donation, check_note="checked")
    assert services.donation_return(user=organiser, donation=donation, check_note="returned").status == "returned"


def test_over_the_reporting_threshold_alone_or_in_aggregate_is_flagged(election, organiser):
    big = donate(organiser, election, "7500.01", name="Big Donor")
    first = donate(organiser, election, 4000, name="Farah Begum")
    second = donate(organiser, election, 4000, name="farah begum ")
    small = donate(organiser, election, 400, name="Farah Begum")
    assert flags_of(election, big).reportable
    assert flags_of(election, first).reportable and flags_of(election, second).reportable
    assert not flags_of(election, small).reportable


def test_after_dissolution_a_registered_campaign_reports_weekly(election, organiser, promoter):
    promoter.registered, promoter.dissolution_date = True, dt.date(2024, 5, 30)
    promoter.save()
    assert flags_of(election, donate(organiser, election, 8000)).weekly_prepoll
    assert not flags_of(election, donate(organiser, election, 8000, received_on=dt.date(2024, 5, 1))).weekly_prepoll
