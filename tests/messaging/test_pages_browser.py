"""In headless Chromium at phone width: the unsubscribe confirm page and the preferences page work under
the enforced CSP, with no sideways scrolling, and do what they say."""

from __future__ import annotations

import pytest

from messaging.models import MessagePreference
from messaging.rendering import unsubscribe_token
from tests.conftest import browser_login
from volunteers.models import Consent

from .conftest import volunteer_with_consent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIOLATION_COLLECTOR = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', e => window.__cspViolations.push(e.violatedDirective));
"""


def _violations(page) -> list[str]:
    return page.evaluate("window.__cspViolations") + page.csp_violations


def test_unsubscribe_from_the_confirm_page_on_a_phone(phone_page):
    volunteer = volunteer_with_consent()
    phone_page.add_init_script(VIOLATION_COLLECTOR)
    phone_page.goto(f"/unsubscribe/{unsubscribe_token(volunteer.pk)}/")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375
    phone_page.get_by_role("button", name="Unsubscribe").click()
    phone_page.get_by_text("You are unsubscribed").wait_for()
    assert _violations(phone_page) == []
    assert not Consent.objects.filter(user=volunteer, channel="email", withdrawn_at__isnull=True).exists()


def test_preferences_page_on_a_phone(phone_page, live_server):
    volunteer = volunteer_with_consent()
    browser_login(phone_page, volunteer, live_server.url)
    phone_page.add_init_script(VIOLATION_COLLECTOR)
    phone_page.goto("/volunteer/messages/")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375
    phone_page.get_by_label("The weekly digest").uncheck()
    phone_page.get_by_role("button", name="Save").click()
    phone_page.get_by_text("Your message preferences are saved.").wait_for()
    assert _violations(phone_page) == []
    assert MessagePreference.objects.get(user=volunteer).digest is False
