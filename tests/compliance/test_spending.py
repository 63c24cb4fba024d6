"""The spending ledger against every limit: each limit refuses an approval that takes it over, and a written
authorisation that covers the excess lets it through. Figures come from the election's LegalFigure rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from compliance import selectors, services
from compliance.figures import figures_for
from compliance.models import Authorisation, SpendingAttribution, SpendingStatus
from tests.compliance.conftest import money, pdf
from tests.conftest import make_user
from volunteers.models import Role

pytestmark = pytest.mark.django_db
DAY = dt.date(2024, 6, 10)


def local(user, election, candidacy, amount, description="Leaflets"):
    return services.spending_record(
        user=user, election=election, kind="local", category="material", description=description,
        supplier_name="Print Co", amount=money(amount), incurred_on=DAY, candidacy=candidacy,
    )  # fmt: skip


def general(user, election, amount, **where):
    return services.spending_record(
        user=user, election=election, kind="general", category="material", description="Adverts",
        supplier_name="Ads Ltd", amount=money(amount), incurred_on=DAY, **where,
    )  # fmt: skip


def agent_authorisation(user, election, candidacy, amount):
    return services.authorisation_record(
        user=user, election=election, kind=Authorisation.Kind.AGENT, amount=money(amount), covers="Leaflets",
        given_by="Sara Ali (agent)", given_on=DAY, document=pdf(), candidacy=candidacy,
    )  # fmt: skip


def test_local_spending_over_the_permitted_sum_is_refused(election, endorsement, organiser):
    candidacy = endorsement.candidacy
    services.spending_approve(user=organiser, item=local(organiser, election, candidacy, 600))
    over = local(organiser, election, candidacy, 150)
    with pytest.raises(ValidationError) as refused:
        services.spending_approve(user=organiser, item=over)
    assert "permitted sum" in str(refused.value) and "£750.00 would be over £700.00" in str(refused.value)
    over.refresh_from_db()
    assert over.status == SpendingStatus.PROPOSED


def test_an_agents_written_authorisation_lets_it_through_and_is_recorded_on_the_item(election, endorsement, organiser):
    candidacy = endorsement.candidacy
    services.spending_approve(user=organiser, item=local(organiser, election, candidacy, 600))
    over = local(organiser, election, candidacy, 150)
    authorisation = agent_authorisation(organiser, election, candidacy, 500)
    check = services.spending_approve(user=organiser, item=over)
    over.refresh_from_db()
    assert over.status == SpendingStatus.APPROVED and over.authorisation == authorisation
    gauge = check.gauges[0]
    assert (gauge.limit, gauge.authorised, gauge.total) == (money(700), money(500), money(750))
    # and beyond what was authorised, refused again
    with pytest.raises(ValidationError):
        services.spending_approve(user=organiser, item=local(organiser, election, candidacy, 500))


def test_an_authorisation_needs_its_document(election, endorsement, organiser):
    with pytest.raises(ValidationError):
        services.authorisation_record(
            user=organiser, election=election, kind="agent", amount=money(100), covers="x", given_by="Agent",
            given_on=DAY, document=None, candidacy=endorsement.candidacy,
        )  # fmt: skip


def test_general_spending_is_split_equally_between_the_seats_it_affects(election, seat_a, seat_b, organiser):
    item = general(organiser, election, 1000, area="seats", seats=[seat_a, seat_b])
    shares = dict(SpendingAttribution.objects.filter(item=item).values_list("constituency__code", "amount"))
    assert shares == {seat_a.code: money("500.0000"), seat_b.code: money("500.0000")}


def test_the_constituency_limit_refuses_an_item_that_takes_a_seat_over(election, seat_a, organiser, promoter):
    promoter.registered = True
    promoter.save()
    services.spending_approve(user=organiser, item=general(organiser, election, 17000, area="seats", seats=[seat_a]))
    with pytest.raises(ValidationError) as refused:
        services.spending_approve(user=organiser, item=general(organiser, election, 600, area="seats", seats=[seat_a]))
    assert "Ilford North: constituency limit" in str(refused.value)
    assert "£17,533.00" in str(refused.value)  # the cautious figure (docs/law.md)


def test_the_notification_threshold_binds_until_the_campaign_is_registered(
    election, seat_a, seat_b, seat_scot, organiser, promoter
):
    services.spending_approve(user=organiser, item=general(organiser, election, 9000, area="uk"))
    second = general(organiser, election, 1500, area="uk")
    with pytest.raises(ValidationError) as refused:
        services.spending_approve(user=organiser, item=second)
    assert "UK-wide" in str(refused.value) and "£10,000.00" in str(refused.value)
    promoter.registered = True
    promoter.save()
    services.spending_approve(user=organiser, item=second)
    gauges = {gauge.key: gauge for gauge in selectors.part_gauges(election=election, figures=figures_for(election))}
    # £10,500 over three seats (two in England, one in Scotland): England £7,000, Scotland £3,500
    assert gauges["part:England"].committed == money("7000.0000")
    assert gauges["part:Scotland"].committed == money("3500.0000")
    assert gauges["part:England"].limit == money(586548)


def test_a_registered_campaign_cannot_pass_the_limit_of_a_part_of_the_uk(election, seat_wales, organiser, promoter):
    promoter.registered = True
    promoter.save()
    with pytest.raises(ValidationError) as refused:
        services.spending_approve(
            user=organiser, item=general(organiser, election, 60000, area="parts", parts=["Wales"])
        )
    assert "Wales: registered limit" in str(refused.value)


def test_targeted_spending_under_its_limit_counts_on_the_targeted_gauge(
    election, seat_a, seat_b, organiser, promoter, labour
):
    promoter.registered = True
    promoter.save()
    item = general(organiser, election, 30000, area="parts", parts=["England"], targeted_party=labour)
    services.spending_approve(user=organiser, item=item)  # £15,000 in each of England's two seats here
    [gauge] = selectors.targeted_gauges(election=election, figures=figures_for(election))
    assert gauge.label == "Targeted at Labour Party in England"
    assert (gauge.committed, gauge.limit) == (money(30000), money(58654))


def test_targeted_over_the_limit_refused_then_allowed_by_the_party(election, organiser, promoter, labour, db):
    from campaigns.models import Constituency

    Constituency.objects.bulk_create(
        Constituency(code=f"E1499{n:04d}", name=f"Seat {n}", nation="England") for n in range(10)
    )
    promoter.registered = True
    promoter.save()
    item = general(organiser, election, 60000, area="parts", parts=["England"], targeted_party=labour)
    with pytest.raises(ValidationError) as refused:
        services.spending_approve(user=organiser, item=item)
    assert "Targeted at Labour Party in England" in str(refused.value)
    services.authorisation_record(
        user=organiser, election=election, kind="party", amount=money(5000), covers="National adverts",
        given_by="Party treasurer", given_on=DAY, document=pdf(), party=labour, part="England",
    )  # fmt: skip
    services.spending_approve(user=organiser, item=item)
    item.refresh_from_db()
    assert item.status == SpendingStatus.APPROVED and item.authorisation.party == labour


def test_gauges_show_spent_committed_and_warn_before_approval(election, endorsement, organiser):
    candidacy = endorsement.candidacy
    item = local(organiser, election, candidacy, 600)
    check = selectors.spending_check(item=item)
    assert check.gauges[0].pending == money(600) and check.gauges[0].level == "warn"  # 86% of £700
    services.spending_approve(user=organiser, item=item)
    services.spending_mark_paid(user=organiser, item=item, paid_on=DAY)
    [gauge] = selectors.candidate_gauges(election=election, figures=figures_for(election))
    assert (gauge.committed, gauge.spent, gauge.percent) == (money(600), money(600), 85)


def test_seat_organisers_record_for_their_seats_only_and_cannot_approve(election, seat_a, seat_b, endorsement_b):
    seat_organiser = make_user(Role.SEAT_ORGANISER, seats=(seat_a,), mfa=True)
    with pytest.raises(PermissionDenied):
        local(seat_organiser, election, endorsement_b.candidacy, 100)
    with pytest.raises(PermissionDenied):
        general(seat_organiser, election, 100, area="uk")
    item = general(seat_organiser, election, 100, area="seats", seats=[seat_a])
    with pytest.raises(PermissionDenied):
        services.spending_approve(user=seat_organiser, item=item)
