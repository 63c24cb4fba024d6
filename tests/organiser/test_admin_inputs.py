"""What the admin takes from a request (organiser/admin_inputs.py): the 500s the form fuzzer found in Django's
admin, and the list filters of issue 10, each now the admin's "invalid lookup" or a form error."""

from __future__ import annotations

import pytest
from django.contrib import admin

from organiser.admin_inputs import AdminInputs, ChoiceListFilter


@pytest.mark.parametrize(
    "query",
    [
        "starts_at__year=10000000000000000000",
        "starts_at__year=2029&starts_at__month=10000000000000000000",
        "starts_at__year=2029&starts_at__month=5&starts_at__day=10000000000000000000",
        "starts_at__year=%C2%B2",
    ],
)
def test_a_date_hierarchy_out_of_range_is_an_invalid_lookup(world, query):
    """The fuzzer's finding: Django hands the year to datetime unchecked (an OverflowError, a 500)."""
    response = world.client("national_organiser").get(f"/admin/volunteers/shift/?{query}")
    assert response.status_code == 302 and response.url.endswith("?e=1")
    assert world.client("national_organiser").get("/admin/volunteers/shift/?starts_at__year=2029").status_code == 200


@pytest.mark.parametrize("value", ["²³", "10000000000000000000", "' OR 1=1; --", "1e309"])
def test_an_autocomplete_field_posted_with_a_value_that_is_no_key_is_a_form_error(world, value):
    """The fuzzer's finding: the form shown again with its errors filtered the model by the value as typed."""
    team = world.team_a
    response = world.client("seat_organiser").post(
        f"/admin/volunteers/team/{team.pk}/change/",
        {"name": "Renamed", "constituency": value, "lead": value, "members": [value]},
    )
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    team.refresh_from_db()
    assert team.name == "Ilford North doors"


def test_every_admin_and_list_filter_takes_the_checks():
    """A new ModelAdmin or list filter of the project that skips them fails here (every one is a ScopedAdmin)."""
    project = {"volunteers", "campaigns", "canvassing", "messaging", "compliance", "organiser"}
    for model, model_admin in admin.site._registry.items():
        if type(model_admin).__module__.split(".")[0] not in project:
            continue  # a third-party admin (DRF's tokens): organiser.admin decides whether it is registered
        assert isinstance(model_admin, AdminInputs), model
        for entry in model_admin.list_filter:
            if isinstance(entry, type) and issubclass(entry, admin.SimpleListFilter):
                assert issubclass(entry, ChoiceListFilter), (model, entry)
        for inline in model_admin.inlines:
            assert issubclass(inline, AdminInputs), inline


def test_an_election_keeps_its_democracy_club_id_when_saved_in_the_admin(world):
    """The API fuzzer's finding: the id ``parl.2024-07-04`` broke the schema's slug pattern, and the admin
    refused to save the election it came from ("Enter a valid slug")."""
    election = world.election
    response = world.client("national_organiser").post(
        f"/admin/campaigns/election/{election.pk}/change/",
        {"slug": "parl.2024-07-04", "name": "UK general election 2024", "date": "2024-07-04"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    schema = world.client("anonymous").get("/api/v1/schema/?format=json").json()
    slug = schema["components"]["schemas"]["Election"]["properties"]["slug"]
    assert "pattern" not in slug or "." in slug["pattern"]
