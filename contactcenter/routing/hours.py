"""When live help is open, in the caller's own time zone.

Each queue's hours are configured in the admin (QueueConfig). Tier 1's rule is the NCSC's:
8 a.m. to 8 p.m. in the caller's own zone, Monday to Friday, except federal holidays. The
caller's zone comes from their number (libphonenumber's geographic data)."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

import phonenumbers
from django.conf import settings
from phonenumbers import timezone as phone_timezone

from contactcenter.routing.opening_hours import (
    DEFAULT_TIME_ZONE,
    TIER1_CLOSES,
    TIER1_OPENS,
    Closure,
    QueueHours,
    business_days_after,
    business_days_until,
    federal_holiday_name,
    is_business_day,
    is_federal_holiday,
)

__all__ = [
    "DEFAULT_TIME_ZONE",
    "TIER1_CLOSES",
    "TIER1_OPENS",
    "Closure",
    "QueueHours",
    "business_days_after",
    "business_days_until",
    "federal_holiday_name",
    "is_business_day",
    "is_federal_holiday",
]

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


@lru_cache(maxsize=8192)  # phonenumbers' parse and lookup: a tenth of a first webhook's CPU
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


TIER1_HOURS = QueueHours()


def hours_of(queue_name: str) -> QueueHours:
    """The queue's hours with its closures (cached for a short while, see selectors.queue_hours)."""
    from contactcenter.routing.selectors import queue_hours  # the selectors import this module

    return queue_hours(queue_name=queue_name)


def tier1_queue_name(language: str) -> str:
    """The Tier 1 queue a caller in this language reaches (as contact_enqueue names it)."""
    return f"tier1-{language or 'en'}"


def queue_open(*, queue_name: str, time_zone: str, at: datetime) -> bool:
    if settings.TIER1_ALWAYS_OPEN:
        return True
    return hours_of(queue_name).open_at(caller_time_zone=time_zone, at=at)


def next_queue_opening(*, queue_name: str, time_zone: str, at: datetime) -> datetime:
    return hours_of(queue_name).next_opening(caller_time_zone=time_zone, at=at)


def tier1_open(*, time_zone: str, at: datetime, language: str = "en") -> bool:
    return queue_open(queue_name=tier1_queue_name(language), time_zone=time_zone, at=at)


def next_tier1_opening(*, time_zone: str, at: datetime, language: str = "en") -> datetime:
    return next_queue_opening(queue_name=tier1_queue_name(language), time_zone=time_zone, at=at)


def zone_name(time_zone: str, language: str) -> str:
    english, spanish = ZONE_NAMES.get(time_zone, ("local", "local"))
    return spanish if language == "es" else english
