"""A queue's opening hours as a value, federal holidays and one-off closures: no database, so
models may use it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

DEFAULT_TIME_ZONE = "America/New_York"
TIER1_OPENS = time(8, 0)
TIER1_CLOSES = time(20, 0)
# How far ahead the next opening is looked for: a long closure (a shutdown) may span weeks.
_LOOKAHEAD_DAYS = 120

# The federal holidays' names as the `holidays` library gives them, in Spanish.
HOLIDAY_NAMES_ES = {
    "New Year's Day": "Día de Año Nuevo",
    "Martin Luther King Jr. Day": "Día de Martin Luther King Jr.",
    "Washington's Birthday": "Día del Natalicio de Washington",
    "Inauguration Day": "Día de la Toma de Posesión",
    "Memorial Day": "Día de los Caídos",
    "Juneteenth National Independence Day": "Día Nacional de la Independencia de Juneteenth",
    "Independence Day": "Día de la Independencia",
    "Labor Day": "Día del Trabajo",
    "Columbus Day": "Día de Colón",
    "Veterans Day": "Día de los Veteranos",
    "Thanksgiving Day": "Día de Acción de Gracias",
    "Christmas Day": "Día de Navidad",
}
_OBSERVED = " (observed)"


@lru_cache(maxsize=8)
def _federal_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("US", years=year)


def is_federal_holiday(day) -> bool:
    return day in _federal_holidays(day.year)


def federal_holiday_name(day: date, language: str = "en") -> str:
    """The holiday's name in English or Spanish ("Independence Day, observed"); empty on other days."""
    name = _federal_holidays(day.year).get(day) or ""
    observed = name.endswith(_OBSERVED)
    name = name.removesuffix(_OBSERVED)
    if language == "es":
        name = HOLIDAY_NAMES_ES.get(name, name)
        return f"{name}, día feriado observado" if observed and name else name
    return f"{name}, observed" if observed and name else name


@dataclass(frozen=True)
class Closure:
    """A one-off closure: from `starts` on the first day (blank: its start) to `ends` on the last
    (blank: its end), in the zone the queue's hours are kept in, like the hours and the holidays."""

    first_day: date
    last_day: date
    starts: time | None = None
    ends: time | None = None
    reason_en: str = ""
    reason_es: str = ""

    def span(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        start = datetime.combine(self.first_day, self.starts or time(0), tzinfo=zone)
        if self.ends is not None:
            return start, datetime.combine(self.last_day, self.ends, tzinfo=zone)
        return start, datetime.combine(self.last_day + timedelta(days=1), time(0), tzinfo=zone)

    def reason(self, language: str) -> str:
        return (self.reason_es if language == "es" else self.reason_en) or self.reason_en


@dataclass(frozen=True)
class QueueHours:
    opens: time = TIER1_OPENS
    closes: time = TIER1_CLOSES
    time_zone: str = ""  # blank: the caller's own zone
    weekends: bool = False
    closures: tuple[Closure, ...] = ()

    def zone(self, caller_time_zone: str) -> ZoneInfo:
        return ZoneInfo(self.time_zone or caller_time_zone or DEFAULT_TIME_ZONE)

    def _open_on(self, day) -> bool:
        return (self.weekends or day.weekday() < 5) and not is_federal_holiday(day)

    def _closure_covering(self, zone: ZoneInfo, moment: datetime) -> tuple[Closure, datetime] | None:
        for closure in self.closures:
            start, end = closure.span(zone)
            if start <= moment < end:
                return closure, end
        return None

    def open_at(self, *, caller_time_zone: str, at: datetime) -> bool:
        zone = self.zone(caller_time_zone)
        local = at.astimezone(zone)
        if not (self._open_on(local.date()) and self.opens <= local.time() < self.closes):
            return False
        return not self.closures or self._closure_covering(zone, local) is None

    def closure_at(self, *, caller_time_zone: str, at: datetime) -> Closure | None:
        """The closure that keeps the queue closed now, or for the rest of today's hours."""
        if not self.closures:
            return None
        zone = self.zone(caller_time_zone)
        local = at.astimezone(zone)
        moments = [local]
        opening = datetime.combine(local.date(), self.opens, tzinfo=zone)
        if local < opening:
            moments.append(opening)
        for moment in moments:
            found = self._closure_covering(zone, moment)
            if found is not None:
                return found[0]
        return None

    def holiday_at(self, *, caller_time_zone: str, at: datetime, language: str = "en") -> str:
        """The federal holiday's name when today, where the hours are kept, is one."""
        return federal_holiday_name(at.astimezone(self.zone(caller_time_zone)).date(), language)

    def next_opening(self, *, caller_time_zone: str, at: datetime) -> datetime:
        """Now if open, else the next opening (after any closure), in the zone the hours are kept in."""
        zone = self.zone(caller_time_zone)
        local = at.astimezone(zone)
        for offset in range(0, _LOOKAHEAD_DAYS):
            day = local.date() + timedelta(days=offset)
            if not self._open_on(day):
                continue
            closing = datetime.combine(day, self.closes, tzinfo=zone)
            candidate = max(datetime.combine(day, self.opens, tzinfo=zone), local)
            while candidate < closing:
                covering = self._closure_covering(zone, candidate) if self.closures else None
                if covering is None:
                    return candidate
                candidate = covering[1]
        raise RuntimeError("no opening in the lookahead")  # no closure is entered that long
