"""A queue's opening hours as a value, and federal holidays: no database, so models may use it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

DEFAULT_TIME_ZONE = "America/New_York"
TIER1_OPENS = time(8, 0)
TIER1_CLOSES = time(20, 0)


@lru_cache(maxsize=8)
def _federal_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("US", years=year)


def is_federal_holiday(day) -> bool:
    return day in _federal_holidays(day.year)


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and not is_federal_holiday(day)


def business_days_after(start: date, days: int) -> date:
    """The day `days` business days after `start` (weekends and federal holidays not counted;
    `start` itself never is): a service request taken on a Friday with 1 day is due on Monday."""
    day = start
    while days > 0:
        day += timedelta(days=1)
        if is_business_day(day):
            days -= 1
    return day


def business_days_until(start: date, end: date) -> int:
    """How many business days from `start` to `end` (end counted, start not); negative when `end`
    is before `start`, 0 on the day itself."""
    if end < start:
        return -business_days_until(end, start)
    return sum(1 for offset in range(1, (end - start).days + 1) if is_business_day(start + timedelta(days=offset)))


@dataclass(frozen=True)
class QueueHours:
    opens: time = TIER1_OPENS
    closes: time = TIER1_CLOSES
    time_zone: str = ""  # blank: the caller's own zone
    weekends: bool = False

    def zone(self, caller_time_zone: str) -> ZoneInfo:
        return ZoneInfo(self.time_zone or caller_time_zone or DEFAULT_TIME_ZONE)

    def _open_on(self, day) -> bool:
        return (self.weekends or day.weekday() < 5) and not is_federal_holiday(day)

    def open_at(self, *, caller_time_zone: str, at: datetime) -> bool:
        local = at.astimezone(self.zone(caller_time_zone))
        return self._open_on(local.date()) and self.opens <= local.time() < self.closes

    def next_opening(self, *, caller_time_zone: str, at: datetime) -> datetime:
        """Now if open, else the next opening, in the zone the hours are kept in."""
        zone = self.zone(caller_time_zone)
        local = at.astimezone(zone)
        for offset in range(0, 15):
            day = local.date() + timedelta(days=offset)
            opening = datetime.combine(day, self.opens, tzinfo=zone)
            closing = datetime.combine(day, self.closes, tzinfo=zone)
            if not self._open_on(day) or local >= closing:
                continue
            return max(opening, local)
        raise RuntimeError("no opening in the next two weeks")  # holidays never span that long
