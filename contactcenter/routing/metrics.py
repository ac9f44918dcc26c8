"""The queue figures as the contact-center industry defines them, from the counters of
`queue_rollups.COUNTERS` (a rollup row, a sum of them, or the same rules over the contacts). The
wallboard, the queue report, the per-agent and per-interval reports and their CSV files all read
their figures through `queue_figures`: one definition of each.

- Average handle time (AHT): talk + hold + after-call work of the completed conversations
  (`handle_sum` holds the three, `handle_count` the conversations).
- Average speed of answer (ASA): the waits of the answered contacts.
- Service level: answered within the queue's threshold / (answered + abandoned), short abandons
  left out.
- Abandonment rate: abandoned / (answered + abandoned), short abandons (a caller hanging up within
  the queue's `short_abandon_seconds`) left out of both.
"""

from __future__ import annotations

from collections.abc import Mapping


def average(total: int, count: int) -> float | None:
    return total / count if count else None


def percent(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def queue_figures(counters: Mapping[str, int]) -> dict:
    """The figures of one set of counters (missing counters count zero)."""
    answered = counters.get("answered", 0)
    short = counters.get("abandoned_short", 0)
    abandoned = counters.get("abandoned", 0) - short
    settled = answered + abandoned
    wrap_count = counters.get("wrap_count", 0)
    return {
        "contacts": counters.get("contacts", 0),
        "answered": answered,
        "within": counters.get("answered_within", 0),
        "abandoned": abandoned,
        "abandoned_short": short,
        "asa": average(counters.get("wait_sum", 0), counters.get("wait_count", 0)),
        "aht": average(counters.get("handle_sum", 0), counters.get("handle_count", 0)),
        "wrap": average(counters.get("wrap_sum", 0), wrap_count),
        "wrap_total": counters.get("wrap_sum", 0) if wrap_count else None,
        "service_level_percent": percent(counters.get("answered_within", 0), settled),
        "abandonment_percent": percent(abandoned, settled),
    }


def summed(rows, columns) -> dict[str, int]:
    """The sum of counter rows (dicts), column by column."""
    totals = dict.fromkeys(columns, 0)
    for row in rows:
        for name in columns:
            totals[name] += row.get(name, 0)
    return totals


__all__ = ["average", "percent", "queue_figures", "summed"]
