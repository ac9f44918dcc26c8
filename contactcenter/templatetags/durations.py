"""Waits as people read them: 45 s, 4 min 5 s, 1 h 12 min."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def wait_time(seconds) -> str:
    """A number of seconds in hours, minutes and seconds (the same abbreviations in English and
    Spanish); blank for no value."""
    if seconds is None or seconds == "":
        return "—"
    try:
        total = max(int(seconds), 0)
    except (TypeError, ValueError):
        return str(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    return f"{secs} s"
