"""Reads of routing: queues' hours and lines, the wallboard's queue figures, agents' states and
offers, the queues' settings and their history."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from django.db.models import Count, Min, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from contactcenter.models import (
    OPEN_CONTACT_STATUSES,
    AgentState,
    AgentStateChange,
    AgentStatus,
    CenterClosure,
    ContactKind,
    ContactStatus,
    NotReadyReason,
    QueueConfig,
    WaitingContact,
)
from contactcenter.routing import metrics, queue_rollups
from contactcenter.routing.hours import TIER1_HOURS, QueueHours
from contactcenter.routing.workflows import AGENT, LIVE_CONTACT

# --- queues -------------------------------------------------------------------------------------
DEFAULT_SECONDS_PER_CONTACT = 180


_QUEUE_HOURS_TTL_SECONDS = 30
_queue_hours_cache: dict[str, tuple[float, QueueHours]] = {}


def queue_hours(*, queue_name: str) -> QueueHours:
    """A queue's hours, read at most every 30 s per process (the IVR asks on every hand-off and
    the callback sweep for every zone); an admin edit clears it at once in the editing process."""
    cached = _queue_hours_cache.get(queue_name)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    config = QueueConfig.objects.filter(name=queue_name).first()
    found = config.hours if config is not None else TIER1_HOURS
    # Closures still to come or under way anywhere (a day either side of the agency's date covers
    # every zone); the sweep reads these every minute, so they come with the hours and their cache.
    closures = tuple(
        closure.closure
        for closure in CenterClosure.objects.filter(last_day__gte=timezone.localdate() - timedelta(days=1))
        if closure.applies_to(queue_name)
    )
    if closures:
        found = replace(found, closures=closures)
    _queue_hours_cache[queue_name] = (time.monotonic() + _QUEUE_HOURS_TTL_SECONDS, found)
    return found


def queue_hours_forget() -> None:
    _queue_hours_cache.clear()


def closures_list() -> list[CenterClosure]:
    """Closures for the supervisors' page: those under way or to come (the audit log keeps the past)."""
    return list(CenterClosure.objects.filter(last_day__gte=timezone.localdate() - timedelta(days=1)))


def closure_get(*, closure_id: int) -> CenterClosure | None:
    return CenterClosure.objects.filter(pk=closure_id).first()


def queue_position(*, contact: WaitingContact) -> tuple[int, int]:
    """(1-based place in line, estimated wait in seconds) for a waiting contact."""
    ahead = (
        WaitingContact.objects.filter(queue_name=contact.queue_name, status__in=OPEN_CONTACT_STATUSES)
        .filter(
            Q(priority__gt=contact.priority)
            | Q(priority=contact.priority, enqueued_at__lt=contact.enqueued_at)
            | Q(priority=contact.priority, enqueued_at=contact.enqueued_at, id__lt=contact.id)
        )
        .count()
    )
    return ahead + 1, (ahead + 1) * DEFAULT_SECONDS_PER_CONTACT


def waiting_contact_for_call(*, call_sid: str) -> WaitingContact | None:
    return WaitingContact.objects.filter(call_sid=call_sid).first()


def call_sids_in_line(*, limit: int = 2000) -> list[str]:
    """The calls of contacts waiting or offered: callers still in line for a person."""
    return list(
        WaitingContact.objects.filter(status__in=OPEN_CONTACT_STATUSES, call_sid__isnull=False)
        .exclude(call_sid="")
        .values_list("call_sid", flat=True)[:limit]
    )


# --- routing ------------------------------------------------------------------------------------
# Live queue figures for the wallboard, and the offer an agent's console shows.


@dataclass(frozen=True)
class QueueStats:
    name: str
    service_level_seconds: int
    hours: QueueHours
    waiting: int
    offered: int
    callbacks_pending: int
    longest_wait_seconds: int
    agents: dict[str, int]
    answered: int
    answered_within_service_level: int
    abandoned: int
    service_level_percent: float | None
    abandonment_percent: float | None
    average_speed_of_answer_seconds: float | None
    average_handle_seconds: float | None
    service_level_target_percent: int = 80
    abandoned_short: int = 0
    short_abandon_seconds: int = 5
    longest_wait_amber_seconds: int = 60
    longest_wait_red_seconds: int = 120
    abandonment_amber_percent: int = 5
    abandonment_red_percent: int = 10

    @property
    def agents_signed_on(self) -> int:
        return sum(self.agents.values())

    @property
    def unstaffed(self) -> bool:
        """Callers wait and no agent of the queue is signed on: nobody will answer them."""
        return bool(self.waiting) and not self.agents_signed_on

    @property
    def longest_wait_level(self) -> str:
        """ "red", "amber" or "" against the queue's longest-wait thresholds."""
        if not self.waiting:
            return ""
        if self.longest_wait_seconds >= self.longest_wait_red_seconds:
            return "red"
        return "amber" if self.longest_wait_seconds >= self.longest_wait_amber_seconds else ""

    @property
    def abandonment_level(self) -> str:
        rate = self.abandonment_percent
        if rate is None:
            return ""
        if rate >= self.abandonment_red_percent:
            return "red"
        return "amber" if rate >= self.abandonment_amber_percent else ""

    @property
    def service_level_level(self) -> str:
        """Red below the target by more than SERVICE_LEVEL_RED_POINTS, amber below it."""
        level = self.service_level_percent
        if level is None or level >= self.service_level_target_percent:
            return ""
        return "red" if level < self.service_level_target_percent - SERVICE_LEVEL_RED_POINTS else "amber"


SERVICE_LEVEL_RED_POINTS = 10


def _settled_today(*, start: datetime, end: datetime) -> dict[str, dict]:
    """The figures (metrics.queue_figures) by queue of the contacts that left it in [start, end)."""
    return {
        name: metrics.queue_figures(row) for name, row in queue_rollups.settled_by_queue(start=start, end=end).items()
    }


def queue_stats(*, now: datetime | None = None) -> list[QueueStats]:
    """One row per queue: five queries whatever the number of queues, contacts or agents.

    "Today" is the local day of settings.TIME_ZONE (`queue_period_totals` for the same period reads
    the same figures). Service level and abandonment as metrics.queue_figures defines them."""
    now = now or timezone.now()
    day_start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    configs = list(QueueConfig.objects.order_by("name"))
    names = [config.name for config in configs]
    open_rows = {
        row["queue_name"]: row
        # A consult is no caller in its queue (queue_rollups.COUNTED).
        for row in WaitingContact.objects.filter(
            queue_name__in=names, status__in=OPEN_CONTACT_STATUSES, consult_of__isnull=True
        )
        .values("queue_name")
        .annotate(
            waiting=Count("id", filter=Q(status=ContactStatus.WAITING)),
            offered=Count("id", filter=Q(status=ContactStatus.OFFERED)),
            callbacks=Count("id", filter=Q(kind=ContactKind.CALLBACK)),
            oldest=Min("enqueued_at", filter=Q(status=ContactStatus.WAITING)),
        )
    }
    today_rows = _settled_today(start=day_start, end=day_start + timedelta(days=1))
    agents: dict[str, dict[str, int]] = {}
    by_state = AgentState.objects.exclude(state=AgentStatus.OFFLINE).values("home_queue", "state")
    for row in by_state.annotate(n=Count("id")):
        agents.setdefault(row["home_queue"], {})[row["state"]] = row["n"]
    stats = []
    for config in configs:
        live = open_rows.get(config.name, {})
        today = today_rows.get(config.name) or metrics.queue_figures({})
        oldest = live.get("oldest")
        stats.append(
            QueueStats(
                name=config.name,
                service_level_seconds=config.service_level_seconds,
                hours=config.hours,
                waiting=live.get("waiting", 0),
                offered=live.get("offered", 0),
                callbacks_pending=live.get("callbacks", 0),
                longest_wait_seconds=max(int((now - oldest).total_seconds()), 0) if oldest else 0,
                agents=agents.get(config.name, {}),
                answered=today["answered"],
                answered_within_service_level=today["within"],
                abandoned=today["abandoned"],
                service_level_percent=today["service_level_percent"],
                abandonment_percent=today["abandonment_percent"],
                average_speed_of_answer_seconds=today["asa"],
                average_handle_seconds=today["aht"],
                service_level_target_percent=config.service_level_target_percent,
                abandoned_short=today["abandoned_short"],
                short_abandon_seconds=config.short_abandon_seconds,
                longest_wait_amber_seconds=config.longest_wait_amber_seconds,
                longest_wait_red_seconds=config.longest_wait_red_seconds,
                abandonment_amber_percent=config.abandonment_amber_percent,
                abandonment_red_percent=config.abandonment_red_percent,
            )
        )
    return stats


def queue_period_totals(*, start: datetime, end: datetime) -> dict[str, dict]:
    """The figures by queue of the contacts that left their queue in [start, end): the wallboard's
    "today" and the queue report's totals, one rule for both."""
    return _settled_today(start=start, end=end)


def agent_offer_for(*, user) -> WaitingContact | None:
    """The contact currently offered to (or connected with) the agent, if any."""
    return (
        WaitingContact.objects.filter(offered_to=user, status__in=[ContactStatus.OFFERED, ContactStatus.CONNECTED])
        .order_by("-offered_at")
        .first()
    )


def not_ready_reasons(*, active_only: bool = True) -> list[NotReadyReason]:
    reasons = NotReadyReason.objects.order_by("order", "code")
    return list(reasons.filter(active=True) if active_only else reasons)


def reason_label(reasons: list[NotReadyReason], code: str, language: str) -> str:
    """The label of a reason code in the reader's language (the code itself once the reason is gone)."""
    for reason in reasons:
        if reason.code == code:
            return reason.label_for(language)
    return code


def queue_configs_list() -> list[QueueConfig]:
    return list(QueueConfig.objects.order_by("tier", "name"))


def queue_config_get(*, name: str) -> QueueConfig | None:
    return QueueConfig.objects.filter(name=name).first()


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    return start, start + timedelta(days=1)


def contacts_by_hour(*, day: date) -> list[dict]:
    """Today's live contacts hour by hour (local time): queued, answered, abandoned (short abandons
    left out), the same counters as the queue report, from its rollups."""
    start, end = _day_bounds(day)
    rows = queue_rollups.by_hour(start=start, end=end)
    return [{"hour": hour, **rows.get(hour, {"queued": 0, "answered": 0, "abandoned": 0})} for hour in range(24)]


def queue_history(*, start: date, end: date, queue_name: str | None = None, language: str | None = None) -> list[dict]:
    """Day × queue × language: contacts, answered, answered within the queue's service level,
    abandoned (short abandons apart), service level %, abandonment %, average speed of answer,
    average handle time and wrap-up (metrics.queue_figures).

    Summed from 15-minute rollups, the stale intervals counted from the contacts (queue_rollups)."""
    return [
        {"day": row["day"], "queue_name": row["queue_name"], "language": row["language"], **metrics.queue_figures(row)}
        for row in queue_rollups.by_day(
            start=_day_bounds(start)[0], end=_day_bounds(end)[1], queue_name=queue_name, language=language
        )
    ]


def queue_by_interval(
    *, start: date, end: date, minutes: int = 30, queue_name: str | None = None, language: str | None = None
) -> list[dict]:
    """The queue figures (metrics.queue_figures) by interval of `minutes` (15 or 30) over the
    days [start, end], from the same rollups as the queue report: [{"start", **figures}]."""
    return [
        {"start": row["start"], **metrics.queue_figures(row)}
        for row in queue_rollups.by_interval(
            start=_day_bounds(start)[0],
            end=_day_bounds(end)[1],
            minutes=minutes,
            queue_name=queue_name,
            language=language,
        )
    ]


def agent_figures(*, start: date, end: date, queue_name: str | None = None) -> list[dict]:
    """Per agent, the conversations they answered in the days [start, end]: answered, completed,
    average handle time (talk + hold + after-call work, as metrics.queue_figures), average talk and
    hold, average after-call work. Read by the answered-at index over the period alone."""
    lo, hi = _day_bounds(start)[0], _day_bounds(end)[1]
    contacts = WaitingContact.objects.filter(
        answered_at__gte=lo, answered_at__lt=hi, consult_of__isnull=True, offered_to__isnull=False
    )
    if queue_name:
        contacts = contacts.filter(queue_name=queue_name)
    completed = Q(status=ContactStatus.COMPLETED)
    rows = (
        contacts.values("offered_to", "offered_to__username", "offered_to__first_name", "offered_to__last_name")
        .annotate(
            answered=Count("id"),
            completed=Count("id", filter=completed),
            talk_sum=Sum(Coalesce("handle_seconds", 0), filter=completed),
            wrap_sum=Sum(Coalesce("wrap_up_seconds", 0), filter=completed),
            wrap_count=Count("id", filter=completed & Q(wrap_up_seconds__isnull=False)),
            handle_count=Count("id", filter=completed & Q(handle_seconds__isnull=False)),
        )
        .order_by("offered_to__username")
    )
    result = []
    for row in rows:
        talk, wrap = row["talk_sum"] or 0, row["wrap_sum"] or 0
        name = f"{row['offered_to__first_name']} {row['offered_to__last_name']}".strip()
        result.append(
            {
                "username": row["offered_to__username"],
                "name": name or row["offered_to__username"],
                "answered": row["answered"],
                "completed": row["completed"],
                "aht": metrics.queue_figures({"handle_sum": talk + wrap, "handle_count": row["handle_count"]})["aht"],
                "talk": metrics.average(talk, row["handle_count"]),
                "wrap": metrics.average(wrap, row["wrap_count"]),
            }
        )
    return result


def agents_signed_on() -> QuerySet[AgentState]:
    """Every agent not offline, longest in their state first: the wallboard's agent list."""
    return (
        AgentState.objects.exclude(state=AgentStatus.OFFLINE)
        .select_related("user")
        .order_by("home_queue", "state_since", "id")
    )


def tier2_officers_signed_in() -> dict[str, int]:
    """Tier 2 officers signed in now (any state but offline) who could take an escalation in each
    language: homed in that language's Tier 2 queue, or speaking it (they take it on overflow)."""
    from contactcenter.models import Language, Tier

    signed_in = AgentState.objects.filter(tier=Tier.TIER2).exclude(state=AgentStatus.OFFLINE)
    return {
        code: signed_in.filter(Q(home_queue=f"tier2-{code}") | Q(languages__contains=f",{code},")).count()
        for code in Language.values
    }


# --- what agents may do -------------------------------------------------------------------------
def wrap_up_pending_contact_id(*, user) -> int | None:
    """The contact an agent still has to wrap up: the one their last move into wrap-up names, while
    it has no wrap-up time (a callback nobody answered is back in line, so the contact's own agent
    field cannot say)."""
    last = (
        AgentStateChange.objects.filter(agent=user, to_state=AgentStatus.WRAP_UP)
        .order_by("-at", "-id")
        .values_list("contact_id", flat=True)
        .first()
    )
    if last is None or not WaitingContact.objects.filter(pk=last, wrap_up_seconds__isnull=True).exists():
        return None
    return last


def live_contact_allowed_actions(*, contact: WaitingContact, user) -> frozenset[str]:
    """What `user` (None: the system) may do with the live contact now (routing.workflows.LIVE_CONTACT)."""
    return LIVE_CONTACT.allowed_actions(contact, user)


def agent_allowed_actions(*, agent: AgentState | None, user) -> frozenset[str]:
    """The states the agent may choose now (routing.workflows.AGENT); an agent never signed on is offline."""
    return AGENT.allowed_actions(agent if agent is not None else AgentState(user=user), user)


# What the selectors facade (contactcenter.selectors) gathers: this domain's reads, not what it imports.
__all__ = [
    "DEFAULT_SECONDS_PER_CONTACT",
    "SERVICE_LEVEL_RED_POINTS",
    "QueueStats",
    "agent_allowed_actions",
    "agent_figures",
    "agent_offer_for",
    "agents_signed_on",
    "call_sids_in_line",
    "closure_get",
    "closures_list",
    "contacts_by_hour",
    "live_contact_allowed_actions",
    "not_ready_reasons",
    "queue_by_interval",
    "queue_config_get",
    "queue_configs_list",
    "queue_history",
    "queue_hours",
    "queue_hours_forget",
    "queue_period_totals",
    "queue_position",
    "queue_stats",
    "reason_label",
    "tier2_officers_signed_in",
    "waiting_contact_for_call",
    "wrap_up_pending_contact_id",
]
