"""Pages: public summary, endorsements and the postcode search (fake provider); organiser pages, scoped, with
pinned query counts on the real data."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from campaigns.models import Candidacy, Endorsement
from campaigns.services.endorsements import endorsement_endorse, endorsement_propose
from campaigns.services.targets import targets_compute
from tests.conftest import logged_in_client
from tests.fakes import FakePostcodesIO

pytestmark = pytest.mark.django_db
SLUG = "parl.2024-07-04"


@pytest.fixture
def endorsed_ilford(real_2024, national_organiser):
    candidacy = Candidacy.objects.get(election=real_2024, constituency__code="E14001300", person__surname="Mohamad")
    endorsement = endorsement_propose(user=national_organiser, candidacy=candidacy)
    return endorsement_endorse(user=national_organiser, endorsement=endorsement, reason="ok", statement="Vote Leanne")


def test_public_summary_page(real_2024, django_assert_num_queries):
    with django_assert_num_queries(3):
        response = Client().get(f"/elections/{SLUG}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "650 seats declared" in html
    assert "59.8%" in html
    assert '<td class="num">411</td>' in html
    # Parties with a seat or 1% of the vote have a row each; the rest share one.
    assert "82 other parties" in html and "Monster Raving Loony" not in html
    assert '<td class="num">9,708,716</td>' in html


def test_public_endorsements_and_name_search(endorsed_ilford):
    client = Client()
    assert "Leanne Mohamad" in client.get(f"/elections/{SLUG}/endorsements/").content.decode()
    html = client.get("/endorsements/find/", {"q": "ilford"}).content.decode()
    # Each result links to the seat's result, its endorsed candidate and "volunteer here".
    seat = f"/elections/{SLUG}/seats/E14001300/"
    assert f'We endorse <a href="{seat}#endorsed-candidate"><strong>Leanne Mohamad</strong></a>' in html
    assert f'href="{seat}">The result in Ilford North</a>' in html
    assert 'href="/join/?seat=E14001300">Volunteer here</a>' in html
    assert "Ilford South" in html and "We have not endorsed a candidate here." in html
    assert 'href="/elections/parl.2024-07-04/seats/E14001301/">The result in Ilford South</a>' in html


def test_saint_and_st_find_the_same_seat(real_2024):
    for query in ("Saint Albans", "St Albans", "st. albans", "ST ALBANS"):
        html = Client().get("/endorsements/find/", {"q": query}).content.decode()
        assert "The result in St Albans</a>" in html, query
    assert "The result in St Ives</a>" in Client().get("/endorsements/find/", {"q": "Saint Ives"}).content.decode()


def test_the_region_filter_lists_each_region_once(real_2024):
    from campaigns.selectors import region_choices

    names = [name for _, name in region_choices()]
    assert names.count("Scotland") == 1 and len(names) == len(set(names)) == 12
    from campaigns.models import Constituency

    assert Constituency.objects.filter(nation="Scotland").exclude(region_code="S92000003").count() == 0


def test_the_public_sees_a_seats_result_chart_and_endorsed_candidate(endorsed_ilford, django_assert_num_queries):
    client = Client()
    client.get(f"/elections/{SLUG}/seats/E14001300/")
    with django_assert_num_queries(5):
        response = client.get(f"/elections/{SLUG}/seats/E14001300/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Lab hold" in html and "Wes Streeting (Lab), 15,647 votes" in html and "<dd>528 " in html
    assert "<svg" in html and "54.1% notional" in html and "Turnout</dt><dd>59.6%" in html
    assert "We endorse <strong>Leanne Mohamad</strong>" in html and "Vote Leanne" in html
    assert 'href="/join/?seat=E14001300">Volunteer in Ilford North</a>' in html
    # Nothing of the organisers' view: no target tier, no demographics, no Propose.
    assert "Muslim" not in html and "Tier" not in html and "Propose" not in html
    # A proposal not yet decided is not public.
    candidacy = Candidacy.objects.filter(election=endorsed_ilford.election, constituency__code="E14001102").first()
    endorsement_propose(user=endorsed_ilford.updated_by, candidacy=candidacy)
    html = client.get(f"/elections/{SLUG}/seats/E14001102/").content.decode()
    assert "We have not endorsed a candidate in Blackburn." in html and candidacy.person.name in html
    assert client.get(f"/elections/{SLUG}/seats/E99999999/").status_code == 404


def test_the_public_hex_map_links_every_seat_to_its_result(real_2024):
    html = Client().get(f"/elections/{SLUG}/map/").content.decode()
    assert len(re.findall(rf'href="/elections/{SLUG}/seats/[EWSN]\d{{8}}/"', html)) == 650
    assert "Tier" not in html and "Demographic" not in html


@pytest.fixture
def postcode_server(settings):
    with FakePostcodesIO() as server:
        server.known["IG6 2PL"] = "E14001300"
        settings.POSTCODE_LOOKUP_URL = server.url
        yield server


def test_postcode_search_through_the_provider(endorsed_ilford, postcode_server, settings):
    client = Client()
    html = client.get("/endorsements/find/", {"q": "IG6 2PL"}).content.decode()
    assert "Ilford North" in html and "Leanne Mohamad" in html
    assert "could not find that postcode" in client.get("/endorsements/find/", {"q": "ZZ1 1ZZ"}).content.decode()
    postcode_server.stop()
    html = client.get("/endorsements/find/", {"q": "IG6 2PL"}).content.decode()
    assert "postcode service is unavailable" in html
    settings.POSTCODE_LOOKUP_URL = ""
    assert "not available here" in client.get("/endorsements/find/", {"q": "IG6 2PL"}).content.decode()


def test_organiser_pages_need_an_organiser(real_2024, volunteer):
    assert Client().get(f"/organise/{SLUG}/seats/").status_code == 302
    assert logged_in_client(volunteer).get(f"/organise/{SLUG}/seats/").status_code == 403


def test_seat_list_is_scoped_filtered_and_pinned(
    real_2024, national_organiser, seat_organiser, django_assert_num_queries
):
    targets_compute(election=real_2024)
    client = logged_in_client(national_organiser)
    client.get(f"/organise/{SLUG}/seats/")  # warm the session
    seat_link = r'href="/organise/parl.2024-07-04/seats/[EWSN]\d{8}/"'
    with django_assert_num_queries(6):
        response = client.get(f"/organise/{SLUG}/seats/")
    html = response.content.decode()
    assert len(re.findall(seat_link, html)) == 100
    assert "650 seats · 650 declared · showing 1 to 100" in html and "Page 1 of 7" in html
    with django_assert_num_queries(6):  # the last page costs the same
        html = client.get(f"/organise/{SLUG}/seats/", {"page": "7"}).content.decode()
    assert len(re.findall(seat_link, html)) == 50 and "showing 601 to 650" in html
    assert "Ynys Môn" in html and "Aberafan" not in html
    with django_assert_num_queries(6):
        html = client.get(f"/organise/{SLUG}/seats/", {"nation": "England", "page": "2"}).content.decode()
    # The filters travel with the page links.
    assert 'href="?nation=England&amp;page=1"' in html and "543 seats" in html
    assert client.get(f"/organise/{SLUG}/seats/", {"page": "99"}).status_code == 200  # the last page instead
    with django_assert_num_queries(6):
        response = client.get(f"/organise/{SLUG}/seats/", {"winner": "Ind", "majority_max": "1000"})
    assert "Blackburn" in response.content.decode() and "Ilford North" not in response.content.decode()
    own = logged_in_client(seat_organiser).get(f"/organise/{SLUG}/seats/").content.decode()
    assert "Ilford North" in own and "Blackburn" not in own
    assert logged_in_client(seat_organiser).get(f"/organise/{SLUG}/seats/E14001102/").status_code == 404


def test_seat_page_chart_and_endorsement_actions(
    real_2024, seat_organiser, national_organiser, django_assert_num_queries
):
    client = logged_in_client(seat_organiser)
    client.get(f"/organise/{SLUG}/seats/E14001300/")
    with django_assert_num_queries(9):
        response = client.get(f"/organise/{SLUG}/seats/E14001300/")
    html = response.content.decode()
    assert "<svg" in html and "majority 528" in html and "notional Lab majority 9,030" in html
    assert "54.1% notional" in html and "Muslim residents 30.6%" in html and "\u221220.8" in html
    candidacy = Candidacy.objects.get(election=real_2024, constituency__code="E14001300", person__surname="Mohamad")
    client.post(f"/organise/{SLUG}/seats/E14001300/", {"action": "propose", "candidacy": candidacy.pk, "reason": "x"})
    client.post(f"/organise/{SLUG}/seats/E14001300/", {"action": "endorse", "reason": "mine"})
    assert Endorsement.objects.get().status == "proposed"  # the seat organiser could not endorse
    logged_in_client(national_organiser).post(
        f"/organise/{SLUG}/seats/E14001300/", {"action": "endorse", "reason": "agreed"}
    )
    assert Endorsement.objects.get().status == "endorsed"


def test_hex_map_scatter_and_targets(real_2024, national_organiser, django_assert_num_queries):
    targets_compute(election=real_2024)
    client = logged_in_client(national_organiser)
    client.get(f"/organise/{SLUG}/map/")
    for colour in ("winner", "tier", "demographic"):
        with django_assert_num_queries(4):
            html = client.get(f"/organise/{SLUG}/map/", {"colour": colour}).content.decode()
        assert html.count("<polygon") == 650
    assert 'href="/organise/parl.2024-07-04/seats/E14001300/"' in html
    html = client.get(f"/organise/{SLUG}/scatter/").content.decode()
    assert html.count("<circle") == 575 and 'class="fit"' in html and "data-r>-0.75<" in html
    html = client.get(f"/organise/{SLUG}/targets/").content.decode()
    assert "Majority collapsed from 9,030 (notional) to 528" in html


def test_bad_input_gets_a_4xx_or_is_ignored_never_a_500(real_2024, national_organiser):
    client = logged_in_client(national_organiser)
    client.raise_request_exception = False
    # A NUL anywhere in a request is refused before any view (organiser.inputs.RefuseNulMiddleware).
    expected = {
        "/elections/%00/": 400,
        f"/organise/{SLUG}/seats/%00/": 400,
        f"/organise/{SLUG}/seats/E1400130000000/": 404,
        "/api/v1/elections/%00/": 400,
        "/api/v1/seats/%00/": 400,
        "/api/v1/results/?declared_since=garbage": 400,
        "/api/v1/targets/?tier=abc": 400,
        "/endorsements/find/?q=%00": 400,
        f"/organise/{SLUG}/map/?colour=demographic&variable=%00&source=%00": 400,
        f"/organise/{SLUG}/seats/?q=%00&page=%00&majority_min=99999999999999999999": 400,
        f"/organise/{SLUG}/seats/?q=x&page=%C2%B2&majority_min=99999999999999999999": 200,
    }
    for url, status in expected.items():
        assert client.get(url).status_code == status, url
    response = client.post(
        f"/organise/{SLUG}/seats/E14001300/", {"action": "propose", "candidacy": "99999999999999999999"}
    )
    assert response.status_code == 302
    assert not Endorsement.objects.exists()


def test_public_endorsement_pages_cost_the_same_whatever_the_number_endorsed(
    endorsed_ilford, national_organiser, django_assert_num_queries
):
    client = Client()
    with django_assert_num_queries(3):  # the election, the endorsements, the promoter (imprint)
        one = client.get(f"/elections/{SLUG}/endorsements/").content.decode()
    with django_assert_num_queries(3):  # the election, the seats with endorsements, the promoter
        client.get("/endorsements/find/", {"q": "ilford"})
    for code in ("E14001301", "E14001102"):
        candidacy = Candidacy.objects.filter(election=endorsed_ilford.election, constituency__code=code).first()
        endorsement = endorsement_propose(user=national_organiser, candidacy=candidacy)
        endorsement_endorse(user=national_organiser, endorsement=endorsement, reason="ok")
    with django_assert_num_queries(3):
        three = client.get(f"/elections/{SLUG}/endorsements/").content.decode()
    seat_link = f'<li><a href="/elections/{SLUG}/seats/'
    assert one.count(seat_link) == 1 and three.count(seat_link) == 3
    with django_assert_num_queries(3):
        client.get("/endorsements/find/", {"q": "ilford"})


def test_a_seat_change_page_shown_again_with_errors_links_to_the_saved_seat(election, seat_a, national_organiser):
    """The admin's seat link comes from the code as saved, not from what was typed into a form that failed."""
    from django.urls import reverse

    client = logged_in_client(national_organiser)
    response = client.post(
        reverse("admin:campaigns_constituency_change", args=[seat_a.pk]),
        {"code": "²³", "name": "", "nation": seat_a.nation, "region_name": seat_a.region_name},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "errornote" in page or "errorlist" in page
    assert reverse("campaigns:seat", args=[election.slug, seat_a.code]) in page
    seat_a.refresh_from_db()
    assert seat_a.code == "E14001300" and seat_a.name == "Ilford North"
