"""The doorstep page in headless Chromium at phone size, under the enforced CSP: entries recorded with the
network cut are queued on the phone (IndexedDB), survive a reload with no signal (service worker), and arrive
exactly once when the signal returns, even when an answer is lost and the batch is sent again. The doorstep
and walk-list pages are audited with axe-core (installed by scripts/test.sh in var/node; the audit is skipped
with a message when it is absent) and must have no serious or critical violation."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django.urls import reverse

from canvassing import services
from canvassing.models import CanvassResponse, WalkList
from tests.canvassing.conftest import grant, load_register
from tests.conftest import BASE_DIR, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(BASE_DIR / "var" / "node" / "node_modules" / "axe-core" / "axe.min.js")
SERIOUS = """async () => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa']}});
  // axe leaves an id used by a label or ARIA twice on the page "to review": a label then names another field.
  const duplicates = result.incomplete.filter(v => v.id.startsWith('duplicate-id'));
  return result.violations.filter(v => ['serious', 'critical'].includes(v.impact)).concat(duplicates)
    .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '));
}"""


def audit(page) -> None:
    """No serious or critical axe-core violation on the page as it stands (skipped without axe-core)."""
    if not AXE.exists():
        print(f"axe-core not installed at {AXE}: accessibility audit of {page.url} skipped (scripts/test.sh)")
        return
    # Through the DevTools protocol, so the page's CSP (no inline script) does not block the audit.
    page.evaluate(AXE.read_text())
    assert page.evaluate(SERIOUS) == [], page.url


def eventually(page, condition, seconds: float = 10) -> None:
    """Wait for ``condition``, letting Playwright run its callbacks (routes) meanwhile."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        page.wait_for_timeout(100)


def wait_until_waiting(page, count: int, seconds: float = 10) -> None:
    """Wait until the page says ``count`` entries wait in its queue."""
    page.wait_for_selector(f"#sync-status[data-waiting='{count}']", timeout=seconds * 1000)


def test_doorstep_offline_then_back_online_every_entry_once(phone_page, live_server, campaign):
    load_register(campaign, 150, seed=7)
    services.walk_lists_cut(campaign=campaign, doors=12, user=campaign.agent)
    canvasser = grant(campaign)
    walk_list = WalkList.objects.filter(campaign=campaign).order_by("sequence").first()
    services.walk_list_assign(walk_list=walk_list, volunteer=canvasser, user=walk_list.campaign.agent)
    page = phone_page
    browser_login(page, canvasser, live_server.url)

    page.goto(reverse("canvassing:doorstep", args=[walk_list.pk]))
    page.wait_for_selector("#doorstep[data-ready=true]")
    deadline = time.monotonic() + 10
    while not page.evaluate("navigator.serviceWorker.controller !== null") and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert page.evaluate("navigator.serviceWorker.controller !== null"), "the service worker controls the page"
    audit(page)
    recorded = promises = 0

    # Online: nobody home at the first door (one tap for the household).
    electors_here = page.locator(".elector").count()
    page.click("[data-nobody-home]")
    recorded += electors_here
    eventually(page, lambda: CanvassResponse.objects.count() == recorded)
    wait_until_waiting(page, 0)

    # The signal goes: two taps per elector (Spoke, then the intention), door after door.
    page.context.set_offline(True)
    for _ in range(2):
        page.click("#next-door")
        for item in page.locator(".elector").all():
            item.locator("[data-outcome=spoke]").click()
            item.locator("[data-intention=C]").click()
            recorded += 1
            promises += 1
    wait_until_waiting(page, recorded - electors_here)
    assert CanvassResponse.objects.count() == electors_here

    # Still offline, the phone reloads: the page comes from the service worker, the queue from IndexedDB.
    page.reload()
    page.wait_for_selector("#doorstep[data-ready=true]")
    assert "waiting to send" in page.text_content("#sync-status")
    page.click("#next-door")
    for item in page.locator(".elector").all():
        item.locator("[data-outcome=not_home]").click()
        recorded += 1
    wait_until_waiting(page, recorded - electors_here)

    # Back online, but the first answer is lost on the way: the server stored the batch, the phone did not
    # hear it and sends it again.
    lost = {"answers": 0}

    def lose_first_answer(route):
        if lost["answers"] == 0:
            route.fetch()
            lost["answers"] += 1
            route.abort()
        else:
            route.continue_()

    page.route("**/api/v1/canvassing/responses/", lose_first_answer)
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    eventually(page, lambda: CanvassResponse.objects.count() == recorded, 30)
    wait_until_waiting(page, 0, 30)
    assert lost["answers"] == 1
    assert CanvassResponse.objects.count() == recorded
    assert CanvassResponse.objects.values("client_id").distinct().count() == recorded
    assert CanvassResponse.objects.filter(outcome="spoke", intention__code="C").count() == promises
    assert page.csp_violations == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_walk_list_and_import_pages_pass_an_accessibility_audit(phone_page, live_server, campaign, seat_a):
    from canvassing.models import GrantLevel
    from volunteers.models import Role

    load_register(campaign, 120, seed=8)
    services.walk_lists_cut(campaign=campaign, doors=12, user=campaign.agent)
    organiser = grant(campaign, GrantLevel.ORGANISER, Role.SEAT_ORGANISER, seats=(seat_a,), mfa=True)
    walk_list = WalkList.objects.filter(campaign=campaign).order_by("sequence").first()
    services.walk_list_assign(walk_list=walk_list, volunteer=organiser, user=walk_list.campaign.agent)
    page = phone_page
    browser_login(page, organiser, live_server.url)
    from canvassing.models import RegisterImportJob

    job = RegisterImportJob.objects.create(
        campaign=campaign,
        created_by=organiser,
        filename="bad.csv",
        status=RegisterImportJob.Status.FAILED,
        error="The file was not imported: 1 problem(s).",
        problems=[{"row": 3, "column": "Elector Number", "problem": "missing elector number"}],
    )
    for url in (
        reverse("canvassing:import", args=[campaign.pk]),
        reverse("canvassing:import_job", args=[campaign.pk, job.pk]),
        reverse("canvassing:walk_lists", args=[campaign.pk]),
        reverse("canvassing:walk_list", args=[walk_list.pk]),
        reverse("canvassing:my_lists"),
    ):
        page.goto(url)
        page.wait_for_load_state("load")
        audit(page)
    # The doorstep with the intentions open, then an elector recorded and opened again (questions and note).
    page.goto(reverse("canvassing:doorstep", args=[walk_list.pk]))
    page.wait_for_selector("#doorstep[data-ready=true]")
    page.locator(".elector [data-outcome=spoke]").first.click()
    audit(page)
    page.locator(".elector [data-intention=C]").first.click()
    page.locator(".elector [data-line]").first.click()
    page.wait_for_selector(".elector [data-questions] select")
    audit(page)
    assert page.csp_violations == []


STORED = """async () => ({
  databases: (await indexedDB.databases()).map((d) => d.name).filter((n) => n.startsWith('organiser-canvass')),
  caches: (await caches.keys()).filter((n) => n.startsWith('organiser-canvass')),
})"""


def open_doorstep(page, live_server, campaign):
    load_register(campaign, 60, seed=9)
    services.walk_lists_cut(campaign=campaign, doors=10, user=campaign.agent)
    canvasser = grant(campaign)
    walk_list = WalkList.objects.filter(campaign=campaign).order_by("sequence").first()
    services.walk_list_assign(walk_list=walk_list, volunteer=canvasser, user=walk_list.campaign.agent)
    browser_login(page, canvasser, live_server.url)
    page.goto(reverse("canvassing:doorstep", args=[walk_list.pk]))
    page.wait_for_selector("#doorstep[data-ready=true]")
    eventually(page, lambda: page.evaluate(STORED)["caches"] != [])
    assert page.evaluate(STORED)["databases"] == ["organiser-canvass"]
    return canvasser


def test_logging_out_clears_the_list_from_the_phone(phone_page, live_server, campaign):
    page = phone_page
    open_doorstep(page, live_server, campaign)
    with page.expect_navigation():
        page.locator("form[action='/accounts/logout/'] button").evaluate("button => button.click()")
    page.wait_for_load_state("load")
    assert "/canvass/" not in page.url
    assert page.evaluate(STORED) == {"databases": [], "caches": []}
    assert page.csp_violations == []


def test_an_ended_session_clears_the_list_from_the_phone(phone_page, live_server, campaign):
    from django.contrib.sessions.models import Session

    page = phone_page
    open_doorstep(page, live_server, campaign)
    Session.objects.all().delete()  # logged out on another device, or the session expired
    page.locator(".elector [data-outcome=not_home]").first.click()  # the send is refused: the session is gone
    page.wait_for_selector("#doorstep[data-wiped=true]")
    assert page.evaluate(STORED) == {"databases": [], "caches": []}
    assert "logged out" in page.text_content("#sync-status")
    assert page.locator(".elector").count() == 0


def test_the_import_job_page_updates_itself_until_the_job_is_done(phone_page, live_server, campaign, seat_a):
    from canvassing.models import GrantLevel, RegisterImportJob
    from volunteers.models import Role

    organiser = grant(campaign, GrantLevel.ORGANISER, Role.SEAT_ORGANISER, seats=(seat_a,), mfa=True)
    job = RegisterImportJob.objects.create(
        campaign=campaign, created_by=organiser, filename="r.csv", status=RegisterImportJob.Status.RUNNING
    )
    page = phone_page
    browser_login(page, organiser, live_server.url)
    page.goto(reverse("canvassing:import_job", args=[campaign.pk, job.pk]))
    assert "Status: Running" in page.text_content("#import-job")
    RegisterImportJob.objects.filter(pk=job.pk).update(
        status=RegisterImportJob.Status.DONE, report={"rows": 7, "kind": "register", "created": 7, "districts": ["KA"]}
    )
    page.wait_for_selector("#import-job:has-text('Status: Done')", timeout=10000)  # htmx, no inline script
    assert "7 added" in page.text_content("#import-job")
    assert page.csp_violations == []


def test_an_entry_the_server_refuses_is_said_on_the_phone(phone_page, live_server, campaign):
    import json

    page = phone_page
    open_doorstep(page, live_server, campaign)

    def refuse(route):
        entries = json.loads(route.request.post_data)["entries"]
        refused = [
            {
                "id": e["id"],
                "reason": "survey answers not valid",
                "answers": {"issue": "'Tax' is not one of the choices"},
            }
            for e in entries
        ]
        route.fulfill(json={"accepted": [], "rejected": refused, "flagged": 0})

    page.route("**/api/v1/canvassing/responses/", refuse)
    page.locator(".elector [data-outcome=not_home]").first.click()
    page.wait_for_selector("#sync-status[data-refused='1']")
    wait_until_waiting(page, 0)
    assert "1 not recorded: survey answers not valid (issue: 'Tax' is not one of the choices)" in page.text_content(
        "#sync-status"
    )
