"""The issue's Low findings (issue 10), each reproduced and now refused: calendar tokens not in the admin, the API
throttled, login rate limits per client behind our proxies, no existence oracles (API filters, digest preview),
no-store on register pages, no admin history of register rows, the reset link on SITE_URL whatever the Host,
unsubscribe links that expire and write one row, and the shift finder scoped."""

from __future__ import annotations

import datetime as dt
import re
import uuid

from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from messaging.models import Unsubscribe
from messaging.rendering import unsubscribe_token
from organiser import clock
from tests.conftest import make_user
from volunteers.models import Role


def test_calendar_tokens_are_not_shown_in_the_admin(world):
    token = str(world.profile_a.calendar_token)
    client = world.client("national_organiser")
    change = client.get(reverse("admin:volunteers_volunteerprofile_change", args=[world.profile_a.pk]))
    listed = client.get(reverse("admin:volunteers_volunteerprofile_changelist"))
    assert change.status_code == 200 and listed.status_code == 200
    assert token not in change.content.decode() and token not in listed.content.decode()


def test_the_api_is_throttled_per_account_and_per_address(world, settings):
    settings.API_THROTTLE_RATES = {"anon": "3/min", "user": "3/min"}
    person = make_user(Role.VOLUNTEER, email=f"throttled-{uuid.uuid4().hex[:6]}@world.example.org")
    api = APIClient()
    api.force_authenticate(person)
    assert [api.get("/api/v1/me/").status_code for _ in range(4)] == [200, 200, 200, 429]
    anonymous = APIClient(REMOTE_ADDR=f"198.51.100.{uuid.uuid4().int % 250 + 1}")
    assert [anonymous.get("/api/v1/seats/").status_code for _ in range(4)][-1] == 429


def test_login_rate_limits_key_each_client_behind_our_proxy(db, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "2/5m/ip"}
    cache.clear()
    proxy = "10.0.0.7"  # the load balancer: every request comes from it
    first = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.10")
    second = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.20")
    for _ in range(2):
        first.post(reverse("account_login"), {"login": "nobody@example.org", "password": "wrong"})
    limited = first.post(reverse("account_login"), {"login": "nobody@example.org", "password": "wrong"})
    assert "Too many failed login attempts" in limited.content.decode()
    other = second.post(reverse("account_login"), {"login": "nobody@example.org", "password": "wrong"})
    assert "Too many failed login attempts" not in other.content.decode()


def test_api_filters_are_no_existence_oracle(world):
    for role in ("grant_agent", "seat_organiser"):
        client = world.client(role)
        for path, other in (("/api/v1/canvassing/electors/", world.campaign_b.pk), ("/api/v1/signups/", None)):
            key = "campaign" if "electors" in path else "shift"
            other = other if other is not None else world.shift_b.pk
            out_of_scope = client.get(path, {key: other})
            missing = client.get(path, {key: 9_000_000_000})
            assert (out_of_scope.status_code, missing.status_code) == (200, 200), (role, path)
            assert out_of_scope.json()["count"] == missing.json()["count"] == 0, (role, path)


def test_the_digest_preview_is_no_existence_oracle(world):
    client = world.client("seat_organiser")
    url = reverse("admin:messaging_digest_preview")
    elsewhere = client.get(url, {"email": world.other_volunteer.email})
    nobody = client.get(url, {"email": "nobody-at-all@world.example.org"})
    assert elsewhere.status_code == nobody.status_code == 200
    assert elsewhere.context["not_found"] and nobody.context["not_found"]
    assert elsewhere.context["rendered"] is None


def test_register_pages_api_and_admin_are_never_stored(world):
    client = world.client("grant_agent")
    for path in (
        reverse("canvassing:register", args=[world.campaign_a.pk]),
        "/api/v1/canvassing/electors/",
        reverse("admin:canvassing_elector_changelist"),
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"], path


def test_register_rows_have_no_admin_history_page(world):
    client = world.client("grant_agent")
    for name, obj in (("elector", world.elector_a), ("canvassresponse", world.response_a)):
        response = client.get(reverse(f"admin:canvassing_{name}_history", args=[obj.pk]))
        assert response.status_code == 403, name
        assert obj.__class__.objects.get(pk=obj.pk).__str__() not in response.content.decode()


def test_the_password_reset_link_is_on_site_url_whatever_the_host(db, settings):
    settings.ALLOWED_HOSTS = ["*"]
    person = make_user(Role.VOLUNTEER, email="reset-host@example.org")
    Client(HTTP_HOST="evil.example:8443").post(reverse("account_reset_password"), {"email": person.email})
    (message,) = mail.outbox
    link = re.search(r"\S+/accounts/password/reset/key/\S+", message.body).group(0)
    assert link.startswith(settings.SITE_URL + "/") and "evil.example" not in message.body


def test_unsubscribe_links_expire_and_a_repeated_post_writes_one_row(world, travel):
    person = world.user("volunteer")
    token = unsubscribe_token(person.pk)
    client = Client()
    url = reverse("messaging:unsubscribe", args=[token])
    for _ in range(3):
        assert client.post(url, {"List-Unsubscribe": "One-Click"}).status_code < 400
    assert Unsubscribe.objects.filter(user=person).count() == 1
    travel(clock.now() + dt.timedelta(days=367))
    assert client.get(reverse("messaging:unsubscribe", args=[token])).status_code == 404


def test_the_shift_finder_shows_a_seat_organiser_nothing_of_another_seat(world):
    page = world.client("seat_organiser").get(reverse("volunteers:shift_list"))
    assert page.status_code == 200
    assert world.shift_b.meeting_point not in page.content.decode()
