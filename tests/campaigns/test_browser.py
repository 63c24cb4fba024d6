"""In a phone-sized Chromium: the hex map, the scatter and the seat chart render as SVG under the CSP, no CDN."""

from __future__ import annotations

import pytest

from campaigns.services.targets import targets_compute
from tests.conftest import browser_login

SLUG = "parl.2024-07-04"


@pytest.mark.browser
def test_maps_and_charts_render_in_the_browser(
    transactional_db, real_2024, national_organiser, phone_page, live_server
):
    targets_compute(election=real_2024)
    external = []
    phone_page.on(
        "request",
        lambda request: external.append(request.url) if not request.url.startswith(live_server.url) else None,
    )
    browser_login(phone_page, national_organiser, live_server.url)

    phone_page.goto(f"/organise/{SLUG}/map/?colour=tier")
    assert phone_page.locator("svg.hexmap polygon").count() == 650
    box = phone_page.locator("svg.hexmap").bounding_box()
    assert box["width"] > 300 and box["height"] > 300
    phone_page.locator('svg.hexmap a[href$="/seats/E14001300/"]').click()
    phone_page.wait_for_url(f"**/organise/{SLUG}/seats/E14001300/")
    assert phone_page.locator("svg.chart rect").count() >= 6

    phone_page.goto(f"/organise/{SLUG}/scatter/")
    assert phone_page.locator("svg.scatter circle").count() == 575
    assert phone_page.locator("svg.scatter line.fit").count() == 1
    assert phone_page.locator("[data-r]").inner_text() == "-0.75"

    phone_page.goto(f"/elections/{SLUG}/")
    assert "650 seats declared" in phone_page.content()
    assert phone_page.csp_violations == []
    assert external == []
