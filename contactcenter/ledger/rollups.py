"""The ledger figures' counting rules, and the SQL that counts them from rollups and the ledger.

A period's figures are sums over 15-minute intervals (UTC): whole intervals inside the period
whose rollup rows are clean come from `LedgerRollup`; the partial intervals at each edge and the
intervals marked dirty are counted from `Interaction` directly, in the same statement (one
snapshot, so an interval is counted once whichever side a concurrent refresh leaves it on). Both
sides, and the recompute that writes the rollups, use COUNTERS below: one rule per counter.

Local days (settings.TIME_ZONE) come from `LedgerRollupDay`, the day's intervals summed in the
recompute's transaction, so a day row always equals the sum of its interval rows. A day the period
only partly covers is read from whichever side holds fewer intervals (`plan`): its intervals inside
the period, or its day row less its intervals outside. A day row includes its stale intervals' old
rows: those come off too, and the stale intervals are counted from the ledger. A week is eight day
rows per (channel, language, topic) and at most half a day of intervals; "today" is one day row
between refreshes. A 15-minute UTC interval never straddles a local midnight for zones whose offset
is a whole number of quarter hours (every US zone), so day sums and day/month periods (contact
volume) equal the per-contact ones.
"""

# Every SQL string here is built from table names and enum values in this module; input is
# only ever passed as parameters.
# ruff: noqa: S608
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.utils import timezone

from contactcenter.models import RESOLVING_OUTCOMES, Channel, Outcome

INTERVAL = timedelta(minutes=15)
LEDGER = "contactcenter_interaction"
ROLLUP = "contactcenter_ledgerrollup"
BY_CHANNEL = "contactcenter_ledgerrollupchannel"
BY_DAY = "contactcenter_ledgerrollupday"
DIRTY = "contactcenter_ledgerrollupdirty"


def _quoted(*values: str) -> str:
    # Enum values from the code, never input: literals keep each rule one self-contained string.
    return ", ".join("'" + str(value).replace("'", "''") + "'" for value in values)


# OFFSET 0 keeps each hand-off lookup an index probe per contact: without it Postgres may plan
# the EXISTS as a hash of every contact's parent, a scan of the whole ledger on every read.
_CHILD = f"SELECT 1 FROM {LEDGER} handoff WHERE handoff.parent_id = i.id"
_PROBE = " OFFSET 0"
_FIRST = f"i.parent_id IS NULL AND i.outcome <> {_quoted(Outcome.IN_PROGRESS)}"
# Each rule is a condition on one contact `i` of the ledger (its hand-offs are looked up by index).
COUNTERS: dict[str, str] = {
    # Every contact (contact volume; Tier 2 transfer rate's denominator on Tier 1 rows).
    "contacts": "TRUE",
    # IVR containment's denominator on IVR rows: finished calls.
    "finished": f"i.outcome <> {_quoted(Outcome.IN_PROGRESS)}",
    # IVR containment's numerator on IVR rows.
    "self_served": f"i.outcome = {_quoted(Outcome.SELF_SERVED)}",
    # Tier 2 transfer rate's numerator on Tier 1 rows: escalated, or handed off to Tier 2.
    "tier2_escalated": (
        f"(i.outcome = {_quoted(Outcome.ESCALATED)} "
        f"OR EXISTS ({_CHILD} AND handoff.channel = {_quoted(Channel.TIER2)}{_PROBE}))"
    ),
    # First-contact resolution's denominator: first contacts (no parent) that are finished.
    "firsts": _FIRST,
    # Its numerator: resolved, no repeat contact within the window, no hand-off.
    "firsts_resolved": (
        f"{_FIRST} AND i.outcome IN ({_quoted(*sorted(RESOLVING_OUTCOMES))}) "
        f"AND NOT i.followed_by_repeat AND NOT EXISTS ({_CHILD}{_PROBE})"
    ),
}
COLUMNS = list(COUNTERS)


def _as_int(name: str) -> str:
    return f"CASE WHEN {COUNTERS[name]} THEN 1 ELSE 0 END"


def interval_of(moment: datetime) -> datetime:
    """The start (UTC) of the 15-minute interval holding `moment`."""
    moment = moment.astimezone(UTC)
    return moment.replace(minute=moment.minute - moment.minute % 15, second=0, microsecond=0)


def _interval_ceil(moment: datetime) -> datetime:
    floor = interval_of(moment)
    return floor if floor == moment else floor + INTERVAL


def zone() -> ZoneInfo:
    """The zone whose days the day rollups sum (never a request's activated zone)."""
    return ZoneInfo(settings.TIME_ZONE)


def local_day(moment: datetime) -> date:
    return moment.astimezone(zone()).date()


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone())


# The local midnights starting and ending day `d` (a date column or parameter), in SQL.
def day_start_sql(day: str) -> str:
    return f"({day}::timestamp AT TIME ZONE %s)"


def day_end_sql(day: str) -> str:
    return f"(({day} + 1)::timestamp AT TIME ZONE %s)"


def uses_rollups() -> bool:
    """Rollups are a Postgres feature; on SQLite (the bare demo) every figure counts the ledger."""
    return connection.vendor == "postgresql"


# --- recompute ----------------------------------------------------------------------------------
RECOMPUTE_DELETE = f"DELETE FROM {ROLLUP} WHERE interval_start = ANY(%s::timestamptz[])"
RECOMPUTE_INSERT = (
    f"INSERT INTO {ROLLUP} (interval_start, channel, language, topic_id, {', '.join(COLUMNS)}) "
    f"SELECT d.lo, i.channel, i.language, i.topic_id, {', '.join(f'SUM({_as_int(n)})' for n in COLUMNS)} "
    f"FROM unnest(%s::timestamptz[]) AS d(lo) "
    f"JOIN {LEDGER} i ON i.occurred_at >= d.lo AND i.occurred_at < d.lo + interval '15 minutes' "
    "GROUP BY d.lo, i.channel, i.language, i.topic_id"
)


BY_CHANNEL_DELETE = f"DELETE FROM {BY_CHANNEL} WHERE interval_start = ANY(%s::timestamptz[])"
BY_CHANNEL_INSERT = (
    f"INSERT INTO {BY_CHANNEL} (interval_start, channel, {', '.join(COLUMNS)}) "
    f"SELECT interval_start, channel, {', '.join(f'SUM({n})' for n in COLUMNS)} FROM {ROLLUP} "
    "WHERE interval_start = ANY(%s::timestamptz[]) GROUP BY interval_start, channel"
)


BY_DAY_DELETE = f"DELETE FROM {BY_DAY} WHERE day = ANY(%s::date[])"
BY_DAY_INSERT = (
    f"INSERT INTO {BY_DAY} (day, channel, language, topic_id, {', '.join(COLUMNS)}) "
    f"SELECT d.day, r.channel, r.language, r.topic_id, {', '.join(f'SUM(r.{n})' for n in COLUMNS)} "
    f"FROM unnest(%s::date[]) AS d(day) JOIN {ROLLUP} r ON r.interval_start >= {day_start_sql('d.day')} "
    f"AND r.interval_start < {day_end_sql('d.day')} GROUP BY d.day, r.channel, r.language, r.topic_id"
)


def recompute(intervals: Sequence[datetime]) -> int:
    """Replace the rollup rows of `intervals` by counts of the ledger, their per-channel sums and
    their days' sums (call inside a transaction); returns the interval rollup rows written."""
    days = sorted({local_day(start) for start in intervals})
    tz = settings.TIME_ZONE
    with connection.cursor() as cursor:
        cursor.execute(RECOMPUTE_DELETE, [list(intervals)])
        cursor.execute(RECOMPUTE_INSERT, [list(intervals)])
        written = cursor.rowcount
        cursor.execute(BY_CHANNEL_DELETE, [list(intervals)])
        cursor.execute(BY_CHANNEL_INSERT, [list(intervals)])
        cursor.execute(BY_DAY_DELETE, [days])
        cursor.execute(BY_DAY_INSERT, [days, tz, tz])
    return written


# --- reads --------------------------------------------------------------------------------------
def _filters(alias: str, channels: Iterable[str] | None, topic_codes: Iterable[str] | None) -> tuple[str, list]:
    sql, params = "", []
    if channels:
        sql += f" AND {alias}.channel = ANY(%s)"
        params.append(list(channels))
    if topic_codes:
        sql += f" AND {alias}.topic_id IN (SELECT id FROM contactcenter_topic WHERE code = ANY(%s))"
        params.append(list(topic_codes))
    return sql, params


def _intervals(lo: datetime, hi: datetime, horizon: datetime) -> int:
    """How many intervals of [lo, hi) can hold contacts (none lie past `horizon`)."""
    return max(0, (min(hi, horizon) - lo) // INTERVAL)


def plan(lo: datetime, hi: datetime, *, now: datetime | None = None):
    """How to read the whole intervals [lo, hi): (days read from their day sums, interval ranges
    read and added, interval ranges read and subtracted).

    A day's row is the sum of its intervals' rows (written in one transaction), so a day the
    period only partly covers is either its intervals inside the period, or its day row minus its
    intervals outside: whichever reads fewer intervals (those past now hold nothing yet)."""
    horizon = _interval_ceil(now or timezone.now())
    days: list[date] = []
    added: list[tuple[datetime, datetime]] = []
    subtracted: list[tuple[datetime, datetime]] = []
    day = local_day(lo)
    while lo < hi and midnight(day) < hi:
        day_lo, day_hi = midnight(day).astimezone(UTC), midnight(day + timedelta(days=1)).astimezone(UTC)
        inside = (max(day_lo, lo), min(day_hi, hi))
        outside = [(a, b) for a, b in ((day_lo, inside[0]), (inside[1], day_hi)) if a < b]
        if sum(_intervals(a, b, horizon) for a, b in outside) < max(_intervals(*inside, horizon), 1):
            days.append(day)
            subtracted.extend(outside)
        else:
            added.append(inside)
        day += timedelta(days=1)
    return days, added, subtracted


def _parts(
    *, start: datetime, end: datetime, counters: Sequence[str], channels=None, topic_codes=None, by_topic=False
) -> tuple[str, list]:
    """SQL of rows (at, channel, topic_id, *counters) whose sums are the period's counters (rows
    subtracted carry negative counts): the days of `plan` from the day sums, less their intervals
    outside the period and their stale intervals; the other whole intervals from the interval
    rollups (per channel without a topic, topic_id NULL there); the partial intervals at the edges
    and the stale intervals inside counted from the ledger."""
    lo, hi = _interval_ceil(start), interval_of(end)
    if lo >= hi:  # no whole interval inside: all of it is counted from the ledger
        lo = hi = start
    days, added, subtracted = plan(lo, hi)
    tz = settings.TIME_ZONE
    rows = ", ".join(f"{_as_int(name)} AS {name}" for name in counters)
    where_d, params_d = _filters("d", channels, topic_codes)
    where_r, params_r = _filters("r", channels, topic_codes)
    where_i, params_i = _filters("i", channels, topic_codes)
    where_inside, params_inside = _filters("inside", channels, topic_codes)
    by_topics = by_topic or topic_codes
    table, topic = (ROLLUP, "r.topic_id") if by_topics else (BY_CHANNEL, "NULL::integer")
    day_topic = "d.topic_id" if by_topics else "NULL::integer"
    language, day_language = ("r.language", "d.language") if by_topics else ("NULL::varchar", "NULL::varchar")
    ranges = [(a, b, 1) for a, b in added] + [(a, b, -1) for a, b in subtracted]
    by_interval = " UNION ALL ".join(["SELECT %s::timestamptz AS lo, %s::timestamptz AS hi, %s AS sign"] * len(ranges))
    by_interval = by_interval or "SELECT NULL::timestamptz AS lo, NULL::timestamptz AS hi, 0 AS sign LIMIT 0"
    signed = ", ".join(f"r.sign * r.{name}" for name in counters)
    less = ", ".join(f"-r.{name}" for name in counters)
    columns = (
        f"r.interval_start, r.channel, {language} AS language, {topic} AS topic_id, "
        f"{', '.join(f'r.{name}' for name in counters)}"
    )
    # Each range read by interval and each stale interval is its own index range scan (LATERAL,
    # kept from being flattened by OFFSET 0: never one scan of a whole channel joined to the
    # ranges after).
    sql = (
        f"WITH dirty AS (SELECT DISTINCT interval_start FROM {DIRTY} "
        "WHERE interval_start >= %s AND interval_start < %s), "
        f"by_interval AS ({by_interval}), "
        f"parts AS (SELECT {day_start_sql('d.day')} AS at, d.channel, {day_language} AS language, "
        f"{day_topic} AS topic_id, "
        f"{', '.join(f'd.{name}' for name in counters)} FROM {BY_DAY} d WHERE d.day = ANY(%s::date[]){where_d} "
        f"UNION ALL SELECT r.interval_start, r.channel, r.language, r.topic_id, {signed} "
        "FROM by_interval CROSS JOIN LATERAL "
        f"(SELECT {columns}, by_interval.sign FROM {table} r "
        "WHERE r.interval_start >= by_interval.lo AND r.interval_start < by_interval.hi "
        "AND (by_interval.sign < 0 OR NOT EXISTS (SELECT 1 FROM dirty WHERE dirty.interval_start = r.interval_start))"
        f"{where_r} OFFSET 0) r "
        # A stale interval of a day read from its day row: its rows (in that day row) come off.
        f"UNION ALL SELECT r.interval_start, r.channel, r.language, r.topic_id, {less} FROM dirty CROSS JOIN LATERAL "
        f"(SELECT {columns} FROM {table} r WHERE r.interval_start = dirty.interval_start"
        f"{where_r} OFFSET 0) r WHERE (dirty.interval_start AT TIME ZONE %s)::date = ANY(%s::date[]) "
        f"UNION ALL SELECT i.occurred_at, i.channel, i.language, i.topic_id, {rows} FROM {LEDGER} i "
        "WHERE ((i.occurred_at >= %s AND i.occurred_at < %s) OR (i.occurred_at >= %s AND i.occurred_at < %s))"
        f"{where_i} "
        f"UNION ALL SELECT i.occurred_at, i.channel, i.language, i.topic_id, {rows} FROM dirty CROSS JOIN LATERAL "
        f"(SELECT * FROM {LEDGER} inside WHERE inside.occurred_at >= dirty.interval_start "
        f"AND inside.occurred_at < dirty.interval_start + interval '15 minutes'{where_inside} OFFSET 0) i)"
    )
    params = [
        *(lo, hi),  # dirty
        *(value for bounds in ranges for value in bounds),  # by_interval
        *(tz, days, *params_d),  # the day sums
        *params_r,
        *(*params_r, tz, days),  # stale intervals of those days
        *(start, lo, hi, end, *params_i),
        *params_inside,
    ]
    return sql, params


def _ledger_only(
    *, start: datetime, end: datetime, counters: Sequence[str], channels=None, topic_codes=None
) -> tuple[str, list]:
    """The same rows counted from the ledger alone (SQLite): no rollups to read."""
    # SQLite has no OFFSET without LIMIT, and its planner needs no fence to probe by index.
    rows = ", ".join(f"{_as_int(name)} AS {name}" for name in counters).replace(_PROBE, "")
    where = ""
    params: list = [connection.ops.adapt_datetimefield_value(start), connection.ops.adapt_datetimefield_value(end)]
    if channels:
        where += f" AND i.channel IN ({', '.join(['%s'] * len(channels))})"
        params.extend(channels)
    if topic_codes:
        placeholders = ", ".join(["%s"] * len(topic_codes))
        where += f" AND i.topic_id IN (SELECT id FROM contactcenter_topic WHERE code IN ({placeholders}))"
        params.extend(topic_codes)
    sql = (
        f"WITH parts AS (SELECT i.occurred_at AS at, i.channel, i.language, i.topic_id, {rows} FROM {LEDGER} i "
        f"WHERE i.occurred_at >= %s AND i.occurred_at < %s{where})"
    )
    return sql, params


def totals(
    *, start: datetime, end: datetime, counters: Sequence[str], channels: Sequence[str] | None = None
) -> dict[str, int]:
    """The period's sums of `counters` (over `channels` only, when given): one statement."""
    build = _parts if uses_rollups() else _ledger_only
    parts, params = build(start=start, end=end, counters=counters, channels=channels)
    sums = ", ".join(f"COALESCE(SUM({name}), 0)" for name in counters)
    with connection.cursor() as cursor:
        cursor.execute(f"{parts} SELECT {sums} FROM parts", params)
        row = cursor.fetchone()
    return {name: int(value) for name, value in zip(counters, row, strict=True)}


def totals_by(
    *, start: datetime, end: datetime, counters: Sequence[str], by: str, channels: Sequence[str] | None = None
) -> dict[str | None, dict[str, int]]:
    """The period's sums of `counters` by language code or topic code (`by`: "language" or
    "topic"; None: no topic): one statement."""
    if by not in ("language", "topic"):
        raise ValueError(by)
    if uses_rollups():
        parts, params = _parts(start=start, end=end, counters=counters, channels=channels, by_topic=True)
    else:
        parts, params = _ledger_only(start=start, end=end, counters=counters, channels=channels)
    sums = ", ".join(f"COALESCE(SUM(parts.{name}), 0)" for name in counters)
    if by == "language":
        sql = f"{parts} SELECT parts.language, {sums} FROM parts GROUP BY 1"
    else:
        sql = (
            f"{parts} SELECT topic.code, {sums} FROM parts "
            "LEFT JOIN contactcenter_topic topic ON topic.id = parts.topic_id GROUP BY 1"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return {
        key: {name: int(value) for name, value in zip(counters, values, strict=True)}
        for key, *values in rows
        if any(values)
    }


def volume(
    *,
    start: datetime,
    end: datetime,
    period: str,
    channels: Sequence[str] | None = None,
    topic_codes: Sequence[str] | None = None,
) -> list[dict]:
    """Contacts by (local day or month, topic code, channel), ordered so (Postgres rollups)."""
    unit = {"day": "day", "month": "month"}[period]
    tz = zone()
    parts, params = _parts(
        start=start, end=end, counters=["contacts"], channels=channels, topic_codes=topic_codes, by_topic=True
    )
    # Summed by topic id before the topic's code is joined: the sort and grouping of thousands of
    # rows compare integers, not text (half the statement's time at a million).
    sql = (
        f"{parts}, sums AS (SELECT date_trunc('{unit}', parts.at AT TIME ZONE %s) AS period, parts.topic_id, "
        "parts.channel, SUM(parts.contacts) AS contacts FROM parts GROUP BY 1, 2, 3 HAVING SUM(parts.contacts) > 0) "
        "SELECT sums.period, topic.code, sums.channel, sums.contacts FROM sums "
        "JOIN contactcenter_topic topic ON topic.id = sums.topic_id ORDER BY 1, 2, 3"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, str(tz)])
        rows = cursor.fetchall()
    periods = {local: timezone.make_aware(local, tz) for local in {row[0] for row in rows}}
    return [
        {"period": periods[local], "topic__code": code, "channel": channel, "contacts": int(contacts)}
        for local, code, channel, contacts in rows
    ]
