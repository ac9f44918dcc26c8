"""iCalendar (RFC 5545) for engagements, built with the `icalendar` library."""

from __future__ import annotations

from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from .models import Engagement

PRODID = "-//USCIS NCSC//Public Engagement//EN"


def _event(engagement: Engagement) -> Event:
    zone = ZoneInfo(engagement.time_zone)
    event = Event()
    event.add("uid", f"{engagement.uid}@ncsc-outreach")
    event.add("dtstamp", timezone.now())
    event.add("sequence", engagement.sequence)
    event.add("status", "CANCELLED" if engagement.cancelled_at else "CONFIRMED")
    event.add("summary", engagement.title)
    event.add("dtstart", engagement.starts_at.astimezone(zone))
    event.add("dtend", engagement.ends_at.astimezone(zone))
    location = ", ".join(part for part in (engagement.venue, engagement.address) if part) or engagement.call_in
    if location:
        event.add("location", location)
    description = engagement.description
    if engagement.call_in:
        description = f"{description}\n\nCall-in: {engagement.call_in}".strip()
    if description:
        event.add("description", description)
    event.add("url", settings.PUBLIC_BASE_URL + reverse("outreach:engagement-public", args=[engagement.pk]))
    return event


def calendar_for(engagements: Iterable[Engagement], *, name: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    for engagement in engagements:
        calendar.add_component(_event(engagement))
    calendar.add_missing_timezones()
    return calendar.to_ical()
