"""Calls on conferences: once an offer is accepted the caller and the agent meet in a conference
named for the contact. The agent's controls (hold, mute) are REST calls on its participants made
after commit by the call-control task; Twilio's conference callbacks move the contact's state."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from contactcenter.audit.context import AuditContext
from contactcenter.audit.services import audit_record
from contactcenter.common.errors import ApplicationError
from contactcenter.live.monitoring import monitor_leg_left, monitor_sessions_end
from contactcenter.live.services import (
    _call_control_queue,
    agent_identity,
    contact_abandon,
    contact_pass_on,
    conversation_record,
    live_call_sid,
)
from contactcenter.models import (
    AgentState,
    AgentStatus,
    AuditAction,
    AuditChannel,
    CallControl,
    CallControlAction,
    CallControlStatus,
    ConferenceEvent,
    ContactKind,
    ContactStatus,
    QueueConfig,
    WaitingContact,
)
from contactcenter.routing import hours
from contactcenter.routing.contacts import _route_soon
from contactcenter.routing.queue_rollups_refresh import queue_rollups_mark
from contactcenter.routing.services import (
    _agent_move,
    _agent_state_for_update,
    _back_in_line,
    _contact_offered_to,
    contact_complete,
)
from contactcenter.telephony import gateway as telephony

CONFERENCE_NAME = re.compile(r"^contact-(\d{1,12})-(\d{1,5})$")
PRIORITY_MAX = 32767


def _connected_call(*, user, contact_id: int) -> WaitingContact:
    _agent_state_for_update(user)  # agent before contact, the order every other service locks in
    contact = _contact_offered_to(user=user, contact_id=contact_id, action="control")
    if not live_call_sid(contact):  # a callback not dialled yet, or a contact that is no call
        raise ApplicationError(_("Hold, mute and transfer work on a call in the conference, not on this contact."))
    return contact


def consult_under_way_refuse(contact_id: int) -> None:
    """Ending or handing on a call is refused while a consult on it stands: it is finished first."""
    if WaitingContact.objects.filter(
        consult_of_id=contact_id, status__in=[ContactStatus.OFFERED, ContactStatus.CONNECTED]
    ).exists():
        raise ApplicationError(
            _("Finish the consult first: leave the call to the person you asked, or cancel the consult.")
        )


def _audit_contact(*, context: AuditContext, contact: WaitingContact, summary: str, detail: dict | None = None):
    audit_record(
        context=context,
        action=AuditAction.UPDATE,
        target_type="contactcenter.waitingcontact",
        target_id=contact.pk,
        summary=summary,
        detail=detail,
    )


def contact_hold(
    *, context: AuditContext, user, contact_id: int, hold: bool, now: datetime | None = None
) -> WaitingContact:
    """The agent puts the caller on hold (music in the caller's language) or takes them off it.
    Asking for the state the call is already in changes nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        contact = _connected_call(user=user, contact_id=contact_id)
        if (contact.on_hold_since is not None) == hold:
            return contact
        contact.on_hold_since = now if hold else None
        contact.full_clean()
        contact.save(update_fields=["on_hold_since", "updated_at"])
        _call_control_queue(
            contact=contact,
            action=CallControlAction.HOLD if hold else CallControlAction.RESUME,
            target=telephony.conference_name(contact),
        )
        _audit_contact(
            context=context, contact=contact, summary="Caller put on hold" if hold else "Caller taken off hold"
        )
    return contact


def contact_mute(
    *, context: AuditContext, user, contact_id: int, mute: bool, now: datetime | None = None
) -> WaitingContact:
    """The agent mutes or unmutes their own line in the conference."""
    with transaction.atomic():
        contact = _connected_call(user=user, contact_id=contact_id)
        if contact.muted == mute:
            return contact
        contact.muted = mute
        contact.full_clean()
        contact.save(update_fields=["muted", "updated_at"])
        _call_control_queue(
            contact=contact,
            action=CallControlAction.MUTE if mute else CallControlAction.UNMUTE,
            target=telephony.conference_name(contact),
        )
        _audit_contact(context=context, contact=contact, summary="Agent muted" if mute else "Agent unmuted")
    return contact


def contact_end(
    *, context: AuditContext, user, contact_id: int, reached: bool = True, now: datetime | None = None
) -> WaitingContact:
    """The agent ends the conversation: the contact is completed (the agent wraps up) and a call's
    conference is ended, which hangs up the caller."""
    with transaction.atomic():
        consult_under_way_refuse(contact_id)
        # A callback's call, read before the contact (dialled again later, if not reached) leaves the line.
        called_back = WaitingContact.objects.filter(pk=contact_id, kind=ContactKind.CALLBACK).first()
        placed = live_call_sid(called_back) if called_back is not None else ""
        contact = contact_complete(context=context, user=user, contact_id=contact_id, reached=reached, now=now)
        if contact.consult_of_id is not None and not contact.call_sid:
            # A consulted person ending their part before the call was left to them: only they leave.
            from contactcenter.live.consult import consult_left

            consult_left(context=context, consult=contact, user=user, now=now or timezone.now())
            return contact
        if contact.on_hold_since is not None or contact.muted or contact.recording_paused:
            contact.on_hold_since, contact.muted, contact.recording_paused = None, False, False
            contact.save(update_fields=["on_hold_since", "muted", "recording_paused", "updated_at"])
        call = contact.kind == ContactKind.CALL and contact.call_sid and contact.status == ContactStatus.COMPLETED
        if call or placed:
            _call_control_queue(
                contact=contact,
                action=CallControlAction.END_CONFERENCE,
                target=telephony.conference_name(contact),
                call_sid=placed,
            )
            monitor_sessions_end(context=context, contact=contact, now=now or timezone.now())
    return contact


def contact_transfer(
    *, context: AuditContext, user, contact_id: int, queue_name: str, now: datetime | None = None
) -> WaitingContact:
    """Cold transfer: the caller goes to another queue's line (a Tier 1 agent's caller to another Tier 1
    language; a Tier 2 officer's to any queue), keeping what the IVR and the agent gathered; the agent
    wraps up. Tier 1 to Tier 2 is an escalation, with its structured hand-off. Returns the caller's
    new place in line."""
    now = now or timezone.now()
    with transaction.atomic():
        contact = _connected_call(user=user, contact_id=contact_id)
        consult_under_way_refuse(contact.pk)
        target = QueueConfig.objects.filter(name=queue_name, active=True).first()
        if target is None or target.name == contact.queue_name:
            raise ApplicationError(_("Choose another open queue to transfer the caller to."), field="queue")
        if contact.tier == 1 and target.tier != 1:
            raise ApplicationError(
                _("A Tier 1 caller goes to Tier 2 by escalation, with its hand-off: use Escalate to Tier 2."),
                field="queue",
            )
        if not hours.queue_open(queue_name=target.name, time_zone=contact.caller_time_zone, at=now):
            raise ApplicationError(
                _("%(queue)s is closed now: help the caller here, or arrange a callback.") % {"queue": target.name},
                field="queue",
            )
        monitor_sessions_end(context=context, contact=contact, now=now)  # the conference ends with the move
        call_sid, contact.call_sid = live_call_sid(contact), None  # the call itself moves to the new place in line
        contact.on_hold_since, contact.muted = None, False
        contact.save(update_fields=["call_sid", "on_hold_since", "muted", "updated_at"])
        _conversation, onward = contact_pass_on(
            context=context,
            contact=contact,
            user=user,
            now=now,
            call_sid=call_sid,
            queue_name=target.name,
            tier=target.tier,
            language=target.language,
            priority=contact.priority,
            summary=f"Transferred to {target.name}",
            skill=contact.skill,
        )
        _call_control_queue(contact=onward, action=CallControlAction.QUEUE_TRANSFER, target=onward.queue_name)
        _audit_contact(
            context=context,
            contact=contact,
            summary=f"Cold transfer from {contact.queue_name} to {onward.queue_name} (contact {onward.pk})",
        )
        _route_soon(queue_name=onward.queue_name)
    return onward


def _joining(contact: WaitingContact | None, identity: str) -> bool:
    return (
        contact is not None
        and contact.status == ContactStatus.CONNECTED
        and contact.offered_to is not None
        and agent_identity(contact.offered_to) == identity
    )


def conference_agent_join(*, context: AuditContext, identity: str, contact_id: int, call_sid: str) -> str:
    """The agent's line (their browser's call through the TwiML App, `contact=<id>`) asks to join the
    conversation: the conference TwiML when the contact is connected to that agent, else a refusal."""
    with transaction.atomic():
        contact = WaitingContact.objects.select_related("offered_to").filter(pk=contact_id).first()
        if not _joining(contact, identity):
            return telephony.no_call_twiml()
        _audit_contact(
            context=context,
            contact=contact,
            summary=f"Agent's line {call_sid[:34]} joining {telephony.conference_name(contact)}",
        )
        return telephony.agent_conference_twiml(contact)


LINE_NOT_TAKEN = "the agent's desk phone or line did not take the call"


def conference_agent_line_answer(
    *, context: AuditContext, identity: str, contact_id: int, call_sid: str, digits: str | None
) -> str:
    """The agent's desk phone or SIP line, dialled on the accept, is answered. First (`digits` None)
    the agent is asked to press 1; 1 puts the line in the caller's conference; anything else (no
    key, a voicemail) puts the caller back at the front of the line at once and the agent to not
    ready, as a line that never joins would after AGENT_JOIN_TIMEOUT_SECONDS."""
    now = timezone.now()
    with transaction.atomic():
        agent_id = WaitingContact.objects.filter(pk=contact_id).values_list("offered_to", flat=True).first()
        agent = _agent_state_for_update(agent_id) if agent_id is not None else None
        contact = WaitingContact.objects.select_for_update().filter(pk=contact_id).first()
        if not _joining(contact, identity) or agent is None or agent.user_id != contact.offered_to_id:
            return telephony.no_call_twiml()
        if digits is None:
            return telephony.agent_line_screen_twiml(contact, identity=identity)
        if digits != "1":
            _requeue_at_front(context=context, contact=contact, agent=agent, at=now, reason=LINE_NOT_TAKEN)
            return telephony.agent_line_missed_twiml(contact.language)
        _audit_contact(
            context=context,
            contact=contact,
            summary=f"Agent's dialled line {call_sid[:34]} joining {telephony.conference_name(contact)}",
        )
        return telephony.agent_conference_twiml(contact)


LINE_UNREACHED_STATUSES = frozenset({"busy", "no-answer", "failed", "canceled"})


def conference_agent_line_status(*, context: AuditContext, identity: str, contact_id: int, status: str) -> bool:
    """The end of a dialled desk phone or SIP line (Twilio's status callback). Busy, not answered or
    failed while the caller still waits for that agent: the caller goes back to the front of the line
    at once and the agent to not ready. Any other end (a call that was taken) changes nothing here.
    True when the caller was put back."""
    if status not in LINE_UNREACHED_STATUSES:
        return False
    now = timezone.now()
    with transaction.atomic():
        agent_id = WaitingContact.objects.filter(pk=contact_id).values_list("offered_to", flat=True).first()
        agent = _agent_state_for_update(agent_id) if agent_id is not None else None
        contact = WaitingContact.objects.select_for_update().filter(pk=contact_id).first()
        if not _joining(contact, identity) or agent is None or agent.user_id != contact.offered_to_id:
            return False
        if _agent_line_joined(contact):
            return False
        reason = f"{LINE_NOT_TAKEN} ({status})"
        _requeue_at_front(context=context, contact=contact, agent=agent, at=now, reason=reason)
    return True


def _event_key(*, conference_sid: str, sequence: str, call_sid: str, event: str) -> str:
    if sequence:
        return f"{conference_sid}:{sequence}"[:120]
    return f"{conference_sid}:{call_sid}:{event}"[:120]


LINE_DROPPED = "the agent's line dropped mid-call"
LINE_NEVER_JOINED = "the agent's line never joined the call"


def _requeue_at_front(
    *, context: AuditContext, contact: WaitingContact, agent, at: datetime, reason: str = LINE_DROPPED
) -> None:
    """The agent's line dropped (or never joined) while the caller is still in: the caller goes back
    to the front of their own queue, with what the IVR and the agent gathered kept, and the agent to
    not ready (device problem)."""
    fields = ["priority", "answered_at", "on_hold_since", "muted", "recording_paused", "conference_sid", "updated_at"]
    if contact.kind == ContactKind.CALLBACK:
        # The person called back is on the line now: they wait in the queue as a caller does (and are
        # put through, not dialled again, when the next agent accepts). Not dialled yet: a callback still.
        placed = live_call_sid(contact)
        if placed:
            contact.kind, contact.call_sid = ContactKind.CALL, placed
            fields += ["kind", "call_sid"]
    ahead = (
        WaitingContact.objects.filter(queue_name=contact.queue_name, status=ContactStatus.WAITING)
        .exclude(pk=contact.pk)
        .aggregate(top=Max("priority"))["top"]
    )
    monitor_sessions_end(context=context, contact=contact, now=at)
    contact.priority = min(max(contact.priority, ahead if ahead is not None else contact.priority) + 1, PRIORITY_MAX)
    contact.answered_at = None
    contact.on_hold_since = None
    contact.muted = False
    contact.recording_paused = False
    contact.conference_sid = ""
    contact.full_clean()
    contact.save(update_fields=fields)
    _back_in_line(contact)
    queue_rollups_mark(contacts=[contact])
    _agent_move(
        context=context,
        agent=agent,
        to_state=AgentStatus.NOT_READY,
        reason=reason,
        now=at,
        contact=contact,
        reason_code="device_problem",
    )
    if contact.kind == ContactKind.CALL and contact.call_sid:
        _call_control_queue(contact=contact, action=CallControlAction.REQUEUE, target=contact.queue_name)
    _audit_contact(
        context=context,
        contact=contact,
        summary=f"{reason[0].upper()}{reason[1:]}; caller back at the front of {contact.queue_name} "
        f"(priority {contact.priority})",
    )
    _route_soon(queue_name=contact.queue_name)


def _conference_owner(contact: WaitingContact) -> WaitingContact:
    """The contact holding the caller of `contact`'s conference: the contact itself, or after a warm
    transfer the consult the call moved to (locked)."""
    if contact.status == ContactStatus.CONNECTED and contact.call_sid:
        return contact
    handed = (
        WaitingContact.objects.select_for_update()
        .filter(Q(consult_of=contact) | Q(consult_of__consult_of=contact), status=ContactStatus.CONNECTED)
        .exclude(call_sid=None)
        .order_by("-id")
        .first()
    )
    return handed or contact


def _participant_of(*, label: str, call_sid: str, owner: WaitingContact) -> tuple[str, int | None]:
    """Which line an event is about: the caller, the contact's own agent, or a consulted person's
    line ("consult", with the consult's contact id)."""
    if label.startswith(telephony.CONSULT_LABEL + "-") and label[len(telephony.CONSULT_LABEL) + 1 :].isdigit():
        return telephony.CONSULT_LABEL, int(label[len(telephony.CONSULT_LABEL) + 1 :])
    if label in (telephony.CALLER_LABEL, telephony.AGENT_LABEL):
        return label, None
    if call_sid:  # a callback's person is the caller too (their call was placed by REST)
        caller = call_sid in (owner.call_sid, live_call_sid(owner))
        return (telephony.CALLER_LABEL if caller else telephony.AGENT_LABEL), None
    return "", None


# The instructions that bring the agent's line to the caller's conference.
AGENT_LINE_ACTIONS = (CallControlAction.CONNECT_AGENT, CallControlAction.DIAL_AGENT)


def _agent_line_deadline(contact: WaitingContact) -> datetime | None:
    """When the agent's line should have joined the contact's conference: AGENT_JOIN_TIMEOUT_SECONDS
    after the accept, or after the caller was put into the conference if Twilio took longer. None
    while that instruction is still being tried (Twilio's delay is not the agent's line failing), or
    when the call was not put through Twilio (the local backend posts no conference callbacks).
    A callback: after the person called back joined the conference (until then nobody waits)."""
    if contact.kind == ContactKind.CALLBACK:
        if CallControl.objects.filter(
            contact=contact, action__in=AGENT_LINE_ACTIONS, status=CallControlStatus.PENDING
        ).exists():
            return None
        joined = (
            ConferenceEvent.objects.filter(
                contact=contact,
                conference_sid=contact.conference_sid,
                event="participant-join",
                participant=telephony.CALLER_LABEL,
            )
            .order_by("at")
            .values_list("at", flat=True)
            .first()
            if contact.conference_sid
            else None
        )
        if joined is None:
            return None
        return max(joined, contact.answered_at) + timedelta(seconds=settings.AGENT_JOIN_TIMEOUT_SECONDS)
    controls = list(
        CallControl.objects.filter(
            contact=contact, action__in=AGENT_LINE_ACTIONS, created_at__gte=contact.answered_at
        ).values_list("backend", "status", "done_at")
    )
    if not controls or any(backend != "twilio" for backend, _status, _done in controls):
        return None
    if any(status == CallControlStatus.PENDING for _backend, status, _done in controls):
        return None
    started = max([contact.answered_at, *(done for _backend, _status, done in controls if done is not None)])
    return started + timedelta(seconds=settings.AGENT_JOIN_TIMEOUT_SECONDS)


def _agent_line_joined(contact: WaitingContact) -> bool:
    return (
        bool(contact.conference_sid)
        and ConferenceEvent.objects.filter(
            contact=contact,
            conference_sid=contact.conference_sid,
            event="participant-join",
            participant=telephony.AGENT_LABEL,
        ).exists()
    )


def agent_joins_expire(*, now: datetime | None = None, limit: int = 200) -> int:
    """Calls accepted (and callbacks answered) whose agent's line never joined the conference in
    AGENT_JOIN_TIMEOUT_SECONDS: the caller goes back to the front of the line with the context kept
    (a person called back waits there as a caller), the agent to not ready
    (device problem). Idempotent (a contact put back in line is no longer connected); 0 turns it off."""
    now = now or timezone.now()
    timeout = settings.AGENT_JOIN_TIMEOUT_SECONDS
    if timeout <= 0:
        return 0
    context = AuditContext.system(channel=AuditChannel.TASK)
    candidates = list(
        WaitingContact.objects.filter(
            Q(kind=ContactKind.CALL, call_sid__isnull=False) | Q(kind=ContactKind.CALLBACK),
            status=ContactStatus.CONNECTED,
            answered_at__lte=now - timedelta(seconds=timeout),
        )
        .order_by("answered_at")
        .values_list("pk", "offered_to_id")[:limit]
    )
    requeued = 0
    for contact_id, agent_id in candidates:
        if agent_id is None:
            continue
        with transaction.atomic():
            agent = _agent_state_for_update(agent_id)  # agent before contact, as every service locks
            contact = WaitingContact.objects.select_for_update().filter(pk=contact_id).first()
            if contact is None or contact.status != ContactStatus.CONNECTED or contact.offered_to_id != agent_id:
                continue
            deadline = _agent_line_deadline(contact)
            if deadline is None or deadline > now or _agent_line_joined(contact):
                continue
            _requeue_at_front(context=context, contact=contact, agent=agent, at=now, reason=LINE_NEVER_JOINED)
            requeued += 1
    return requeued


def conference_event_record(
    *,
    context: AuditContext,
    conference_sid: str,
    friendly_name: str,
    event: str,
    call_sid: str = "",
    label: str = "",
    sequence: str = "",
    at: datetime | None = None,
) -> ConferenceEvent | None:
    """One conference status callback, acted on once (Twilio may post it again):
    - the caller leaves while connected (on hold or not): the contact ends, the agent wraps up (and a
      consulted person's part ends too);
    - the agent's line leaves while the caller is in: the caller goes back to the front of the line
      (or, during a consult with the person on the line, stays with them: a warm transfer);
    - a consulted person's line leaves: the consult ends and the agent has the caller back; after a
      warm transfer it is the contact's own line, and the caller goes back to the front of the line;
    - a supervisor's leg (label `monitor-<identity>`) leaving ends their monitoring, nothing else;
    - hold and unhold of the caller keep `on_hold_since`, mute and unmute of the agent `muted`.
    A callback of an earlier conference of the same contact (before it was put back in line) or for
    a contact no longer connected is kept and changes nothing. None for a conference not ours."""
    at = at or timezone.now()
    found = CONFERENCE_NAME.match(friendly_name)
    if not found or not conference_sid:
        return None
    contact_id, attempt = int(found.group(1)), int(found.group(2))
    with transaction.atomic():
        # Agents before contacts, the order every other service locks in: the contact's own agent,
        # then those of its consults (a consulted person who took the call over included).
        agent_id = WaitingContact.objects.filter(pk=contact_id).values_list("offered_to", flat=True).first()
        agent = _agent_state_for_update(agent_id) if agent_id is not None else None
        consulted = sorted(
            WaitingContact.objects.filter(
                Q(consult_of_id=contact_id) | Q(consult_of__consult_of_id=contact_id),
                status__in=[ContactStatus.OFFERED, ContactStatus.CONNECTED],
            ).values_list("offered_to", flat=True)
        )
        for user_id in consulted:
            AgentState.objects.select_for_update().filter(user_id=user_id).first()
        contact = WaitingContact.objects.select_for_update().filter(pk=contact_id).first()
        if contact is None:
            return None
        owner = _conference_owner(contact)
        if label.startswith(telephony.MONITOR_LABEL_PREFIX):
            participant, consult_id = telephony.SUPERVISOR_LABEL, None
        else:
            participant, consult_id = _participant_of(label=label, call_sid=call_sid, owner=owner)
        record = ConferenceEvent(
            contact=owner,
            key=_event_key(conference_sid=conference_sid, sequence=sequence, call_sid=call_sid, event=event),
            conference_sid=conference_sid[:34],
            event=event[:30],
            call_sid=call_sid[:34],
            participant=participant,
            at=at,
        )
        try:
            with transaction.atomic():
                record.save()
        except IntegrityError:
            return ConferenceEvent.objects.filter(key=record.key).first()
        current = attempt == contact.attempts and owner.status == ContactStatus.CONNECTED
        if owner.pk != contact.pk:
            agent = AgentState.objects.filter(user_id=owner.offered_to_id).first()
        outcome = _conference_event_apply(
            context=context,
            contact=owner,
            agent=agent,
            record=record,
            current=current,
            at=at,
            consult_id=consult_id,
            record_label=label,
        )
        record.outcome = outcome[:200]
        record.save(update_fields=["outcome"])
        audit_record(
            context=context,
            action=AuditAction.CREATE,
            target_type="contactcenter.conferenceevent",
            target_id=record.pk,
            summary=f"Conference {event} ({participant or '-'}) on contact {owner.pk}: {outcome or 'recorded'}",
        )
    return record


def _consults_end(*, context: AuditContext, contact: WaitingContact, at: datetime, reason: str) -> None:
    from contactcenter.live.consult import _consult_end

    for consult in WaitingContact.objects.select_for_update().filter(
        consult_of=contact, status__in=[ContactStatus.OFFERED, ContactStatus.CONNECTED]
    ):
        _consult_end(
            context=context, contact=contact, consult=consult, now=at, reason=reason, line_gone=True, resume=False
        )


def _conference_event_apply(
    *,
    context: AuditContext,
    contact: WaitingContact,
    agent,
    record: ConferenceEvent,
    current: bool,
    at: datetime,
    consult_id: int | None = None,
    record_label: str = "",
) -> str:
    if not current:
        return "not the contact's current conversation: nothing changed"
    event, participant = record.event, record.participant
    if not contact.conference_sid:
        contact.conference_sid = record.conference_sid
        contact.save(update_fields=["conference_sid", "updated_at"])
    if participant == telephony.SUPERVISOR_LABEL:
        if event == "participant-leave":
            return monitor_leg_left(context=context, contact=contact, label=record_label, now=at)
        return ""
    # The line of the contact's own agent: "agent", or a consulted person's once the call moved to them.
    own_line = participant == telephony.AGENT_LABEL if contact.consult_of_id is None else consult_id == contact.pk
    if event == "participant-leave" and participant == telephony.CALLER_LABEL:
        if contact.kind == ContactKind.CALLBACK:  # the person called back hung up: the conversation is over
            # contact_abandon ends these with a caller's call; a callback's ends here.
            monitor_sessions_end(context=context, contact=contact, now=at)
            _consults_end(context=context, contact=contact, at=at, reason="ended: the caller hung up")
            contact_complete(context=context, user=contact.offered_to, contact_id=contact.pk, now=at)
            contact.refresh_from_db()
            conversation_record(context=context, contact=contact, agent=contact.offered_to)
        else:
            contact_abandon(context=context, call_sid=contact.call_sid, ended_at=at)
        contact.refresh_from_db()
        if contact.on_hold_since is not None:
            contact.on_hold_since = None
            contact.save(update_fields=["on_hold_since", "updated_at"])
        return "caller hung up: conversation ended, agent in wrap-up"
    if event == "participant-leave" and own_line and agent is not None:
        consult = (
            WaitingContact.objects.select_for_update()
            .filter(consult_of=contact, status=ContactStatus.CONNECTED)
            .first()
        )
        if consult is not None:
            from contactcenter.live.consult import _warm_transfer

            _warm_transfer(
                context=context, contact=contact, consult=consult, user=contact.offered_to, now=at, line_gone=True
            )
            return f"agent's line dropped during the consult: caller stays with contact {consult.pk}"
        _consults_end(context=context, contact=contact, at=at, reason="ended: the agent's line dropped")
        if contact.consult_of_id is not None:
            # The call was left to this person and their line dropped: the caller waits for the next
            # agent in a conference of this contact's own, as any caller put back in line does.
            contact.consult_of = None
            contact.save(update_fields=["consult_of", "updated_at"])
        _requeue_at_front(context=context, contact=contact, agent=agent, at=at)
        return "agent's line dropped: caller back at the front of the line, agent not ready"
    if event == "participant-join" and participant == telephony.AGENT_LABEL:
        from contactcenter.live.recordings import recording_start_queue

        return recording_start_queue(contact=contact)
    if event == "participant-leave" and participant == telephony.CONSULT_LABEL and consult_id is not None:
        consult = (
            WaitingContact.objects.select_for_update()
            .filter(pk=consult_id, consult_of=contact, status__in=[ContactStatus.OFFERED, ContactStatus.CONNECTED])
            .first()
        )
        if consult is None:
            return ""
        from contactcenter.live.consult import _consult_end

        _consult_end(
            context=context, contact=contact, consult=consult, now=at, reason="ended: their line left", line_gone=True
        )
        return f"consulted person's line left: consult {consult.pk} ended, caller back with the agent"
    changes = {
        ("participant-hold", telephony.CALLER_LABEL): ("on_hold_since", contact.on_hold_since or at, "caller on hold"),
        ("participant-unhold", telephony.CALLER_LABEL): ("on_hold_since", None, "caller off hold"),
    }
    if own_line:
        changes[("participant-mute", participant)] = ("muted", True, "agent muted")
        changes[("participant-unmute", participant)] = ("muted", False, "agent unmuted")
    change = changes.get((event, participant))
    if change is None:
        return ""
    field, value, summary = change
    if getattr(contact, field) != value:
        setattr(contact, field, value)
        contact.save(update_fields=[field, "updated_at"])
    return summary


__all__ = [
    "agent_joins_expire",
    "conference_agent_join",
    "conference_agent_line_answer",
    "conference_agent_line_status",
    "conference_event_record",
    "contact_end",
    "contact_hold",
    "contact_mute",
    "contact_transfer",
]
