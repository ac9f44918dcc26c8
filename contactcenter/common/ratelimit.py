"""One fixed-window counter behind every limit: IVR case lookups per calling number, the public
forms per address. (Failed sign-ins are counted by django-axes: contactcenter/staff/lockout.py.)"""

from __future__ import annotations

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

from contactcenter.common.cache import ResilientRedisCache


def hit(key: str, *, window_seconds: int) -> int:
    """Count one more event under `key` in its window (which starts with the first) and return the
    count so far. While Redis is down the count is kept in the database cache (contactcenter/common/cache.py)."""
    backend = caches["default"]
    if isinstance(backend, ResilientRedisCache):
        return backend.on_redis(
            lambda: _redis_hit(backend, key, window_seconds),
            lambda: _hit(backend.fallback, key, window_seconds),
        )
    if isinstance(backend, RedisCache):
        return _redis_hit(backend, key, window_seconds)
    return _hit(backend, key, window_seconds)


def _redis_hit(backend: RedisCache, key: str, window_seconds: int) -> int:
    # SET NX + INCR in one round trip (Django's add and incr cost three).
    full_key = backend.make_and_validate_key(key)
    client = backend._cache.get_client(full_key, write=True)
    _, count = client.pipeline(transaction=False).set(full_key, 0, ex=window_seconds, nx=True).incr(full_key).execute()
    return count


def _hit(backend, key: str, window_seconds: int) -> int:
    backend.add(key, 0, window_seconds)
    try:
        return backend.incr(key)
    except ValueError:  # the window ran out between add and incr
        backend.set(key, 1, window_seconds)
        return 1


def count(key: str) -> int:
    """The events counted under `key` in its current window, without counting one more."""
    return int(caches["default"].get(key) or 0)
