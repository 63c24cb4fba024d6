"""In Chromium, as an organiser uses it: record local spending, see the gauge warn before approval and move
after it, be refused over the permitted sum, export the candidate's return, publish a share card and see its
imprint in the image. Screenshots go to /work/screenshots/law-*.png (outside the repo) when that folder exists."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.urls import reverse

from compliance.models import SpendingItem, SpendingStatus
from tests.conftest import browser_login

SHOTS = Path("/work/screenshots")
DESKTOP = {"viewport": {"width": 1280, "height": 900}}


def shot(page, name: str) -> None:
    if SHOTS.is_dir():
        page.screenshot(path=str(SHOTS / f"law-{name}.png"), full_page=True)


@pytest.fixture
def desktop_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, accept_downloads=True, **DESKTOP)
    page = context.new_page()
    page.csp_violations = []
    page.on("console", lambda m: page.csp_violations.append(m.text) if "Content Security Policy" in m.text else None)
    yield page
    context.close()


def record_local(page, amount: str, description: str) -> None:
    page.get_by_role("link", name="Spending", exact=True).click()
    page.locator("summary", has_text="Record spending").click()
    form = page.locator("#spending-form")
    form.get_by_label("Which rules").select_option("local")
    form.get_by_label("What it is for").fill(description)
    form.locator("#id_supplier_name").fill("Print Co Ltd")
    form.get_by_label("Amount in pounds").fill(amount)
    form.get_by_label("Date committed").fill("2024-06-10")
    form.get_by_label("Candidate (local spending)").select_option(label="Shockat Adam (Independent), Ilford North")
    form.get_by_role("button", name="Record").click()


def test_an_organiser_keeps_spending_within_the_limits_and_shares_a_card(
    desktop_page, live_server, election, endorsement, promoter, organiser
):
    page = desktop_page
    browser_login(page, organiser, live_server.url)
    page.goto(reverse("compliance:dashboard", args=[election.slug]))
    assert page.get_by_role("heading", name="Within the law").is_visible()
    shot(page, "dashboard-before")

    record_local(page, "600", "Leaflets for Ilford North")
    gauge = page.locator("[data-gauge^='candidate:']")
    assert "£600.00 of £700 (85%)" in gauge.inner_text() and "Near the limit" in gauge.inner_text()
    shot(page, "approve-warning")
    page.get_by_role("button", name="Approve").click()
    assert "Approved" in page.locator("[data-status]").inner_text()

    page.get_by_role("link", name="Limits").click()
    assert "£600.00 of £700 (85%)" in page.locator("[data-gauge^='candidate:']").inner_text()
    shot(page, "dashboard-after")

    record_local(page, "200", "Posters for Ilford North")
    assert "would take 1 limit over" in page.content()
    page.get_by_role("button", name="Approve").click()
    assert "A written authorisation covering it must be recorded first" in page.locator(".messages").inner_text()
    assert SpendingItem.objects.filter(status=SpendingStatus.PROPOSED).count() == 1
    shot(page, "refused-over-limit")

    page.get_by_role("link", name="Returns").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Shockat Adam (local)").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))
    assert rows[0][0] == "Date incurred" and rows[1][2] == "Leaflets for Ilford North" and rows[1][6] == "600.00"
    assert len(rows) == 2  # the refused posters are not in the return
    shot(page, "returns")

    page.get_by_role("link", name="Materials and imprints").click()
    page.locator("summary", has_text="Publish material").click()
    page.get_by_label("Kind of material").select_option("share_card")
    page.get_by_label("About").select_option(label="Ilford North: Shockat Adam")
    page.get_by_label("Headline").fill("Vote Shockat Adam on 4 July")
    page.get_by_role("button", name="Publish").click()
    assert "Imprint: Promoted by Amina Khan" in page.content()
    page.get_by_role("link", name="Share page").click()
    image = page.locator("img.share-card")
    loaded = "() => { const i = document.querySelector('img.share-card'); return i.complete && i.naturalWidth; }"
    page.wait_for_function(loaded)
    assert page.evaluate("() => document.querySelector('img.share-card').naturalWidth") == 1200
    assert "Promoted by Amina Khan" in page.locator("[data-imprint]").inner_text()
    shot(page, "share-card")
    card = page.request.get(image.get_attribute("src"))
    if SHOTS.is_dir():
        (SHOTS / "law-card.png").write_bytes(card.body())
    assert page.csp_violations == []
