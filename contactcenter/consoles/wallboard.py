"""Alerts on the supervisors' wallboard. Each app registers a source of its own alerts in
`AppConfig.ready()`, so the core never imports a channel app."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from django.core.cache import cache
from django.db import OperationalError, connection, transaction

from contactcenter.common.statement_timeout import is_statement_timeout

logger = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class WallboardAlert:
    key: str
    text: str
    raised_at: datetime


_SOURCES: list[Callable[[], list[WallboardAlert]]] = []


def register_alert_source(source: Callable[[], list[WallboardAlert]]) -> None:
    if source not in _SOURCES:
        _SOURCES.append(source)


def wallboard_alerts() -> list[WallboardAlert]:
    """Every registered source's alerts in force now, the newest first."""
    return sorted((alert for source in _SOURCES for alert in source()), key=lambda a: a.raised_at, reverse=True)


# --- Shared figures ---------------------------------------------------------------------------
# Every supervisor sees the same numbers: each set is computed at most once per refresh interval
# across all processes (the Django cache: Redis in production), and a section whose statement the
# web statement timeout cancelled says so while the others still show.

REFRESH_SECONDS = 5
_LOCK_SECONDS = 30
_WAIT_SECONDS = 2.0


class TooSlow:
    """Stands in for a section whose query was cancelled; templates test `section.too_slow`."""

    too_slow = True

    def __reduce__(self):
        return (_too_slow, ())


def _too_slow() -> TooSlow:
    return TOO_SLOW


TOO_SLOW = TooSlow()


def section(name: str, compute: Callable[[], T]) -> T | TooSlow:
    """`compute()`, or TOO_SLOW if the statement timeout cancelled it. Inside a transaction the
    section runs in a savepoint, so the request's connection stays usable for the next section."""
    try:
        if connection.in_atomic_block:
            with transaction.atomic():
                return compute()
        return compute()
    except OperationalError as exc:
        if not is_statement_timeout(exc):
            raise
        logger.warning("wallboard section %s cancelled by the statement timeout", name)
        return TOO_SLOW


WATCHED_KEY = "wallboard:watched"
# The worker computes ahead of the viewers only while a wallboard is open (a viewer in the last minute).
_WATCH_SECONDS = 60


def shared(name: str, compute: Callable[[], dict]) -> dict:
    """`compute()`'s value for the current refresh interval: the worker's, computed ahead
    (`prefill`); else one process computes it (a cache.add lock) while the others serve the previous
    interval's value, or wait briefly for this one."""
    try:
        _cache("set", WATCHED_KEY, 1, timeout=_WATCH_SECONDS)
        return _shared(name, compute)
    except CacheUnavailable:
        logger.warning("wallboard cache unavailable: %s computed for this request alone", name)
        return compute()


class CacheUnavailable(Exception):
    pass


def _cache(operation: str, *args, **kwargs):
    try:
        return getattr(cache, operation)(*args, **kwargs)
    except Exception as exc:  # Redis down: the wallboard still shows, computed per request
        raise CacheUnavailable from exc


def _shared(name: str, compute: Callable[[], dict]) -> dict:
    interval = int(time.time() // REFRESH_SECONDS)
    key = f"wallboard:{name}:{interval}"
    latest_key = f"wallboard:{name}:latest"
    value = _cache("get", key)
    if value is not None:
        return value
    if _cache("add", f"{key}:lock", 1, timeout=_LOCK_SECONDS):
        value = compute()
        try:
            _cache("set", key, value, timeout=2 * REFRESH_SECONDS)
            _cache("set", latest_key, value, timeout=12 * REFRESH_SECONDS)
        except CacheUnavailable:
            logger.warning("wallboard cache unavailable: %s not kept for the other viewers", name)
        return value
    previous = _cache("get", latest_key)
    if previous is not None:
        return previous
    deadline = time.monotonic() + _WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(0.05)
        value = _cache("get", key)
        if value is not None:
            return value
    # The computing process died or is still at it: this one answers on its own.
    return compute()


def prefill(name: str, compute: Callable[[], dict]) -> bool:
    """The worker's share (the beat, every REFRESH_SECONDS): while a wallboard is open, compute the
    figures once and keep them for this interval (unless a viewer already did) and the next, so the
    viewers read them and none waits on the computation. Figures are then at most two intervals old.
    Returns whether it computed."""
    try:
        if not _cache("get", WATCHED_KEY):
            return False
        value = compute()
        interval = int(time.time() // REFRESH_SECONDS)
        _cache("add", f"wallboard:{name}:{interval}", value, timeout=2 * REFRESH_SECONDS)
        _cache("set", f"wallboard:{name}:{interval + 1}", value, timeout=3 * REFRESH_SECONDS)
        _cache("set", f"wallboard:{name}:latest", value, timeout=12 * REFRESH_SECONDS)
    except CacheUnavailable:
        logger.warning("wallboard cache unavailable: %s not computed ahead", name)
        return False
    return True
