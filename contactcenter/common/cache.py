"""The shared cache: Redis, and the database cache while Redis does not answer.

Rate limits, API throttles, the IVR's lookup counters and the wallboard read the default cache. A
Redis outage must not turn them into 500s (a lost inquiry, a sign-in page that fails), so every
operation that cannot reach Redis is done on the database cache instead, with one warning per
outage. Counters kept there during an outage start again from zero in Redis when it returns: a
limit briefly looser, never a refusal or an error."""

from __future__ import annotations

import logging
import threading
import time

from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

REDIS_DOWN = (RedisConnectionError, RedisTimeoutError, OSError)
# Once Redis failed, this process does not try it again for this long: a request during an outage
# does not pay a connection attempt for each of its cache reads.
RETRY_SECONDS = 5.0

# Per process, shared by its threads (Django gives each thread its own cache object).
_outage = {"down_until": 0.0, "since": None}
_outage_lock = threading.Lock()


def _went_down(error: BaseException) -> None:
    with _outage_lock:
        first = _outage["since"] is None
        _outage["down_until"] = time.monotonic() + RETRY_SECONDS
        if first:
            _outage["since"] = time.time()
    if first:
        logger.warning("Redis cache unavailable, using the database cache until it answers: %s", error)


def _came_back() -> None:
    if _outage["since"] is None:
        return
    with _outage_lock:
        _outage["since"] = None
        _outage["down_until"] = 0.0
    logger.warning("Redis cache answers again; the database cache is no longer used")


class ResilientRedisCache(RedisCache):
    """Django's Redis cache whose operations fall back to the cache named by FALLBACK (a database
    cache) while Redis cannot be reached."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self.fallback_alias = params.get("FALLBACK", "fallback")

    @property
    def fallback(self):
        return caches[self.fallback_alias]

    def redis_usable(self) -> bool:
        return time.monotonic() >= _outage["down_until"]

    def on_redis(self, operation, fallback_operation):
        """`operation()` on Redis; `fallback_operation()` if Redis is down (or known to be)."""
        if self.redis_usable():
            try:
                result = operation()
            except REDIS_DOWN as error:
                _went_down(error)
            else:
                _came_back()
                return result
        return fallback_operation()

    def ping(self) -> bool:
        """Whether Redis answers now (asked even during a known outage)."""
        try:
            self._cache.get_client(write=True).ping()
        except REDIS_DOWN as error:
            _went_down(error)
            return False
        _came_back()
        return True

    def _either(self, name: str, *args, **kwargs):
        return self.on_redis(
            lambda: getattr(super(ResilientRedisCache, self), name)(*args, **kwargs),
            lambda: getattr(self.fallback, name)(*args, **kwargs),
        )

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._either("add", key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._either("get", key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._either("set", key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._either("touch", key, timeout, version)

    def delete(self, key, version=None):
        return self._either("delete", key, version)

    def get_many(self, keys, version=None):
        return self._either("get_many", keys, version)

    def has_key(self, key, version=None):
        return self._either("has_key", key, version)

    def incr(self, key, delta=1, version=None):
        return self._either("incr", key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._either("set_many", data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._either("delete_many", keys, version)

    def clear(self):
        return self._either("clear")


def cache_status() -> tuple[bool, str]:
    """Whether the shared cache works as configured now, and which backend serves it."""
    backend = caches["default"]
    if isinstance(backend, ResilientRedisCache):
        return (True, "redis") if backend.ping() else (False, "database (fallback)")
    return True, type(backend).__name__
