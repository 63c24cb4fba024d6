"""The cache while Redis is unreachable (organiser.cache): a miss, not an error; entries kept in the process;
login rate limits still enforced; Redis used again once it answers. The unreachable Redis is a closed port on
loopback (nothing listens there), the reachable one the suite's own."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from organiser import cache as resilient
from tests.conftest import PASSWORD, free_port, make_user
from tests.processes import RedisServer
from volunteers.models import Role


@pytest.fixture
def redis_unreachable(settings):
    """The default cache pointed at a port nobody listens on."""
    settings.CACHES = {
        "default": {
            **settings.CACHES["default"],
            "LOCATION": f"redis://127.0.0.1:{free_port()}/1",
            "KEY_PREFIX": f"unreachable-{free_port()}",
        }
    }
    yield
    cache.clear()  # the process's own entries (Redis is back in the next test's settings)


def test_a_cache_with_redis_unreachable_answers_a_miss_and_keeps_what_is_set(redis_unreachable):
    assert cache.get("absent", "default") == "default"
    cache.set("kept", {"a": 1}, 60)
    assert cache.get("kept") == {"a": 1}
    assert cache.add("kept", 2) is False
    assert cache.add("counter", 0) is True
    assert cache.incr("counter") == 1
    cache.delete("kept")
    assert cache.get("kept") is None


@pytest.mark.django_db
def test_failed_logins_stay_rate_limited_while_redis_is_unreachable(settings, redis_unreachable):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "3/5m/key"}
    make_user(Role.VOLUNTEER, email="target@example.org")
    client = Client()
    for _ in range(3):
        page = client.post(reverse("account_login"), {"login": "target@example.org", "password": "wrong"})
        assert page.status_code == 200
        assert "Too many failed login attempts" not in page.content.decode()
    page = client.post(reverse("account_login"), {"login": "target@example.org", "password": PASSWORD})
    assert "Too many failed login attempts" in page.content.decode()
    assert "_auth_user_id" not in client.session


def test_redis_is_used_again_once_it_answers(settings, monkeypatch):
    """A Redis of the test's own is stopped and started again: a miss meanwhile, then Redis again."""
    server = RedisServer()
    server.start()
    try:
        settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": server.url(1)}}
        monkeypatch.setattr(resilient, "RETRY_AFTER", 0.0)
        cache.set("shared", "in redis", 60)
        server.stop()
        assert cache.get("shared") is None  # unreachable: a miss, not an error
        cache.set("meanwhile", "in this process", 60)
        server.start()  # back, empty (it keeps nothing on disk)
        assert cache.get("meanwhile") is None  # read from Redis again, not from the process's memory
        cache.set("shared", "in redis again", 60)
        assert cache.get("shared") == "in redis again"
    finally:
        server.destroy()
