"""The journey suite: each role walks its day in Chromium from ``/`` or the login page, by clicking what a
person sees (no ``page.goto`` past the first page), at 390 px for volunteers, leads and the public and 1280 px
for organisers. Each journey saves screenshots of its key screens under ``var/screenshots/`` and asserts on
what a person sees: text, visible controls, no sideways scroll, and an axe-core audit (tests/canvassing)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.canvassing.conftest import campaign  # noqa: F401 (a fixture)
from tests.canvassing.test_browser import audit
from tests.conftest import BASE_DIR, PASSWORD

SCREENSHOTS = BASE_DIR / "var" / "screenshots"
PHONE_390 = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}


def _context(browser, live_server, options: dict):
    context = browser.new_context(base_url=live_server.url, **options)
    context.set_default_timeout(15000)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on(
        "console",
        lambda msg: (
            page.errors.append(
                f"{msg.text} (on {page.url}, {msg.location.get('url')}:{msg.location.get('lineNumber')})"
            )
            if "Content Security Policy" in msg.text
            else None
        ),
    )
    return context, page


@pytest.fixture
def phone(browser, live_server):
    """A 390 px phone."""
    context, page = _context(browser, live_server, PHONE_390)
    yield page
    assert page.errors == [], page.errors
    context.close()


@pytest.fixture
def desktop(browser, live_server):
    """A 1280 px screen."""
    context, page = _context(browser, live_server, DESKTOP)
    yield page
    assert page.errors == [], page.errors
    context.close()


def shot(page, name: str, *, full_page: bool = True) -> Path:
    """Save a screenshot of what the person sees now (var/screenshots/<name>.png, not committed). A name that
    says its width ("-390-" or "-1280-") is saved at the other width too (the same screen on a phone and on a
    desktop), the page put back to its own width after."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    own = page.viewport_size
    menu_open = "() => { const m = document.getElementById('site-menu'); return m ? m.open : null }"
    was_open = page.evaluate(menu_open)
    for mine, other, size in (("-390-", "-1280-", DESKTOP["viewport"]), ("-1280-", "-390-", PHONE_390["viewport"])):
        if mine in name:
            page.set_viewport_size(size)
            page.screenshot(path=str(SCREENSHOTS / f"{name.replace(mine, other)}.png"), full_page=full_page)
            page.set_viewport_size(own)
            # A wide screen opens the menu (static/js/menu.js): as it was on this screen again.
            if was_open is not None:
                page.evaluate(f"() => {{ document.getElementById('site-menu').open = {str(was_open).lower()} }}")
            break
    return path


def seen(page, check_audit: bool = True) -> None:
    """The page as it stands has no sideways scroll and passes the accessibility audit."""
    page.wait_for_load_state("load")
    width = page.evaluate("window.innerWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width, f"sideways scroll on {page.url}"
    if check_audit:
        audit(page)


def menu(page, name: str) -> None:
    """Follow a link of the main navigation (opening the menu first where a phone folds it away)."""
    nav = page.get_by_role("navigation", name="Main")
    toggle = page.locator("#site-menu > summary")
    if toggle.is_visible() and not page.locator("#site-menu").evaluate("d => d.open"):
        toggle.click()
    nav.get_by_role("link", name=name, exact=True).click()
    page.wait_for_load_state("load")


def log_in(page, email: str, *, totp_secret: str | None = None, password: str = PASSWORD) -> None:
    """From any page: the "Log in" link, the form, and the authenticator code where the account has one."""
    menu(page, "Log in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name=re.compile("^(log in|sign in)$", re.IGNORECASE)).click()
    page.wait_for_load_state("load")
    if totp_secret:
        from allauth.mfa.totp.internal.auth import hotp_value, yield_hotp_counters_from_time

        page.get_by_label(re.compile("code", re.IGNORECASE)).fill(
            f"{hotp_value(totp_secret, next(yield_hotp_counters_from_time())):06d}"
        )
        page.get_by_role("button", name=re.compile("^(sign in|log in|confirm)$", re.IGNORECASE)).click()
        page.wait_for_load_state("load")


def person(role: str, full_name: str = "", **kwargs):
    """An account of ``role`` with an authenticator (as every organiser and register grantee has): (user, secret)."""
    from tests.conftest import give_totp, make_user

    user = make_user(role, mfa=False, **kwargs)
    if full_name:
        user.full_name = full_name
        user.save(update_fields=["full_name"])
    return user, give_totp(user)


@pytest.fixture
def mail(smtp_sink, transactional_db, settings):
    """Email as it goes in production: allauth sends from the page, the outbox from a real Celery worker
    process, both to the suite's SMTP server on loopback (``mail.messages``; ``mail.wait_for(subject)``)."""
    import uuid

    from organiser.celery import app
    from tests.conftest import WorkerProcess, worker_environment

    queue = f"test-{uuid.uuid4().hex[:12]}"
    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    app.conf.task_default_queue = queue
    worker = WorkerProcess(queue, worker_environment(queue, EMAIL_URL=f"smtp://127.0.0.1:{smtp_sink.port}"))
    worker.start()
    smtp_sink.wait_for = lambda subject: _wait_for_mail(smtp_sink, subject)
    try:
        yield smtp_sink
    finally:
        worker.stop()
        app.conf.task_default_queue = "celery"


def _wait_for_mail(sink, subject: str, seconds: float = 30):
    """The first message whose subject contains ``subject``, once it has arrived (polled: it comes from a worker)."""
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for message in sink.messages:
            if subject in str(message["Subject"]):
                return message
        time.sleep(0.1)
    raise AssertionError(f"no email {subject!r} arrived; got {[str(m['Subject']) for m in sink.messages]}")


def mail_text(message) -> str:
    """The plain-text part of an email, decoded."""
    part = next(part for part in message.walk() if part.get_content_type() == "text/plain")
    return part.get_payload(decode=True).decode()


def mail_link(message, path: str) -> str:
    """The first link in the email's text whose path starts with ``path`` (as the person would tap it)."""
    found = re.search(rf"https?://[^/\s]+({re.escape(path)}[^\s]*)", mail_text(message))
    assert found, f"no link to {path} in:\n{mail_text(message)}"
    return found.group(1)
