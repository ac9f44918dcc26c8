"""Reads of routing: queues' hours and lines, the wallboard's queue figures, agents' states and
offers, the queues' settings and their history."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from django.db.models import (
    Avg,
    Case,
    Count,
    Min,
    Q,
    QuerySet,
    When,
)
from django.db.models.functions import ExtractHour
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
from contactcenter.routing import queue_rollups
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


def _percent(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _settled_today(*, configs: list[QueueConfig], start: datetime, end: datetime) -> dict[str, dict]:
    """answered, within, abandoned, asa, aht by queue of the contacts that left it in [start, end)."""
    if queue_rollups.uses_rollups():
        return {
            name: {
                "answered": row["answered"],
                "within": row["answered_within"],
                "abandoned": row["abandoned"],
                "asa": _average(row["wait_sum"], row["wait_count"]),
                "aht": _average(row["handle_sum"], row["handle_count"]),
            }
            for name, row in queue_rollups.settled_by_queue(start=start, end=end).items()
        }
    # SQLite (the bare demo): counted from the contacts.
    threshold = Case(
        *[When(queue_name=config.name, then=config.service_level_seconds) for config in configs], default=60
    )
    answered = Q(answered_at__gte=start, answered_at__lt=end)
    return {
        row["queue_name"]: row
        for row in WaitingContact.objects.filter(queue_name__in=[c.name for c in configs], consult_of__isnull=True)
        .filter(answered | Q(status=ContactStatus.ABANDONED, ended_at__gte=start, ended_at__lt=end))
        .values("queue_name")
        .annotate(
            answered=Count("id", filter=answered),
            within=Count("id", filter=answered & Q(wait_seconds__lte=threshold)),
            abandoned=Count("id", filter=Q(status=ContactStatus.ABANDONED, ended_at__gte=start, ended_at__lt=end)),
            asa=Avg("wait_seconds", filter=answered),
            aht=Avg("handle_seconds", filter=answered & Q(status=ContactStatus.COMPLETED)),
        )
    }


def queue_stats(*, now: datetime | None = None) -> list[QueueStats]:
    """One row per queue: five queries whatever the number of queues, contacts or agents.

    "Today" is the local day of settings.TIME_ZONE. Service level = answered within the queue's
    threshold / (answered + abandoned)."""
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
    today_rows = _settled_today(configs=configs, start=day_start, end=day_start + timedelta(days=1))
    agents: dict[str, dict[str, int]] = {}
    by_state = AgentState.objects.exclude(state=AgentStatus.OFFLINE).values("home_queue", "state")
    for row in by_state.annotate(n=Count("id")):
        agents.setdefault(row["home_queue"], {})[row["state"]] = row["n"]
    stats = []
    for config in configs:
        live = open_rows.get(config.name, {})
        today = today_rows.get(config.name, {})
        answered, abandoned = today.get("answered", 0), today.get("abandoned", 0)
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
                answered=answered,
                answered_within_service_level=today.get("within", 0),
                abandoned=abandoned,
                service_level_percent=_percent(today.get("within", 0), answered + abandoned),
                abandonment_percent=_percent(abandoned, answered + abandoned),
                average_speed_of_answer_seconds=today.get("asa"),
                average_handle_seconds=today.get("aht"),
                service_level_target_percent=config.service_level_target_percent,
            )
        )
    return stats


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
    """Today's live contacts hour by hour (local time): queued, answered, abandoned."""
    start, end = _day_bounds(day)
    if queue_rollups.uses_rollups():  # the same counters as the queue report, from its rollups
        rows = queue_rollups.by_hour(start=start, end=end)
        return [{"hour": hour, **rows.get(hour, {"queued": 0, "answered": 0, "abandoned": 0})} for hour in range(24)]
    rows = {
        row["hour"]: row
        for row in WaitingContact.objects.filter(enqueued_at__gte=start, enqueued_at__lt=end, consult_of__isnull=True)
        .annotate(hour=ExtractHour("enqueued_at", tzinfo=timezone.get_current_timezone()))
        .values("hour")
        .annotate(
            queued=Count("id"),
            answered=Count("id", filter=Q(answered_at__isnull=False)),
            abandoned=Count("id", filter=Q(status=ContactStatus.ABANDONED)),
        )
    }
    return [
        {"hour": hour, **{key: rows.get(hour, {}).get(key, 0) for key in ("queued", "answered", "abandoned")}}
        for hour in range(24)
    ]


def _average(total: int, count: int) -> float | None:
    return total / count if count else None


def queue_history(*, start: date, end: date, queue_name: str | None = None, language: str | None = None) -> list[dict]:
    """Day × queue × language: contacts, answered, answered within the queue's service level,
    abandoned, service level %, abandonment %, average speed of answer, average handle and wrap-up.

    Summed from 15-minute rollups, the stale intervals counted from the contacts (queue_rollups)."""
    result = []
    for row in queue_rollups.by_day(
        start=_day_bounds(start)[0], end=_day_bounds(end)[1], queue_name=queue_name, language=language
    ):
        settled = row["answered"] + row["abandoned"]
        result.append(
            {
                "day": row["day"],
                "queue_name": row["queue_name"],
                "language": row["language"],
                "contacts": row["contacts"],
                "answered": row["answered"],
                "within": row["answered_within"],
                "abandoned": row["abandoned"],
                "asa": _average(row["wait_sum"], row["wait_count"]),
                "aht": _average(row["handle_sum"], row["handle_count"]),
                "wrap": _average(row["wrap_sum"], row["wrap_count"]),
                "wrap_total": row["wrap_sum"] if row["wrap_count"] else None,
                "service_level_percent": _percent(row["answered_within"], settled),
                "abandonment_percent": _percent(row["abandoned"], settled),
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
    "QueueStats",
    "agent_allowed_actions",
    "agent_offer_for",
    "agents_signed_on",
    "call_sids_in_line",
    "closure_get",
    "closures_list",
    "contacts_by_hour",
    "live_contact_allowed_actions",
    "not_ready_reasons",
    "queue_config_get",
    "queue_configs_list",
    "queue_history",
    "queue_hours",
    "queue_hours_forget",
    "queue_position",
    "queue_stats",
    "reason_label",
    "tier2_officers_signed_in",
    "waiting_contact_for_call",
    "wrap_up_pending_contact_id",
]
