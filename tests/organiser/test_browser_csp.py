"""In headless Chromium: the public, account, admin and API-docs pages work under the enforced
Content Security Policy (nonces, no inline script) and report no violation."""

import re

import pytest

from tests.conftest import browser_login, make_user
from volunteers.models import Role, Team

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIOLATION_COLLECTOR = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', e => window.__cspViolations.push(
  e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + (e.sourceFile || '') + ':' + e.lineNumber));
"""


def visit(page, path: str) -> list[str]:
    response = page.goto(path)
    assert response.status < 400, f"{path} answered {response.status}"
    page.wait_for_load_state("networkidle")
    return page.evaluate("window.__cspViolations") + page.csp_violations


def test_public_and_account_pages_have_no_csp_violation(phone_page):
    phone_page.add_init_script(VIOLATION_COLLECTOR)
    for path in ["/", "/join/", "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/", "/api/v1/docs/"]:
        assert visit(phone_page, path) == [], path
    # The home page's design: readable at phone width, with no horizontal scrolling.
    phone_page.goto("/")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375


def test_volunteer_pages_have_no_csp_violation(phone_page, live_server, seat_a):
    volunteer = make_user(Role.VOLUNTEER)
    browser_login(phone_page, volunteer, live_server.url)
    phone_page.add_init_script(VIOLATION_COLLECTOR)
    for path in ["/volunteer/", "/shifts/", "/volunteer/profile/", "/accounts/2fa/", "/accounts/email/"]:
        assert visit(phone_page, path) == [], path
        assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375, f"{path} scrolls sideways"


def test_admin_pages_have_no_csp_violation(phone_page, live_server, seat_a):
    organiser = make_user(Role.NATIONAL_ORGANISER, mfa=True)
    team = Team.objects.create(name="Doors", constituency=seat_a)
    browser_login(phone_page, organiser, live_server.url)
    phone_page.add_init_script(VIOLATION_COLLECTOR)
    for path in [
        "/admin/",
        "/admin/volunteers/team/",
        f"/admin/volunteers/team/{team.pk}/change/",
        "/admin/volunteers/team/add/",
        "/admin/volunteers/user/",
        "/accounts/2fa/",
    ]:
        assert visit(phone_page, path) == [], path


def test_mfa_set_up_page_renders_its_qr_code_under_the_csp(phone_page, live_server):
    organiser = make_user(Role.NATIONAL_ORGANISER, mfa=False)
    phone_page.add_init_script(VIOLATION_COLLECTOR)
    phone_page.goto("/accounts/login/")
    phone_page.fill("input[name=login]", organiser.email)
    phone_page.fill("input[name=password]", "correct-horse-battery-staple")
    phone_page.get_by_role("button", name="Log in").click()
    phone_page.wait_for_url(re.compile(r"/organise/$"))  # logged in: an organiser lands on their home
    phone_page.goto("/admin/")
    # Sent to set up MFA; allauth asks for the password again first.
    assert "/accounts/reauthenticate/" in phone_page.url or "/accounts/2fa/totp/activate/" in phone_page.url
    if "/reauthenticate/" in phone_page.url:
        phone_page.fill("input[name=password]", "correct-horse-battery-staple")
        phone_page.get_by_role("button", name="Confirm").click()
    assert "/accounts/2fa/totp/activate/" in phone_page.url
    assert phone_page.locator("img[src^='data:image/svg+xml']").count() == 1
    assert phone_page.evaluate("window.__cspViolations") == []
