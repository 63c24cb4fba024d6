"""The organisers' compliance pages through the test client: scope per role, forms that keep what was typed and
change nothing on bad input, returns as spreadsheet-safe CSV, and privacy notices where data is collected."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from compliance import services
from compliance.models import SpendingItem, SpendingStatus
from tests.compliance.conftest import money
from tests.conftest import logged_in_client, make_user
from volunteers.models import Role

pytestmark = pytest.mark.django_db
DAY = dt.date(2024, 6, 10)


def record(user, election, candidacy, amount, description="Leaflets"):
    return services.spending_record(
        user=user, election=election, kind="local", category="material", description=description,
        supplier_name="Print Co", amount=money(amount), incurred_on=DAY, candidacy=candidacy,
    )  # fmt: skip


def test_an_organiser_records_and_approves_spending_through_the_pages(election, endorsement, organiser):
    client = logged_in_client(organiser)
    url = reverse("compliance:spending", args=[election.slug])
    response = client.post(url, {
        "kind": "local", "category": "material", "description": "Leaflets", "supplier_name": "Print Co",
        "amount": "650", "incurred_on": "2024-06-10", "candidacy": endorsement.candidacy.pk,
    })  # fmt: skip
    item = SpendingItem.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/spending/{item.pk}/")
    page = client.get(response["Location"]).content.decode()
    assert "Near a limit" in page and "Shockat Adam (Ilford North): permitted sum" in page
    client.post(response["Location"], {"action": "approve", "note": ""})
    item.refresh_from_db()
    assert item.status == SpendingStatus.APPROVED


def test_bad_input_changes_nothing_and_keeps_what_was_typed(election, endorsement, organiser):
    client = logged_in_client(organiser)
    response = client.post(reverse("compliance:spending", args=[election.slug]), {
        "kind": "local", "category": "material", "description": "Leaflets here", "supplier_name": "Print Co",
        "amount": "-5", "incurred_on": "not a date",
    })  # fmt: skip
    assert response.status_code == 200 and not SpendingItem.objects.exists()
    assert 'value="Print Co"' in response.content.decode()


def test_a_receipt_must_be_a_pdf_or_image(election, endorsement, organiser):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = logged_in_client(organiser)
    response = client.post(reverse("compliance:spending", args=[election.slug]), {
        "kind": "local", "category": "material", "description": "Leaflets", "supplier_name": "Print Co",
        "amount": "50", "incurred_on": "2024-06-10", "candidacy": endorsement.candidacy.pk,
        "receipt": SimpleUploadedFile("receipt.pdf", b"MZ\x90\x00 not a pdf"),
    })  # fmt: skip
    assert "Only PDF, PNG or JPEG" in response.content.decode() and not SpendingItem.objects.exists()


def test_seat_organisers_see_their_seats_items_only(election, seat_a, seat_b, endorsement, endorsement_b, organiser):
    mine = record(organiser, election, endorsement.candidacy, 100, "Ilford leaflets")
    theirs = record(organiser, election, endorsement_b.candidacy, 100, "Blackburn leaflets")
    seat_organiser = make_user(Role.SEAT_ORGANISER, seats=(seat_a,), mfa=True)
    client = logged_in_client(seat_organiser)
    page = client.get(reverse("compliance:spending", args=[election.slug])).content.decode()
    assert "Ilford leaflets" in page and "Blackburn leaflets" not in page
    assert client.get(reverse("compliance:spending_item", args=[election.slug, mine.pk])).status_code == 200
    assert client.get(reverse("compliance:spending_item", args=[election.slug, theirs.pk])).status_code == 404
    for name in ("donations", "promoter", "return_campaign", "return_donations"):
        assert client.get(reverse(f"compliance:{name}", args=[election.slug])).status_code == 403
    dashboard = client.get(reverse("compliance:dashboard", args=[election.slug])).content.decode()
    assert "Ilford North" in dashboard and "Blackburn" not in dashboard


@pytest.mark.parametrize("role", [Role.VOLUNTEER, Role.TEAM_LEAD])
def test_volunteers_and_leads_get_no_compliance_pages(role, election):
    client = logged_in_client(make_user(role))
    assert client.get(reverse("compliance:dashboard", args=[election.slug])).status_code == 403
    assert Client().get(reverse("compliance:dashboard", args=[election.slug])).status_code == 302


def test_returns_are_spreadsheet_safe_csv(election, endorsement, seat_a, organiser):
    item = record(organiser, election, endorsement.candidacy, 250, '=HYPERLINK("http://x")')
    services.spending_approve(user=organiser, item=item)
    client = logged_in_client(organiser)
    body = client.get(reverse("compliance:return_candidate", args=[election.slug, endorsement.candidacy.pk]))
    text = body.content.decode("utf-8-sig")
    assert body["Content-Type"].startswith("text/csv")
    assert "'=HYPERLINK" in text and ",250.00," in text and "MISSING" in text  # over £200 and no receipt
    general = services.spending_record(
        user=organiser, election=election, kind="general", category="material", description="Ads",
        supplier_name="@Ads", amount=money(300), incurred_on=DAY, area="seats", seats=[seat_a],
    )  # fmt: skip
    services.spending_approve(user=organiser, item=general)
    campaign = client.get(reverse("compliance:return_campaign", args=[election.slug])).content.decode("utf-8-sig")
    assert "'@Ads" in campaign
    seat = client.get(reverse("compliance:return_seat", args=[election.slug, seat_a.code])).content.decode("utf-8-sig")
    assert "Ads" in seat and "300.0000" in seat
    report = client.get(reverse("compliance:returns", args=[election.slug])).content.decode()
    assert "Shockat Adam (Ilford North): permitted sum" in report


def test_privacy_notices_where_data_is_collected(election):
    join = Client().get(reverse("volunteers:join")).content.decode()
    assert 'data-privacy-notice="join"' in join and "Who is responsible" in join
    assert "Privacy notice" in Client().get(reverse("compliance:privacy")).content.decode()


def test_the_doorstep_and_tellers_screens_name_the_candidates_campaign(election, seat_a):
    from canvassing.models import GrantLevel, PollingDistrict, WalkList
    from tests.canvassing.conftest import grant, make_campaign

    campaign = make_campaign(election, seat_a)
    user = grant(campaign, level=GrantLevel.ORGANISER, role=Role.SEAT_ORGANISER)
    district = PollingDistrict.objects.create(campaign=campaign, code="KA")
    walk_list = WalkList.objects.create(campaign=campaign, polling_district=district, name="KA 1", volunteer=user)
    client = logged_in_client(user)
    doorstep = client.get(reverse("canvassing:doorstep", args=[walk_list.pk])).content.decode()
    assert 'data-privacy-notice="doorstep"' in doorstep and f"{campaign.name} (the candidate" in doorstep
    tellers = client.get(reverse("canvassing:polling_day", args=[campaign.pk])).content.decode()
    assert 'data-privacy-notice="tellers"' in tellers
