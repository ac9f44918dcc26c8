"""Keeping the ledger's 15-minute rollups current (see contactcenter.ledger.rollups for what they count).

Every write that can change a figure marks the intervals it touches in its own transaction
(`ledger_rollups_mark`: one INSERT, no lock any other writer waits for); the beat has a worker
recompute the marked intervals from the ledger every few seconds (`ledger_rollup_refresh`), and
reads count a marked interval from the ledger until then: a figure is never stale, only a little
slower for that interval. No task is sent per write: a hook on every contact's commit would cost
the IVR's end-of-call webhook a cache round trip and buy nothing the beat does not.
No audit rows: these are derived counts a refresh can always rebuild, not records anyone changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Max, Min, Model
from django.utils import timezone

from contactcenter.ledger import rollups
from contactcenter.models import Interaction, LedgerRollupDirty

__all__ = [
    "ledger_rollup_refresh",
    "ledger_rollups_dirty_refresh",
    "ledger_rollups_mark",
    "ledger_rollups_rebuild",
]


@dataclass(frozen=True)
class RollupFamily:
    """One family of 15-minute rollups (the ledger's, the live queues'): how to recompute an
    interval's rows, its table of stale marks, and the rows it sums with their time field. The
    refresh rule (which marks a refresh may clear) is subtle and is written once, here."""

    recompute: Callable[[Sequence[datetime]], int]
    uses_rollups: Callable[[], bool]
    dirty: type[Model]
    source: type[Model]
    time_field: str
    lock: int  # one refresh at a time per family: two recomputing one interval would both insert its rows


# Intervals one refresh transaction recomputes at most (a day's): bounded statements and locks.
_BATCH = 96


def rollup_refresh(family: RollupFamily, *, intervals: Iterable[datetime]) -> int:
    """Recompute the rollup rows of `intervals` and clear the marks on them that were there before
    the recompute; returns the rows written. A write committing meanwhile keeps its own mark (only
    the mark rows read here are deleted), so the next refresh takes it."""
    intervals = sorted({rollups.interval_of(start) for start in intervals})
    if not intervals or not family.uses_rollups():
        return 0
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [family.lock])
        # Read before the recompute's statements take their snapshots: every write whose mark is
        # read here has committed, so the recompute counts it.
        marks = list(family.dirty.objects.filter(interval_start__in=intervals).values_list("pk", flat=True))
        written = family.recompute(intervals)
        family.dirty.objects.filter(pk__in=marks).delete()
    return written


def rollups_refresh_marked(family: RollupFamily, *, also: Iterable[datetime] = ()) -> int:
    """Refresh every interval marked stale (and `also`), a day's worth per transaction; returns the intervals."""
    if not family.uses_rollups():
        return 0
    intervals = sorted(set(family.dirty.objects.values_list("interval_start", flat=True).distinct()) | set(also))
    for low in range(0, len(intervals), _BATCH):
        rollup_refresh(family, intervals=intervals[low : low + _BATCH])
    return len(intervals)


def rollups_rebuild(
    family: RollupFamily, *, since: datetime | None = None, progress: Callable[[int, int], None] | None = None
) -> int:
    """Recompute every interval from `since` (all history when None) to now, a day per transaction;
    returns the intervals recomputed."""
    if not family.uses_rollups():
        return 0
    span = family.source.objects.aggregate(first=Min(family.time_field), last=Max(family.time_field))
    if span["first"] is None:
        return 0
    first = rollups.interval_of(max(since, span["first"]) if since else span["first"])
    last = rollups.interval_of(max(span["last"], timezone.now()))
    total = int((last - first) / rollups.INTERVAL) + 1
    done = 0
    while first <= last:
        batch = [first + n * rollups.INTERVAL for n in range(_BATCH) if first + n * rollups.INTERVAL <= last]
        rollup_refresh(family, intervals=batch)
        done += len(batch)
        first = batch[-1] + rollups.INTERVAL
        if progress:
            progress(done, total)
    return total


LEDGER = RollupFamily(
    recompute=rollups.recompute,
    uses_rollups=rollups.uses_rollups,
    dirty=LedgerRollupDirty,
    source=Interaction,
    time_field="occurred_at",
    lock=0x524F4C4C,  # "ROLL"
)


def ledger_rollups_mark(*, moments: Iterable[datetime | None]) -> None:
    """Mark the intervals holding `moments` stale, in the caller's transaction. Nothing is sent
    after commit: the beat refreshes every 10 s (settings.CELERY_BEAT_SCHEDULE), and until then a read
    counts a stale interval from the ledger, so the figure is exact either way."""
    intervals = sorted({rollups.interval_of(moment) for moment in moments if moment is not None})
    if intervals:
        LedgerRollupDirty.objects.bulk_create([LedgerRollupDirty(interval_start=start) for start in intervals])


def ledger_rollup_refresh(*, intervals: Iterable[datetime]) -> int:
    return rollup_refresh(LEDGER, intervals=intervals)


def ledger_rollups_dirty_refresh() -> int:
    return rollups_refresh_marked(LEDGER)


def ledger_rollups_rebuild(*, since: datetime | None = None, progress: Callable[[int, int], None] | None = None) -> int:
    """The reconcile and `rollups_rebuild` use it."""
    return rollups_rebuild(LEDGER, since=since, progress=progress)
