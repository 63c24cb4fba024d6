"""The record of processing is generated from the models and covers every field of every model."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from compliance import records
from tests.conftest import logged_in_client

pytestmark = pytest.mark.django_db


def test_every_field_of_every_model_is_declared():
    assert records.coverage_problems() == []


def test_a_new_undeclared_field_is_caught(monkeypatch):
    from volunteers.models import VolunteerProfile

    declaration = records.declarations()["volunteers.Team"]
    trimmed = records.Declaration(**{**declaration.__dict__, "personal": ("lead",)})  # "members" left out
    changed = tuple(trimmed if d is declaration else d for d in records.DECLARATIONS)
    monkeypatch.setattr(records, "DECLARATIONS", changed)
    assert records.coverage_problems() == ["volunteers.Team.members: not declared personal, special or other"]
    assert VolunteerProfile  # the real models are what is checked


def test_the_record_lists_every_personal_field_and_marks_political_opinions():
    rows = records.record_of_processing()
    fields = {(row.model, row.field): row for row in rows}
    for model in records.covered_models():
        declaration = records.declarations()[model._meta.label]
        expected = (
            {f.name for f in records.model_fields(model)}
            if declaration.personal == "*"
            else set(declaration.personal) | set(declaration.special)
        )
        assert {name for (label, name) in fields if label == model._meta.label} == expected
    intention = fields[("canvassing.Elector", "current_intention")]
    assert intention.category == "special" and "Sch 1 para 22" in intention.condition
    assert intention.controller == records.CANDIDATE_CAMPAIGN
    assert ("campaigns.Constituency", "name") not in fields


def test_the_record_page_and_its_csv(organiser):
    client = logged_in_client(organiser)
    page = client.get(reverse("compliance:record")).content.decode()
    assert "canvassing.Elector" in page and "current_intention" in page
    csv = client.get(reverse("compliance:record"), {"format": "csv"}).content.decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("Model,Field,Category")
    assert Client().get(reverse("compliance:record")).status_code == 302
