"""Settings that protect the platform from itself."""

from django.conf import settings
from django.core.cache import cache

from organiser.celery import app


def test_the_cache_never_shares_the_brokers_redis_database():
    # cache.clear() empties the cache's whole Redis database: queued tasks must not live there.
    cache_db = settings.CACHES["default"]["LOCATION"].rstrip("/").rsplit("/", 1)[-1]
    broker_db = settings.CELERY_BROKER_URL.rstrip("/").rsplit("/", 1)[-1]
    assert cache_db != broker_db, (cache_db, broker_db)


def test_clearing_the_cache_leaves_queued_tasks_alone():
    with app.connection_for_write() as connection:
        client = connection.default_channel.client
        client.rpush("organiser-test-queue", "task")
        try:
            cache.clear()
            assert client.llen("organiser-test-queue") == 1
        finally:
            client.delete("organiser-test-queue")
