"""Accounts: allauth sign-up with email verification, password reset, login by emailed code,
rate limits on a real Redis cache, the admin login through allauth, and MFA for staff."""

import re

import pytest
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD, give_totp, logged_in_client, make_user
from volunteers.models import Role, User


@pytest.mark.django_db
def test_sign_up_by_email_sends_a_verification_link_that_verifies(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "Amina@Example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    user = User.objects.get(email="amina@example.org")
    assert user.role == Role.VOLUNTEER and not user.is_staff
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+?(/accounts/confirm-email/\S+/)", mail.outbox[0].body)
    assert link.group(0).startswith(settings.SITE_URL)  # never the request's Host (accounts.adapter)
    client.post(link.group(1))
    assert user.emailaddress_set.get().verified


@pytest.mark.django_db
def test_unverified_account_cannot_log_in(client):
    client.post(reverse("account_signup"), {"email": "new@example.org", "password1": PASSWORD, "password2": PASSWORD})
    client.logout()
    response = client.post(reverse("account_login"), {"login": "new@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")


@pytest.mark.django_db
def test_password_reset_email_resets_the_password(client):
    user = make_user(Role.VOLUNTEER, email="reset@example.org")
    client.post(reverse("account_reset_password"), {"email": "reset@example.org"})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+?(/accounts/password/reset/key/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    new_password = "a-brand-new-password-42"
    client.post(form_page.redirect_chain[-1][0], {"password1": new_password, "password2": new_password})
    user.refresh_from_db()
    assert user.check_password(new_password)


@pytest.mark.django_db
def test_login_by_emailed_code(client):
    user = make_user(Role.VOLUNTEER, email="code@example.org")
    client.post(reverse("account_request_login_code"), {"email": "code@example.org"})
    assert len(mail.outbox) == 1
    code = re.search(r"the page you have open\.\s+(\S+)", mail.outbox[0].body).group(1)
    client.post(reverse("account_confirm_login_code"), {"code": code})
    assert int(client.session["_auth_user_id"]) == user.pk


@pytest.mark.django_db
def test_failed_logins_are_rate_limited_through_redis(settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "3/5m/key"}
    cache.clear()
    make_user(Role.VOLUNTEER, email="target@example.org")
    client = Client()
    for _ in range(3):
        page = client.post(reverse("account_login"), {"login": "target@example.org", "password": "wrong"})
        assert "Too many failed login attempts" not in page.content.decode()
    # The limit is used up: even the right password is refused now, and the page says why.
    page = client.post(reverse("account_login"), {"login": "target@example.org", "password": PASSWORD})
    assert "Too many failed login attempts" in page.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_admin_login_goes_through_allauth(client):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.django_db
def test_staff_without_mfa_are_sent_to_set_up_totp_before_any_admin_page():
    organiser = make_user(Role.NATIONAL_ORGANISER, mfa=False)
    client = logged_in_client(organiser)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("mfa_activate_totp"))
    give_totp(organiser)
    assert client.get(reverse("admin:index")).status_code == 200


@pytest.mark.django_db
def test_staff_login_with_totp_asks_for_the_code(client):
    from allauth.mfa.totp.internal.auth import hotp_value, yield_hotp_counters_from_time

    organiser = make_user(Role.NATIONAL_ORGANISER, email="boss@example.org")
    secret = give_totp(organiser)
    response = client.post(reverse("account_login"), {"login": "boss@example.org", "password": PASSWORD})
    assert response.url == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session  # not logged in before the second factor
    code = f"{hotp_value(secret, next(yield_hotp_counters_from_time())):06d}"
    client.post(reverse("mfa_authenticate"), {"code": code})
    assert int(client.session["_auth_user_id"]) == organiser.pk
    assert client.get(reverse("admin:index")).status_code == 200


@pytest.mark.django_db
def test_setting_up_totp_after_login_also_creates_recovery_codes(client):
    from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, hotp_value, yield_hotp_counters_from_time

    organiser = make_user(Role.NATIONAL_ORGANISER, email="new-boss@example.org")
    client.post(reverse("account_login"), {"login": "new-boss@example.org", "password": PASSWORD})
    first = client.get(reverse("admin:index"))
    assert first.url.startswith(reverse("mfa_activate_totp"))
    # allauth asks for the password again before a security change; then shows the QR code.
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert client.get(reverse("mfa_activate_totp")).status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    code = f"{hotp_value(secret, next(yield_hotp_counters_from_time())):06d}"
    client.post(reverse("mfa_activate_totp"), {"code": code})
    kinds = set(Authenticator.objects.filter(user=organiser).values_list("type", flat=True))
    assert kinds == {Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES}
    assert client.get(reverse("admin:index")).status_code == 200


@pytest.mark.django_db
def test_account_emails_are_the_campaigns_own(client, settings):
    """The verification and sign-in code emails speak in the campaign's name, with an HTML part, not allauth's
    stock "Hello from localhost"."""
    client.post(reverse("account_signup"), {"email": "new@example.org", "password1": PASSWORD, "password2": PASSWORD})
    [verify] = mail.outbox
    assert "Hello from" not in verify.body and settings.CAMPAIGN_NAME in verify.body
    assert verify.subject.startswith(f"[{settings.CAMPAIGN_NAME}] Confirm your email address")
    html = verify.alternatives[0].content
    assert "Confirm my email address" in html and "/accounts/confirm-email/" in html
    make_user(Role.VOLUNTEER, email="code-brand@example.org")
    Client().post(reverse("account_request_login_code"), {"email": "code-brand@example.org"})
    code_mail = mail.outbox[-1]
    assert code_mail.subject.endswith("Your code to log in") and "Hello from" not in code_mail.body
