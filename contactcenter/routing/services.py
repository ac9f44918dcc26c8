"""The live tier's router: agents' states, offers, and the queues' configuration."""

from __future__ import annotations

import logging
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, Q, Value, When
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from contactcenter.audit.context import AuditContext
from contactcenter.audit.services import audit_record
from contactcenter.common.errors import ApplicationError
from contactcenter.models import (
    AgentState,
    AgentStateChange,
    AgentStatus,
    AuditAction,
    AuditChannel,
    AuditEvent,
    ContactKind,
    ContactStatus,
    QueueConfig,
    StaffProfile,
    Tier,
    WaitingContact,
)
from contactcenter.routing import hours, selectors
from contactcenter.routing.contacts import _route_soon, queue_name_for
from contactcenter.routing.queue_rollups_refresh import queue_rollups_mark

# Hot paths are
# written for Postgres (one statement per assignment with SKIP LOCKED); every other database runs
# the same rules through the ORM, serially.
routing_logger = logging.getLogger("contactcenter.routing")

ROUTE_DRAIN_LIMIT = 500
# The reasons a break may carry; any other reason code belongs to not ready.
BREAK_REASON_CODES = frozenset({"break", "meal"})
ENDED_STATUSES = frozenset({ContactStatus.COMPLETED, ContactStatus.CANCELLED, ContactStatus.ABANDONED})
# A consult's offer ended untaken (declined, lapsed, withdrawn), sent inside the transaction that moved
# it with context, consult, now and reason: the live tier, which builds on the router, hands the caller
# back (contactcenter/signals.py connects it).
consult_not_taken = Signal()


@dataclass(frozen=True)
class Assignment:
    contact_id: int
    agent_id: int
    queue_name: str
    offer_expires_at: datetime


def _codes(codes: Iterable[str]) -> str:
    """`,en,es,`: one column a single `position()` or `LIKE` can search for `,code,`."""
    codes = list(codes)
    return "," + ",".join(codes) + "," if codes else ""


def _agent_state_for_update(user) -> AgentState:
    """The agent's row, locked, created from their staff profile on first use."""
    agent = AgentState.objects.select_for_update().filter(user=user).first()
    if agent is not None:
        return agent
    profile = StaffProfile.objects.filter(user=user).first()
    if profile is None or profile.tier == Tier.NONE:
        raise ApplicationError(_("Only Tier 1 and Tier 2 staff take contacts."))
    AgentState.objects.get_or_create(user=user)
    return AgentState.objects.select_for_update().get(user=user)


def _agent_move(
    *,
    context: AuditContext,
    agent: AgentState,
    to_state: str,
    reason: str,
    now: datetime,
    contact: WaitingContact | None = None,
    reason_code: str = "",
) -> AgentState:
    from_state = agent.state
    agent.state = to_state
    agent.state_since = now
    agent.reason_code = reason_code
    agent.wrap_up_extended = False
    fields = ["state", "state_since", "reason_code", "wrap_up_extended"]
    if to_state == AgentStatus.AVAILABLE:
        profile = StaffProfile.objects.filter(user_id=agent.user_id).first()
        if profile is None or profile.tier == Tier.NONE or not profile.languages:
            raise ApplicationError(_("Only Tier 1 and Tier 2 staff with a language take contacts."))
        agent.tier = profile.tier
        agent.languages = _codes(profile.languages)
        agent.skills = _codes(profile.skills)[:600]
        agent.home_queue = queue_name_for(tier=profile.tier, language=profile.languages[0])
        agent.last_available_at = now
        fields += ["tier", "languages", "skills", "home_queue", "last_available_at"]
    agent.save(update_fields=fields)
    AgentStateChange.objects.create(
        agent_id=agent.user_id,
        from_state=from_state,
        to_state=to_state,
        at=now,
        reason=reason[:200],
        reason_code=reason_code,
        contact=contact,
    )
    audit_record(
        context=context,
        action=AuditAction.UPDATE,
        target_type="contactcenter.agentstate",
        target_id=agent.pk,
        summary=f"Agent {from_state} → {to_state}"
        + (f" [{reason_code}]" if reason_code else "")
        + (f": {reason}" if reason else ""),
    )
    return agent


def _reason_code_check(*, state: str, reason_code: str) -> str:
    """Not ready needs one of the center's active reasons; a break may say "break" or "meal"; any
    other state carries none."""
    from contactcenter.models import NotReadyReason

    if state == AgentStatus.NOT_READY:
        if not reason_code or not NotReadyReason.objects.filter(code=reason_code, active=True).exists():
            raise ApplicationError(
                _("Choose why you are not ready."), field="reason_code", extra={"reason_code": reason_code}
            )
        return reason_code
    if state == AgentStatus.BREAK and reason_code:
        if reason_code not in BREAK_REASON_CODES:
            raise ApplicationError(
                _("A break is a break or a meal; choose “Not ready” for any other reason."),
                field="reason_code",
                extra={"reason_code": reason_code},
            )
        return reason_code
    return ""


def agent_state_set(
    *,
    context: AuditContext,
    user,
    state: str,
    reason: str = "",
    reason_code: str = "",
    now: datetime | None = None,
) -> AgentState:
    """An agent (or their supervisor) changes the agent's state, with a reason code for not ready.
    Setting the current state (and reason) again changes nothing."""
    now = now or timezone.now()
    if state not in AgentStatus.values:
        raise ApplicationError(_("Unknown agent state %(state)r.") % {"state": state})
    with transaction.atomic():
        agent = _agent_state_for_update(user)
        if agent.state == state and agent.reason_code == _reason_code_check(state=state, reason_code=reason_code):
            return agent
        if state not in selectors.agent_allowed_actions(agent=agent, user=user):
            raise ApplicationError(
                _("An agent cannot go from %(from)s to %(to)s directly.")
                % {"from": agent.get_state_display(), "to": AgentStatus(state).label},
                extra={"from": agent.state, "to": state},
            )
        # Wrap-up with a contact still to wrap up is left only through contact_wrap_up (its form
        # offers the next state); the plain change out of it is for a wrap-up with no contact left.
        pending = (
            selectors.wrap_up_pending_contact_id(user=agent.user_id) if agent.state == AgentStatus.WRAP_UP else None
        )
        if pending is not None:
            raise ApplicationError(
                _("Finish the wrap-up first: choose the disposition and your next status in the wrap-up form."),
                extra={"from": agent.state, "to": state, "contact_id": pending},
            )
        reason_code = _reason_code_check(state=state, reason_code=reason_code)
        _agent_move(context=context, agent=agent, to_state=state, reason=reason, now=now, reason_code=reason_code)
        if state == AgentStatus.AVAILABLE:
            _route_soon(queue_name=agent.home_queue)
    return agent


# The not-ready reason a softphone failure records (the browser reports it; see agent_device_problem).
DEVICE_PROBLEM_REASON = "device problem"


def agent_device_problem(*, context: AuditContext, user, detail: str = "", now: datetime | None = None) -> AgentState:
    """The agent's softphone failed or lost its registration: an agent who could be offered a call
    (available, or offered one) becomes not ready with the reason, never left available and
    unreachable; a call offered to them goes back to its place in line. An agent in any other state
    (on a call, on break, offline, in wrap-up) is left as they are."""
    now = now or timezone.now()
    with transaction.atomic():
        agent = _agent_state_for_update(user)
        if agent.state not in (AgentStatus.AVAILABLE, AgentStatus.OFFERED):
            return agent
        contact = None
        if agent.state == AgentStatus.OFFERED:
            contact = (
                WaitingContact.objects.select_for_update()
                .filter(offered_to=user, status=ContactStatus.OFFERED)
                .order_by("offered_at")
                .first()
            )
        reason = DEVICE_PROBLEM_REASON + (f": {detail}" if detail else "")
        _agent_move(
            context=context,
            agent=agent,
            to_state=AgentStatus.NOT_READY,
            reason=reason,
            now=now,
            contact=contact,
            reason_code="device_problem",
        )
        if contact is not None:
            offer_withdraw(context=context, contact=contact, why=DEVICE_PROBLEM_REASON, now=now)
    return agent


def offer_withdraw(*, context: AuditContext, contact: WaitingContact, why: str, now: datetime) -> None:
    """An offer its agent can no longer take (call inside the transaction that moved the agent): a
    consult gives the asking agent their caller back; any other contact goes back to its place in line."""
    if contact.consult_of_id is not None:
        _consult_unanswered(context=context, consult=contact, now=now, reason=why)
        return
    _back_in_line(contact)
    audit_record(
        context=context,
        action=AuditAction.UPDATE,
        target_type="contactcenter.waitingcontact",
        target_id=contact.pk,
        summary=f"Offer withdrawn ({why}); back in {contact.queue_name} in its place",
    )
    _route_soon(queue_name=contact.queue_name)


@lru_cache(maxsize=16)
def _zones_open(minute: datetime, queue_hours: hours.QueueHours) -> tuple[str, ...]:
    return tuple(
        sorted(zone for zone in zoneinfo.available_timezones() if queue_hours.open_at(caller_time_zone=zone, at=minute))
    )


def callback_zones_open(*, now: datetime, queue_name: str) -> tuple[str, ...]:
    """Time zones where the queue is open now: a callback is dialled only when its caller's zone is one."""
    if settings.TIER1_ALWAYS_OPEN:
        return tuple(sorted(zoneinfo.available_timezones()))
    # Queue hours are set to the minute, so the answer holds for the whole minute.
    queue_hours = selectors.queue_hours(queue_name=queue_name)
    return _zones_open(now.replace(second=0, microsecond=0), queue_hours)


def _contact_eligible(*, now: datetime, queue_name: str) -> Q:
    return Q(kind=ContactKind.CALL) | Q(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
        kind=ContactKind.CALLBACK,
        caller_time_zone__in=callback_zones_open(now=now, queue_name=queue_name),
    )


_ROUTE_SQL = """
WITH cfg AS (
    SELECT name, offer_timeout_seconds, overflow_after_seconds, overflow_to FROM {queue}
    WHERE name = %(queue)s AND active
), c AS (
    SELECT w.id, w.language, w.queue_name, w.enqueued_at, w.skill FROM {contact} w
    WHERE w.queue_name = %(queue)s AND w.status = 'waiting' AND EXISTS (SELECT 1 FROM cfg)
      AND (w.kind = 'call' OR (w.kind = 'callback' AND w.caller_time_zone = ANY(%(zones)s)
           AND (w.next_attempt_at IS NULL OR w.next_attempt_at <= %(now)s)))
    ORDER BY w.priority DESC, w.enqueued_at, w.id
    LIMIT 1 FOR UPDATE OF w SKIP LOCKED
), a AS (
    SELECT s.id, s.user_id, s.state FROM {agent} s, c, cfg
    WHERE s.state = 'available' AND (
        s.home_queue = c.queue_name
        OR (cfg.overflow_after_seconds IS NOT NULL
            AND c.enqueued_at <= %(now)s - make_interval(secs => cfg.overflow_after_seconds)
            AND jsonb_exists(cfg.overflow_to, s.home_queue)
            AND position(',' || c.language || ',' in s.languages) > 0))
    ORDER BY (c.skill <> '' AND position(',' || c.skill || ',' in s.skills) > 0) DESC, s.last_available_at, s.id
    LIMIT 1 FOR UPDATE OF s SKIP LOCKED
), offered AS (
    UPDATE {contact} w SET status = 'offered', offered_to_id = a.user_id, offered_at = %(now)s,
        offer_expires_at = %(now)s + make_interval(secs => cfg.offer_timeout_seconds),
        attempts = w.attempts + 1, updated_at = %(now)s
    FROM a, c, cfg WHERE w.id = c.id
    RETURNING w.id, w.offer_expires_at
), agent_offered AS (
    UPDATE {agent} s SET state = 'offered', state_since = %(now)s FROM a WHERE s.id = a.id RETURNING s.id
), history AS (
    INSERT INTO {change} (agent_id, from_state, to_state, at, reason, contact_id)
    SELECT a.user_id, a.state, 'offered', %(now)s, 'routed', c.id FROM a, c RETURNING id
), audited AS (
    INSERT INTO {audit} (occurred_at, actor_id, actor_username, action, channel, target_type, target_id,
                         summary, ip_address, request_id, detail)
    SELECT %(now)s, NULL, '', 'update', %(channel)s, 'contactcenter.waitingcontact', c.id::text,
           'Offered in ' || c.queue_name || ' to agent ' || a.user_id::text, NULL, %(request_id)s, '{{}}'::jsonb
    FROM a, c RETURNING id
)
SELECT offered.id, a.user_id, offered.offer_expires_at FROM offered, a
"""


def _single_statement_routing() -> bool:
    return connection.vendor == "postgresql" and connection.features.has_select_for_update_skip_locked


def _route_next_sql(*, queue_name: str, now: datetime, context: AuditContext) -> Assignment | None:
    sql = _ROUTE_SQL.format(
        queue=QueueConfig._meta.db_table,
        contact=WaitingContact._meta.db_table,
        agent=AgentState._meta.db_table,
        change=AgentStateChange._meta.db_table,
        audit=AuditEvent._meta.db_table,
    )
    params = {
        "queue": queue_name,
        "now": now,
        "zones": list(callback_zones_open(now=now, queue_name=queue_name)),
        "channel": context.channel,
        "request_id": context.request_id or "",
    }
    # One statement is one transaction: no savepoint needed, even inside a caller's atomic block.
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    return Assignment(contact_id=row[0], agent_id=row[1], queue_name=queue_name, offer_expires_at=row[2])


def _locked(queryset):
    if connection.features.has_select_for_update_skip_locked:
        return queryset.select_for_update(skip_locked=True, of=("self",))
    return queryset.select_for_update()


def _route_next_orm(*, queue_name: str, now: datetime, context: AuditContext) -> Assignment | None:
    with transaction.atomic():
        config = QueueConfig.objects.filter(name=queue_name, active=True).first()
        if config is None:
            return None
        contact = (
            _locked(WaitingContact.objects.filter(queue_name=queue_name, status=ContactStatus.WAITING))
            .filter(_contact_eligible(now=now, queue_name=queue_name))
            .order_by("-priority", "enqueued_at", "id")
            .first()
        )
        if contact is None:
            return None
        eligible = Q(home_queue=queue_name)
        overflowing = config.overflow_after_seconds is not None and contact.enqueued_at <= now - timedelta(
            seconds=config.overflow_after_seconds
        )
        if overflowing and config.overflow_to:
            eligible |= Q(home_queue__in=config.overflow_to, languages__contains=f",{contact.language},")
        skilled = (
            Case(When(skills__contains=f",{contact.skill},", then=Value(1)), default=Value(0))
            if contact.skill
            else Value(0)
        )
        agent = (
            _locked(AgentState.objects.filter(eligible, state=AgentStatus.AVAILABLE))
            .annotate(skilled=skilled)
            .order_by("-skilled", "last_available_at", "id")
            .first()
        )
        if agent is None:
            return None
        contact.status = ContactStatus.OFFERED
        contact.offered_to_id = agent.user_id
        contact.offered_at = now
        contact.offer_expires_at = now + timedelta(seconds=config.offer_timeout_seconds)
        contact.attempts += 1
        contact.save(update_fields=["status", "offered_to", "offered_at", "offer_expires_at", "attempts", "updated_at"])
        agent.state = AgentStatus.OFFERED
        agent.state_since = now
        agent.save(update_fields=["state", "state_since"])
        AgentStateChange.objects.create(
            agent_id=agent.user_id, from_state=AgentStatus.AVAILABLE, to_state=AgentStatus.OFFERED, at=now,
            reason="routed", contact=contact,
        )  # fmt: skip
        audit_record(
            context=context,
            action=AuditAction.UPDATE,
            target_type="contactcenter.waitingcontact",
            target_id=contact.pk,
            summary=f"Offered in {queue_name} to agent {agent.user_id}",
        )
    return Assignment(
        contact_id=contact.pk, agent_id=agent.user_id, queue_name=queue_name, offer_expires_at=contact.offer_expires_at
    )


def route_next(
    *, queue_name: str, now: datetime | None = None, context: AuditContext | None = None
) -> Assignment | None:
    """Offer the queue's next contact (highest priority, then longest waiting) to the longest-idle
    eligible agent, in one transaction. None when nothing in the queue can be offered now.

    Eligible: an available agent whose home queue (tier and first language) is this queue, or, once
    the contact has waited the queue's overflow time, one homed in an overflow queue who also speaks
    the contact's language. Concurrent routers skip each other's locked rows, so no contact goes to
    two agents and no agent is offered two contacts."""
    now = now or timezone.now()
    context = context or AuditContext.system(channel=AuditChannel.TASK)
    if _single_statement_routing():
        return _route_next_sql(queue_name=queue_name, now=now, context=context)
    return _route_next_orm(queue_name=queue_name, now=now, context=context)


def route_queue_drain(*, queue_name: str, now: datetime | None = None, limit: int = ROUTE_DRAIN_LIMIT) -> int:
    """Offer contacts until the queue has nothing assignable (or `limit` offers were made)."""
    offered = 0
    while offered < limit and route_next(queue_name=queue_name, now=now) is not None:
        offered += 1
    return offered


def _contact_offered_to(*, user, contact_id: int, action: str) -> WaitingContact:
    """The agent's contact, locked, if `action` is theirs to take on it now (routing.workflows.LIVE_CONTACT)."""
    contact = WaitingContact.objects.select_for_update().filter(pk=contact_id).first()
    if contact is not None and action in selectors.live_contact_allowed_actions(contact=contact, user=user):
        return contact
    if contact is not None and contact.status in ENDED_STATUSES and contact.offered_to_id == user.pk:
        raise ApplicationError(_("This call has already ended."), extra={"contact_id": contact_id})
    raise ApplicationError(_("This contact is not yours to take."), extra={"contact_id": contact_id})


def offer_accept(*, context: AuditContext, user, contact_id: int, now: datetime | None = None) -> WaitingContact:
    now = now or timezone.now()
    with transaction.atomic():
        agent = _agent_state_for_update(user)
        contact = _contact_offered_to(user=user, contact_id=contact_id, action="accept")
        if contact.offer_expires_at is not None and contact.offer_expires_at <= now:
            raise ApplicationError(_("The offer has expired."), extra={"contact_id": contact_id})
        if agent.state != AgentStatus.OFFERED:
            raise ApplicationError(_("Only an agent with an offer can accept it."))
        contact.status = ContactStatus.CONNECTED
        contact.answered_at = now
        contact.wait_seconds = max(int((now - contact.enqueued_at).total_seconds()), 0)
        # A callback dialled again after nobody answered is a new conversation, with its own wrap-up
        # to come (the unanswered dial's was recorded in the ledger then).
        contact.wrap_up_seconds = None
        contact.save(update_fields=["status", "answered_at", "wait_seconds", "wrap_up_seconds", "updated_at"])
        queue_rollups_mark(contacts=[contact])
        _agent_move(
            context=context, agent=agent, to_state=AgentStatus.ON_CALL, reason="accepted", now=now, contact=contact
        )
    return contact


def _consult_unanswered(*, context: AuditContext, consult: WaitingContact, now: datetime, reason: str) -> None:
    consult_not_taken.send(sender=WaitingContact, context=context, consult=consult, now=now, reason=reason)


def _back_in_line(contact: WaitingContact) -> None:
    """The contact waits again in its own place: enqueued_at and priority are left as they were."""
    contact.status = ContactStatus.WAITING
    contact.offered_to = None
    contact.offered_at = None
    contact.offer_expires_at = None
    contact.save(update_fields=["status", "offered_to", "offered_at", "offer_expires_at", "updated_at"])


def offer_decline(
    *, context: AuditContext, user, contact_id: int, reason: str = "declined", now: datetime | None = None
) -> WaitingContact:
    now = now or timezone.now()
    with transaction.atomic():
        agent = _agent_state_for_update(user)
        contact = _contact_offered_to(user=user, contact_id=contact_id, action="decline")
        if contact.consult_of_id is not None:
            _consult_unanswered(context=context, consult=contact, now=now, reason=f"offer {reason}")
        else:
            _back_in_line(contact)
        if agent.state == AgentStatus.OFFERED:
            _agent_move(
                context=context, agent=agent, to_state=AgentStatus.NOT_READY, reason=reason, now=now, contact=contact
            )
        if contact.consult_of_id is not None:
            return contact
        audit_record(
            context=context,
            action=AuditAction.UPDATE,
            target_type="contactcenter.waitingcontact",
            target_id=contact.pk,
            summary=f"Offer {reason}; back in {contact.queue_name} in its place",
        )
        _route_soon(queue_name=contact.queue_name)
    return contact


def offers_expire(*, now: datetime | None = None, limit: int = 500) -> int:
    """Offers nobody answered in time: the contact goes back to its place, the agent to not ready."""
    now = now or timezone.now()
    context = AuditContext.system(channel=AuditChannel.TASK)
    expired = 0
    with transaction.atomic():
        contacts = list(
            _locked(WaitingContact.objects.filter(status=ContactStatus.OFFERED, offer_expires_at__lte=now)).order_by(
                "offer_expires_at", "id"
            )[:limit]
        )
        for contact in contacts:
            agent = _locked(AgentState.objects.filter(user_id=contact.offered_to_id)).first()
            if agent is None and AgentState.objects.filter(user_id=contact.offered_to_id).exists():
                continue  # the agent is answering right now; the next sweep settles it either way
            if contact.consult_of_id is not None:
                _consult_unanswered(context=context, consult=contact, now=now, reason="offer expired")
            else:
                _back_in_line(contact)
            if agent is not None and agent.state == AgentStatus.OFFERED:
                _agent_move(
                    context=context,
                    agent=agent,
                    to_state=AgentStatus.NOT_READY,
                    reason="offer expired",
                    now=now,
                    contact=contact,
                )
            audit_record(
                context=context,
                action=AuditAction.UPDATE,
                target_type="contactcenter.waitingcontact",
                target_id=contact.pk,
                summary=f"Offer expired; back in {contact.queue_name} in its place"
                if contact.consult_of_id is None
                else "Consult offer expired",
            )
            expired += 1
    return expired


def contact_complete(
    *,
    context: AuditContext,
    user,
    contact_id: int,
    reached: bool = True,
    now: datetime | None = None,
) -> WaitingContact:
    """The agent ends the contact and goes to wrap-up. A callback whose caller did not answer
    waits again (keeping its place) CALLBACK_RETRY_MINUTES later, up to CALLBACK_MAX_ATTEMPTS dials."""
    now = now or timezone.now()
    with transaction.atomic():
        agent = _agent_state_for_update(user)
        contact = _contact_offered_to(user=user, contact_id=contact_id, action="end")
        if contact.kind == ContactKind.CALLBACK:
            contact.callback_attempts += 1
        retry = (
            not reached
            and contact.kind == ContactKind.CALLBACK
            and contact.callback_attempts < settings.CALLBACK_MAX_ATTEMPTS
        )
        if retry:
            contact.next_attempt_at = now + timedelta(minutes=settings.CALLBACK_RETRY_MINUTES)
            contact.answered_at = None
            contact.conference_sid = ""  # the next dial meets in a conference of its own
            contact.save(update_fields=["callback_attempts", "next_attempt_at", "answered_at", "conference_sid"])
            queue_rollups_mark(contacts=[contact])
            _back_in_line(contact)
            summary = f"Callback not answered (dial {contact.callback_attempts}); retried at {contact.next_attempt_at}"
        else:
            contact.status = ContactStatus.COMPLETED if reached else ContactStatus.CANCELLED
            contact.ended_at = now
            contact.handle_seconds = max(int((now - (contact.answered_at or now)).total_seconds()), 0)
            contact.save(update_fields=["status", "ended_at", "handle_seconds", "callback_attempts", "updated_at"])
            queue_rollups_mark(contacts=[contact])
            summary = f"Contact {contact.status} in {contact.queue_name}"
        _agent_move(
            context=context, agent=agent, to_state=AgentStatus.WRAP_UP, reason=summary, now=now, contact=contact
        )
        audit_record(
            context=context,
            action=AuditAction.UPDATE,
            target_type="contactcenter.waitingcontact",
            target_id=contact.pk,
            summary=summary,
        )
    return contact


def routing_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Expire missed offers, then route every active queue (what a lost task would have done)."""
    expired = offers_expire(now=now)
    routed = {
        name: route_queue_drain(queue_name=name, now=now)
        for name in QueueConfig.objects.filter(active=True).values_list("name", flat=True)
    }
    if expired or any(routed.values()):
        routing_logger.info("routing sweep: %s offers expired, offered %s", expired, routed)
    return {"expired": expired, **routed}


__all__ = [
    "DEVICE_PROBLEM_REASON",
    "ROUTE_DRAIN_LIMIT",
    "Assignment",
    "agent_device_problem",
    "agent_state_set",
    "callback_zones_open",
    "contact_complete",
    "offer_accept",
    "offer_decline",
    "offers_expire",
    "route_next",
    "route_queue_drain",
    "routing_logger",
    "routing_sweep",
]
