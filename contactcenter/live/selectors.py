"""Reads of the live tier once a person answers: the agent's console, the caller's context and
verification, service requests, escalations, connected calls and supervisors on them, recordings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import (
    Count,
    OuterRef,
    QuerySet,
    Subquery,
)
from django.utils import timezone

from contactcenter.ledger.selectors import interactions_for_receipt_number, interactions_visible_to
from contactcenter.ledger.timeline_sources import steps_by_interaction
from contactcenter.live.workflows import OPEN_AT_OFFICE, SERVICE_REQUEST, office_ids_of
from contactcenter.models import (
    AgentState,
    AgentStatus,
    BenefitCase,
    CallerVerification,
    CallRecording,
    Channel,
    ContactKind,
    ContactStatus,
    Disposition,
    Escalation,
    FieldOffice,
    Interaction,
    MonitorSession,
    QueueConfig,
    ServiceRequest,
    ServiceRequestEvent,
    ServiceRequestStatus,
    StaffProfile,
    StatusNotice,
    Topic,
    VerificationOutcome,
    VerificationStep,
    WaitingContact,
)
from contactcenter.reference.identifiers import normalize_receipt_number
from contactcenter.reference.selectors import case_get, case_outside_normal_processing
from contactcenter.routing.opening_hours import business_days_after
from contactcenter.routing.selectors import wrap_up_pending_contact_id
from contactcenter.staff.roles import RECORDING_LISTENER_ROLES, Role, user_roles
from contactcenter.staff.selectors import staff_profile_for
from contactcenter.subscriptions.selectors import status_notices_for_receipt_number

# --- live tier: consoles and reports ------------------------------------------------------------


@dataclass(frozen=True)
class ConsoleState:
    agent: AgentState | None
    profile: StaffProfile | None
    contact: WaitingContact | None
    wrap_up: WaitingContact | None


def _contacts_with_context() -> QuerySet[WaitingContact]:
    return WaitingContact.objects.select_related(
        "interaction__topic", "agent_interaction", "escalated_from__created_by", "escalated_from__from_contact"
    )


CONSOLE_STATUSES = (ContactStatus.OFFERED, ContactStatus.CONNECTED)


def _latest_consult() -> QuerySet[WaitingContact]:
    """The consults asked on the outer contact's call, the newest first (for a Subquery)."""
    return WaitingContact.objects.filter(consult_of=OuterRef("pk")).order_by("-id")


def _on_console(contacts: QuerySet[WaitingContact], *, user) -> QuerySet[WaitingContact]:
    """The contact an agent's console shows (offered to or connected with them, the newest), with
    the newest consult asked on its call: one rule for the page and for its poll."""
    return (
        contacts.filter(offered_to=user, status__in=CONSOLE_STATUSES)
        .annotate(consult_latest_id=Subquery(_latest_consult().values("pk")[:1]))
        .order_by("-offered_at")
    )


def _follows_consult(*, status: str, call_sid: str | None, consult_id: int | None) -> bool:
    """The console follows a consult asked on the phone call the agent is on."""
    return status == ContactStatus.CONNECTED and bool(call_sid) and consult_id is not None


def console_state(*, user) -> ConsoleState:
    """What an agent's console shows: their state, the contact offered to or connected with them,
    or the contact they are wrapping up."""
    agent = AgentState.objects.filter(user=user).first()
    contact = _on_console(_contacts_with_context(), user=user).first()
    wrap_up = None
    if agent is not None and agent.state == AgentStatus.WRAP_UP:
        pending = wrap_up_pending_contact_id(user=user)
        if pending is not None:
            wrap_up = _contacts_with_context().filter(pk=pending).first()
    return ConsoleState(agent=agent, profile=staff_profile_for(user=user), contact=contact, wrap_up=wrap_up)


def console_consult(state: ConsoleState) -> WaitingContact | None:
    """The consult asked on the agent's call (under way, or the last one, to say how it ended),
    read in full only when there is one."""
    contact = state.contact
    if contact is None or not _follows_consult(
        status=contact.status, call_sid=contact.call_sid, consult_id=getattr(contact, "consult_latest_id", None)
    ):
        return None
    return consult_latest(contact=contact)


def _glance(agent: tuple | None, contact: tuple | None, consult: tuple | None) -> tuple[str, ...]:
    """What the polled part of the console shows, in short: the agent's (state, since, reason,
    extended), the contact's (id, status, call sid) and the consult's (id, status)."""
    state, since, reason, extended = agent if agent is not None else ("", None, "", "")
    return (
        state,
        since.isoformat() if since else "",
        reason or "",
        str(extended) if agent is not None else "",
        str(contact[0]) if contact else "",
        contact[1] if contact else "",
        f"{consult[0]}:{consult[1]}" if consult else "",
        "holder" if contact and contact[2] else "",
    )


def console_glance_of(state: ConsoleState, consult: WaitingContact | None) -> tuple[str, ...]:
    """`console_glance`, from what the page is drawn with: the poll's cheap reading and the page's
    own must agree (tests/contactcenter/test_console_offer.py)."""
    agent, contact = state.agent, state.contact or state.wrap_up
    return _glance(
        (agent.state, agent.state_since, agent.reason_code, agent.wrap_up_extended) if agent else None,
        (contact.pk, contact.status, contact.call_sid) if contact else None,
        (consult.pk, consult.status) if consult else None,
    )


def console_glance(*, user) -> tuple[str, ...]:
    """What the polled part of an agent's console depends on, in a few small queries (values only).
    The console's poll compares it with what the page shows, most times to answer "nothing changed":
    it must stay cheap (`console_state` compiles a wide join)."""
    agent = (
        AgentState.objects.filter(user=user)
        .values_list("state", "state_since", "reason_code", "wrap_up_extended")
        .first()
    )
    row = (
        _on_console(WaitingContact.objects, user=user)
        .annotate(consult_latest_status=Subquery(_latest_consult().values("status")[:1]))
        .values_list("pk", "status", "call_sid", "consult_latest_id", "consult_latest_status")
        .first()
    )
    contact = consult = None
    if row is not None:
        contact = row[:3]
        if _follows_consult(status=row[1], call_sid=row[2], consult_id=row[3]):
            consult = row[3:]
    elif agent is not None and agent[0] == AgentStatus.WRAP_UP:
        pending = wrap_up_pending_contact_id(user=user)
        if pending is not None:
            contact = WaitingContact.objects.filter(pk=pending).values_list("pk", "status", "call_sid").first()
    return _glance(agent, contact, consult)


DEFAULT_AFTER_CALL_WORK_SECONDS = 120


def after_call_work_ends_at(*, agent: AgentState, contact: WaitingContact) -> datetime:
    """When an agent's wrap-up of `contact` ends by itself: its queue's after-call time from the end
    of the conversation, twice that once the agent extended it."""
    limit = (
        QueueConfig.objects.filter(name=contact.queue_name).values_list("after_call_work_seconds", flat=True).first()
    )
    seconds = limit if limit is not None else DEFAULT_AFTER_CALL_WORK_SECONDS
    return agent.state_since + timedelta(seconds=seconds * (2 if agent.wrap_up_extended else 1))


def wrap_up_disposition_default(contact: WaitingContact) -> str:
    """What a wrap-up proposes (and what one closed by the time limit records): what the
    conversation itself shows happened."""
    from contactcenter.models import Disposition

    if contact.disposition == Disposition.ESCALATED:
        return Disposition.ESCALATED
    if contact.kind == ContactKind.CALLBACK and contact.status != ContactStatus.COMPLETED:
        return Disposition.NO_ANSWER
    if contact.service_requests.exists():
        return Disposition.SERVICE_REQUEST
    return Disposition.INFORMATION


def contact_dispositions(contact: WaitingContact) -> list[str]:
    """Every disposition a wrap-up recorded, the primary one first (a contact wrapped up before
    several were taken has its one disposition)."""
    if contact.dispositions:
        return list(contact.dispositions)
    return [contact.disposition] if contact.disposition else []


@dataclass(frozen=True)
class ReceiptContext:
    receipt_number: str
    case: BenefitCase | None
    outside_normal: bool | None
    contacts: list[Interaction]
    # The same contacts as the timeline partial draws them (an IVR call with its steps).
    timeline: list[TimelineEntry] = field(default_factory=list)


def contact_receipt_context(*, user, contact: WaitingContact) -> list[ReceiptContext]:
    """For each receipt number of a contact: the case on file and every other contact about it on
    any channel, the IVR call or Tier 1 conversation that led here included (this conversation's own
    entry left out)."""
    own = {contact.agent_interaction_id} - {None}
    contacts = {
        receipt_number: [
            interaction
            for interaction in interactions_for_receipt_number(user=user, receipt_number=receipt_number)[:20]
            if interaction.pk not in own
        ]
        for receipt_number in contact.receipt_numbers
    }
    steps = steps_by_interaction(interaction for rows in contacts.values() for interaction in rows)
    rows = []
    for receipt_number, interactions in contacts.items():
        case = case_get(receipt_number=receipt_number)
        rows.append(
            ReceiptContext(
                receipt_number=receipt_number,
                case=case,
                outside_normal=case_outside_normal_processing(case=case) if case else None,
                contacts=interactions,
                timeline=[
                    TimelineEntry(at=i.occurred_at, interaction=i, ivr_steps=steps.get(i.pk, [])) for i in interactions
                ],
            )
        )
    return rows


# How many contacts a caller's timeline shows at most (newest first): one number (an attorney's
# office, say) may call thousands of times, and a page never reads a history in proportion to its size.
TIMELINE_LIMIT = 200


@dataclass
class TimelineEntry:
    """One thing that happened to a caller or a case, on any channel: a contact from the ledger, a
    service request taken, or an escalation to Tier 2."""

    at: datetime
    interaction: Interaction | None = None
    service_request: ServiceRequest | None = None
    escalation: Escalation | None = None
    # A case-status update sent to a subscriber (contactcenter/subscriptions).
    status_notice: StatusNotice | None = None
    # The IVR steps of a call, as codes (the template says them in words: the ivr_step filter).
    ivr_steps: list[str] = field(default_factory=list)
    dispositions: list[str] = field(default_factory=list)
    # The topic the agent corrected the IVR's guess to (the entry's topic is then the correction).
    ivr_topic: Topic | None = None
    recordings: list = field(default_factory=list)


def contact_of_agent(*, user, contact_id: int) -> WaitingContact | None:
    """A contact offered to (or taken by) this agent: what the caller's timeline is asked through, so
    no phone number travels in a URL and no agent reads another's caller."""
    return WaitingContact.objects.filter(pk=contact_id, offered_to=user).first()


def contact_timeline(*, user, receipt_number: str = "", phone: str = "") -> list[TimelineEntry]:
    """Everything about one receipt number, or from one caller (by their phone number), newest first:
    each contact on every channel the user may see (an IVR call with its steps, a conversation with
    its dispositions and corrected topic, a written inquiry, an outreach referral), each service
    request and each escalation to Tier 2. The one timeline of the CSR, ISO and CAO consoles."""
    if receipt_number:
        interactions = list(
            interactions_for_receipt_number(user=user, receipt_number=receipt_number).select_related("topic")
        )
    elif any(ch.isdigit() for ch in phone):  # a withheld number is no one's in particular
        interactions = list(
            interactions_visible_to(user=user).filter(contact_phone=phone).select_related("topic")[:TIMELINE_LIMIT]
        )
    else:
        return []
    ids = [interaction.pk for interaction in interactions if not interaction.restricted]
    steps = steps_by_interaction(interactions)
    conversations = {
        contact.agent_interaction_id: contact
        for contact in WaitingContact.objects.filter(agent_interaction_id__in=ids).select_related("interaction__topic")
    }
    entries = []
    for interaction in interactions:
        entry = TimelineEntry(
            at=interaction.occurred_at, interaction=interaction, ivr_steps=steps.get(interaction.pk, [])
        )
        contact = conversations.get(interaction.pk)
        if contact is not None:
            entry.dispositions = [
                Disposition(value).label for value in contact_dispositions(contact) if value in Disposition.values
            ]
            if contact.wrap_up_topic and contact.interaction_id:
                entry.ivr_topic = contact.interaction.topic
        entries.append(entry)
    requests = ServiceRequest.objects.select_related("form", "office")
    if receipt_number:
        requests = requests.filter(receipt_number=normalize_receipt_number(receipt_number))
    else:
        requests = requests.filter(interaction_id__in=ids)
    entries += [TimelineEntry(at=sr.created_at, service_request=sr) for sr in requests]
    escalations = Escalation.objects.filter(from_contact__agent_interaction_id__in=ids).select_related("created_by")
    entries += [TimelineEntry(at=escalation.created_at, escalation=escalation) for escalation in escalations]
    if receipt_number:
        entries += [
            TimelineEntry(at=notice.created_at, status_notice=notice)
            for notice in status_notices_for_receipt_number(receipt_number=normalize_receipt_number(receipt_number))
        ]
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries


def service_requests_list(
    *, receipt_number: str | None = None, status: str | None = None, created_by=None
) -> QuerySet[ServiceRequest]:
    queryset = ServiceRequest.objects.select_related("form", "office", "created_by", "reviewed_by")
    if receipt_number:
        queryset = queryset.filter(receipt_number=normalize_receipt_number(receipt_number))
    if status:
        queryset = queryset.filter(status=status)
    if created_by is not None:
        queryset = queryset.filter(created_by=created_by)
    return queryset


def service_requests_awaiting_review() -> QuerySet[ServiceRequest]:
    return service_requests_list(status=ServiceRequestStatus.PENDING_REVIEW).order_by("due_on", "id")


def escalation_for(*, contact: WaitingContact) -> Escalation | None:
    return Escalation.objects.select_related("created_by", "from_contact").filter(to_contact=contact).first()


def calls_connected(*, limit: int = 200) -> list[WaitingContact]:
    """The calls agents are on now, longest first: the wallboard's live monitor. Read through the
    one-contact-per-agent index (offered or connected), so as many rows as agents on a call."""
    return list(
        WaitingContact.objects.filter(status=ContactStatus.CONNECTED, offered_to__isnull=False)
        .select_related("offered_to")
        .order_by("answered_at", "id")[:limit]
    )


def monitor_sessions_open() -> list[MonitorSession]:
    """Supervisors in a call now (listening, whispering or barged in)."""
    return list(
        MonitorSession.objects.filter(ended_at__isnull=True, contact__status=ContactStatus.CONNECTED).select_related(
            "supervisor"
        )[:200]
    )


def monitor_session_of(*, user) -> MonitorSession | None:
    """The call the supervisor is in now, if any (a session whose call ended some other way than
    through the conference's callbacks is not shown as one)."""
    return MonitorSession.objects.filter(
        supervisor=user, ended_at__isnull=True, contact__status=ContactStatus.CONNECTED
    ).first()


def service_request_submitted(*, user, submission_token: str | None) -> ServiceRequest | None:
    """The service request this user's form with this one-time token already created, if any."""
    if not submission_token:
        return None
    return ServiceRequest.objects.filter(submission_token=submission_token, created_by=user).first()


# --- caller verification ------------------------------------------------------------------------
@dataclass(frozen=True)
class VerificationState:
    """What a contact's caller has proved: the receipt numbers they verified, and the A-numbers they
    answered (whose every case they may then act on); whether verification is locked."""

    receipt_numbers: frozenset[str]
    a_numbers: frozenset[str]
    failures: int
    locked: bool
    tries_left: int

    @property
    def verified(self) -> bool:
        return bool(self.receipt_numbers)

    def covers(self, case: BenefitCase | None) -> bool:
        return case is not None and (
            case.receipt_number in self.receipt_numbers or (bool(case.a_number) and case.a_number in self.a_numbers)
        )


def _verification_contacts(contact: WaitingContact) -> list[int]:
    """The contact and, for a Tier 2 contact, the Tier 1 conversation it was escalated from: the same
    call, whose caller the CSR already verified."""
    earlier = Escalation.objects.filter(to_contact_id=contact.pk).values_list("from_contact_id", flat=True).first()
    return [contact.pk] if earlier is None else [contact.pk, earlier]


def caller_verification_state(*, contact: WaitingContact) -> VerificationState:
    tries = CallerVerification.objects.filter(contact_id__in=_verification_contacts(contact))
    passed = list(
        tries.filter(outcome=VerificationOutcome.PASSED, step=VerificationStep.VERIFY)
        .select_related("case")
        .only("receipt_number", "checks", "case__a_number")
    )
    failures = tries.filter(outcome=VerificationOutcome.FAILED).count()
    limit = settings.CALLER_VERIFICATION_FAILURES_PER_CONTACT
    # A receipt number of this caller that others failed on too often (within 24 hours) locks as well.
    receipt_locked = (
        CallerVerification.objects.filter(
            outcome=VerificationOutcome.FAILED,
            receipt_number__in=contact.receipt_numbers,
            created_at__gt=timezone.now() - timedelta(hours=24),
        )
        .values("receipt_number")
        .annotate(failed=Count("id"))
        .filter(failed__gte=settings.CALLER_VERIFICATION_FAILURES_PER_RECEIPT)
        .exists()
    )
    return VerificationState(
        receipt_numbers=frozenset(row.receipt_number for row in passed),
        a_numbers=frozenset(row.case.a_number for row in passed if row.a_number_matched and row.case.a_number),
        failures=failures,
        locked=failures >= limit or receipt_locked,
        tries_left=0 if receipt_locked else max(limit - failures, 0),
    )


def caller_verification_failures(
    *, receipt_number: str, contact: WaitingContact | None = None, now: datetime | None = None
) -> tuple[int, int]:
    """Failed tries of this contact's caller, and failed tries on this receipt number in the last 24
    hours on any contact or none."""
    now = now or timezone.now()
    failed = CallerVerification.objects.filter(outcome=VerificationOutcome.FAILED)
    by_contact = failed.filter(contact_id__in=_verification_contacts(contact)).count() if contact else 0
    by_receipt = failed.filter(receipt_number=receipt_number, created_at__gt=now - timedelta(hours=24)).count()
    return by_contact, by_receipt


def caller_verification_locked(
    *, receipt_number: str, contact: WaitingContact | None = None, now: datetime | None = None
) -> bool:
    by_contact, by_receipt = caller_verification_failures(receipt_number=receipt_number, contact=contact, now=now)
    return (
        by_contact >= settings.CALLER_VERIFICATION_FAILURES_PER_CONTACT
        or by_receipt >= settings.CALLER_VERIFICATION_FAILURES_PER_RECEIPT
    )


def connected_contact_for(*, user) -> WaitingContact | None:
    """The live contact an agent has on the line now, if any."""
    return (
        WaitingContact.objects.filter(offered_to=user, status=ContactStatus.CONNECTED).order_by("-answered_at").first()
    )


def caller_verified_for(*, contact: WaitingContact | None, case: BenefitCase | None) -> bool:
    """Whether the caller on this contact (or on the Tier 1 call it was escalated from) proved this case."""
    return contact is not None and caller_verification_state(contact=contact).covers(case)


# Roles that work cases in writing or oversee: they see a case's identity without a caller to verify.
IDENTITY_WITHOUT_VERIFICATION = frozenset({Role.CAO_ANALYST, Role.CAO_SUPERVISOR, Role.SUPERVISOR})


def case_identity_visible(*, user, case: BenefitCase | None) -> bool:
    """A CSR or ISO sees a case's date of birth, A-number and address only while the caller on their
    line has passed verification for it: knowing them is what proves the caller."""
    if case is None:
        return False
    if user_roles(user) & IDENTITY_WITHOUT_VERIFICATION:
        return True
    return caller_verified_for(contact=connected_contact_for(user=user), case=case)


def written_request_get(*, interaction_id: int) -> Interaction | None:
    """A written request in the ledger (channel written) with its identifiers."""
    return (
        Interaction.objects.filter(pk=interaction_id, channel=Channel.WRITTEN).prefetch_related("identifiers").first()
    )


def transfer_queues(*, contact: WaitingContact) -> list[str]:
    """The queues an agent may cold-transfer this caller to: Tier 1's go to another Tier 1 queue
    (Tier 2 is reached by escalation), Tier 2's to any other active queue."""
    queues = QueueConfig.objects.filter(active=True).exclude(name=contact.queue_name)
    if contact.tier == 1:
        queues = queues.filter(tier=1)
    return list(queues.order_by("tier", "name").values_list("name", flat=True))


# --- call recordings ------------------------------------------------------------------------------
def recording_get(*, user, recording_id: int) -> CallRecording | None:
    """A recording the user may listen to; None for anyone else (or none such)."""
    if not user_roles(user) & RECORDING_LISTENER_ROLES:
        return None
    return CallRecording.objects.select_related("contact").filter(pk=recording_id).first()


def recordings_by_interaction(*, user, interaction_ids: list[int]) -> dict[int, list[CallRecording]]:
    """The recordings of the conversations listed (a case's contact history), for a user who may
    listen to them; empty for anyone else."""
    if not interaction_ids or not user_roles(user) & RECORDING_LISTENER_ROLES:
        return {}
    found: dict[int, list[CallRecording]] = {}
    for recording in CallRecording.objects.filter(interaction_id__in=interaction_ids).order_by("started_at", "id"):
        found.setdefault(recording.interaction_id, []).append(recording)
    return found


def consult_latest(*, contact: WaitingContact) -> WaitingContact | None:
    """The newest consult asked on a contact's call: under way, or how the last one ended (the
    console says when nobody answered)."""
    return WaitingContact.objects.select_related("offered_to").filter(consult_of=contact).order_by("-id").first()


def service_request_allowed_actions(*, request: ServiceRequest, user) -> frozenset[str]:
    return SERVICE_REQUEST.allowed_actions(request, user)


# --- the office's work on service requests -------------------------------------------------------
# Within this many business days of its due date an open request is "due soon" on the office's pages.
DUE_SOON_BUSINESS_DAYS = 2
OFFICE_QUEUE_STATUSES = (*OPEN_AT_OFFICE, ServiceRequestStatus.RESOLVED)


@dataclass(frozen=True)
class DueState:
    overdue: bool
    soon: bool


def service_request_due_soon_limit(*, today: date | None = None) -> date:
    """The last due date that counts as "due soon" today."""
    return business_days_after(today or timezone.localdate(), DUE_SOON_BUSINESS_DAYS)


def service_request_due_state(
    *, request: ServiceRequest, today: date | None = None, soon_limit: date | None = None
) -> DueState:
    """Overdue or due soon, for an open request (a resolved one is neither)."""
    if request.status not in OPEN_AT_OFFICE:
        return DueState(overdue=False, soon=False)
    today = today or timezone.localdate()
    soon_limit = soon_limit or service_request_due_soon_limit(today=today)
    overdue = request.due_on < today
    return DueState(overdue=overdue, soon=not overdue and request.due_on <= soon_limit)


def office_ids_for(*, user) -> frozenset[int]:
    return office_ids_of(user)


def service_request_queue(
    *,
    user,
    kind: str | None = None,
    status: str | None = None,
    due: str | None = None,
    due_before: date | None = None,
    mine: bool = False,
    today: date | None = None,
) -> QuerySet[ServiceRequest]:
    """The service requests routed to the user's offices, earliest due first: open ones unless a
    status is asked for. `due`: "overdue" or "soon" (within DUE_SOON_BUSINESS_DAYS business days)."""
    today = today or timezone.localdate()
    queryset = ServiceRequest.objects.filter(office_id__in=sorted(office_ids_of(user))).select_related(
        "form", "office", "assigned_to"
    )
    queryset = queryset.filter(status=status) if status else queryset.filter(status__in=OPEN_AT_OFFICE)
    if kind:
        queryset = queryset.filter(kind=kind)
    if due == "overdue":
        queryset = queryset.filter(due_on__lt=today)
    elif due == "soon":
        queryset = queryset.filter(due_on__gte=today, due_on__lte=service_request_due_soon_limit(today=today))
    if due_before:
        queryset = queryset.filter(due_on__lt=due_before)
    if mine:
        queryset = queryset.filter(assigned_to=user)
    return queryset.order_by("due_on", "id")


def service_request_for_office(*, user, request_id: int) -> ServiceRequest | None:
    """A request routed to one of the user's offices (None for any other: not theirs to see)."""
    return (
        ServiceRequest.objects.filter(pk=request_id, office_id__in=sorted(office_ids_of(user)))
        .select_related("form", "office", "assigned_to", "created_by", "reviewed_by", "case")
        .first()
    )


def service_request_events(*, request: ServiceRequest) -> QuerySet[ServiceRequestEvent]:
    """The request's history, oldest first."""
    return ServiceRequestEvent.objects.filter(request=request).select_related("by", "office").order_by("at", "id")


def service_request_by_number(*, receipt_number: str, number: int) -> ServiceRequest | None:
    """A request by the digits of its reference, only on the case named (the IVR asks for a case
    first, so a caller cannot walk other people's requests by number)."""
    if number <= 0 or number > 99_999_999:
        return None
    return ServiceRequest.objects.filter(pk=number, receipt_number=receipt_number).first()


def reroute_offices(*, exclude_id: int | None = None) -> QuerySet[FieldOffice]:
    return FieldOffice.objects.exclude(pk=exclude_id).order_by("name")


__all__ = [
    "CONSOLE_STATUSES",
    "DEFAULT_AFTER_CALL_WORK_SECONDS",
    "DUE_SOON_BUSINESS_DAYS",
    "IDENTITY_WITHOUT_VERIFICATION",
    "OFFICE_QUEUE_STATUSES",
    "TIMELINE_LIMIT",
    "ConsoleState",
    "DueState",
    "ReceiptContext",
    "TimelineEntry",
    "VerificationState",
    "after_call_work_ends_at",
    "caller_verification_failures",
    "caller_verification_locked",
    "caller_verification_state",
    "caller_verified_for",
    "calls_connected",
    "case_identity_visible",
    "connected_contact_for",
    "console_consult",
    "console_glance",
    "console_glance_of",
    "console_state",
    "consult_latest",
    "contact_dispositions",
    "contact_of_agent",
    "contact_receipt_context",
    "contact_timeline",
    "escalation_for",
    "monitor_session_of",
    "monitor_sessions_open",
    "office_ids_for",
    "recording_get",
    "recordings_by_interaction",
    "reroute_offices",
    "service_request_allowed_actions",
    "service_request_by_number",
    "service_request_due_soon_limit",
    "service_request_due_state",
    "service_request_events",
    "service_request_for_office",
    "service_request_queue",
    "service_request_submitted",
    "service_requests_awaiting_review",
    "service_requests_list",
    "transfer_queues",
    "wrap_up_disposition_default",
    "written_request_get",
]
