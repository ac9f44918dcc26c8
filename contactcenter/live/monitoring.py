"""Supervisors on live calls, from the wallboard: listen (in the conference, muted, coaching the
agent), whisper (coaching: only the agent hears), barge (everyone hears) and leave, each a REST call
on the conference made after commit by the call-control task and an audit row naming who monitored
which contact, when and how. And force-state: a supervisor sets an agent's state, with a reason."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contactcenter.audit.context import AuditContext
from contactcenter.audit.services import audit_record
from contactcenter.common.errors import ApplicationError
from contactcenter.live.services import _call_control_queue, agent_identity
from contactcenter.models import (
    AgentState,
    AgentStatus,
    AuditAction,
    CallControl,
    CallControlAction,
    CallControlStatus,
    ConferenceEvent,
    ContactKind,
    ContactStatus,
    MonitorMode,
    MonitorSession,
    NotReadyReason,
    WaitingContact,
)
from contactcenter.routing import selectors as routing_selectors
from contactcenter.routing.services import _agent_move, offer_withdraw
from contactcenter.staff.roles import Role, user_roles
from contactcenter.telephony import gateway as telephony

MODE_ACTIONS = {
    MonitorMode.LISTEN: CallControlAction.MONITOR_LISTEN,
    MonitorMode.WHISPER: CallControlAction.MONITOR_WHISPER,
    MonitorMode.BARGE: CallControlAction.MONITOR_BARGE,
}
MODE_WORDS = {
    MonitorMode.LISTEN: "listening",
    MonitorMode.WHISPER: "whispering to the agent",
    MonitorMode.BARGE: "barged in (caller and agent hear)",
}
# What a supervisor may set an agent to: out of the routing, with a reason. Never available (the
# agent says when they are at their desk), never off a call.
FORCEABLE_STATES = (AgentStatus.NOT_READY, AgentStatus.BREAK, AgentStatus.OFFLINE)


def _supervisor_check(user) -> None:
    if Role.SUPERVISOR not in user_roles(user):
        raise ApplicationError(_("Only a supervisor can do this."))


def _live_call(contact_id: int) -> WaitingContact:
    contact = (
        WaitingContact.objects.select_for_update(of=("self",))
        .select_related("offered_to")
        .filter(pk=contact_id)
        .first()
    )
    if (
        contact is None
        or contact.status != ContactStatus.CONNECTED
        or contact.kind != ContactKind.CALL
        or not contact.call_sid
        or contact.offered_to is None
    ):
        raise ApplicationError(_("This call is no longer connected to an agent: there is nothing to join."))
    return contact


def _agent_leg_sid(contact: WaitingContact) -> str:
    """The agent's leg in the contact's conference as its callbacks named it ("" if none came yet); a
    consulted person's (the call left to them by a warm transfer) is the leg their consult dial placed."""
    if contact.consult_of_id is not None:
        return (
            CallControl.objects.filter(
                contact=contact, action=CallControlAction.CONSULT_DIAL, status=CallControlStatus.DONE
            )
            .order_by("-id")
            .values_list("provider_sid", flat=True)
            .first()
            or ""
        )
    if not contact.conference_sid:
        return ""
    return (
        ConferenceEvent.objects.filter(
            contact=contact,
            conference_sid=contact.conference_sid,
            participant=telephony.AGENT_LABEL,
            event="participant-join",
        )
        .order_by("-at", "-id")
        .values_list("call_sid", flat=True)
        .first()
        or ""
    )


def _audit_monitor(*, context: AuditContext, session: MonitorSession, contact: WaitingContact, what: str) -> None:
    agent = contact.offered_to
    audit_record(
        context=context,
        action=AuditAction.UPDATE,
        target_type="contactcenter.waitingcontact",
        target_id=contact.pk,
        summary=f"Supervisor {session.supervisor.get_username()} on the call of "
        f"{agent.get_username() if agent else '-'} ({contact.queue_name}): {what}",
        detail={"monitor_session": session.pk, "mode": session.mode, "conference": session.conference},
    )


def _session_close(*, context: AuditContext, session: MonitorSession, now: datetime, hang_up: bool) -> None:
    session.ended_at = now
    session.save(update_fields=["ended_at"])
    contact = session.contact
    if hang_up:
        _call_control_queue(
            contact=contact, action=CallControlAction.MONITOR_LEAVE, target=agent_identity(session.supervisor)
        )
    _audit_monitor(context=context, session=session, contact=contact, what="left")


def _open_session(user) -> MonitorSession | None:
    return (
        MonitorSession.objects.select_for_update(of=("self",))
        .select_related("contact", "contact__offered_to", "supervisor")
        .filter(supervisor=user, ended_at__isnull=True)
        .first()
    )


def _monitor_set(*, context: AuditContext, user, contact_id: int, mode: str, now: datetime | None) -> MonitorSession:
    now = now or timezone.now()
    _supervisor_check(user)
    with transaction.atomic():
        contact = _live_call(contact_id)
        if contact.offered_to_id == user.pk:
            raise ApplicationError(_("This is your own call."))
        session = _open_session(user)
        if session is not None and session.contact_id != contact.pk:
            # In one call at a time: the supervisor leaves the call they were in (still going, or not).
            hang_up = session.contact.status == ContactStatus.CONNECTED
            _session_close(context=context, session=session, now=now, hang_up=hang_up)
            session = None
        identity = agent_identity(user)
        agent_sid = _agent_leg_sid(contact)
        if session is None:
            session = MonitorSession(
                contact=contact,
                supervisor=user,
                agent=contact.offered_to,
                conference=telephony.conference_name(contact),
                mode=MonitorMode.LISTEN,
                started_at=now,
                mode_since=now,
            )
            session.full_clean()
            try:
                with transaction.atomic():
                    session.save()
            except IntegrityError as race:  # the same supervisor joined another call at the same moment
                raise ApplicationError(_("You are joining another call at this moment: try again.")) from race
            _call_control_queue(
                contact=contact, action=CallControlAction.MONITOR_JOIN, target=identity, call_sid=agent_sid
            )
            _audit_monitor(context=context, session=session, contact=contact, what="joined, listening")
        if session.mode == mode:
            return session
        session.mode, session.mode_since = mode, now
        session.full_clean()
        session.save(update_fields=["mode", "mode_since"])
        _call_control_queue(contact=contact, action=MODE_ACTIONS[mode], target=identity, call_sid=agent_sid)
        _audit_monitor(context=context, session=session, contact=contact, what=MODE_WORDS[mode])
    return session


def monitor_listen(*, context: AuditContext, user, contact_id: int, now: datetime | None = None) -> MonitorSession:
    """The supervisor joins the call muted, coaching the agent: they hear caller and agent, no one
    hears them. In the call already (whispering or barged in), they go back to listening only."""
    return _monitor_set(context=context, user=user, contact_id=contact_id, mode=MonitorMode.LISTEN, now=now)


def monitor_whisper(*, context: AuditContext, user, contact_id: int, now: datetime | None = None) -> MonitorSession:
    """The supervisor speaks to the agent only (coaching, unmuted); joins first if not in the call."""
    return _monitor_set(context=context, user=user, contact_id=contact_id, mode=MonitorMode.WHISPER, now=now)


def monitor_barge(*, context: AuditContext, user, contact_id: int, now: datetime | None = None) -> MonitorSession:
    """The supervisor speaks to caller and agent (no longer coaching, unmuted); joins first if not in."""
    return _monitor_set(context=context, user=user, contact_id=contact_id, mode=MonitorMode.BARGE, now=now)


def monitor_leave(
    *, context: AuditContext, user, contact_id: int | None = None, now: datetime | None = None
) -> MonitorSession | None:
    """The supervisor leaves the call they are in (the one named, if given); None if in none."""
    now = now or timezone.now()
    _supervisor_check(user)
    with transaction.atomic():
        session = _open_session(user)
        if session is None or (contact_id is not None and session.contact_id != contact_id):
            return None
        _session_close(
            context=context,
            session=session,
            now=now,
            hang_up=session.contact.status == ContactStatus.CONNECTED,
        )
    return session


def monitor_sessions_end(*, context: AuditContext, contact: WaitingContact, now: datetime) -> int:
    """The call's conversation ended (or was put back in line): every supervisor in it is out too.
    Called inside the transaction of that change; the conference's end takes their legs with it."""
    sessions = list(
        MonitorSession.objects.select_for_update(of=("self",))
        .select_related("contact", "contact__offered_to", "supervisor")
        .filter(contact=contact, ended_at__isnull=True)
    )
    for session in sessions:
        _session_close(context=context, session=session, now=now, hang_up=False)
    return len(sessions)


def monitor_leg_left(*, context: AuditContext, contact: WaitingContact, label: str, now: datetime) -> str:
    """A supervisor's leg left the conference (hung up their browser, or was removed): their session
    ends. Nothing else about the call changes."""
    identity = label.removeprefix(telephony.MONITOR_LABEL_PREFIX)
    for session in (
        MonitorSession.objects.select_for_update(of=("self",))
        .select_related("contact", "contact__offered_to", "supervisor")
        .filter(contact=contact, ended_at__isnull=True)
    ):
        if agent_identity(session.supervisor) == identity:
            _session_close(context=context, session=session, now=now, hang_up=False)
            return "supervisor left the call"
    return ""


def agent_state_force(
    *,
    context: AuditContext,
    user,
    agent_id: int,
    state: str,
    reason: str,
    reason_code: str = "",
    now: datetime | None = None,
) -> AgentState:
    """A supervisor takes an agent out of the routing: not ready (with one of the center's reasons),
    on break, or offline, saying why. An offer standing for the agent goes back to its place in line;
    an agent on a call stays on it (the call is theirs to finish) and one in after-call work finishes
    it first. Setting the state the agent is already in changes nothing."""
    now = now or timezone.now()
    _supervisor_check(user)
    reason = (reason or "").strip()
    if state not in FORCEABLE_STATES:
        raise ApplicationError(_("A supervisor can set an agent to not ready, on break or offline."), field="state")
    if not reason:
        raise ApplicationError(_("Say why you are changing the agent's state."), field="reason")
    if state == AgentStatus.NOT_READY:
        if not NotReadyReason.objects.filter(code=reason_code, active=True).exists():
            raise ApplicationError(_("Choose the not-ready reason."), field="reason_code")
    elif state == AgentStatus.BREAK:
        reason_code = reason_code if reason_code in ("break", "meal") else "break"
    else:
        reason_code = ""
    with transaction.atomic():
        agent = (
            AgentState.objects.select_for_update(of=("self",)).select_related("user").filter(user_id=agent_id).first()
        )
        if (
            agent is None
            or agent.user_id == user.pk
            or (agent.state == AgentStatus.OFFLINE and state != AgentStatus.OFFLINE)
        ):
            raise ApplicationError(_("Choose an agent who is signed on."), field="agent")
        name = agent.user.get_full_name() or agent.user.get_username()
        if agent.state == AgentStatus.ON_CALL:
            raise ApplicationError(
                _(
                    "%(name)s is on a call: a supervisor cannot take an agent off a call. "
                    "Listen in or barge in, or set the state when the call has ended."
                )
                % {"name": name},
                field="agent",
            )
        if agent.state == AgentStatus.WRAP_UP and routing_selectors.wrap_up_pending_contact_id(user=agent.user_id):
            raise ApplicationError(
                _(
                    "%(name)s is finishing the after-call work of a call; it ends by itself at the "
                    "queue's after-call time. Set the state after that."
                )
                % {"name": name},
                field="agent",
            )
        if agent.state == state and agent.reason_code == reason_code:
            return agent
        contact = None
        if agent.state == AgentStatus.OFFERED:
            contact = (
                WaitingContact.objects.select_for_update()
                .filter(offered_to_id=agent.user_id, status=ContactStatus.OFFERED)
                .first()
            )
        _agent_move(
            context=context,
            agent=agent,
            to_state=state,
            reason=f"set by supervisor {user.get_username()}: {reason}",
            now=now,
            contact=contact,
            reason_code=reason_code,
        )
        if contact is not None:
            offer_withdraw(context=context, contact=contact, why="the supervisor changed the agent's state", now=now)
    return agent


__all__ = [
    "FORCEABLE_STATES",
    "agent_state_force",
    "monitor_barge",
    "monitor_leave",
    "monitor_listen",
    "monitor_sessions_end",
    "monitor_whisper",
]
