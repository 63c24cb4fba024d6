"""The cache: Redis, and a cache in each process's memory while Redis cannot be reached.

Organiser keeps nothing in the cache that it cannot lose: sessions are in PostgreSQL, queued work is re-created
from the database. So a Redis restart must not turn pages into errors, and Django's Redis backend would raise
on every read and write. This backend catches Redis's connection errors and timeouts and, for the next few
seconds, keeps every entry in a cache of the process's own instead, then tries Redis again.

Rate limits (allauth's login, sign-up and code limits, DRF's throttles) keep their counts in the cache, so they
**stay enforced** through an outage, counted per process (with N web processes an address gets at most N times
its limit until Redis is back). We chose that over failing closed, which would refuse every login while Redis
is down, because polling day is when volunteers log in and when an outage hurts most, and over failing open,
which would leave the login form unlimited. Counts made during the outage are not carried back into Redis.
"""

from __future__ import annotations

import logging
import time
from functools import wraps

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)  # BusyLoadingError (Redis loading its data) is one too
#: After a failure, how long this process uses its own cache before trying Redis again.
RETRY_AFTER = 2.0
OPERATIONS = ("add", "get", "set", "touch", "delete", "get_many", "has_key", "incr", "set_many", "delete_many", "clear")


def _resilient(name: str):
    redis_operation = getattr(RedisCache, name)
    local_operation = getattr(LocMemCache, name)

    @wraps(redis_operation)
    def operation(self, *args, **kwargs):
        if time.monotonic() >= self._redis_down_until:
            try:
                result = redis_operation(self, *args, **kwargs)
            except UNREACHABLE as error:
                if not self._redis_down_until:
                    logger.warning("cache: Redis unreachable, using this process's memory (%s)", error)
                self._redis_down_until = time.monotonic() + RETRY_AFTER
            else:
                if self._redis_down_until:
                    logger.warning("cache: Redis reachable again")
                    self._redis_down_until = 0.0
                return result
        return local_operation(self._local, *args, **kwargs)

    return operation


class ResilientRedisCache(RedisCache):
    """Django's Redis cache, falling back to a cache in this process's memory while Redis is unreachable."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._local = LocMemCache(
            f"resilient-redis-fallback:{server}",
            {"TIMEOUT": params.get("TIMEOUT", 300), "KEY_PREFIX": self.key_prefix, "OPTIONS": {"MAX_ENTRIES": 5000}},
        )
        self._redis_down_until = 0.0  # 0: Redis is in use; else when to try it again


for _name in OPERATIONS:
    setattr(ResilientRedisCache, _name, _resilient(_name))
