"""The wallboard's shared figures: what every supervisor sees alike, computed once per refresh
interval for all of them (`wallboard.shared`) — by the worker ahead of the viewers while anyone
watches, else by the first viewer of the interval."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import get_language

from contactcenter import selectors
from contactcenter.consoles.wallboard import TooSlow, section, shared
from contactcenter.models import AgentStatus, Language
from contactcenter.routing.opening_hours import QueueHours

REPORT_DEFAULT_DAYS = 7  # the wallboard's "last 7 days" and the reports' default period


def periods(now: datetime) -> dict[str, tuple[datetime, datetime]]:
    """The wallboard's periods, in whole local days as the reports count them: "today" from local
    midnight, "last_7_days" from the midnight six days before (the reports' default period)."""
    start_of_day = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return {
        "today": (start_of_day, now),
        "last_7_days": (
            timezone.make_aware(
                datetime.combine(start_of_day.date() - timedelta(days=REPORT_DEFAULT_DAYS - 1), time())
            ),
            now,
        ),
    }


def default_report_days(today: date) -> tuple[date, date]:
    """The reports' default period: the days of the wallboard's "last 7 days"."""
    return today - timedelta(days=REPORT_DEFAULT_DAYS - 1), today


@dataclass(frozen=True)
class WallboardAgent:
    """An agent row as the wallboard shows it: what every viewer shares, nothing more, cached."""

    username: str
    full_name: str
    home_queue: str
    state: str
    state_since: datetime
    reason_code: str = ""
    reason_en: str = ""
    reason_es: str = ""
    user_id: int = 0

    @property
    def state_label(self) -> str:
        return AgentStatus(self.state).label

    @property
    def reason_label(self) -> str:
        return self.reason_es if get_language() == "es" else self.reason_en


@dataclass(frozen=True)
class WallboardCall:
    """A call an agent is on, as the live monitor shows it (no caller's details: queue and language)."""

    contact_id: int
    agent_username: str
    agent_name: str
    queue_name: str
    language: str
    talk_seconds: int
    hold_seconds: int | None
    monitors: tuple[tuple[str, str], ...] = ()  # (supervisor's name, mode)

    @property
    def language_label(self) -> str:
        return Language(self.language).label if self.language in Language.values else self.language


def calls(now: datetime) -> list[WallboardCall]:
    sessions: dict[int, list[tuple[str, str]]] = {}
    for session in selectors.monitor_sessions_open():
        name = session.supervisor.get_full_name() or session.supervisor.get_username()
        sessions.setdefault(session.contact_id, []).append((name, session.mode))
    calls = []
    for contact in selectors.calls_connected():
        agent = contact.offered_to
        since = contact.answered_at or contact.offered_at or now
        calls.append(
            WallboardCall(
                contact_id=contact.pk,
                agent_username=agent.get_username(),
                agent_name=agent.get_full_name() or agent.get_username(),
                queue_name=contact.queue_name,
                language=contact.language,
                talk_seconds=max(int((now - since).total_seconds()), 0),
                hold_seconds=max(int((now - contact.on_hold_since).total_seconds()), 0)
                if contact.on_hold_since
                else None,
                monitors=tuple(sessions.get(contact.pk, ())),
            )
        )
    return calls


def opening_hour(day: date, hours: list[QueueHours]) -> int:
    """The local hour the center opens on `day`: the earliest opening of its queues (a queue kept
    in each caller's own zone opens first in the center's zone)."""
    found = []
    for queue_hours in hours:
        opens = datetime.combine(day, queue_hours.opens)
        if queue_hours.time_zone:
            opens = opens.replace(tzinfo=ZoneInfo(queue_hours.time_zone))
        else:
            opens = timezone.make_aware(opens)
        local = timezone.localtime(opens)
        found.append(local.hour if local.date() == day else 0)
    return min(found, default=0)


def hours_by_bar(now: datetime, queue_hours: list[QueueHours] | None = None) -> list[dict]:
    """Today hour by hour from the center's opening (or the first hour with contacts, if earlier)
    to this hour. `queue_hours`: the queues' hours when the caller has read them already."""
    today = timezone.localdate(now)
    if queue_hours is None:
        queue_hours = [config.hours for config in selectors.queue_configs_list() if config.active]
    hours = selectors.contacts_by_hour(day=today)
    first = min([opening_hour(today, queue_hours)] + [row["hour"] for row in hours if row["queued"]])
    peak = max([row["queued"] for row in hours] + [1])
    for row in hours:
        row["queued_percent"] = round(100 * row["queued"] / peak)
        row["answered_percent"] = round(100 * row["answered"] / peak)
    return [row for row in hours if first <= row["hour"] <= timezone.localtime(now).hour]


def live() -> dict:
    """The live part's figures, each its own section: one cancelled by the timeout leaves the rest."""
    now = timezone.now()
    rates = {
        "containment": selectors.ivr_containment,
        "tier2": selectors.tier2_transfer_rate,
        "fcr": selectors.first_contact_resolution,
    }
    stats = section("queues", lambda: selectors.queue_stats(now=now))
    queue_hours = None if isinstance(stats, TooSlow) else [row.hours for row in stats]
    return {
        "now": now,
        "queue_stats": stats,
        "figures": {
            key: {
                name: section(f"{key}-{name}", lambda rate=rate, start=start, end=end: rate(start=start, end=end))
                for name, rate in rates.items()
            }
            for key, (start, end) in periods(now).items()
        },
        "agents": section("agents", agents),
        "calls": section("calls", lambda: calls(now)),
        "hours": section("hours", lambda: hours_by_bar(now, queue_hours)),
    }


def agents() -> list[WallboardAgent]:
    agents = list(selectors.agents_signed_on()[:200])
    reasons = selectors.not_ready_reasons(active_only=False) if any(agent.reason_code for agent in agents) else []
    return [
        WallboardAgent(
            username=agent.user.username,
            full_name=agent.user.get_full_name(),
            home_queue=agent.home_queue,
            state=agent.state,
            state_since=agent.state_since,
            reason_code=agent.reason_code,
            reason_en=selectors.reason_label(reasons, agent.reason_code, "en") if agent.reason_code else "",
            reason_es=selectors.reason_label(reasons, agent.reason_code, "es") if agent.reason_code else "",
            user_id=agent.user_id,
        )
        for agent in agents
    ]


def volume() -> dict:
    def compute() -> dict:
        now = timezone.now()
        start = periods(now)["last_7_days"][0]
        volume = selectors.contact_volume_by_topic(start=start, end=now, period="day")
        by_channel: dict[str, int] = {}
        by_topic: dict[str, int] = {}
        for row in volume:
            by_channel[row["channel"]] = by_channel.get(row["channel"], 0) + row["contacts"]
            by_topic[row["topic__code"]] = by_topic.get(row["topic__code"], 0) + row["contacts"]
        topics = {topic.code: topic for topic in selectors.topic_list(active_only=False)}
        return {
            "by_channel": sorted(by_channel.items()),
            "by_topic": sorted(((topics[code], count) for code, count in by_topic.items()), key=lambda pair: -pair[1]),
        }

    return {"volume": section("volume", compute)}


def reasons() -> dict:
    return {"reasons": selectors.not_ready_reasons()}


# What every supervisor shares, by the name the cache keeps it under (`wallboard.shared`); the worker
# computes them ahead of the viewers (`wallboard.prefill`, the beat's wallboard-prefill).
SHARED: dict[str, Callable[[], dict]] = {"live": live, "volume": volume, "reasons": reasons}


def read(name: str) -> dict:
    """The shared set `name` for this refresh interval: the worker's, or computed once here."""
    return shared(name, SHARED[name])
