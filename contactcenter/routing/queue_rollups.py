"""The queue report's counting rules, and the SQL that counts them from rollups and the contacts.

A period's figures are sums over 15-minute intervals (UTC) of `WaitingContact.enqueued_at`: whole
intervals inside the period whose rollup rows are clean come from `QueueRollup`; the partial
intervals at each edge, the intervals marked dirty, and the (interval, queue) rows recomputed with
a service level the queue no longer has are counted from the contacts directly, in the same
statement (one snapshot). Both sides, and the recompute that writes the rollups, use COUNTERS: one
rule per counter.

Service level: `answered_within` is stored as counted with the queue's threshold at the recompute,
beside that threshold. Thresholds are whole seconds an administrator may set to any value, so a
wait histogram would be exact only at its bucket edges (or need a bucket per second); a stored
count plus the threshold it used is exact, and a changed threshold costs only a recompute of that
queue's intervals (the refresh finds them; reads count them from the contacts until then).

Days are local days of settings.TIME_ZONE: a 15-minute UTC interval never straddles a local
midnight in a zone whose offset is a whole number of quarter hours (every US zone). Days come from
`QueueRollupDay` (the day's intervals summed in the recompute's transaction) as the ledger's do
(`rollups.plan`: a partial day is its intervals inside or its day row less its intervals outside;
a stale interval's rows come off its day row), unless a queue's day rows were counted with another
threshold than the queue's now: that queue's day is read by interval. The report by hour reads
intervals only.

The wallboard's "today" counts contacts by when they left the queue (answered or abandoned), not
when they entered it: the day's rollups, plus the contacts whose wait spans midnight
(`settled_by_queue`).
"""

# Every SQL string here is built from table names and enum values in this module; input is only
# ever passed as parameters.
# ruff: noqa: S608
from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from django.conf import settings
from django.db import connection
from django.utils import timezone

from contactcenter.ledger.rollups import (
    INTERVAL,
    _interval_ceil,
    _quoted,
    day_end_sql,
    day_start_sql,
    interval_of,
    local_day,
    plan,
)
from contactcenter.models import ContactStatus

__all__ = ["INTERVAL", "interval_of"]  # the services and tests read the interval through this module too

CONTACTS = "contactcenter_waitingcontact"
CONFIGS = "contactcenter_queueconfig"
ROLLUP = "contactcenter_queuerollup"
BY_DAY = "contactcenter_queuerollupday"
DIRTY = "contactcenter_queuerollupdirty"
DEFAULT_SERVICE_LEVEL = 60  # a queue with no configuration (QueueConfig's default)
DEFAULT_SHORT_ABANDON = 5
# The thresholds a contact `w` of queue config `q` (LEFT JOINed) is measured against.
THRESHOLD = f"COALESCE(q.service_level_seconds, {DEFAULT_SERVICE_LEVEL})"
SHORT = f"COALESCE(q.short_abandon_seconds, {DEFAULT_SHORT_ABANDON})"


def _counted_with(alias: str, service_level: str = THRESHOLD, short: str = SHORT) -> str:
    """Rows `alias` counted with the queue's thresholds now (false when a day's intervals differed: NULL)."""
    return f"({alias}.service_level_seconds = {service_level} AND {alias}.short_abandon_seconds = {short})"


def _counted_otherwise(alias: str, service_level: str = THRESHOLD, short: str = SHORT) -> str:
    return (
        f"({alias}.service_level_seconds IS DISTINCT FROM {service_level} "
        f"OR {alias}.short_abandon_seconds IS DISTINCT FROM {short})"
    )


# A consult (an agent bringing a colleague into their call) waits in the colleague's queue but is no
# caller: the queue's figures (service level, speed of answer, abandonment) leave it out.
COUNTED = "w.consult_of_id IS NULL"
_ANSWERED = "w.answered_at IS NOT NULL"
_COMPLETED = f"w.status = {_quoted(ContactStatus.COMPLETED)}"
# Each rule is an integer of one contact `w`; a figure is the SUM over its contacts.
COUNTERS: dict[str, str] = {
    "contacts": "1",
    "answered": f"CASE WHEN {_ANSWERED} THEN 1 ELSE 0 END",
    "answered_within": f"CASE WHEN {_ANSWERED} AND w.wait_seconds <= {THRESHOLD} THEN 1 ELSE 0 END",
    "abandoned": f"CASE WHEN w.status = {_quoted(ContactStatus.ABANDONED)} THEN 1 ELSE 0 END",
    # Callers who hung up within the queue's short-abandon seconds: no chance to answer them, so the
    # abandonment rate and the service level leave them out (metrics.queue_figures).
    "abandoned_short": (
        f"CASE WHEN w.status = {_quoted(ContactStatus.ABANDONED)} AND w.wait_seconds < {SHORT} THEN 1 ELSE 0 END"
    ),
    # Average speed of answer: the waits of answered contacts.
    "wait_sum": f"CASE WHEN {_ANSWERED} THEN COALESCE(w.wait_seconds, 0) ELSE 0 END",
    "wait_count": f"CASE WHEN {_ANSWERED} AND w.wait_seconds IS NOT NULL THEN 1 ELSE 0 END",
    # Average handle time: completed conversations, talk and hold (`handle_seconds`, answer to end)
    # plus after-call work (`wrap_up_seconds`), the industry's definition.
    "handle_sum": (
        f"CASE WHEN {_COMPLETED} THEN COALESCE(w.handle_seconds, 0) + COALESCE(w.wrap_up_seconds, 0) ELSE 0 END"
    ),
    "handle_count": f"CASE WHEN {_COMPLETED} AND w.handle_seconds IS NOT NULL THEN 1 ELSE 0 END",
    # Wrap-up: every contact wrapped up.
    "wrap_sum": "COALESCE(w.wrap_up_seconds, 0)",
    "wrap_count": "CASE WHEN w.wrap_up_seconds IS NOT NULL THEN 1 ELSE 0 END",
}
COLUMNS = list(COUNTERS)
# An interval row read with its queue's thresholds now (`configured`, `configured_short`: LEFT JOINed).
_ROW_CURRENT = _counted_with(
    "r", f"COALESCE(r.configured, {DEFAULT_SERVICE_LEVEL})", f"COALESCE(r.configured_short, {DEFAULT_SHORT_ABANDON})"
)
_FROM_CONTACTS = f"FROM {CONTACTS} w LEFT JOIN {CONFIGS} q ON q.name = w.queue_name"


def uses_rollups() -> bool:
    """Rollups are a Postgres feature; on SQLite (the bare demo) the report counts the contacts."""
    return connection.vendor == "postgresql"


# --- recompute ----------------------------------------------------------------------------------
RECOMPUTE_DELETE = f"DELETE FROM {ROLLUP} WHERE interval_start = ANY(%s::timestamptz[])"
RECOMPUTE_INSERT = (
    f"INSERT INTO {ROLLUP} (interval_start, queue_name, language, service_level_seconds, short_abandon_seconds, "
    f"{', '.join(COLUMNS)}) SELECT d.lo, w.queue_name, w.language, MAX({THRESHOLD}), MAX({SHORT}), "
    f"{', '.join(f'SUM({rule})' for rule in COUNTERS.values())} "
    f"FROM unnest(%s::timestamptz[]) AS d(lo) JOIN {CONTACTS} w "
    f"ON w.enqueued_at >= d.lo AND w.enqueued_at < d.lo + interval '15 minutes' AND {COUNTED} "
    f"LEFT JOIN {CONFIGS} q ON q.name = w.queue_name GROUP BY d.lo, w.queue_name, w.language"
)
BY_DAY_DELETE = f"DELETE FROM {BY_DAY} WHERE day = ANY(%s::date[])"
BY_DAY_INSERT = (
    f"INSERT INTO {BY_DAY} (day, queue_name, language, service_level_seconds, short_abandon_seconds, "
    f"{', '.join(COLUMNS)}) SELECT d.day, r.queue_name, r.language, "
    "CASE WHEN MIN(r.service_level_seconds) = MAX(r.service_level_seconds) THEN MIN(r.service_level_seconds) END, "
    "CASE WHEN MIN(r.short_abandon_seconds) = MAX(r.short_abandon_seconds) THEN MIN(r.short_abandon_seconds) END, "
    f"{', '.join(f'SUM(r.{name})' for name in COLUMNS)} "
    f"FROM unnest(%s::date[]) AS d(day) JOIN {ROLLUP} r ON r.interval_start >= {day_start_sql('d.day')} "
    f"AND r.interval_start < {day_end_sql('d.day')} GROUP BY d.day, r.queue_name, r.language"
)
# Intervals holding a (queue) row counted with a threshold the queue no longer has. Only the days
# whose sums say so are searched by interval: a day row's threshold is NULL when its intervals'
# differ, so a stale interval always shows in its day.
STALE_THRESHOLDS = (
    f"SELECT DISTINCT r.interval_start FROM {BY_DAY} d LEFT JOIN {CONFIGS} q ON q.name = d.queue_name "
    f"JOIN {ROLLUP} r ON r.queue_name = d.queue_name AND r.interval_start >= {day_start_sql('d.day')} "
    f"AND r.interval_start < {day_end_sql('d.day')} "
    f"WHERE {_counted_otherwise('d')} AND NOT {_counted_with('r')}"
)


def recompute(intervals: Sequence[datetime]) -> int:
    """Replace the rollup rows of `intervals` by counts of the contacts, and their days' sums (call
    inside a transaction); returns the interval rows written."""
    days = sorted({local_day(start) for start in intervals})
    tz = settings.TIME_ZONE
    with connection.cursor() as cursor:
        cursor.execute(RECOMPUTE_DELETE, [list(intervals)])
        cursor.execute(RECOMPUTE_INSERT, [list(intervals)])
        written = cursor.rowcount
        cursor.execute(BY_DAY_DELETE, [days])
        cursor.execute(BY_DAY_INSERT, [days, tz, tz])
    return written


def stale_threshold_intervals() -> list[datetime]:
    tz = settings.TIME_ZONE
    with connection.cursor() as cursor:
        cursor.execute(STALE_THRESHOLDS, [tz, tz])
        return [row[0] for row in cursor.fetchall()]


# --- reads --------------------------------------------------------------------------------------
def _filters(alias: str, queue_name: str | None, language: str | None) -> tuple[str, list]:
    sql, params = "", []
    if queue_name:
        sql += f" AND {alias}.queue_name = %s"
        params.append(queue_name)
    if language:
        sql += f" AND {alias}.language = %s"
        params.append(language)
    return sql, params


def _parts(
    *, start: datetime, end: datetime, queue_name: str | None, language: str | None, days: bool = True
) -> tuple[str, list]:
    """SQL of rows (at, queue_name, language, *COLUMNS) whose sums are the period's counters (rows
    subtracted carry negative counts; at a day row: its local midnight). The days of
    `rollups.plan` come from their day rows, less their intervals outside the period and their
    stale intervals, except a queue whose day was counted with another threshold than the queue's
    now: that queue's day is read by interval. `days=False` reads whole intervals only (figures by
    hour)."""
    lo, hi = _interval_ceil(start), interval_of(end)
    if lo >= hi:  # no whole interval inside: all of it is counted from the contacts
        lo = hi = start
    if days:
        day_list, added, subtracted = plan(lo, hi)
    else:
        day_list, added, subtracted = [], [(lo, hi)] if lo < hi else [], []
    tz = settings.TIME_ZONE
    where_d, params_d = _filters("d", queue_name, language)
    where_r, params_r = _filters("r", queue_name, language)
    where_w, params_w = _filters("w", queue_name, language)
    day_clean = _counted_with("d")
    signed = ", ".join(f"r.sign * r.{name}" for name in COLUMNS)
    less = ", ".join(f"-r.{name}" for name in COLUMNS)
    day_sums = ", ".join(f"d.{name}" for name in COLUMNS)
    rows = ", ".join(f"{rule} AS {name}" for name, rule in COUNTERS.items())
    ranges = [(a, b, 1) for a, b in added] + [(a, b, -1) for a, b in subtracted]
    listed = " UNION ALL ".join(["SELECT %s::timestamptz, %s::timestamptz, NULL::varchar, %s"] * len(ranges))
    # A day of `day_list` one queue reads by interval (not from its day row).
    by_queue = "stale_days.queue_name = r.queue_name AND stale_days.day = (r.interval_start AT TIME ZONE %s)::date"
    sql = (
        f"WITH dirty AS (SELECT DISTINCT interval_start FROM {DIRTY} "
        "WHERE interval_start >= %s AND interval_start < %s), "
        # Day rows of one queue counted with another threshold than the queue's now.
        f"stale_days AS (SELECT DISTINCT d.day, d.queue_name FROM {BY_DAY} d "
        f"LEFT JOIN {CONFIGS} q ON q.name = d.queue_name WHERE d.day = ANY(%s::date[]) "
        f"AND {_counted_otherwise('d')}), "
        # What is read by interval: the plan's ranges (every queue; sign -1: taken off a day row)
        # and the part inside the period of each stale day (one queue).
        "by_interval (lo, hi, queue, sign) AS ("
        f"{listed + ' UNION ALL ' if listed else ''}"
        f"SELECT GREATEST({day_start_sql('day')}, %s), LEAST({day_end_sql('day')}, %s), queue_name, 1 "
        "FROM stale_days), "
        "interval_rows AS (SELECT r.*, q.service_level_seconds AS configured, "
        "q.short_abandon_seconds AS configured_short FROM by_interval CROSS JOIN LATERAL "
        f"(SELECT r.*, by_interval.sign FROM {ROLLUP} r "
        "WHERE r.interval_start >= by_interval.lo AND r.interval_start < by_interval.hi "
        "AND (by_interval.queue IS NULL OR r.queue_name = by_interval.queue) "
        "AND (by_interval.sign < 0 OR r.interval_start NOT IN (SELECT interval_start FROM dirty))"
        f"{where_r} OFFSET 0) r "
        f"LEFT JOIN {CONFIGS} q ON q.name = r.queue_name "
        f"WHERE r.sign > 0 OR NOT EXISTS (SELECT 1 FROM stale_days WHERE {by_queue})), "
        # Rows added with another threshold than the queue's now, in intervals not dirty.
        "stale AS (SELECT DISTINCT r.interval_start, r.queue_name FROM interval_rows r "
        f"WHERE r.sign > 0 AND NOT {_ROW_CURRENT}), "
        f"parts AS (SELECT {day_start_sql('d.day')} AS at, d.queue_name, d.language, {day_sums} FROM {BY_DAY} d "
        f"LEFT JOIN {CONFIGS} q ON q.name = d.queue_name WHERE d.day = ANY(%s::date[]) AND {day_clean}{where_d} "
        f"UNION ALL SELECT r.interval_start, r.queue_name, r.language, {signed} FROM interval_rows r "
        f"WHERE r.sign < 0 OR {_ROW_CURRENT} "
        # A stale interval of a day read from its day row: its rows (in that day row) come off.
        f"UNION ALL SELECT r.interval_start, r.queue_name, r.language, {less} FROM dirty CROSS JOIN LATERAL "
        f"(SELECT * FROM {ROLLUP} r WHERE r.interval_start = dirty.interval_start{where_r} OFFSET 0) r "
        "WHERE (dirty.interval_start AT TIME ZONE %s)::date = ANY(%s::date[]) "
        f"AND NOT EXISTS (SELECT 1 FROM stale_days WHERE {by_queue}) "
        f"UNION ALL SELECT w.enqueued_at, w.queue_name, w.language, {rows} {_FROM_CONTACTS} "
        # Disjoint ranges: the two edges, the dirty intervals (every queue), the stale rows (one queue).
        "JOIN (SELECT %s::timestamptz AS lo, %s::timestamptz AS hi, NULL::varchar AS queue UNION ALL "
        "SELECT %s, %s, NULL UNION ALL "
        "SELECT interval_start, interval_start + interval '15 minutes', NULL FROM dirty UNION ALL "
        "SELECT interval_start, interval_start + interval '15 minutes', queue_name FROM stale) AS ranges "
        "ON w.enqueued_at >= ranges.lo AND w.enqueued_at < ranges.hi "
        f"AND (ranges.queue IS NULL OR ranges.queue = w.queue_name) WHERE {COUNTED}{where_w})"
    )
    params = [
        *(lo, hi),  # dirty
        day_list,  # stale_days
        *(value for bounds in ranges for value in bounds),  # by_interval
        *(tz, lo, tz, hi),
        *params_r,  # interval_rows
        tz,
        *(tz, day_list, *params_d),  # the day sums
        *(*params_r, tz, day_list, tz),  # stale intervals of those days
        *(start, lo, hi, end, *params_w),
    ]
    return sql, params


def _contacts_only(*, start: datetime, end: datetime, queue_name: str | None, language: str | None) -> tuple[str, list]:
    """The same rows counted from the contacts alone (SQLite): no rollups to read."""
    rows = ", ".join(f"{rule} AS {name}" for name, rule in COUNTERS.items())
    where, params = _filters("w", queue_name, language)
    adapt = connection.ops.adapt_datetimefield_value
    sql = (
        f"WITH parts AS (SELECT w.enqueued_at AS at, w.queue_name, w.language, {rows} {_FROM_CONTACTS} "
        f"WHERE {COUNTED} AND w.enqueued_at >= %s AND w.enqueued_at < %s{where})"
    )
    return sql, [adapt(start), adapt(end), *params]


def _fetch(sql: str, params: list) -> list[tuple]:
    # Postgres's JIT is off for every connection (settings.with_statement_timeout): this plan's
    # estimates (an index range scan per stale interval) looked big enough for JIT, which spent
    # ~0.6 s compiling a statement that runs in ms.
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def by_day(*, start: datetime, end: datetime, queue_name: str | None = None, language: str | None = None) -> list:
    """Counters by (local day, queue, language) of the contacts enqueued in [start, end), ordered so."""
    sums = ", ".join(f"SUM({name})" for name in COLUMNS)
    if uses_rollups():
        parts, params = _parts(start=start, end=end, queue_name=queue_name, language=language)
        day = "(parts.at AT TIME ZONE %s)::date"
        params = [*params, settings.TIME_ZONE]
    else:
        parts, params = _contacts_only(start=start, end=end, queue_name=queue_name, language=language)
        day = None
    if day is None:  # SQLite: the day in Python, after the sums by contact moment
        return _by_day_in_python(parts, params)
    sql = f"{parts} SELECT {day}, queue_name, language, {sums} FROM parts GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
    rows = _fetch(sql, params)
    return [
        {"day": day, "queue_name": queue, "language": lang, **dict(zip(COLUMNS, map(int, sums), strict=True))}
        for day, queue, lang, *sums in rows
    ]


def by_hour(*, start: datetime, end: datetime) -> dict[int, dict[str, int]]:
    """Contacts, answered and abandoned (short abandons left out, as metrics.queue_figures) by local
    hour of `enqueued_at` in [start, end)."""
    if not uses_rollups():  # SQLite: the same rules over the contacts, the hour in Python
        parts, params = _contacts_only(start=start, end=end, queue_name=None, language=None)
        hours: dict[int, dict[str, int]] = {}
        for at, contacts, answered, abandoned, short in _fetch(
            f"{parts} SELECT at, contacts, answered, abandoned, abandoned_short FROM parts", params
        ):
            if isinstance(at, str):
                at = datetime.fromisoformat(at)
            if timezone.is_naive(at):
                at = timezone.make_aware(at, UTC)
            row = hours.setdefault(timezone.localtime(at).hour, {"queued": 0, "answered": 0, "abandoned": 0})
            row["queued"] += int(contacts)
            row["answered"] += int(answered)
            row["abandoned"] += int(abandoned) - int(short)
        return hours
    parts, params = _parts(start=start, end=end, queue_name=None, language=None, days=False)
    sql = (
        f"{parts} SELECT EXTRACT(hour FROM parts.at AT TIME ZONE %s)::int, SUM(contacts), SUM(answered), "
        "SUM(abandoned) - SUM(abandoned_short) FROM parts GROUP BY 1"
    )
    rows = _fetch(sql, [*params, settings.TIME_ZONE])
    return {
        hour: {"queued": int(queued), "answered": int(answered), "abandoned": int(abandoned)}
        for hour, queued, answered, abandoned in rows
    }


def by_interval(
    *, start: datetime, end: datetime, minutes: int = 15, queue_name: str | None = None, language: str | None = None
) -> list[dict]:
    """Counters by interval of `minutes` (15 or 30, aligned on the hour) of `enqueued_at` in
    [start, end): [{"start": aware datetime, **counters}], intervals without contacts left out."""
    if minutes not in (15, 30):
        raise ValueError(minutes)
    sums = ", ".join(f"SUM({name})" for name in COLUMNS)
    if uses_rollups():
        parts, params = _parts(start=start, end=end, queue_name=queue_name, language=language, days=False)
        sql = (
            f"{parts} SELECT date_bin(%s::interval, parts.at, TIMESTAMPTZ '2000-01-01 00:00:00+00'), {sums} "
            "FROM parts GROUP BY 1 ORDER BY 1"
        )
        rows = _fetch(sql, [*params, f"{minutes} minutes"])
    else:
        parts, params = _contacts_only(start=start, end=end, queue_name=queue_name, language=language)
        totals: dict[datetime, list[int]] = {}
        for at, *values in _fetch(f"{parts} SELECT at, {', '.join(COLUMNS)} FROM parts", params):
            if isinstance(at, str):
                at = datetime.fromisoformat(at)
            if timezone.is_naive(at):
                at = timezone.make_aware(at, UTC)
            at = at.replace(minute=at.minute - at.minute % minutes, second=0, microsecond=0)
            row = totals.setdefault(at, [0] * len(COLUMNS))
            for index, value in enumerate(values):
                row[index] += int(value)
        rows = sorted((at, *values) for at, values in totals.items())
    return [{"start": at, **dict(zip(COLUMNS, map(int, values), strict=True))} for at, *values in rows if any(values)]


# When a contact left the queue: answered, or else ended (abandoned, cancelled); NULL while waiting.
SETTLED = "COALESCE(w.answered_at, w.ended_at)"
# Its wait as a range. Migration 0033's GiST index is on this expression (without the alias): the
# few contacts whose wait spans a given moment, out of every contact, by index.
WAIT_SPAN = f"tstzrange(w.enqueued_at, GREATEST(w.enqueued_at, {SETTLED}), '[]')"
CARRIED_OVER = (
    f"SELECT w.queue_name, {', '.join(f'SUM({rule})' for rule in COUNTERS.values())} {_FROM_CONTACTS} "
    f"WHERE {WAIT_SPAN} @> %s::timestamptz AND w.enqueued_at < %s AND {SETTLED} < %s AND {COUNTED} "
    "GROUP BY w.queue_name"
)


SETTLED_FROM_CONTACTS = (
    f"SELECT w.queue_name, {', '.join(f'SUM({rule})' for rule in COUNTERS.values())} {_FROM_CONTACTS} "
    f"WHERE {SETTLED} >= %s AND {SETTLED} < %s AND {COUNTED} GROUP BY w.queue_name"
)


def settled_by_queue(*, start: datetime, end: datetime) -> dict[str, dict[str, int]]:
    """Counters by queue of the contacts that left the queue in [start, end) (a day: the
    wallboard's "today"), answered at `answered_at` or abandoned at `ended_at`.

    A contact leaves its queue after it enters it: those that entered in the period are the
    period's rollups (`by_day`); to them come those that entered before `start` and left after
    it, whose waits span `start` (waits overnight, callbacks for the next day)."""
    totals: dict[str, dict[str, int]] = {}
    if not uses_rollups():  # SQLite (the bare demo): the same rules over the contacts that left
        adapt = connection.ops.adapt_datetimefield_value
        for queue_name, *values in _fetch(SETTLED_FROM_CONTACTS, [adapt(start), adapt(end)]):
            totals[queue_name] = {name: int(value or 0) for name, value in zip(COLUMNS, values, strict=True)}
        return totals
    for row in by_day(start=start, end=end):
        queue = totals.setdefault(row["queue_name"], dict.fromkeys(COLUMNS, 0))
        for name in COLUMNS:
            queue[name] += row[name]
    for queue_name, *values in _fetch(CARRIED_OVER, [start, start, end]):
        queue = totals.setdefault(queue_name, dict.fromkeys(COLUMNS, 0))
        for name, value in zip(COLUMNS, values, strict=True):
            queue[name] += int(value)
    return totals


def _by_day_in_python(parts: str, params: list) -> list:
    with connection.cursor() as cursor:
        cursor.execute(f"{parts} SELECT at, queue_name, language, {', '.join(COLUMNS)} FROM parts", params)
        rows = cursor.fetchall()
    totals: dict[tuple, dict[str, int]] = {}
    for at, queue, language, *values in rows:
        if isinstance(at, str):
            at = datetime.fromisoformat(at)
        if timezone.is_naive(at):
            at = timezone.make_aware(at, UTC)
        key = (timezone.localtime(at).date(), queue, language)
        row = totals.setdefault(key, dict.fromkeys(COLUMNS, 0))
        for name, value in zip(COLUMNS, values, strict=True):
            row[name] += int(value)
    return [
        {"day": day, "queue_name": queue, "language": language, **counters}
        for (day, queue, language), counters in sorted(totals.items())
    ]
