"""When live help is open, in the caller's own time zone.

Tier 1 answers 8 a.m. to 8 p.m. local time, Monday to Friday, except federal holidays. The
caller's zone comes from their number (libphonenumber's geographic data)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
import phonenumbers
from django.conf import settings
from phonenumbers import timezone as phone_timezone

DEFAULT_TIME_ZONE = "America/New_York"
TIER1_OPENS = time(8, 0)
TIER1_CLOSES = time(20, 0)

# Spoken names of the zones callers live in.
ZONE_NAMES = {
    "America/New_York": ("Eastern", "del Este"),
    "America/Detroit": ("Eastern", "del Este"),
    "America/Indiana/Indianapolis": ("Eastern", "del Este"),
    "America/Kentucky/Louisville": ("Eastern", "del Este"),
    "America/Chicago": ("Central", "del Centro"),
    "America/Denver": ("Mountain", "de la Montaña"),
    "America/Boise": ("Mountain", "de la Montaña"),
    "America/Phoenix": ("Arizona", "de Arizona"),
    "America/Los_Angeles": ("Pacific", "del Pacífico"),
    "America/Anchorage": ("Alaska", "de Alaska"),
    "Pacific/Honolulu": ("Hawaii", "de Hawái"),
    "America/Puerto_Rico": ("Atlantic", "del Atlántico"),
    "America/St_Thomas": ("Atlantic", "del Atlántico"),
    "Pacific/Guam": ("Chamorro", "de Chamorro"),
    "Pacific/Saipan": ("Chamorro", "de Chamorro"),
    "Pacific/Pago_Pago": ("Samoa", "de Samoa"),
}


def caller_time_zone(phone: str) -> str:
    """The caller's IANA zone from their number; Eastern when the number does not say."""
    try:
        number = phonenumbers.parse(phone or "", "US")
    except phonenumbers.NumberParseException:
        return DEFAULT_TIME_ZONE
    zones = [zone for zone in phone_timezone.time_zones_for_number(number) if zone != "Etc/Unknown"]
    if not zones:
        return DEFAULT_TIME_ZONE
    # An area code spanning zones lists several; the first is the one most of its numbers use.
    return zones[0]


@lru_cache(maxsize=8)
def _federal_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("US", years=year)


def is_federal_holiday(day) -> bool:
    return day in _federal_holidays(day.year)


def tier1_open(*, time_zone: str, at: datetime) -> bool:
    if settings.TIER1_ALWAYS_OPEN:
        return True
    local = at.astimezone(ZoneInfo(time_zone))
    return local.weekday() < 5 and TIER1_OPENS <= local.time() < TIER1_CLOSES and not is_federal_holiday(local.date())


def next_tier1_opening(*, time_zone: str, at: datetime) -> datetime:
    zone = ZoneInfo(time_zone)
    local = at.astimezone(zone)
    day = local.date()
    for offset in range(0, 15):
        candidate_day = day + timedelta(days=offset)
        opening = datetime.combine(candidate_day, TIER1_OPENS, tzinfo=zone)
        closing = datetime.combine(candidate_day, TIER1_CLOSES, tzinfo=zone)
        if candidate_day.weekday() >= 5 or is_federal_holiday(candidate_day) or local >= closing:
            continue
        return max(opening, local)
    raise RuntimeError("no opening in the next two weeks")  # holidays never span that long


def zone_name(time_zone: str, language: str) -> str:
    english, spanish = ZONE_NAMES.get(time_zone, ("local", "local"))
    return spanish if language == "es" else english
