"""Keeping the queue report's 15-minute rollups current (see contactcenter.routing.queue_rollups).

Every write that can change a queue figure (a contact enqueued, answered, abandoned, completed,
withdrawn, wrapped up) marks the interval of its `enqueued_at` in its own transaction
(`queue_rollups_mark`: one INSERT, no lock any other writer waits for); a worker recomputes the
marked intervals soon after (`queue_rollups_dirty_refresh`), and reads count a marked interval from
the contacts until then, so a figure is never stale, only slower for that interval.
No audit rows: these are derived counts a refresh can always rebuild, not records anyone changed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime

from celery import current_app
from django.core.cache import cache
from django.db import transaction

from contactcenter.ledger.rollups_refresh import RollupFamily, rollup_refresh, rollups_rebuild, rollups_refresh_marked
from contactcenter.models import QueueRollupDirty, WaitingContact
from contactcenter.routing import queue_rollups

__all__ = [
    "queue_rollup_refresh",
    "queue_rollups_dirty_refresh",
    "queue_rollups_mark",
    "queue_rollups_rebuild",
]

logger = logging.getLogger(__name__)

# A write asks a worker for a refresh at most this often; the beat's minute refresh is the backstop.
REFRESH_DEBOUNCE_SECONDS = 5
_DEBOUNCE_KEY = "queue-rollups:refresh-sent"

QUEUES = RollupFamily(
    recompute=queue_rollups.recompute,
    uses_rollups=queue_rollups.uses_rollups,
    dirty=QueueRollupDirty,
    source=WaitingContact,
    time_field="enqueued_at",
    lock=0x51524F4C,  # "QROL"
)


def queue_rollups_mark(*, contacts: Iterable[WaitingContact]) -> None:
    """Mark the intervals of these contacts' `enqueued_at` stale, in the caller's transaction, and
    ask a worker to refresh them after it commits."""
    intervals = sorted({queue_rollups.interval_of(c.enqueued_at) for c in contacts if c.enqueued_at is not None})
    if not intervals:
        return
    QueueRollupDirty.objects.bulk_create([QueueRollupDirty(interval_start=start) for start in intervals])
    transaction.on_commit(_refresh_soon)


def _refresh_soon() -> None:
    try:
        if cache.add(_DEBOUNCE_KEY, 1, timeout=REFRESH_DEBOUNCE_SECONDS):
            current_app.signature("contactcenter.queue_rollups_refresh").apply_async(retry=False)
    except Exception as error:  # the cache or broker, not our data, failed: the beat refreshes anyway
        logger.warning("queue rollup refresh left for the beat: %s", error)


def queue_rollup_refresh(*, intervals: Iterable[datetime]) -> int:
    return rollup_refresh(QUEUES, intervals=intervals)


def queue_rollups_dirty_refresh() -> int:
    """Every interval marked stale, and every interval counted with a service level its queue no
    longer has."""
    if not queue_rollups.uses_rollups():
        return 0
    return rollups_refresh_marked(QUEUES, also=queue_rollups.stale_threshold_intervals())


def queue_rollups_rebuild(*, since: datetime | None = None, progress: Callable[[int, int], None] | None = None) -> int:
    """The reconcile, `rollups_rebuild` and seed_ledger use it."""
    return rollups_rebuild(QUEUES, since=since, progress=progress)
