"""The one imprint rule, per kind of material, and each place Organiser publishes applying it."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from PIL import Image

from compliance import services
from compliance.cards import card_png
from compliance.imprints import ImprintMissing, email_material_kind, imprint_for
from compliance.models import CandidateImprint, MaterialKind, Publication
from messaging.rendering import render_email
from tests.conftest import logged_in_client

pytestmark = pytest.mark.django_db

NEEDS_IMPRINT = [MaterialKind.PUBLIC_PAGE, MaterialKind.SHARE_CARD, MaterialKind.SHARE_TEXT, MaterialKind.WIDGET,
                 MaterialKind.EMAIL_CAMPAIGN]  # fmt: skip
NO_IMPRINT = [MaterialKind.EMAIL_SERVICE, MaterialKind.EMAIL_ORGANISERS, MaterialKind.SMS, MaterialKind.WALK_LIST]


@pytest.mark.parametrize("kind", NEEDS_IMPRINT)
def test_digital_election_material_carries_the_promoter_and_on_whose_behalf(kind, election, promoter):
    decision = imprint_for(kind=kind, election=election)
    assert decision.required
    assert decision.text == (
        "Promoted by Amina Khan, 1 High Road, Ilford IG1 1AA, on behalf of Independents Together, "
        "1 High Road, Ilford IG1 1AA."
    )
    assert "Elections Act 2022 s.41" in decision.reason or "s.39, s.41" in decision.reason


@pytest.mark.parametrize("kind", NO_IMPRINT)
def test_material_that_is_not_published_election_material_carries_none(kind, election, promoter):
    decision = imprint_for(kind=kind, election=election)
    assert not decision.required and decision.text == "" and decision.reason


@pytest.mark.parametrize("kind", [MaterialKind.LEAFLET, MaterialKind.POSTER])
def test_printed_material_names_the_printer_first(kind, election, promoter):
    decision = imprint_for(kind=kind, election=election)
    assert decision.text.startswith("Printed by Print Co Ltd, 2 Mill Lane, Leeds LS1 1AA. Promoted by Amina Khan")
    assert "s.143" in decision.reason and "first or last page" in decision.placement


def test_print_without_a_printer_is_refused(election, promoter):
    promoter.printer_name = ""
    promoter.save()
    with pytest.raises(ImprintMissing):
        imprint_for(kind=MaterialKind.LEAFLET, election=election)


def test_material_needing_an_imprint_is_refused_without_promoter_details(election, endorsement, organiser):
    with pytest.raises(ImprintMissing):
        imprint_for(kind=MaterialKind.SHARE_CARD, election=election)
    with pytest.raises(ValidationError):
        services.publication_create(
            user=organiser, election=election, kind=MaterialKind.SHARE_CARD, title="Vote", endorsement=endorsement
        )
    assert not Publication.objects.exists()


def test_material_on_a_candidates_behalf_names_the_agent_and_the_candidate(election, promoter, endorsement):
    CandidateImprint.objects.create(
        endorsement=endorsement, on_candidates_behalf=True, agent_name="Sara Ali", agent_address="3 Cranbrook Rd, IG1"
    )
    text = imprint_for(kind=MaterialKind.SHARE_TEXT, election=election, endorsement=endorsement).text
    assert text == "Promoted by Sara Ali, 3 Cranbrook Rd, IG1, on behalf of Shockat Adam, 3 Cranbrook Rd, IG1."


def test_public_endorsement_pages_show_the_imprint(election, promoter, endorsement):
    for url in (reverse("campaigns:endorsed", args=[election.slug]), reverse("campaigns:find")):
        page = Client().get(url).content.decode()
        assert "data-imprint>Promoted by Amina Khan" in page


def test_public_pages_show_no_imprint_until_details_exist_and_the_dashboard_says_so(election, endorsement, organiser):
    page = Client().get(reverse("campaigns:endorsed", args=[election.slug])).content.decode()
    assert "data-imprint" not in page
    dashboard = logged_in_client(organiser).get(reverse("compliance:dashboard", args=[election.slug]))
    assert "Promoter details are not set" in dashboard.content.decode()


def _band_has_ink(png: bytes) -> bool:
    image = Image.open(io.BytesIO(png)).convert("L")
    band = image.crop((0, image.height - 40, image.width, image.height))
    return band.getextrema()[0] < 100  # dark text on the light band


def test_a_share_card_draws_its_imprint_inside_the_image(election, promoter, endorsement, organiser):
    publication = services.publication_create(
        user=organiser, election=election, kind=MaterialKind.SHARE_CARD, title="Vote Shockat", endorsement=endorsement
    )
    assert publication.imprint.startswith("Promoted by Amina Khan")
    response = Client().get(reverse("compliance:card", args=[publication.pk]))
    assert response["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(response.content)).size == (1200, 630)
    assert _band_has_ink(response.content)
    blank = card_png(campaign="C", title="Vote", candidate="X", seat="Y", body="", imprint="")
    assert not _band_has_ink(blank)


def test_a_share_text_ends_with_its_imprint_and_uses_no_inline_script(election, promoter, endorsement, organiser):
    publication = services.publication_create(
        user=organiser, election=election, kind=MaterialKind.SHARE_TEXT, title="Vote Shockat on 4 July",
        body="Ilford North needs you.", endorsement=endorsement,
    )  # fmt: skip
    page = Client().get(reverse("compliance:share", args=[publication.pk])).content.decode()
    assert "Vote Shockat on 4 July\nIlford North needs you.\nPromoted by Amina Khan" in page
    assert "<script>" not in page and "onclick" not in page


def test_withdrawn_material_is_no_longer_served_but_stays_in_the_log(election, promoter, endorsement, organiser):
    publication = services.publication_create(
        user=organiser, election=election, kind=MaterialKind.SHARE_CARD, title="Vote", endorsement=endorsement
    )
    services.publication_withdraw(user=organiser, publication=publication)
    assert Client().get(reverse("compliance:card", args=[publication.pk])).status_code == 404
    assert Publication.objects.get(pk=publication.pk).withdrawn_at is not None


@time_machine.travel("2024-06-01 12:00 +0100", tick=False)
def test_the_publication_log_keeps_rows_for_the_retention_period(election, promoter, endorsement, organiser):
    publication = services.publication_create(
        user=organiser, election=election, kind=MaterialKind.SHARE_TEXT, title="Vote", endorsement=endorsement
    )
    assert (publication.retain_until - election.date).days == 1096  # imprint.log_retention_days, from the figures
    assert services.publications_expired_delete(today=publication.retain_until) == 0
    assert services.publications_expired_delete(today=publication.retain_until.replace(year=2030)) == 1


def test_the_publication_log_expiry_runs_daily_from_the_beat_schedule(election, promoter, endorsement, organiser):
    from compliance.tasks import delete_expired_publications
    from organiser.celery import collect_beat_schedule

    schedule = {entry["task"]: entry for entry in collect_beat_schedule().values()}
    entry = schedule["compliance.tasks.delete_expired_publications"]
    assert entry["schedule"] <= 24 * 3600 and entry["options"]["expires"] > 0
    with time_machine.travel("2024-06-01 12:00 +0100", tick=False):
        publication = services.publication_create(
            user=organiser, election=election, kind=MaterialKind.SHARE_TEXT, title="Vote", endorsement=endorsement
        )
    with time_machine.travel(dt.datetime.combine(publication.retain_until, dt.time(12), dt.UTC), tick=False):
        assert delete_expired_publications.apply().get() == 0
    with time_machine.travel(
        dt.datetime.combine(publication.retain_until + dt.timedelta(days=1), dt.time(12), dt.UTC), tick=False
    ):
        assert delete_expired_publications.apply().get() == 1
    assert not Publication.objects.filter(pk=publication.pk).exists()


def test_the_widget_is_embeddable_has_no_script_and_carries_the_imprint(election, promoter, endorsement):
    response = Client().get(reverse("compliance:widget", args=[election.slug]), {"q": "Ilford"})
    page = response.content.decode()
    assert "X-Frame-Options" not in response
    assert "frame-ancestors *" in response["Content-Security-Policy"]
    assert "<script" not in page
    assert "Shockat Adam" in page and "data-imprint>Promoted by Amina Khan" in page


def test_leaflets_print_with_the_print_imprint(election, promoter, endorsement, organiser):
    publication = services.publication_create(
        user=organiser, election=election, kind=MaterialKind.LEAFLET, title="Vote Shockat", endorsement=endorsement
    )
    page = logged_in_client(organiser).get(reverse("compliance:material_print", args=[election.slug, publication.pk]))
    assert "data-imprint>Printed by Print Co Ltd, 2 Mill Lane, Leeds LS1 1AA. Promoted by" in page.content.decode()


def test_emails_carry_the_imprint_only_when_they_are_campaign_content(election, promoter):
    assert email_material_kind("digest_volunteer") == MaterialKind.EMAIL_CAMPAIGN
    context = {"name": "Ali", "shifts_done": 2, "hours": 5, "doors": 40, "people": 3, "since": "Monday"}
    digest = render_email(kind="digest_volunteer", category="digest", context=context, user_id=1, language="en-gb")
    assert "Promoted by Amina Khan" in digest.text and "data-imprint>Promoted by Amina Khan" in digest.html
    context = {"shift": {"title": "Canvassing", "when": "Sat", "meeting_point": "Library", "seat": "Ilford North"}}
    service = render_email(kind="signup_confirmed", category="reminders", context=context, user_id=1, language="en-gb")
    assert "Promoted by" not in service.text and "Promoted by" not in service.html
