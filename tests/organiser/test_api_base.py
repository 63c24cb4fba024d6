"""The API base: date-time filters that never reach PostgreSQL with a value it cannot store."""

import pytest

from tests.conftest import logged_in_client, make_user
from volunteers.models import Role


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "status"),
    [
        ("2024-07-05T01:00:00+01:00", 200),
        ("2597-04-16T15:07:44+18:44", 200),  # an offset PostgreSQL refuses: normalised to UTC
        ("0001-01-01T00:00:00+05:00", 400),  # before year 1 in UTC: a clear 400
        ("not a date", 400),
    ],
)
def test_date_time_filters_answer_200_or_a_reasoned_400(client, value, status):
    response = client.get("/api/v1/results/", {"declared_since": value})
    assert response.status_code == status
    if status == 400:
        assert "declared_since" in response.json()


@pytest.mark.django_db
def test_json_with_a_nul_character_anywhere_is_a_reasoned_400():
    client = logged_in_client(make_user(Role.VOLUNTEER))
    response = client.patch(
        "/api/v1/me/", {"full_name": {"nested": ["ok", "bad\x00"]}}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize("depth", [33, 500, 100_000])
def test_json_nested_past_the_limit_is_a_reasoned_400(depth):
    """500 deep was a RecursionError (a 500) in the NUL check; far deeper, in Python's own parser."""
    client = logged_in_client(make_user(Role.VOLUNTEER))
    body = '{"entries": ' + "[" * depth + "]" * depth + "}"
    response = client.post("/api/v1/canvassing/responses/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"] == "JSON nested deeper than 32 levels is not accepted."


@pytest.mark.django_db
def test_json_within_the_limit_reaches_the_view():
    client = logged_in_client(make_user(Role.VOLUNTEER))
    body = '{"entries": ' + "[" * 30 + "]" * 30 + "}"
    response = client.post("/api/v1/canvassing/responses/", body, content_type="application/json")
    assert response.status_code == 400 and "entries" in response.json()  # the serializer's own reason
