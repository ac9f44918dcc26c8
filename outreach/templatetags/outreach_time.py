"""An event's time zone as people read it: "Mountain Standard Time (MST)", "hora estándar de la
Montaña (MST)", for the date of the event (standard or daylight time), never "America/Phoenix"."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django import template
from django.utils import dateformat, translation
from django.utils.translation import gettext_lazy as _

register = template.Library()

# (standard time, daylight time) for each zone an engagement can be in (contactcenter US_TIME_ZONES).
_EASTERN = (_("Eastern Standard Time"), _("Eastern Daylight Time"))
_CENTRAL = (_("Central Standard Time"), _("Central Daylight Time"))
_MOUNTAIN = (_("Mountain Standard Time"), _("Mountain Daylight Time"))
_PACIFIC = (_("Pacific Standard Time"), _("Pacific Daylight Time"))
_ALASKA = (_("Alaska Standard Time"), _("Alaska Daylight Time"))
_HAWAII = (_("Hawaii-Aleutian Standard Time"), _("Hawaii-Aleutian Daylight Time"))
_ATLANTIC = (_("Atlantic Standard Time"), _("Atlantic Daylight Time"))
_CHAMORRO = (_("Chamorro Standard Time"), _("Chamorro Standard Time"))
ZONE_NAMES = {
    "America/New_York": _EASTERN,
    "America/Detroit": _EASTERN,
    "America/Chicago": _CENTRAL,
    "America/Denver": _MOUNTAIN,
    "America/Boise": _MOUNTAIN,
    "America/Phoenix": _MOUNTAIN,
    "America/Los_Angeles": _PACIFIC,
    "America/Anchorage": _ALASKA,
    "Pacific/Honolulu": _HAWAII,
    "America/Puerto_Rico": _ATLANTIC,
    "America/St_Thomas": _ATLANTIC,
    "Pacific/Guam": _CHAMORRO,
    "Pacific/Saipan": _CHAMORRO,
}


@register.filter
def zone_label(moment: datetime | None, zone_name: str) -> str:
    """`{{ starts|zone_label:engagement.time_zone }}`: the zone's name on that date and its
    abbreviation; an unlisted zone keeps its IANA name beside the abbreviation."""
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        return str(zone_name or "")
    local = moment.astimezone(zone) if isinstance(moment, datetime) and moment.tzinfo else None
    abbreviation = local.tzname() if local else ""
    names = ZONE_NAMES.get(zone_name)
    if names is None:
        return f"{zone_name} ({abbreviation})" if abbreviation else zone_name
    if local is None:
        return str(names[0])
    name = names[1] if local.dst() else names[0]
    return f"{name} ({abbreviation})" if abbreviation and abbreviation[0].isalpha() else str(name)


# Dates in words as each language writes them: "Tuesday, January 12, 2027", "martes, 12 de enero de 2027".
_LONG_DATE = {"es": r"l, j \d\e F \d\e Y"}
_CLOCK = {"es": "H:i"}


def _in_zone(moment: datetime, zone_name: str) -> datetime:
    try:
        return moment.astimezone(ZoneInfo(zone_name)) if zone_name else moment
    except (ZoneInfoNotFoundError, ValueError):
        return moment


@register.filter
def long_date(moment: datetime | None, zone_name: str = "") -> str:
    """`{{ starts|long_date:zone }}`: the day in words, in the visitor's language, on that zone's calendar."""
    if not isinstance(moment, datetime):
        return ""
    return dateformat.format(_in_zone(moment, zone_name), _LONG_DATE.get(translation.get_language()[:2], "l, F j, Y"))


@register.filter
def clock(moment: datetime | None, zone_name: str = "") -> str:
    """`{{ starts|clock:zone }}`: "10:00 a.m." in English, "10:00" in Spanish."""
    if not isinstance(moment, datetime):
        return ""
    return dateformat.format(_in_zone(moment, zone_name), _CLOCK.get(translation.get_language()[:2], "g:i a"))
