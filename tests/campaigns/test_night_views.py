"""Election night's pages (campaigns.night.views): the board and a seat's night for organisers in their scope,
count reports entered and confirmed through the page, expected times uploaded, conditional GET (304 while
nothing changed), the public results page and seat page served from the shared cache, and query counts that
stay put as seats grow."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaigns.models import Candidacy, Constituency, CountReport, Endorsement, ExpectedDeclaration
from campaigns.night.caching import version_key
from campaigns.night.services import declarations_record, night_reset
from campaigns.services.imports import election_for_slug, results_import
from organiser import clock
from tests.campaigns import files
from tests.campaigns.factories import CandidacyFactory, ConstituencyFactory
from tests.conftest import logged_in_client, make_user
from volunteers.models import Role

pytestmark = pytest.mark.django_db

SLUG = "parl.2024-07-04"


@pytest.fixture(autouse=True)
def fresh_version(settings):
    """Public pages kept as in production, under a results version of this test's own (no page an earlier test
    cached is served)."""
    settings.NIGHT_PAGE_TTL = 10
    cache.delete(version_key(SLUG))
    yield
    cache.delete(version_key(SLUG))


@pytest.fixture
def night(db):
    election = election_for_slug(SLUG, name="UK general election 2024")
    results_import(election=election, files=[files.candidate_csv()])
    night_reset(election=election)
    ilford = Constituency.objects.get(code="E14001300")
    mohamad = Candidacy.objects.get(election=election, person__surname="Mohamad")
    Endorsement.objects.create(
        election=election, constituency=ilford, candidacy=mohamad, status=Endorsement.Status.ENDORSED
    )
    return election, ilford


def _feed(election):
    results_import(election=election, files=[files.candidate_csv()], create_seats=False, declared_at=clock.now())
    declarations_record(election=election)


def _report_post(election, seat, **extra) -> dict:
    ids = dict(Candidacy.objects.filter(election=election, constituency=seat).values_list("person__surname", "pk"))
    votes = {"Streeting": 15647, "Mohamad": 15119, "Rizvi": 6569}
    return {
        "action": "enter",
        **{f"votes_{ids[name]}": n for name, n in votes.items()},
        "valid_votes": 37335,
        **extra,
    }


def test_the_board_is_for_organisers_in_their_scope(night):
    election, ilford = night
    url = reverse("campaigns:night_board", args=[election.slug])
    assert Client().get(url).status_code == 302  # to the login
    assert logged_in_client(make_user(Role.VOLUNTEER)).get(url).status_code == 403
    mine = logged_in_client(make_user(Role.SEAT_ORGANISER, seats=(ilford,))).get(url)
    assert mine.status_code == 200
    text = mine.content.decode()
    assert "Ilford North" in text and "Ynys Môn" not in text
    national = logged_in_client(make_user(Role.NATIONAL_ORGANISER)).get(url).content.decode()
    assert "Ilford North" in national and "endorsed" in national
    other = Constituency.objects.get(code="W07000112")
    seat_url = reverse("campaigns:night_seat", args=[election.slug, other.code])
    assert logged_in_client(make_user(Role.SEAT_ORGANISER, seats=(ilford,))).get(seat_url).status_code == 404


def test_an_unchanged_board_costs_a_304_and_a_declaration_changes_it(night, django_capture_on_commit_callbacks):
    election, _ = night
    client = logged_in_client(make_user(Role.NATIONAL_ORGANISER))
    url = reverse("campaigns:night_board_live", args=[election.slug])
    first = client.get(url)
    assert first.status_code == 200 and first["Cache-Control"] == "private, no-cache"
    assert 'hx-get="' + url in first.content.decode() and 'hx-trigger="every 5s"' in first.content.decode()
    assert client.get(url, headers={"if-none-match": first["ETag"]}).status_code == 304
    with django_capture_on_commit_callbacks(execute=True):
        _feed(election)
    changed = client.get(url, headers={"if-none-match": first["ETag"]})
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]
    assert "2 of 2 declared" in changed.content.decode()
    assert "Lab hold" in changed.content.decode() or "Lab" in changed.content.decode()


def test_the_board_costs_the_same_queries_however_many_seats(night):
    election, _ = night
    client = logged_in_client(make_user(Role.NATIONAL_ORGANISER))
    url = reverse("campaigns:night_board_live", args=[election.slug])
    client.get(url)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    before = count()
    for _ in range(8):
        seat = ConstituencyFactory()
        CandidacyFactory(election=election, constituency=seat)
        CandidacyFactory(election=election, constituency=seat)
    assert count() == before


def test_a_count_report_through_the_page_confirmed_by_a_second_user(night):
    election, ilford = night
    agent_user = make_user(Role.SEAT_ORGANISER, seats=(ilford,))
    agent, second = logged_in_client(agent_user), logged_in_client(make_user(Role.NATIONAL_ORGANISER))
    url = reverse("campaigns:night_seat", args=[election.slug, ilford.code])
    bad = agent.post(url, _report_post(election, ilford, valid_votes=37000))
    assert bad.status_code == 400 and "add up to 37,335" in bad.content.decode()
    assert not CountReport.objects.exists()
    assert agent.post(url, _report_post(election, ilford)).status_code == 302
    report = CountReport.objects.get()
    page = agent.get(url).content.decode()
    assert "A second user confirms it." in page and "Not declared" in page
    agent.post(url, {"action": "confirm", "report": report.pk})
    assert CountReport.objects.get().status == "awaiting"  # not by the one who entered it
    assert second.post(url, {"action": "confirm", "report": str(report.pk)}).status_code == 302
    assert CountReport.objects.get().status == "confirmed"
    page = second.get(url).content.decode()
    assert "Declared" in page and "(from the count)" in page and "second" in page
    public = Client().get(reverse("campaigns:public_seat", args=[election.slug, ilford.code])).content.decode()
    assert "Declared: Lab" in public and "As our count agents heard it" in public
    for hostile in ({"action": "confirm", "report": "x"}, {"action": "nope"}, {"action": "confirm", "report": "99999"}):
        assert second.post(url, hostile).status_code == 302


def test_expected_times_upload_and_entry(night):
    election, ilford = night
    client = logged_in_client(make_user(Role.NATIONAL_ORGANISER))
    url = reverse("campaigns:night_expected", args=[election.slug])
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = client.post(url, {"file": SimpleUploadedFile("t.csv", b"ONS ID,Expected\nE14001300,nonsense\n")})
    assert bad.status_code == 400 and "Nothing was saved" in bad.content.decode()
    good = client.post(url, {"file": SimpleUploadedFile("t.csv", b"ONS ID,Expected\nE14001300,03:10\n")})
    assert good.status_code == 302
    assert clock.local(ExpectedDeclaration.objects.get().expected_at).strftime("%H:%M") == "03:10"
    seat_url = reverse("campaigns:night_seat", args=[election.slug, ilford.code])
    assert client.post(seat_url, {"action": "expected", "expected": "25:99"}).status_code == 400
    assert client.post(seat_url, {"action": "expected", "expected": "04:45"}).status_code == 302
    assert clock.local(ExpectedDeclaration.objects.get().expected_at).strftime("%H:%M") == "04:45"


def test_public_pages_come_from_the_cache_until_a_declaration(night, django_capture_on_commit_callbacks):
    election, ilford = night
    url = reverse("campaigns:public_night", args=[election.slug])
    seat_url = reverse("campaigns:public_seat", args=[election.slug, ilford.code])
    visitor = Client()
    first = visitor.get(url)
    assert first.status_code == 200 and first["Cache-Control"] == "public, max-age=0, s-maxage=1"
    assert "No seat has declared yet." in first.content.decode()
    with CaptureQueriesContext(connection) as queries:
        again = visitor.get(url)
    assert len(queries) == 0 and again.content == first.content and again["ETag"] == first["ETag"]
    assert "nonce-" in again["Content-Security-Policy"]
    nonce = again["Content-Security-Policy"].split("nonce-", 1)[1].split("'", 1)[0]
    assert f'nonce="{nonce}"' in again.content.decode()  # the page's scripts carry the nonce its header names
    assert visitor.get(url, headers={"if-none-match": first["ETag"]}).status_code == 304
    seat_first = visitor.get(seat_url)
    assert "Not yet declared" in seat_first.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        _feed(election)
    after = visitor.get(url, headers={"if-none-match": first["ETag"]})
    assert after.status_code == 200 and "Ilford North" in after.content.decode()
    assert "2 of 2 declared" in after.content.decode()
    assert "majority 528" in visitor.get(seat_url).content.decode().replace("Majority</dt><dd>", "majority ")

    signed_in = logged_in_client(make_user(Role.VOLUNTEER))
    private = signed_in.get(seat_url)
    assert private.status_code == 200 and private["Cache-Control"] == "private, no-cache"


# What each role gets from each night route, on seat A (granted to the seat organiser) and seat B (not):
# the status, or "login" for the redirect to it.
NIGHT_MATRIX = {
    #                    board  board live  expected  seat A  seat A live  seat B  public  public live
    "anonymous":        ("login", "login",  "login",  "login", "login",    "login", 200,    200),
    "volunteer":        (403,     403,      403,      403,     403,        403,     200,    200),
    "team_lead":        (403,     403,      403,      403,     403,        403,     200,    200),
    "seat_organiser":   (200,     200,      200,      200,     200,        404,     200,    200),
    "national":         (200,     200,      200,      200,     200,        200,     200,    200),
}  # fmt: skip


@pytest.mark.parametrize("role", list(NIGHT_MATRIX))
def test_the_night_routes_follow_the_scope_matrix(night, role):
    election, ilford = night
    ynys = Constituency.objects.get(code="W07000112")
    users = {
        "volunteer": lambda: make_user(Role.VOLUNTEER),
        "team_lead": lambda: make_user(Role.TEAM_LEAD),
        "seat_organiser": lambda: make_user(Role.SEAT_ORGANISER, seats=(ilford,)),
        "national": lambda: make_user(Role.NATIONAL_ORGANISER),
    }
    client = Client() if role == "anonymous" else logged_in_client(users[role]())
    slug = election.slug
    urls = [
        reverse("campaigns:night_board", args=[slug]),
        reverse("campaigns:night_board_live", args=[slug]),
        reverse("campaigns:night_expected", args=[slug]),
        reverse("campaigns:night_seat", args=[slug, ilford.code]),
        reverse("campaigns:night_seat_live", args=[slug, ilford.code]),
        reverse("campaigns:night_seat", args=[slug, ynys.code]),
        reverse("campaigns:public_night", args=[slug]),
        reverse("campaigns:public_night_live", args=[slug]),
    ]
    for url, expected in zip(urls, NIGHT_MATRIX[role], strict=True):
        response = client.get(url)
        if expected == "login":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
        else:
            assert response.status_code == expected, url
    # Writing follows the same scope: only organisers of the seat report its count.
    before = CountReport.objects.count()
    client.post(reverse("campaigns:night_seat", args=[slug, ilford.code]), _report_post(election, ilford))
    client.post(reverse("campaigns:night_seat", args=[slug, ynys.code]), {"action": "enter", "valid_votes": 1})
    assert CountReport.objects.count() - before == (1 if role in ("seat_organiser", "national") else 0)
