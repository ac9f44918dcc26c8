"""Warm transfer and supervisor request: the agent on a call brings a second person (an available
ISO, or a supervisor signed on in their console) into the same conference while the caller waits on
hold, then brings the caller back into a three-way call, leaves the call to them, or cancels.

The second person's part is a contact of its own (`consult_of` names the call it joined): it is
offered to them through the same offer/accept flow and agent states as a caller in line, so their
console rings, their state reads offered, then on a call; the ledger records their conversation as
a hand-off from the first agent's. A consult nobody answers (declined, the offer lapsing, the
softphone failing) gives the caller back to the first agent, off hold."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from contactcenter.audit.context import AuditContext
from contactcenter.common.errors import ApplicationError
from contactcenter.live.conference import _audit_contact
from contactcenter.live.services import CONSULT_PURPOSE_NOTES, _call_control_queue, agent_identity, conversation_record
from contactcenter.models import (
    AgentState,
    AgentStatus,
    CallControlAction,
    ConsultPurpose,
    ContactKind,
    ContactStatus,
    Disposition,
    QueueConfig,
    Tier,
    WaitingContact,
)
from contactcenter.routing import selectors as routing_selectors
from contactcenter.routing.contacts import _route_soon
from contactcenter.routing.services import (
    _agent_move,
    _agent_state_for_update,
    _contact_offered_to,
    _locked,
    contact_complete,
)
from contactcenter.staff.roles import Role
from contactcenter.telephony import gateway as telephony

OPEN_CONSULT = (ContactStatus.OFFERED, ContactStatus.CONNECTED)
DEFAULT_CONSULT_OFFER_SECONDS = 20


def _person(user) -> str:
    return user.get_full_name() or user.get_username()


def consult_open(contact: WaitingContact) -> WaitingContact | None:
    """The consult under way on a contact's call (offered or on the line), if any."""
    return (
        WaitingContact.objects.select_related("offered_to")
        .filter(consult_of=contact, status__in=OPEN_CONSULT)
        .order_by("-id")
        .first()
    )


def _locked_call_and_consult(*, user, contact_id: int) -> tuple[WaitingContact, WaitingContact | None]:
    """The agent's connected call and its open consult, locked in the order every service locks:
    the agent, the consulted person, the call, the consult (a consulted person declining locks
    themselves, then the consult, then the call)."""
    _agent_state_for_update(user)
    consulted = (
        WaitingContact.objects.filter(consult_of_id=contact_id, status__in=OPEN_CONSULT)
        .values_list("offered_to", flat=True)
        .first()
    )
    if consulted is not None:
        AgentState.objects.select_for_update().filter(user_id=consulted).first()
    contact = _contact_offered_to(user=user, contact_id=contact_id, action="consult")
    if contact.kind != ContactKind.CALL or not contact.call_sid:
        raise ApplicationError(_("Hold, mute and transfer work on a call in the conference, not on this contact."))
    consult = (
        WaitingContact.objects.select_for_update()
        .filter(consult_of=contact, status__in=OPEN_CONSULT)
        .order_by("-id")
        .first()
    )
    return contact, consult


def _candidate(*, contact: WaitingContact, purpose: str, user) -> AgentState | None:
    """Who is asked: an available ISO (Tier 2), or an available supervisor (a supervisor signed on as
    available in the agent console), never the asking agent; one who speaks the caller's language
    first, then the longest idle. Rows another transaction holds are skipped."""
    available = AgentState.objects.filter(state=AgentStatus.AVAILABLE).exclude(user=user)
    if purpose == ConsultPurpose.ISO:
        available = available.filter(tier=Tier.TIER2)
    else:
        available = available.filter(user__groups__name=Role.SUPERVISOR.value)
    speaks = Case(
        When(languages__contains=f",{contact.language},", then=Value(1)), default=Value(0), output_field=IntegerField()
    )
    ids = list(
        available.annotate(speaks=speaks).order_by("-speaks", "last_available_at", "id").values_list("id", flat=True)
    )
    for agent_id in ids:  # the first not locked by the router (or another consult) right now
        agent = _locked(AgentState.objects.filter(pk=agent_id, state=AgentStatus.AVAILABLE)).first()
        if agent is not None:
            return agent
    return None


def _caller_hold(*, contact: WaitingContact, hold: bool, now: datetime) -> None:
    """The caller of `contact` (the contact holding the call) on or off hold, as the Hold button does."""
    if (contact.on_hold_since is not None) == hold:
        return
    contact.on_hold_since = now if hold else None
    contact.save(update_fields=["on_hold_since", "updated_at"])
    _call_control_queue(
        contact=contact,
        action=CallControlAction.HOLD if hold else CallControlAction.RESUME,
        target=telephony.conference_name(contact),
    )


def contact_consult_start(
    *, context: AuditContext, user, contact_id: int, purpose: str, now: datetime | None = None
) -> WaitingContact:
    """The agent asks an available ISO (or, for a caller who asked for one, a supervisor) to join
    their call: the caller goes on hold (music in their language) and the person is offered the
    consult in their console for their queue's offer time. Nobody available: refused, and the
    caller stays on the line with the agent. Returns the consult."""
    now = now or timezone.now()
    if purpose not in ConsultPurpose.values:
        raise ApplicationError(_("Consult an ISO or ask for a supervisor."), field="purpose")
    with transaction.atomic():
        contact, consult = _locked_call_and_consult(user=user, contact_id=contact_id)
        if consult is not None:
            raise ApplicationError(_("A consult is already under way on this call."))
        agent = _candidate(contact=contact, purpose=purpose, user=user)
        if agent is None:
            raise ApplicationError(
                _("No ISO is available now: the caller stays on the line with you.")
                if purpose == ConsultPurpose.ISO
                else _("No supervisor is available now: the caller stays on the line with you."),
                extra={"purpose": purpose},
            )
        timeout = (
            QueueConfig.objects.filter(name=agent.home_queue).values_list("offer_timeout_seconds", flat=True).first()
            or DEFAULT_CONSULT_OFFER_SECONDS
        )
        consult = WaitingContact(
            kind=ContactKind.CALL,
            tier=agent.tier,
            language=contact.language,
            queue_name=agent.home_queue,
            status=ContactStatus.OFFERED,
            priority=contact.priority,
            enqueued_at=now,
            phone=contact.phone,
            caller_time_zone=contact.caller_time_zone,
            receipt_numbers=contact.receipt_numbers,
            ivr_path=contact.ivr_path,
            skill=contact.skill,
            # The consulted person's conversation is a hand-off from the asking agent's.
            interaction=contact.agent_interaction or contact.interaction,
            offered_to=agent.user,
            offered_at=now,
            offer_expires_at=now + timedelta(seconds=timeout),
            attempts=1,
            conference_sid=contact.conference_sid,
            consult_of=contact,
            consult_purpose=purpose,
        )
        consult.full_clean()
        consult.save()
        _agent_move(
            context=context,
            agent=agent,
            to_state=AgentStatus.OFFERED,
            reason=f"consult on contact {contact.pk} ({purpose})",
            now=now,
            contact=consult,
        )
        _caller_hold(contact=contact, hold=True, now=now)
        _audit_contact(
            context=context,
            contact=contact,
            summary=f"Consult ({purpose}) offered to {agent.user.get_username()} (contact {consult.pk}); "
            "caller on hold",
            detail={"consult": consult.pk, "purpose": purpose, "consulted": agent.user_id},
        )
    return consult


def _consult_connected(consult: WaitingContact | None, *, user, action: str) -> WaitingContact:
    if consult is None:
        raise ApplicationError(_("There is no consult on this call."))
    if action not in routing_selectors.live_contact_allowed_actions(contact=consult, user=user):
        raise ApplicationError(_("The person you asked has not joined the call yet."))
    return consult


def contact_consult_join(
    *, context: AuditContext, user, contact_id: int, now: datetime | None = None
) -> WaitingContact:
    """The consulted person has joined: the agent takes the caller off hold into a three-way call."""
    now = now or timezone.now()
    with transaction.atomic():
        contact, consult = _locked_call_and_consult(user=user, contact_id=contact_id)
        consult = _consult_connected(consult, user=user, action="consult_join")
        if contact.on_hold_since is None:
            return contact
        _caller_hold(contact=contact, hold=False, now=now)
        _audit_contact(
            context=context,
            contact=contact,
            summary=f"Three-way call: caller joined {consult.offered_to.get_username()} (contact {consult.pk})",
        )
    return contact


def contact_consult_complete(
    *, context: AuditContext, user, contact_id: int, now: datetime | None = None
) -> WaitingContact:
    """Warm transfer: the agent leaves the call to the consulted person, who now holds the contact
    (the caller's call moves to their contact, off hold); the agent's line leaves the conference and
    the agent wraps up as after any call. Returns the consulted person's contact."""
    now = now or timezone.now()
    with transaction.atomic():
        contact, consult = _locked_call_and_consult(user=user, contact_id=contact_id)
        consult = _consult_connected(consult, user=user, action="consult_complete")
        return _warm_transfer(context=context, contact=contact, consult=consult, user=user, now=now)


def _warm_transfer(
    *,
    context: AuditContext,
    contact: WaitingContact,
    consult: WaitingContact,
    user,
    now: datetime,
    line_gone: bool = False,
) -> WaitingContact:
    """Inside the caller's transaction, with both agents, the call and the consult locked. With
    `line_gone` the agent's line already left the conference (it dropped): nothing to take out."""
    consulted = consult.offered_to
    call_sid, on_hold = contact.call_sid, contact.on_hold_since is not None
    contact.call_sid, contact.on_hold_since, contact.muted = None, None, False
    contact.save(update_fields=["call_sid", "on_hold_since", "muted", "updated_at"])
    consult.call_sid = call_sid
    consult.conference_sid = consult.conference_sid or contact.conference_sid
    consult.on_hold_since = None
    consult.full_clean()
    consult.save(update_fields=["call_sid", "conference_sid", "on_hold_since", "updated_at"])
    summary = f"Warm transfer to {_person(consulted)} ({CONSULT_PURPOSE_NOTES.get(consult.consult_purpose, '')})"
    contact_complete(context=context, user=user, contact_id=contact.pk, now=now)
    contact.refresh_from_db()
    conversation_record(context=context, contact=contact, agent=user, summary=summary)
    # The caller hears the consulted person (off hold if they were on it); the agent's line leaves.
    if on_hold:
        _call_control_queue(contact=consult, action=CallControlAction.RESUME, target=telephony.conference_name(consult))
    if not line_gone:
        _call_control_queue(
            contact=contact,
            action=CallControlAction.LINE_REMOVE,
            target=telephony.line_label(contact),
            call_sid=call_sid,
        )
    _audit_contact(
        context=context,
        contact=contact,
        summary=f"Warm transfer to {consulted.get_username()} (contact {consult.pk}); agent left the call",
        detail={"consult": consult.pk, "from": user.pk, "to": consulted.pk},
    )
    _audit_contact(
        context=context,
        contact=consult,
        summary=f"Took over contact {contact.pk} from {user.get_username()} by warm transfer",
    )
    return consult


def contact_consult_cancel(
    *, context: AuditContext, user, contact_id: int, now: datetime | None = None
) -> WaitingContact:
    """The agent calls the consult off: an offer standing is withdrawn (the person is available again
    at once); a person on the line leaves the call and wraps up their part. The caller is back with
    the agent, off hold."""
    now = now or timezone.now()
    with transaction.atomic():
        contact, consult = _locked_call_and_consult(user=user, contact_id=contact_id)
        if consult is None:
            raise ApplicationError(_("There is no consult on this call."))
        _consult_end(context=context, contact=contact, consult=consult, now=now, reason="cancelled by the agent")
    return contact


def _consult_end(
    *,
    context: AuditContext,
    contact: WaitingContact,
    consult: WaitingContact,
    now: datetime,
    reason: str,
    line_gone: bool = False,
    resume: bool = True,
) -> None:
    """End a consult; the asking agent keeps the caller (locks held by the caller of this). With
    `line_gone` the consulted person's line already left the conference; without `resume` the caller
    is not taken off hold (they hung up, or their call is moving elsewhere)."""
    consulted = consult.offered_to
    if consult.status == ContactStatus.OFFERED:
        consult.status, consult.ended_at = ContactStatus.CANCELLED, now
        consult.save(update_fields=["status", "ended_at", "updated_at"])
        agent = _agent_state_for_update(consulted)
        if agent.state == AgentStatus.OFFERED:
            _agent_move(
                context=context,
                agent=agent,
                to_state=AgentStatus.AVAILABLE,
                reason=f"consult {reason}",
                now=now,
                contact=consult,
            )
            _route_soon(queue_name=agent.home_queue)
    elif consult.status == ContactStatus.CONNECTED:
        contact_complete(context=context, user=consulted, contact_id=consult.pk, now=now)
        consult.refresh_from_db()
        conversation_record(context=context, contact=consult, agent=consulted, summary=f"Consult {reason}")
    if consult.status == ContactStatus.COMPLETED and not line_gone:
        _call_control_queue(
            contact=consult, action=CallControlAction.LINE_REMOVE, target=telephony.line_label(consult), call_sid=""
        )
    if resume and contact.status == ContactStatus.CONNECTED and contact.call_sid:
        _caller_hold(contact=contact, hold=False, now=now)
    _audit_contact(
        context=context,
        contact=contact,
        summary=f"Consult with {consulted.get_username()} (contact {consult.pk}) {reason}; caller back with the agent",
    )


def consult_unanswered(*, context: AuditContext, consult: WaitingContact, now: datetime, reason: str) -> None:
    """The consulted person did not take the consult (declined, the offer lapsed, their softphone
    failed), inside the transaction that moved them (their row and the consult locked): the consult
    ends unanswered and the asking agent has the caller back, off hold. The console says so."""
    consult.status, consult.ended_at, consult.disposition = ContactStatus.CANCELLED, now, Disposition.NO_ANSWER
    consult.save(update_fields=["status", "ended_at", "disposition", "updated_at"])
    contact = WaitingContact.objects.select_for_update().filter(pk=consult.consult_of_id).first()
    if contact is not None and contact.status == ContactStatus.CONNECTED and contact.call_sid:
        _caller_hold(contact=contact, hold=False, now=now)
    if contact is not None:
        _audit_contact(
            context=context,
            contact=contact,
            summary=f"Consult (contact {consult.pk}) not answered: {reason}; caller back with the agent",
        )


def consult_left(*, context: AuditContext, consult: WaitingContact, user, now: datetime) -> None:
    """The consulted person ended their part (End call) before the call was left to them, inside
    the transaction that completed it (their row and the consult locked): their line leaves the
    conference and the asking agent has the caller back, off hold."""
    conversation_record(context=context, contact=consult, agent=user, summary="Consult ended by the consulted person")
    _call_control_queue(
        contact=consult, action=CallControlAction.LINE_REMOVE, target=telephony.line_label(consult), call_sid=""
    )
    contact = WaitingContact.objects.select_for_update().filter(pk=consult.consult_of_id).first()
    if contact is not None and contact.status == ContactStatus.CONNECTED and contact.call_sid:
        _caller_hold(contact=contact, hold=False, now=now)
    if contact is not None:
        _audit_contact(
            context=context,
            contact=contact,
            summary=f"{user.get_username()} left the consult (contact {consult.pk}); caller back with the agent",
        )


def consult_ring_on_accept(*, contact: WaitingContact, user) -> None:
    """A consult accepted: the phone network rings the person's line into the call's conference."""
    _call_control_queue(contact=contact, action=CallControlAction.CONSULT_DIAL, target=agent_identity(user))


__all__ = [
    "consult_left",
    "consult_open",
    "consult_ring_on_accept",
    "consult_unanswered",
    "contact_consult_cancel",
    "contact_consult_complete",
    "contact_consult_join",
    "contact_consult_start",
]
