"""The campaigns API: public reads, the national summary, organiser-only targets, 4xx on bad input."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from campaigns.services.targets import targets_compute
from tests.conftest import logged_in_client

pytestmark = pytest.mark.django_db
SLUG = "parl.2024-07-04"


def test_summary_is_public_json(real_2024, django_assert_num_queries):
    with django_assert_num_queries(3):
        response = APIClient().get(f"/api/v1/elections/{SLUG}/summary/")
    assert response.status_code == 200
    data = response.json()
    seats = {p["abbreviation"]: p["seats"] for p in data["parties"]}
    assert data["seats"] == 650
    assert (seats["Lab"], seats["Spk"], seats["Con"], seats["LD"], seats["Ind"]) == (411, 1, 121, 72, 6)
    assert data["turnout"] == pytest.approx(0.597, abs=0.001)


def test_public_reads(real_2024, django_assert_num_queries):
    client = APIClient()
    with django_assert_num_queries(2):
        results = client.get("/api/v1/results/", {"election": SLUG, "constituency": "E14001300"}).json()
    assert results["results"][0]["majority"] == 528
    assert results["results"][0]["winner"]["name"] == "Wes Streeting"
    candidates = client.get("/api/v1/candidates/", {"constituency": "E14001300"}).json()
    assert candidates["count"] == 6
    assert client.get("/api/v1/seats/E14001300/").json()["name"] == "Ilford North"
    assert client.get("/api/v1/seats/", {"nation": "Wales"}).json()["count"] == 32
    assert client.get("/api/v1/endorsements/").json()["count"] == 0


def test_targets_are_for_organisers_and_scoped(real_2024, seat_organiser, volunteer):
    targets_compute(election=real_2024)
    assert APIClient().get("/api/v1/targets/").status_code in (401, 403)
    assert logged_in_client(volunteer).get("/api/v1/targets/").status_code == 403
    data = logged_in_client(seat_organiser).get("/api/v1/targets/").json()
    assert [t["constituency"] for t in data["results"]] == ["E14001300"]


def test_bad_input_is_4xx_with_a_reason(real_2024):
    client = APIClient()
    assert client.get("/api/v1/elections/nope/summary/").status_code == 404
    response = client.get("/api/v1/results/", {"declared_since": "yesterday"})
    assert response.status_code == 400
    assert "declared_since" in response.json()
    assert client.get("/api/v1/results/", {"page": "999"}).status_code == 404


def test_endpoints_are_in_the_schema(db):
    schema = APIClient().get("/api/v1/schema/", HTTP_ACCEPT="application/json").content.decode()
    for path in ("/api/v1/elections/{slug}/summary/", "/api/v1/results/", "/api/v1/targets/", "/api/v1/endorsements/"):
        assert path in schema
