"""Page weight on a weak signal: each volunteer page with its stylesheets and script, against a budget,
with all 650 seats in the database (the profile page lists them). Counted compressed, as a deployment's
proxy serves HTML (whitenoise serves the static files pre-compressed)."""

from __future__ import annotations

import gzip

import pytest
from django.contrib.staticfiles import finders

from tests.conftest import logged_in_client
from volunteers.models import Role

from .factories import ConstituencyFactory, ProfileFactory, ShiftFactory, SignupFactory

pytestmark = pytest.mark.django_db

STATIC = ["css/app.css", "volunteers/volunteers.css", "js/htmx.min.js"]
#: Compressed bytes a page may need on a first visit (HTML plus static files): about 3 s on a 2G-ish 100 kbit/s.
BUDGET_GZIP = 40_000


def static_gzip_bytes() -> int:
    total = 0
    for path in STATIC:
        with open(finders.find(path), "rb") as file:
            total += len(gzip.compress(file.read()))
    return total


def test_volunteer_pages_fit_the_budget(capsys):
    seats = [ConstituencyFactory() for _ in range(650)]
    from tests.conftest import make_user

    volunteer = make_user(Role.VOLUNTEER)
    ProfileFactory(user=volunteer, home_constituency=seats[0])
    lead = make_user(Role.TEAM_LEAD)
    shifts = [ShiftFactory(constituency=seats[0], lead=lead) for _ in range(12)]
    for shift in shifts[:4]:
        SignupFactory(shift=shift, volunteer=volunteer)
    client = logged_in_client(volunteer)
    pages = {
        "join": ("/join/", None),
        "home": ("/volunteer/", client),
        "profile": ("/volunteer/profile/", client),
        "find a shift": ("/shifts/", client),
        "shift": (f"/shifts/{shifts[0].pk}/", client),
        "check-in": (f"/lead/shifts/{shifts[0].pk}/check-in/", logged_in_client(lead)),
    }
    static = static_gzip_bytes()
    from django.test import Client

    report = []
    for name, (url, page_client) in pages.items():
        response = (page_client or Client()).get(url)
        assert response.status_code == 200, url
        raw, packed = len(response.content), len(gzip.compress(response.content))
        report.append(f"{name}: HTML {raw / 1024:.1f} KB ({packed / 1024:.1f} KB gzipped)")
        assert packed + static < BUDGET_GZIP, f"{name} weighs {packed + static} bytes compressed"
    with capsys.disabled():
        print("\npage weight, static files", f"{static / 1024:.1f} KB gzipped:", "; ".join(report))
