"""Times as people read them, one unit on every page: 45 s, 4 min 5 s, 1 h 12 min; and language
names for codes."""

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


@register.filter
def language_name(code) -> str:
    """A language code as its name in the page's language ("en" → English); other values as given."""
    from contactcenter.models import Language

    return str(Language(code).label) if code in Language.values else (code or "—")
