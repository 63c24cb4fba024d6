"""Fuzz the API from its own OpenAPI schema, as the anonymous public and as each role.

For every operation schemathesis generates requests (valid and invalid); each response must be
no 5xx, match the schema, and never contain an object outside the caller's scope: every id in a
response is checked against ``organiser.scope.restrict`` for the model behind the view.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.urls import Resolver404, resolve
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token

from organiser import scope
from tests.conftest import make_user
from volunteers.models import Role, Team

# Two of schemathesis' checks judge what the schema cannot say: django-filter reads an unknown
# value of an optional filter (``?elected=null``) as "no filter" rather than rejecting it, and
# the API rightly answers 400 with a reason to strings the schema allows but PostgreSQL cannot
# store (a NUL byte). Its auth probe replays our callers' own token headers, so it cannot judge
# authentication here: that is what the scope check below and the role matrix test prove.
# Every response must still be no 5xx and match the schema exactly.
LENIENT_BY_DESIGN = [
    schemathesis.checks.negative_data_rejection,
    schemathesis.checks.positive_data_acceptance,
    schemathesis.checks.ignored_auth,
]

ROLES = ["anonymous", "national_organiser", "seat_organiser", "team_lead", "volunteer"]


schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", get_wsgi_application())


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """The WSGI handler closes "old" connections at each request's end, which would close the
    test's own transaction; Django's test client avoids that the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def callers(db, seat_a, seat_b) -> dict:
    """Data in two seats, and a caller per role: anonymous, or a token for an account of the role."""
    lead = make_user(Role.TEAM_LEAD)
    Team.objects.create(name="A team", constituency=seat_a, lead=lead)
    Team.objects.create(name="B team", constituency=seat_b)
    users = {
        "national_organiser": make_user(Role.NATIONAL_ORGANISER),
        "seat_organiser": make_user(Role.SEAT_ORGANISER, seats=(seat_a,)),
        "team_lead": lead,
        "volunteer": make_user(Role.VOLUNTEER),
    }
    found = {"anonymous": (None, {})}
    for role, user in users.items():
        found[role] = (user, {"Authorization": f"Token {Token.objects.create(user=user).key}"})
    return found


def ids_in(payload) -> list:
    if isinstance(payload, dict) and isinstance(payload.get("results"), list):
        return [row.get("id") for row in payload["results"] if isinstance(row, dict)]
    if isinstance(payload, dict) and "id" in payload:
        return [payload["id"]]
    return []


def assert_in_scope(user, path: str, response) -> None:
    if response.status_code != 200 or "json" not in response.headers.get("Content-Type", ""):
        return
    try:
        view = resolve(path.split("?")[0]).func
    except Resolver404:
        return
    queryset = getattr(getattr(view, "cls", None), "queryset", None)
    if queryset is None or getattr(view.cls, "lookup_field", "pk") not in ("pk", "id"):
        return
    visible = set(scope.restrict(queryset.model._default_manager.all(), user).values_list("pk", flat=True))
    leaked = [pk for pk in ids_in(response.json()) if pk not in visible]
    assert not leaked, f"{path} returned {queryset.model.__name__} ids {leaked} outside the caller's scope"


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_conforms_and_stays_in_scope(case, callers):
    for user, headers in callers.values():
        response = case.call_and_validate(headers=headers, excluded_checks=LENIENT_BY_DESIGN)
        assert response.status_code < 500
        assert_in_scope(user, case.formatted_path, response)
