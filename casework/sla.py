"""Business-day arithmetic for CAO's SLA clocks: weekends and federal holidays do not count."""

from __future__ import annotations

from datetime import date

from contactcenter.routing.hours import business_days_after, business_days_until

from .models import Source

# Used when an administrator has not configured a source's target (SlaTarget rows override).
DEFAULT_BUSINESS_DAYS = {
    Source.WHITE_HOUSE: 10,
    Source.DIRECTOR: 10,
    Source.DHS: 10,
    Source.CIS_OMBUDSMAN: 15,
    Source.CRCL: 15,
    Source.OSI: 15,
    Source.CONGRESSIONAL: 15,
    Source.TSA_TRIP: 30,
    Source.PUBLIC: 30,
    Source.OTHER: 30,
}
DEFAULT_DUE_SOON_DAYS = 2
DEFAULT_SENDER_DOMAINS = {
    Source.WHITE_HOUSE: ["who.eop.gov", "eop.gov"],
    Source.CIS_OMBUDSMAN: ["cisomb.dhs.gov"],
    Source.CRCL: ["crcl.dhs.gov"],
    Source.OSI: ["osi.dhs.gov"],
    Source.TSA_TRIP: ["tsa.dhs.gov", "trip.dhs.gov"],
    Source.DHS: ["hq.dhs.gov", "dhs.gov"],
    Source.CONGRESSIONAL: ["mail.house.gov", "senate.gov", "house.gov"],
}


def add_business_days(start: date, days: int) -> date:
    """The date `days` business days after `start` (the day of receipt itself never counts)."""
    return business_days_after(start, days)


def business_days_between(start: date, end: date) -> int:
    """Business days after `start` up to and including `end` (0 when end <= start)."""
    return max(0, business_days_until(start, end))
