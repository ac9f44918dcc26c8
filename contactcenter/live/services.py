"""The live tier once a person answers: the conversation's ledger entry, service requests and
address changes, escalation to Tier 2, hang-ups, and wrap-up."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from contactcenter.audit.context import AuditContext
from contactcenter.audit.services import audit_record
from contactcenter.common.errors import ApplicationError
from contactcenter.common.workflows import Refusal
from contactcenter.ledger.services import interaction_record
from contactcenter.live import selectors
from contactcenter.live.office_work import service_request_due_on, service_request_reviewed, service_request_taken
from contactcenter.live.workflows import SERVICE_REQUEST
from contactcenter.models import (
    TIER2_REVIEW_TYPES,
    VERIFICATION_LOCKED_MESSAGE,
    AgentState,
    AgentStatus,
    AuditAction,
    AuditChannel,
    BenefitCase,
    CallControl,
    CallControlAction,
    CallControlStatus,
    CallerVerification,
    Channel,
    ContactKind,
    ContactStatus,
    Disposition,
    Escalation,
    EscalationReason,
    IdentifierKind,
    Interaction,
    Outcome,
    ServiceRequest,
    ServiceRequestStatus,
    ServiceRequestType,
    StaffProfile,
    Topic,
    VerificationOutcome,
    VerificationStep,
    WaitingContact,
    service_request_fields_ignored,
)
from contactcenter.reference import selectors as reference_selectors
from contactcenter.reference.identifiers import (
    InvalidIdentifier,
    mask_receipt_number,
    normalize_a_number,
    normalize_receipt_number,
)
from contactcenter.routing import hours
from contactcenter.routing import selectors as routing_selectors
from contactcenter.routing.contacts import _route_soon, queue_name_for
from contactcenter.routing.queue_rollups_refresh import queue_rollups_mark
from contactcenter.routing.services import _agent_move, _agent_state_for_update, _contact_offered_to, contact_complete
from contactcenter.telephony import gateway as telephony
from contactcenter.telephony.gateway import agent_identity

logger = logging.getLogger(__name__)
DISPOSITION_OUTCOMES = {
    Disposition.INFORMATION: Outcome.RESOLVED,
    Disposition.RESOLVED: Outcome.RESOLVED,
    Disposition.SERVICE_REQUEST: Outcome.SERVICE_REQUEST,
    Disposition.ESCALATED: Outcome.ESCALATED,
    Disposition.REFERRED_CAO: Outcome.REFERRED,
    Disposition.CALLBACK: Outcome.CALLBACK,
    Disposition.DISCONNECTED: Outcome.ABANDONED,
    Disposition.NO_ANSWER: Outcome.ABANDONED,
}
# What an agent may choose after wrap-up.
AFTER_WRAP_UP = frozenset({AgentStatus.AVAILABLE, AgentStatus.BREAK, AgentStatus.OFFLINE})
AR11_DAYS = 10
CALL_CONTROL_MAX_ATTEMPTS = 3
# A case's mailing address, by the service request fields an AR-11 fills it from.
ADDRESS_FIELDS = {
    "mailing_address_line": "new_address_line",
    "mailing_city": "new_city",
    "mailing_state": "new_state",
    "mailing_zip": "new_zip",
}


def _topic_of(contact: WaitingContact) -> str:
    """The conversation's topic: the agent's correction at wrap-up, else the IVR's guess."""
    if contact.wrap_up_topic:
        return contact.wrap_up_topic
    return contact.interaction.topic.code if contact.interaction_id else "general"


def conversation_record(
    *, context: AuditContext, contact: WaitingContact, agent, outcome: str = Outcome.IN_PROGRESS, summary: str = ""
) -> Interaction:
    """The live conversation's own ledger entry, a hand-off from the IVR call (or earlier tier) that
    led to it. Idempotent on the contact."""
    return interaction_record(
        context=context,
        channel=Channel.TIER2 if contact.tier == 2 else Channel.TIER1,
        topic_code=_topic_of(contact),
        source_app="contactcenter",
        source_model="waitingcontact",
        source_id=contact.pk,
        occurred_at=contact.answered_at,
        ended_at=contact.ended_at,
        language=contact.language,
        outcome=outcome,
        receipt_numbers=contact.receipt_numbers,
        parent=contact.interaction,
        contact_phone=contact.phone,
        summary=summary,
        handled_by=agent,
    )


def contact_pass_on(
    *,
    context: AuditContext,
    contact: WaitingContact,
    user,
    now: datetime,
    call_sid: str | None,
    queue_name: str,
    tier: int,
    language: str,
    priority: int,
    summary: str,
    outcome: str = Outcome.IN_PROGRESS,
    skill: str = "",
) -> tuple[Interaction, WaitingContact]:
    """The agent's part of a call ends and the caller waits in `queue_name` with their context (number,
    time zone, receipt numbers, IVR path): the escalation to Tier 2 and a cold transfer. Inside the
    caller's transaction; returns the agent's conversation in the ledger and the new place in line."""
    contact_complete(context=context, user=user, contact_id=contact.pk, now=now)
    contact.refresh_from_db()
    conversation = conversation_record(context=context, contact=contact, agent=user, outcome=outcome, summary=summary)
    onward = WaitingContact(
        kind=ContactKind.CALL,
        tier=tier,
        language=language,
        queue_name=queue_name,
        priority=priority,
        enqueued_at=now,
        call_sid=call_sid,
        phone=contact.phone,
        caller_time_zone=contact.caller_time_zone,
        receipt_numbers=contact.receipt_numbers,
        ivr_path=contact.ivr_path,
        skill=skill,
        interaction=conversation,
    )
    onward.full_clean()
    onward.save()
    queue_rollups_mark(contacts=[onward])
    return conversation, onward


def live_call_sid(contact: WaitingContact) -> str:
    """The call the person is on now: a caller's own call; for a callback, the call the center placed
    for this answer (its dial instruction's provider id), '' until it is placed."""
    if contact.kind != ContactKind.CALLBACK:
        return contact.call_sid or ""
    if contact.answered_at is None:
        return ""
    placed = (
        CallControl.objects.filter(
            contact=contact,
            action=CallControlAction.DIAL_CALLBACK,
            status=CallControlStatus.DONE,
            created_at__gte=contact.answered_at,
        )
        .exclude(provider_sid="")
        .order_by("-created_at")
        .values_list("provider_sid", flat=True)
        .first()
    )
    return placed or ""


def _call_control_queue(*, contact: WaitingContact, action: str, target: str, call_sid: str = "") -> CallControl:
    control = CallControl(
        contact=contact,
        action=action,
        call_sid=call_sid or contact.call_sid or "",
        target=target,
        language=contact.language,
        backend=settings.TELEPHONY_BACKEND,
    )
    control.full_clean()
    control.save()
    from contactcenter.common.background import enqueue_on_commit

    enqueue_on_commit("contactcenter.call_control_send", control_id=control.pk)
    return control


def call_control_send(*, control_id: int) -> CallControl | None:
    """Carry out a call instruction once: a row already done (a retried or duplicated task) is left
    alone. A refusal by the phone network is recorded and raised for the task to retry, until
    CALL_CONTROL_MAX_ATTEMPTS leaves it failed (logged as an error)."""
    failure: telephony.TelephonyError | None = None
    # The try is counted in a transaction of its own, before the REST call: a worker killed during
    # the call leaves the count, and the next try of a callback looks at Twilio before dialling.
    if not CallControl.objects.filter(pk=control_id, status=CallControlStatus.PENDING).update(
        attempts=F("attempts") + 1
    ):
        return CallControl.objects.filter(pk=control_id).first()
    with transaction.atomic():
        control = CallControl.objects.select_for_update().select_related("contact").filter(pk=control_id).first()
        if control is None or control.status != CallControlStatus.PENDING:
            return control
        try:
            control.provider_sid = telephony.gateway().control(control=control)
        except telephony.TelephonyError as error:
            failure = error
            control.error = str(error)[:300]
            if control.attempts >= CALL_CONTROL_MAX_ATTEMPTS:
                control.status = CallControlStatus.FAILED
            control.save(update_fields=["attempts", "error", "status"])
        else:
            control.status = CallControlStatus.DONE
            control.done_at = timezone.now()
            control.save(update_fields=["attempts", "provider_sid", "status", "done_at"])
        audit_record(
            context=AuditContext.system(channel="task"),
            action=AuditAction.UPDATE,
            target_type="contactcenter.callcontrol",
            target_id=control.pk,
            summary=f"{control.get_action_display()} → {control.target} ({control.backend}): {control.status}",
        )
    if failure is not None and control.status == CallControlStatus.PENDING:
        raise failure
    if failure is not None:
        telephony.logger.error("call control %s failed for good: %s", control.pk, control.error)
    return control


def call_controls_pending(*, older_than_seconds: int = 30) -> list[int]:
    """Instructions whose task never reached the broker."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    return list(
        CallControl.objects.filter(status=CallControlStatus.PENDING, created_at__lt=cutoff).values_list(
            "pk", flat=True
        )[:200]
    )


def contact_answer(*, context: AuditContext, user, contact_id: int, now: datetime | None = None) -> WaitingContact:
    """The agent accepts the offer: the caller is put through and the conversation enters the ledger."""
    from contactcenter.routing.services import offer_accept

    with transaction.atomic():
        contact = offer_accept(context=context, user=user, contact_id=contact_id, now=now)
        placed = False
        if contact.kind == ContactKind.CALLBACK:
            _call_control_queue(
                contact=contact,
                action=CallControlAction.DIAL_CALLBACK,
                target=telephony.conference_name(contact),
            )
            placed = True
        elif contact.consult_of_id is not None:  # a consult: the person is rung into the call's conference
            from contactcenter.live.consult import consult_ring_on_accept

            consult_ring_on_accept(contact=contact, user=user)
        elif contact.call_sid:
            _call_control_queue(contact=contact, action=CallControlAction.CONNECT_AGENT, target=agent_identity(user))
            placed = True
        # The agent's line is dialled to join the conference: their desk phone or remote line, else
        # (through Twilio) their browser's identity, whose softphone answers it since the agent accepted.
        # The local backend's device rings by itself.
        line = StaffProfile.objects.filter(user=user).values_list("agent_line", flat=True).first() if placed else ""
        if not line and placed and settings.TELEPHONY_BACKEND == "twilio":
            line = f"client:{agent_identity(user)}"
        if line:
            _call_control_queue(contact=contact, action=CallControlAction.DIAL_AGENT, target=line)
        interaction = conversation_record(context=context, contact=contact, agent=user)
        contact.agent_interaction = interaction
        contact.save(update_fields=["agent_interaction", "updated_at"])
    return contact


def contact_receipt_add(*, context: AuditContext, user, contact_id: int, receipt_number: str) -> WaitingContact:
    """A receipt number the caller gives the agent joins the contact and its ledger entry."""
    try:
        value = normalize_receipt_number(receipt_number)
    except InvalidIdentifier as error:
        raise ApplicationError(str(error), field="receipt_number") from error
    with transaction.atomic():
        contact = _contact_offered_to(user=user, contact_id=contact_id, action="add_receipt")
        if value not in contact.receipt_numbers:
            contact.receipt_numbers = [*contact.receipt_numbers, value]
            contact.save(update_fields=["receipt_numbers", "updated_at"])
            conversation_record(context=context, contact=contact, agent=user)
            audit_record(
                context=context,
                action=AuditAction.UPDATE,
                target_type="contactcenter.waitingcontact",
                target_id=contact.pk,
                summary=f"Receipt number {mask_receipt_number(value)} added to the contact",
            )
    return contact


# --- caller verification ------------------------------------------------------------------------
def _verification_locked_error() -> ApplicationError:
    return ApplicationError(str(VERIFICATION_LOCKED_MESSAGE), extra={"locked": True})


def _identity_checks(*, case: BenefitCase | None, date_of_birth: date, a_number: str, second_proof: bool) -> dict:
    """Which answers match the case, never the answers themselves. With `second_proof` the caller
    must also give the case's A-number, or for a case without one the receipt number itself (which
    found the case); else an A-number is checked only when given."""
    if case is None:
        return {"case_on_file": False}
    checks: dict = {"case_on_file": True, "date_of_birth": case.date_of_birth == date_of_birth}
    if case.a_number and (second_proof or a_number):
        checks["a_number"] = a_number == case.a_number
    elif second_proof:
        checks["receipt_number"] = True
    return checks


def _checks_passed(checks: dict) -> bool:
    return all(checks.values())


def _verification_record(
    *,
    context: AuditContext,
    user,
    contact: WaitingContact | None,
    step: str,
    receipt_number: str,
    case: BenefitCase | None,
    outcome: str,
    checks: dict,
    now: datetime | None = None,
) -> CallerVerification:
    verification = CallerVerification(
        contact=contact,
        agent=user,
        step=step,
        receipt_number=receipt_number,
        case=case,
        outcome=outcome,
        checks=checks,
        created_at=now or timezone.now(),
    )
    verification.full_clean()
    verification.save()
    shown = [f"{name.replace('_', ' ')} {'matched' if ok else 'did not match'}" for name, ok in checks.items()]
    audit_record(
        context=context,
        action=AuditAction.CREATE,
        target_type="contactcenter.callerverification",
        target_id=verification.pk,
        summary=f"Caller verification {outcome} on {mask_receipt_number(receipt_number)}"
        + (f" ({', '.join(shown)})" if shown else ""),
        detail={"step": step, "contact": contact.pk if contact else "", **checks},
    )
    return verification


def caller_verify(
    *,
    context: AuditContext,
    user,
    contact_id: int,
    receipt_number: str,
    date_of_birth: date,
    a_number: str = "",
    now: datetime | None = None,
) -> CallerVerification:
    """The agent asks the caller on the line for their date of birth and the case's A-number (for a
    case without one, the receipt number itself proves it) and types the answers, which are checked
    against the case. Each try is recorded, passed or failed; once the caller (or the receipt number,
    across contacts in 24 hours) has failed too often, the try is refused and recorded as locked.
    A passed try shows that case's identity in the console, and lets an address change be taken for
    it (and for every case under its A-number, when the caller gave it)."""
    now = now or timezone.now()
    try:
        receipt = normalize_receipt_number(receipt_number)
    except InvalidIdentifier as error:
        raise ApplicationError(str(error), field="receipt_number") from error
    try:
        a_number = normalize_a_number(a_number) if a_number.strip() else ""
    except InvalidIdentifier as error:
        raise ApplicationError(str(error), field="a_number") from error
    with transaction.atomic():
        contact = _contact_offered_to(user=user, contact_id=contact_id, action="verify")
        # The case row's lock makes tries on one receipt number from several contacts count one by one.
        case = BenefitCase.objects.select_for_update().filter(receipt_number=receipt).first()
        record = {"context": context, "user": user, "contact": contact, "step": VerificationStep.VERIFY}
        if selectors.caller_verification_locked(receipt_number=receipt, contact=contact, now=now):
            return _verification_record(
                **record, receipt_number=receipt, case=case, outcome=VerificationOutcome.LOCKED, checks={}, now=now
            )
        checks = _identity_checks(case=case, date_of_birth=date_of_birth, a_number=a_number, second_proof=True)
        outcome = VerificationOutcome.PASSED if _checks_passed(checks) else VerificationOutcome.FAILED
        verification = _verification_record(
            **record, receipt_number=receipt, case=case, outcome=outcome, checks=checks, now=now
        )
        if outcome == VerificationOutcome.PASSED and receipt not in contact.receipt_numbers:
            contact.receipt_numbers = [*contact.receipt_numbers, receipt]
            contact.save(update_fields=["receipt_numbers", "updated_at"])
            conversation_record(context=context, contact=contact, agent=user)
    return verification


# --- service requests ---------------------------------------------------------------------------
def _address_change_authority(
    *, case: BenefitCase, contact: WaitingContact | None, written_request_id: int | None
) -> tuple[Interaction | None, bool]:
    """What an address change stands on: the caller on the line, verified for this case, or a written
    request in the ledger that names it. Returns the written request (None for a caller) and whether
    the case's A-number was proved (by the caller's answer, or named in the letter): only then does
    the change reach the person's other cases."""
    if contact is not None:
        verified = selectors.caller_verification_state(contact=contact)
        if verified.covers(case):
            return None, bool(case.a_number) and case.a_number in verified.a_numbers
    if written_request_id is not None:
        written = selectors.written_request_get(interaction_id=written_request_id)
        if written is None:
            raise ApplicationError(
                _("No written request %(number)s is in the ledger.") % {"number": written_request_id},
                field="written_request_id",
            )
        named = {(identifier.kind, identifier.value) for identifier in written.identifiers.all()}
        a_number_named = bool(case.a_number) and (IdentifierKind.A_NUMBER, case.a_number) in named
        if (IdentifierKind.RECEIPT_NUMBER, case.receipt_number) not in named and not a_number_named:
            raise ApplicationError(
                _("Written request %(number)s names neither this receipt number nor its A-number.")
                % {"number": written_request_id},
                field="written_request_id",
            )
        return written, a_number_named
    if contact is not None:
        raise ApplicationError(
            _(
                "The caller has not been verified for %(receipt)s: verify the caller (date of birth and "
                "A-number or receipt number) before changing the address."
            )
            % {"receipt": mask_receipt_number(case.receipt_number)},
            extra={"verification_required": True},
        )
    raise ApplicationError(
        _(
            "An address change is taken only for a verified caller on the line or from a written request: "
            "verify the caller in the console, or give the written request's ledger number."
        ),
        extra={"verification_required": True},
    )


def _address_change_cases(*, case: BenefitCase, a_number_proved: bool) -> list[BenefitCase]:
    """The pending cases an AR-11 changes: every one under the A-number the requester proved, else
    only the case of the one receipt number. Never by name and date of birth."""
    queryset = BenefitCase.objects.select_for_update().filter(status__terminal=False)
    if a_number_proved and case.a_number:
        queryset = queryset.filter(a_number=case.a_number)
    else:
        queryset = queryset.filter(pk=case.pk)
    return list(queryset.order_by("receipt_number"))


def _address_change_apply(*, context: AuditContext, request: ServiceRequest, a_number_proved: bool) -> list[str]:
    updated = []
    for case in _address_change_cases(case=request.case, a_number_proved=a_number_proved):
        case.mailing_address_line = request.new_address_line
        case.mailing_city = request.new_city
        case.mailing_state = request.new_state.upper()
        case.mailing_zip = request.new_zip
        try:
            case.full_clean()
        except ValidationError as error:
            raise ApplicationError.from_validation(error, rename=ADDRESS_FIELDS, field_first=True) from error
        case.save(update_fields=["mailing_address_line", "mailing_city", "mailing_state", "mailing_zip", "updated_at"])
        audit_record(
            context=context,
            action=AuditAction.UPDATE,
            target_type="contactcenter.benefitcase",
            target_id=case.pk,
            summary=f"Mailing address changed (AR-11, {request.reference}) "
            f"on {mask_receipt_number(case.receipt_number)}",
        )
        updated.append(case.receipt_number)
    return updated


def _service_request_identity_check(
    *,
    context: AuditContext,
    user,
    receipt: str,
    date_of_birth: date,
    a_number: str,
    contact_id: int | None,
    by_letter: bool,
) -> None:
    """A service request's own check of the requester's answers, in a transaction of its own so that
    a failed try (or one while verification is locked) stays recorded when the request is refused.
    An address change a letter stands on needs the case's A-number too, as the verify step does."""
    refusal = None
    with transaction.atomic():
        contact = None
        if contact_id is not None:
            contact = _contact_offered_to(user=user, contact_id=contact_id, action="take_service_request")
        # The case row's lock makes identity checks on one case count one by one.
        case = BenefitCase.objects.select_for_update().filter(receipt_number=receipt).first()
        if case is None:
            return  # the request itself says that no case is on file
        if selectors.caller_verification_locked(receipt_number=receipt, contact=contact):
            outcome, checks, refusal = VerificationOutcome.LOCKED, {}, _verification_locked_error()
        else:
            second_proof = by_letter and not selectors.caller_verified_for(contact=contact, case=case)
            checks = _identity_checks(
                case=case, date_of_birth=date_of_birth, a_number=a_number, second_proof=second_proof
            )
            if _checks_passed(checks):
                return
            outcome = VerificationOutcome.FAILED
            refusal = ApplicationError(
                _("The date of birth or A-number does not match the case on file: verify the caller's identity."),
                field="date_of_birth",
            )
        _verification_record(
            context=context,
            user=user,
            contact=contact,
            step=VerificationStep.SERVICE_REQUEST,
            receipt_number=receipt,
            case=case,
            outcome=outcome,
            checks=checks,
        )
    raise refusal


def service_request_create(
    *,
    context: AuditContext,
    user,
    kind: str,
    receipt_number: str,
    date_of_birth: date,
    requester_role: str,
    a_number: str = "",
    requester_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    language: str = "en",
    details: str = "",
    expedite_criterion: str = "",
    new_address_line: str = "",
    new_city: str = "",
    new_state: str = "",
    new_zip: str = "",
    moved_on: date | None = None,
    contact_id: int | None = None,
    written_request_id: int | None = None,
    submission_token: str = "",
    today: date | None = None,
) -> ServiceRequest:
    """Take a service request on a case on file, routed to the office that holds the case.

    The caller's date of birth (and A-number, when given; always for an address change from a letter)
    must match the case; a mismatch is recorded as a failed verification and counts towards the same
    limits as the console's verify step. A request for a case outside normal processing time is taken
    only when the case was received before the published "receipt date for a case inquiry". An
    address change (AR-11) is taken only within a live contact whose caller passed verification for
    the case, or from a written request in the ledger naming it; it changes every pending case under
    the A-number the requester proved, else the one case. Expedite and emergency-appointment requests
    wait for a Tier 2 decision.

    Idempotent on `submission_token` (the form's one-time token): the same form posted again, even
    at the same moment, returns the request the first post created."""
    today = today or timezone.localdate()
    submission_token = submission_token or None
    if submission_token:
        earlier = selectors.service_request_submitted(user=user, submission_token=submission_token)
        if earlier is not None:
            return earlier
    if kind not in ServiceRequestType.values:
        raise ApplicationError(_("Unknown service request type %(kind)r.") % {"kind": kind})
    # A field another request type uses (filled in a form shown whole, without JavaScript) is ignored.
    ignored = service_request_fields_ignored(kind)
    expedite_criterion = "" if "expedite_criterion" in ignored else expedite_criterion
    new_address_line = "" if "new_address_line" in ignored else new_address_line
    new_city = "" if "new_city" in ignored else new_city
    new_state = "" if "new_state" in ignored else new_state
    new_zip = "" if "new_zip" in ignored else new_zip
    moved_on = None if "moved_on" in ignored else moved_on
    written_request_id = None if "written_request_id" in ignored else written_request_id
    try:
        receipt = normalize_receipt_number(receipt_number)
    except InvalidIdentifier as error:
        raise ApplicationError(str(error), field="receipt_number") from error
    try:
        a_number = normalize_a_number(a_number) if a_number else ""
    except InvalidIdentifier as error:
        raise ApplicationError(str(error), field="a_number") from error
    _service_request_identity_check(
        context=context,
        user=user,
        receipt=receipt,
        date_of_birth=date_of_birth,
        a_number=a_number,
        contact_id=contact_id,
        by_letter=kind == ServiceRequestType.ADDRESS_CHANGE and written_request_id is not None,
    )
    with transaction.atomic():
        case = reference_selectors.case_get(receipt_number=receipt)
        if case is None:
            raise ApplicationError(
                _("No case is on file for %(receipt)s: check the number with the caller.")
                % {"receipt": mask_receipt_number(receipt)},
                field="receipt_number",
            )
        if kind == ServiceRequestType.OUTSIDE_NORMAL:
            published = reference_selectors.processing_time_for_case(case=case, as_of=today)
            if published is None:
                raise ApplicationError(_("No processing time is published for this case's form and category."))
            if not reference_selectors.case_outside_normal_processing(case=case, today=today):
                raise ApplicationError(
                    _(
                        "The case is within normal processing time: a request can be taken only for cases "
                        "received before %(date)s (published %(published)s)."
                    )
                    % {
                        "date": formats.date_format(published.inquiry_receipt_date, _("F j, Y")),
                        "published": f"{published.published_on:%Y-%m-%d}",
                    },
                    field="kind",
                    extra={"inquiry_receipt_date": published.inquiry_receipt_date.isoformat()},
                )
        contact = None
        if contact_id is not None:
            contact = _contact_offered_to(user=user, contact_id=contact_id, action="take_service_request")
        request = ServiceRequest(
            kind=kind,
            status=ServiceRequestStatus.PENDING_REVIEW if kind in TIER2_REVIEW_TYPES else ServiceRequestStatus.ROUTED,
            case=case,
            receipt_number=receipt,
            form=case.form,
            office=case.office,
            applicant_name=case.applicant_name,
            date_of_birth=date_of_birth,
            a_number=a_number or case.a_number,
            requester_role=requester_role,
            requester_name=requester_name.strip(),
            contact_phone=contact_phone.strip(),
            contact_email=contact_email.strip(),
            language=language,
            details=details.strip(),
            expedite_criterion=expedite_criterion,
            new_address_line=new_address_line.strip(),
            new_city=new_city.strip(),
            new_state=new_state.strip().upper(),
            new_zip=new_zip.strip(),
            moved_on=moved_on,
            due_on=service_request_due_on(kind=kind, taken_on=today),
            created_by=user,
            contact=contact,
            interaction=contact.agent_interaction if contact else None,
            submission_token=submission_token,
        )
        try:
            request.full_clean(exclude=["submission_token"])
        except ValidationError as error:
            raise ApplicationError.from_validation(error, field_first=True) from error
        written, a_number_proved = None, False
        if kind == ServiceRequestType.ADDRESS_CHANGE:
            written, a_number_proved = _address_change_authority(
                case=case, contact=contact, written_request_id=written_request_id
            )
            request.interaction = written or request.interaction
        try:
            with transaction.atomic():
                request.save()
        except IntegrityError:
            # The same form's other post got there first (it waited on this one's unique token).
            earlier = selectors.service_request_submitted(user=user, submission_token=submission_token)
            if submission_token is None or earlier is None:
                raise
            return earlier
        summary = f"{request.get_kind_display()} {request.reference} on {mask_receipt_number(receipt)}"
        detail = {"office": request.office.code, "due_on": request.due_on.isoformat()}
        if kind == ServiceRequestType.ADDRESS_CHANGE:
            updated = _address_change_apply(context=context, request=request, a_number_proved=a_number_proved)
            late = moved_on is not None and (today - moved_on).days > AR11_DAYS
            summary += f"; address changed on {len(updated)} pending case(s)" + (" (filed late)" if late else "")
            detail["authority"] = (
                f"written request {written.pk}" if written else f"verified caller on contact {contact.pk}"
            )
            detail["scope"] = "A-number" if a_number_proved else "receipt number"
        audit_record(
            context=context,
            action=AuditAction.CREATE,
            target_type="contactcenter.servicerequest",
            target_id=request.pk,
            summary=summary,
            detail=detail,
        )
        service_request_taken(context=context, request=request, user=user)
        if contact is not None:
            if receipt not in contact.receipt_numbers:
                contact.receipt_numbers = [*contact.receipt_numbers, receipt]
                contact.save(update_fields=["receipt_numbers", "updated_at"])
            conversation_record(context=context, contact=contact, agent=user)
    return request


def service_request_review(
    *, context: AuditContext, user, request_id: int, approve: bool, note: str, now: datetime | None = None
) -> ServiceRequest:
    """A Tier 2 officer decides an expedite or emergency-appointment request Tier 1 relayed; never
    one they took themselves (an ISO may take a request too: another officer decides it)."""
    if not note.strip():
        raise ApplicationError(_("Give the reason for the decision."), field="note")
    with transaction.atomic():
        request = ServiceRequest.objects.select_for_update().filter(pk=request_id).first()
        if request is None:
            raise ApplicationError(_("No such service request."))
        action = "approve" if approve else "deny"
        if action not in selectors.service_request_allowed_actions(request=request, user=user):
            refused = SERVICE_REQUEST.refusal(action, request, user)
            if refused is Refusal.ROLE:
                raise ApplicationError(_("Only a Tier 2 officer decides a service request."))
            if refused is Refusal.STATE:
                raise ApplicationError(
                    _("%(reference)s is not awaiting review (%(status)s).")
                    % {"reference": request.reference, "status": request.get_status_display()}
                )
            raise ApplicationError(
                _("You took %(reference)s yourself: another Tier 2 officer must decide it.")
                % {"reference": request.reference},
                extra={"own_request": True},
            )
        request.status = SERVICE_REQUEST.row(action, request, user).target
        request.reviewed_by = user
        request.reviewed_at = now or timezone.now()
        request.review_note = note.strip()
        request.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
        service_request_reviewed(context=context, request=request, user=user, approve=approve, note=request.review_note)
        audit_record(
            context=context,
            action=AuditAction.UPDATE,
            target_type="contactcenter.servicerequest",
            target_id=request.pk,
            summary=f"{request.reference} {request.get_status_display()}",
        )
    return request


# --- escalation, hang-up, wrap-up ---------------------------------------------------------------
def contact_escalate(
    *,
    context: AuditContext,
    user,
    contact_id: int,
    reason: str,
    tried: str,
    summary: str,
    language: str | None = None,
    now: datetime | None = None,
) -> Escalation:
    """Send the caller to Tier 2 with a structured hand-off. The caller stays on the line: the call
    moves to the Tier 2 queue of their language and the CSR goes to wrap-up."""
    now = now or timezone.now()
    if reason not in EscalationReason.values:
        raise ApplicationError(_("Unknown escalation reason %(reason)r.") % {"reason": reason}, field="reason")
    if not tried.strip() or not summary.strip():
        raise ApplicationError(_("Say what was tried and summarise the case for the officer."), field="summary")
    with transaction.atomic():
        _agent_state_for_update(user)  # agent before contact, the order every other service locks in
        contact = _contact_offered_to(user=user, contact_id=contact_id, action="escalate")
        if contact.tier != 1:
            raise ApplicationError(_("Only a Tier 1 conversation is escalated to Tier 2."))
        if WaitingContact.objects.filter(
            consult_of=contact, status__in=[ContactStatus.OFFERED, ContactStatus.CONNECTED]
        ).exists():
            raise ApplicationError(
                _("Finish the consult first: leave the call to the person you asked, or cancel the consult.")
            )
        language = language or contact.language
        tier2_queue = queue_name_for(tier=2, language=language)
        if not hours.queue_open(queue_name=tier2_queue, time_zone=contact.caller_time_zone, at=now):
            opens = hours.next_queue_opening(queue_name=tier2_queue, time_zone=contact.caller_time_zone, at=now)
            local = opens.astimezone(ZoneInfo(contact.caller_time_zone))
            raise ApplicationError(
                _(
                    "Tier 2 is closed now; it opens %(opens)s the caller's time. "
                    "Take a service request or arrange a callback instead."
                )
                % {"opens": formats.date_format(local, _("l g:i A"))},
                extra={"queue": tier2_queue},
            )
        call_sid, contact.call_sid = live_call_sid(contact) or None, None  # the call moves to the Tier 2 leg
        contact.disposition = Disposition.ESCALATED
        contact.save(update_fields=["call_sid", "disposition", "updated_at"])
        _tier1, onward = contact_pass_on(
            context=context,
            contact=contact,
            user=user,
            now=now,
            call_sid=call_sid,
            queue_name=tier2_queue,
            tier=2,
            language=language,
            # A caller who asked for a supervisor is answered ahead of the rest of Tier 2.
            priority=contact.priority + (1 if reason == EscalationReason.SUPERVISOR else 0),
            outcome=Outcome.ESCALATED,
            summary=summary,
        )
        escalation = Escalation(
            from_contact=contact,
            to_contact=onward,
            reason=reason,
            tried=tried.strip(),
            summary=summary.strip(),
            language=language,
            created_by=user,
            created_at=now,
        )
        escalation.full_clean()
        escalation.save()
        audit_record(
            context=context,
            action=AuditAction.CREATE,
            target_type="contactcenter.escalation",
            target_id=escalation.pk,
            summary=f"Escalated to {onward.queue_name}: {escalation.get_reason_display()}",
        )
        if call_sid:
            _call_control_queue(contact=onward, action=CallControlAction.TRANSFER, target=onward.queue_name)
        _route_soon(queue_name=onward.queue_name)
    return escalation


def _offered_agent_free(*, context: AuditContext, agent_user, contact: WaitingContact, reason: str, now: datetime):
    """The contact offered to this agent ended before the answer: the agent is available again at once."""
    agent = _agent_state_for_update(agent_user)
    if agent.state == AgentStatus.OFFERED:
        _agent_move(
            context=context, agent=agent, to_state=AgentStatus.AVAILABLE, reason=reason, now=now, contact=contact
        )
        _route_soon(queue_name=agent.home_queue)


def contact_abandon(*, context: AuditContext, call_sid: str, ended_at: datetime | None = None) -> WaitingContact | None:
    """The caller hung up. Waiting: abandoned with the time they waited. Offered: abandoned too, and
    the agent is free again at once. Connected: the conversation ends and the agent wraps up."""
    ended_at = ended_at or timezone.now()
    with transaction.atomic():
        agent_id = WaitingContact.objects.filter(call_sid=call_sid).values_list("offered_to", flat=True).first()
        if agent_id is not None:
            _agent_state_for_update(agent_id)  # agent before contact, the order every other service locks in
        # So are the people of a consult under way on the call: it ends with it.
        consulted = WaitingContact.objects.filter(
            consult_of__call_sid=call_sid, status__in=[ContactStatus.OFFERED, ContactStatus.CONNECTED]
        )
        for user_id in sorted(consulted.values_list("offered_to", flat=True)):
            AgentState.objects.select_for_update().filter(user_id=user_id).first()
        contact = WaitingContact.objects.select_for_update().filter(call_sid=call_sid).first()
        if contact is None or contact.kind != ContactKind.CALL:
            return contact
        if contact.status == ContactStatus.CONNECTED:
            # Whether the conference's callback or the call's own status said so first: the
            # supervisors listening and a consult under way end with the conversation.
            from contactcenter.live.conference import _consults_end
            from contactcenter.live.monitoring import monitor_sessions_end

            monitor_sessions_end(context=context, contact=contact, now=ended_at)
            _consults_end(context=context, contact=contact, at=ended_at, reason="ended: the caller hung up")
            agent = contact.offered_to
            contact_complete(context=context, user=agent, contact_id=contact.pk, now=ended_at)
            contact.refresh_from_db()
            conversation_record(context=context, contact=contact, agent=agent)
            return contact
        if "abandon" not in routing_selectors.live_contact_allowed_actions(contact=contact, user=None):
            return contact
        offered_to = contact.offered_to if contact.status == ContactStatus.OFFERED else None
        contact.status = ContactStatus.ABANDONED
        contact.ended_at = ended_at
        contact.wait_seconds = max(int((ended_at - contact.enqueued_at).total_seconds()), 0)
        contact.save(update_fields=["status", "ended_at", "wait_seconds", "updated_at"])
        queue_rollups_mark(contacts=[contact])
        if offered_to is not None:
            _offered_agent_free(
                context=context,
                agent_user=offered_to,
                contact=contact,
                reason="caller hung up before the answer",
                now=ended_at,
            )
        audit_record(
            context=context,
            action=AuditAction.UPDATE,
            target_type="contactcenter.waitingcontact",
            target_id=contact.pk,
            summary=f"Caller abandoned {contact.queue_name} after {contact.wait_seconds} s",
        )
    return contact


def contact_withdraw(
    *, context: AuditContext, contact_id: int, reason: str, now: datetime | None = None
) -> WaitingContact | None:
    """The person no longer wants to be called (a callback withdrawn, a question answered another
    way). Waiting or offered: cancelled, and the agent it was offered to is available again at once.
    Connected or already ended: left as it is."""
    now = now or timezone.now()
    with transaction.atomic():
        agent_id = WaitingContact.objects.filter(pk=contact_id).values_list("offered_to", flat=True).first()
        if agent_id is not None:
            _agent_state_for_update(agent_id)  # agent before contact, the order every other service locks in
        contact = WaitingContact.objects.select_for_update().filter(pk=contact_id).first()
        if contact is None or "withdraw" not in routing_selectors.live_contact_allowed_actions(
            contact=contact, user=None
        ):
            return contact
        offered_to = contact.offered_to if contact.status == ContactStatus.OFFERED else None
        contact.status, contact.ended_at = ContactStatus.CANCELLED, now
        contact.full_clean()
        contact.save(update_fields=["status", "ended_at", "updated_at"])
        queue_rollups_mark(contacts=[contact])
        if offered_to is not None:
            _offered_agent_free(
                context=context, agent_user=offered_to, contact=contact, reason=f"contact withdrawn: {reason}", now=now
            )
        audit_record(
            context=context,
            action=AuditAction.UPDATE,
            target_type="contactcenter.waitingcontact",
            target_id=contact.pk,
            summary=f"Contact withdrawn from {contact.queue_name}: {reason}",
        )
    return contact


def contact_wrap_up(
    *,
    context: AuditContext,
    user,
    contact_id: int,
    disposition: str,
    more_dispositions: Sequence[str] = (),
    topic: str = "",
    notes: str = "",
    next_state: str = AgentStatus.AVAILABLE,
    now: datetime | None = None,
) -> WaitingContact:
    """Close the agent's after-call work: dispositions (the primary one first, then what else the
    conversation did), the topic when the IVR guessed it wrong, and notes on the contact and its
    ledger entry, wrap-up time counted from the end of the conversation, and the agent's next state."""
    now = now or timezone.now()
    chosen = list(dict.fromkeys([disposition, *more_dispositions]))
    for value in chosen:
        if value not in Disposition.values:
            raise ApplicationError(
                _("Unknown disposition %(disposition)r.") % {"disposition": value}, field="disposition"
            )
    if next_state not in AFTER_WRAP_UP:
        raise ApplicationError(
            _("After wrap-up an agent goes available, on break or offline, not %(state)r.") % {"state": next_state}
        )
    if topic and not Topic.objects.filter(code=topic, active=True).exists():
        raise ApplicationError(_("Choose a topic from the list."), field="topic")
    with transaction.atomic():
        agent = _agent_state_for_update(user)
        contact = WaitingContact.objects.select_for_update().filter(pk=contact_id).first()
        if (
            contact is None
            or agent.state != AgentStatus.WRAP_UP
            or routing_selectors.wrap_up_pending_contact_id(user=user) != contact.pk
        ):
            raise ApplicationError(_("There is no contact of yours to wrap up."), extra={"contact_id": contact_id})
        if "wrap_up" not in routing_selectors.live_contact_allowed_actions(contact=contact, user=user):
            raise ApplicationError(_("End the conversation before wrapping up."))
        if contact.tier == 2 and Disposition.ESCALATED in chosen:
            raise ApplicationError(
                _("A Tier 2 conversation is not escalated to Tier 2: choose what happened."),
                field="disposition",
            )
        # An escalation already made stays the primary disposition whatever else is chosen.
        if contact.disposition == Disposition.ESCALATED:
            chosen = list(dict.fromkeys([Disposition.ESCALATED, *chosen]))
        contact.disposition = chosen[0]
        contact.dispositions = chosen
        ivr_topic = contact.interaction.topic.code if contact.interaction_id else ""
        contact.wrap_up_topic = topic if topic and topic != ivr_topic else ""
        contact.wrap_up_notes = notes.strip()
        contact.wrap_up_seconds = max(int((now - agent.state_since).total_seconds()), 0)
        contact.save(
            update_fields=[
                "disposition",
                "dispositions",
                "wrap_up_topic",
                "wrap_up_notes",
                "wrap_up_seconds",
                "updated_at",
            ]
        )
        corrected = f"; topic {ivr_topic or '-'} corrected to {contact.wrap_up_topic}" if contact.wrap_up_topic else ""
        audit_record(
            context=context,
            action=AuditAction.UPDATE,
            target_type="contactcenter.waitingcontact",
            target_id=contact.pk,
            summary=f"Wrapped up: {', '.join(chosen)}{corrected}",
        )
        queue_rollups_mark(contacts=[contact])
        if contact.agent_interaction_id:
            # An escalated conversation keeps its hand-off summary in the history, then the notes.
            escalation = Escalation.objects.filter(from_contact=contact).first()
            summary = " — ".join(
                filter(
                    None,
                    [escalation.summary if escalation else "", _warm_transfer_note(contact), contact.wrap_up_notes],
                )
            )
            conversation_record(
                context=context,
                contact=contact,
                agent=user,
                outcome=DISPOSITION_OUTCOMES[Disposition(contact.disposition)],
                summary=summary,
            )
        from contactcenter.surveys.services import survey_after_conversation

        survey_after_conversation(context=context, contact=contact)
        _agent_move(context=context, agent=agent, to_state=next_state, reason="wrap-up done", now=now, contact=contact)
        if next_state == AgentStatus.AVAILABLE:
            _route_soon(queue_name=agent.home_queue)
    return contact


# How the history (kept in English, like every ledger summary) names why a consult was asked.
CONSULT_PURPOSE_NOTES = {"iso": "ISO consult", "supervisor": "caller asked for a supervisor"}


def _warm_transfer_note(contact: WaitingContact) -> str:
    """A conversation the agent left to a consulted person says so in the history: the consult they
    answered that outlived it."""
    if contact.agent_interaction_id is None:
        return ""
    # The consult's conversation hangs off this one in the ledger (it keeps the link even once the
    # consult, put back in line after a drop, is no longer in this call's conference).
    handed = (
        WaitingContact.objects.filter(interaction_id=contact.agent_interaction_id)
        .exclude(consult_purpose="")
        .exclude(answered_at=None)
        .filter(Q(ended_at=None) | Q(ended_at__gt=contact.ended_at or timezone.now()))
        .select_related("offered_to")
        .order_by("-id")
        .first()
    )
    if handed is None or handed.offered_to is None:
        return ""
    person = handed.offered_to.get_full_name() or handed.offered_to.get_username()
    return f"Warm transfer to {person} ({CONSULT_PURPOSE_NOTES.get(handed.consult_purpose, '')})"


AFTER_CALL_LIMIT_NOTE = "Closed by the after-call time limit."


def wrap_up_extend(*, context: AuditContext, user, now: datetime | None = None) -> AgentState:
    """The agent takes their one extension of the queue's after-call time for this wrap-up."""
    now = now or timezone.now()
    with transaction.atomic():
        agent = _agent_state_for_update(user)
        pending = (
            routing_selectors.wrap_up_pending_contact_id(user=user) if agent.state == AgentStatus.WRAP_UP else None
        )
        if pending is None:
            raise ApplicationError(_("There is no wrap-up of yours to extend."))
        if agent.wrap_up_extended:
            raise ApplicationError(_("You have already extended this wrap-up once: finish it now."))
        contact = WaitingContact.objects.get(pk=pending)
        if selectors.after_call_work_ends_at(agent=agent, contact=contact) <= now:
            raise ApplicationError(_("The after-call time is already over."))
        agent.wrap_up_extended = True
        agent.save(update_fields=["wrap_up_extended"])
        audit_record(
            context=context,
            action=AuditAction.UPDATE,
            target_type="contactcenter.agentstate",
            target_id=agent.pk,
            summary=f"Wrap-up of contact {contact.pk} extended once",
        )
    return agent


def wrap_ups_expire(*, now: datetime | None = None, limit: int = 500) -> int:
    """Wrap-ups past their queue's after-call time (and the one extension, if taken) are closed with
    the disposition the conversation shows and a note saying why; the agent goes available."""
    now = now or timezone.now()
    context = AuditContext.system(channel=AuditChannel.TASK)
    closed = 0
    for user_id in AgentState.objects.filter(state=AgentStatus.WRAP_UP).values_list("user_id", flat=True)[:limit]:
        try:
            with transaction.atomic():
                # Locked before deciding: an agent finishing or extending now is not overruled.
                agent = AgentState.objects.select_for_update().get(user_id=user_id)
                pending = routing_selectors.wrap_up_pending_contact_id(user=user_id)
                if agent.state != AgentStatus.WRAP_UP or pending is None:
                    continue
                contact = WaitingContact.objects.get(pk=pending)
                if selectors.after_call_work_ends_at(agent=agent, contact=contact) > now:
                    continue
                contact_wrap_up(
                    context=context,
                    user=agent.user,
                    contact_id=contact.pk,
                    disposition=selectors.wrap_up_disposition_default(contact),
                    notes=contact.wrap_up_notes or AFTER_CALL_LIMIT_NOTE,
                    next_state=AgentStatus.AVAILABLE,
                    now=now,
                )
                closed += 1
        except ApplicationError as error:
            logger.warning("after-call work of agent %s not closed: %s", user_id, error.message)
    return closed


__all__ = [
    "AFTER_CALL_LIMIT_NOTE",
    "AFTER_WRAP_UP",
    "CALL_CONTROL_MAX_ATTEMPTS",
    "DISPOSITION_OUTCOMES",
    "agent_identity",
    "call_control_send",
    "call_controls_pending",
    "caller_verify",
    "contact_abandon",
    "contact_answer",
    "contact_escalate",
    "contact_pass_on",
    "contact_receipt_add",
    "contact_withdraw",
    "contact_wrap_up",
    "conversation_record",
    "live_call_sid",
    "service_request_create",
    "service_request_review",
    "wrap_up_extend",
    "wrap_ups_expire",
]
