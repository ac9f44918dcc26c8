"""Keeping the queue report's 15-minute rollups current (see contactcenter.queue_rollups).

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

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone

from .. import queue_rollups
from ..models import QueueRollupDirty, WaitingContact

__all__ = [
    "queue_rollup_refresh",
    "queue_rollups_dirty_refresh",
    "queue_rollups_mark",
    "queue_rollups_rebuild",
]

logger = logging.getLogger(__name__)

# One refresh at a time: two recomputing one interval would both insert its rows.
_REFRESH_LOCK = 0x51524F4C  # "QROL"
# A write asks a worker for a refresh at most this often; the beat's minute refresh is the backstop.
REFRESH_DEBOUNCE_SECONDS = 5
_DEBOUNCE_KEY = "queue-rollups:refresh-sent"
# Intervals one refresh transaction recomputes at most (a day's): bounded statements and locks.
_BATCH = 96


def queue_rollups_mark(*, contacts: Iterable[WaitingContact]) -> None:
    """Mark the intervals of these contacts' `enqueued_at` stale, in the caller's transaction, and
    ask a worker to refresh them after it commits."""
    intervals = sorted({queue_rollups.interval_of(c.enqueued_at) for c in contacts if c.enqueued_at is not None})
    if not intervals:
        return
    QueueRollupDirty.objects.bulk_create([QueueRollupDirty(interval_start=start) for start in intervals])
    transaction.on_commit(_refresh_soon)


def _refresh_soon() -> None:
    from ..tasks import queue_rollups_refresh

    try:
        if cache.add(_DEBOUNCE_KEY, 1, timeout=REFRESH_DEBOUNCE_SECONDS):
            queue_rollups_refresh.apply_async(retry=False)
    except Exception as error:  # the cache or broker, not our data, failed: the beat refreshes anyway
        logger.warning("queue rollup refresh left for the beat: %s", error)


def queue_rollup_refresh(*, intervals: Iterable[datetime]) -> int:
    """Recompute the rollup rows of `intervals` from the contacts and clear the marks on them that
    were there before the recompute; returns the rows written. A write committing meanwhile keeps
    its own mark (only the mark rows read here are deleted), so the next refresh takes it."""
    intervals = sorted({queue_rollups.interval_of(start) for start in intervals})
    if not intervals or not queue_rollups.uses_rollups():
        return 0
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_REFRESH_LOCK])
        # Read before the recompute's statements take their snapshots: every write whose mark is
        # read here has committed, so the recompute counts it.
        marks = list(QueueRollupDirty.objects.filter(interval_start__in=intervals).values_list("pk", flat=True))
        written = queue_rollups.recompute(intervals)
        QueueRollupDirty.objects.filter(pk__in=marks).delete()
    return written


def queue_rollups_dirty_refresh() -> int:
    """Refresh every interval marked stale, and every interval counted with a service level its
    queue no longer has (a day's worth per transaction); returns the intervals."""
    if not queue_rollups.uses_rollups():
        return 0
    intervals = set(QueueRollupDirty.objects.values_list("interval_start", flat=True).distinct())
    intervals |= set(queue_rollups.stale_threshold_intervals())
    ordered = sorted(intervals)
    for low in range(0, len(ordered), _BATCH):
        queue_rollup_refresh(intervals=ordered[low : low + _BATCH])
    return len(ordered)


def queue_rollups_rebuild(*, since: datetime | None = None, progress: Callable[[int, int], None] | None = None) -> int:
    """Recompute every interval from `since` (all of the queues' history when None) to now, a day
    per transaction; returns the intervals recomputed. The reconcile and seed_ledger use it."""
    if not queue_rollups.uses_rollups():
        return 0
    span = WaitingContact.objects.aggregate(first=Min("enqueued_at"), last=Max("enqueued_at"))
    if span["first"] is None:
        return 0
    first = queue_rollups.interval_of(max(since, span["first"]) if since else span["first"])
    last = queue_rollups.interval_of(max(span["last"], timezone.now()))
    total = int((last - first) / queue_rollups.INTERVAL) + 1
    done = 0
    while first <= last:
        batch = [first + n * queue_rollups.INTERVAL for n in range(_BATCH)]
        batch = [start for start in batch if start <= last]
        queue_rollup_refresh(intervals=batch)
        done += len(batch)
        first = batch[-1] + queue_rollups.INTERVAL
        if progress:
            progress(done, total)
    return total
