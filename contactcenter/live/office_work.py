"""A service request's end: the office it was routed to claims it, asks the requester, records the
reply, resolves it or sends it to another office; an overdue one is escalated to the office's
supervisors. The requester is told the reference number, each question and the resolution by text
and e-mail after the step commits. Every step is a row of the request's history, an audit row and,
when it is a contact with the requester, a ledger entry (channel "office")."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from contactcenter.audit.context import AuditContext
from contactcenter.audit.services import audit_record
from contactcenter.common.background import enqueue_on_commit, mail_message_id
from contactcenter.common.errors import ApplicationError
from contactcenter.common.workflows import Refusal
from contactcenter.ledger.services import interaction_record
from contactcenter.live.workflows import SERVICE_REQUEST, office_ids_of
from contactcenter.models import (
    PRIORITY_REQUEST_TYPES,
    AuditAction,
    AuditChannel,
    Channel,
    FieldOffice,
    Interaction,
    NoticeChannel,
    NoticePurpose,
    NoticeStatus,
    OfficeMembership,
    Outcome,
    ServiceRequest,
    ServiceRequestEvent,
    ServiceRequestEventKind,
    ServiceRequestNotice,
    ServiceRequestType,
)
from contactcenter.reference.identifiers import mask_phone
from contactcenter.routing.opening_hours import business_days_after
from contactcenter.routing.phones import callback_number_for
from contactcenter.telephony.texts import text_queue

logger = logging.getLogger(__name__)
SERVICE_REQUEST_DAYS = 15
PRIORITY_SERVICE_REQUEST_DAYS = 7
TEXT_LIMIT = 2000
# The ledger's topic of each request type (the shared taxonomy's service-request children).
TOPIC_OF_KIND = {
    ServiceRequestType.ADDRESS_CHANGE: "address-change",
    ServiceRequestType.NOTICE_NOT_RECEIVED: "non-delivery",
    ServiceRequestType.CARD_NOT_RECEIVED: "non-delivery",
    ServiceRequestType.DOCUMENT_NOT_RECEIVED: "non-delivery",
    ServiceRequestType.OUTSIDE_NORMAL: "outside-processing-time",
    ServiceRequestType.ACCOMMODATION: "accommodation",
    ServiceRequestType.TYPO: "typographic-error",
    ServiceRequestType.EXPEDITE: "expedite",
    ServiceRequestType.EMERGENCY_APPOINTMENT: "emergency-appointment",
}


def service_request_due_on(*, kind: str, taken_on: date) -> date:
    """The target date of a request taken on `taken_on`: 15 business days, 7 for priority types
    (weekends and federal holidays are not counted)."""
    days = PRIORITY_SERVICE_REQUEST_DAYS if kind in PRIORITY_REQUEST_TYPES else SERVICE_REQUEST_DAYS
    return business_days_after(taken_on, days)


# --- history, ledger, notices --------------------------------------------------------------------
def _event(
    request: ServiceRequest, kind: str, *, by=None, text: str = "", office=None, at: datetime | None = None
) -> ServiceRequestEvent:
    return ServiceRequestEvent.objects.create(
        request=request, kind=kind, by=by, text=text, office=office, at=at or timezone.now()
    )


def _audit(context: AuditContext, request: ServiceRequest, summary: str, detail: dict | None = None) -> None:
    audit_record(
        context=context,
        action=AuditAction.UPDATE,
        target_type="contactcenter.servicerequest",
        target_id=request.pk,
        summary=f"{request.reference} {summary}",
        detail=detail,
    )


def _ledger(
    context: AuditContext, request: ServiceRequest, event: ServiceRequestEvent, summary: str, outcome: str, by=None
) -> Interaction:
    """A contact with the requester, in the ledger under the request's receipt number: a hand-off
    from the conversation that took the request, never a first contact of its own."""
    interaction = interaction_record(
        context=context,
        channel=Channel.OFFICE,
        topic_code=TOPIC_OF_KIND.get(request.kind, "service-request"),
        source_app="contactcenter",
        source_model="servicerequestevent",
        source_id=event.pk,
        occurred_at=event.at,
        ended_at=event.at,
        language=request.language,
        outcome=outcome,
        receipt_numbers=[request.receipt_number],
        parent=request.interaction,
        contact_phone=request.contact_phone,
        summary=f"{request.reference}: {summary}"[:500],
        handled_by=by,
    )
    event.interaction = interaction
    event.save(update_fields=["interaction"])
    return interaction


def _date(day: date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


def _requester_texts(request: ServiceRequest, purpose: str, text: str) -> tuple[str, str, str]:
    """(subject, e-mail body, text message) in the request's language."""
    with override(request.language):
        values = {"reference": request.reference, "kind": request.get_kind_display(), "text": text}
        if purpose == NoticePurpose.REFERENCE:
            values["due"] = _date(request.due_on)
            subject = _("Your USCIS service request %(reference)s") % values
            sms = (
                _(
                    "USCIS: we received your service request %(reference)s (%(kind)s). We aim to answer by %(due)s. "
                    "Give this number if you contact us about it."
                )
                % values
            )
            body = sms
        elif purpose == NoticePurpose.QUESTION:
            subject = _("USCIS needs information for service request %(reference)s") % values
            sms = _("USCIS, service request %(reference)s: %(text)s Please reply to us giving this number.") % values
            body = sms
        elif purpose == NoticePurpose.DENIAL:
            subject = _("Your USCIS service request %(reference)s was not granted") % values
            sms = (
                _(
                    "USCIS: your service request %(reference)s (%(kind)s) was reviewed and cannot be granted. "
                    "Your case continues in normal processing."
                )
                % values
            )
            body = sms
        else:
            subject = _("Your USCIS service request %(reference)s is resolved") % values
            sms = _("USCIS: your service request %(reference)s (%(kind)s) is resolved. %(text)s") % values
            body = sms
    return subject, body, sms


def _notify_requester(request: ServiceRequest, event: ServiceRequestEvent, purpose: str, text: str = "") -> list[str]:
    """Queue the texts and e-mails of a step (sent after commit); the channels used, for the history."""
    subject, body, sms = _requester_texts(request, purpose, text)
    used = []
    phone = callback_number_for(request.contact_phone) if request.contact_phone else None
    if phone:
        notice = ServiceRequestNotice.objects.create(
            request=request,
            event=event,
            purpose=purpose,
            channel=NoticeChannel.SMS,
            to=phone,
            language=request.language,
            body=sms,
        )
        # The gateway's text queue sends it once, after commit, and its sweep resends a lost task.
        text_queue(to=phone, body=sms, purpose=f"service-request-notice:{notice.pk}")
        used.append(_("text to %(phone)s") % {"phone": mask_phone(phone)})
    if request.contact_email:
        notice = ServiceRequestNotice.objects.create(
            request=request,
            event=event,
            purpose=purpose,
            channel=NoticeChannel.EMAIL,
            to=request.contact_email,
            language=request.language,
            subject=subject,
            body=body,
        )
        enqueue_on_commit("contactcenter.service_request_email_send", notice_id=notice.pk)
        used.append(_("e-mail to %(email)s") % {"email": request.contact_email})
    return used


def service_request_taken(*, context: AuditContext, request: ServiceRequest, user) -> None:
    """What follows a request's creation, in its transaction: the first row of its history, and
    the reference number sent to the requester."""
    event = _event(request, ServiceRequestEventKind.CREATED, by=user, office=request.office, at=request.created_at)
    used = _notify_requester(request, event, NoticePurpose.REFERENCE)
    if used:
        notice = _event(request, ServiceRequestEventKind.NOTICE, text=_("Reference number sent: %s") % ", ".join(used))
        _ledger(context, request, notice, "reference number sent to the requester", Outcome.IN_PROGRESS)


def service_request_reviewed(*, context: AuditContext, request: ServiceRequest, user, approve: bool, note: str) -> None:
    """A Tier 2 decision on the request's history (service_request_review's own transaction). An
    approved request goes on to the office, which answers the requester; a denied one ends here, so
    the requester is told now (the officer's note stays internal)."""
    kind = ServiceRequestEventKind.APPROVED if approve else ServiceRequestEventKind.DENIED
    event = _event(request, kind, by=user, text=note, office=request.office if approve else None)
    if not approve:
        _notify_requester(request, event, NoticePurpose.DENIAL)
        _ledger(context, request, event, "not granted by Tier 2; the requester told", Outcome.RESOLVED, by=user)


# --- the office's steps --------------------------------------------------------------------------
def _refusal_message(action: str, request: ServiceRequest, user) -> str:
    refused = SERVICE_REQUEST.refusal(action, request, user)
    values = {"reference": request.reference, "status": request.get_status_display()}
    if refused is Refusal.ROLE:
        return _("Only the staff of the office it is routed to work a service request.")
    if action == "claim" and request.assigned_to_id == user.pk:
        return _("You hold %(reference)s already.") % values
    if refused is Refusal.STATE:
        return _("%(reference)s is %(status)s: that step is not open now.") % values
    if request.office_id not in office_ids_of(user):
        return _("%(reference)s is routed to another office.") % values
    return _("Claim %(reference)s first: another member of staff holds it.") % values


def _take(*, user, request_id: int, action: str) -> ServiceRequest:
    """The request, locked, when `user` may take `action` on it now; else the refusal."""
    request = ServiceRequest.objects.select_for_update().filter(pk=request_id).first()
    if request is None:
        raise ApplicationError(_("No such service request."))
    if action not in SERVICE_REQUEST.allowed_actions(request, user):
        raise ApplicationError(_refusal_message(action, request, user))
    return request


def _move(request: ServiceRequest, action: str, user) -> None:
    target = SERVICE_REQUEST.row(action, request, user).target
    if target is not None:
        request.status = target


def _text(value: str, *, field: str, missing: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ApplicationError(missing, field=field)
    if len(value) > TEXT_LIMIT:
        raise ApplicationError(_("Keep it under %(limit)s characters.") % {"limit": TEXT_LIMIT}, field=field)
    return value


def service_request_claim(*, context: AuditContext, user, request_id: int) -> ServiceRequest:
    """Assign the request to oneself (a colleague's is taken over: the history says so)."""
    with transaction.atomic():
        request = _take(user=user, request_id=request_id, action="claim")
        previous = request.assigned_to
        _move(request, "claim", user)
        request.assigned_to = user
        request.save(update_fields=["status", "assigned_to"])
        text = _("Taken over from %(name)s.") % {"name": previous.get_username()} if previous else ""
        _event(request, ServiceRequestEventKind.CLAIMED, by=user, text=text)
        _audit(context, request, f"claimed by {user.get_username()}", {"from": previous.pk if previous else None})
    return request


def service_request_note_add(*, context: AuditContext, user, request_id: int, text: str) -> ServiceRequestEvent:
    text = _text(text, field="text", missing=_("Write the note."))
    with transaction.atomic():
        request = _take(user=user, request_id=request_id, action="note")
        event = _event(request, ServiceRequestEventKind.NOTE, by=user, text=text)
        _audit(context, request, "note added")
    return event


def service_request_ask(*, context: AuditContext, user, request_id: int, question: str) -> ServiceRequest:
    """Ask the requester for information: texted and e-mailed to their contact after commit; the
    request waits for their reply."""
    question = _text(question, field="question", missing=_("Write the question for the requester."))
    with transaction.atomic():
        request = _take(user=user, request_id=request_id, action="ask")
        if not (request.contact_phone and callback_number_for(request.contact_phone)) and not request.contact_email:
            raise ApplicationError(
                _("The request has no number that takes texts and no e-mail address: call or write to the requester.")
            )
        _move(request, "ask", user)
        request.save(update_fields=["status"])
        event = _event(request, ServiceRequestEventKind.ASKED, by=user, text=question)
        used = _notify_requester(request, event, NoticePurpose.QUESTION, question)
        _ledger(context, request, event, "information asked of the requester", Outcome.IN_PROGRESS, by=user)
        _audit(context, request, "information asked of the requester", {"sent": len(used)})
    return request


def service_request_reply_record(*, context: AuditContext, user, request_id: int, reply: str) -> ServiceRequest:
    """The requester's answer (by phone, mail or e-mail), written down: the work goes on."""
    reply = _text(reply, field="reply", missing=_("Write what the requester answered."))
    with transaction.atomic():
        request = _take(user=user, request_id=request_id, action="record_reply")
        _move(request, "record_reply", user)
        request.save(update_fields=["status"])
        event = _event(request, ServiceRequestEventKind.REPLY, by=user, text=reply)
        _ledger(context, request, event, "the requester's reply recorded", Outcome.IN_PROGRESS, by=user)
        _audit(context, request, "requester's reply recorded")
    return request


def service_request_resolve(
    *, context: AuditContext, user, request_id: int, resolution: str, now: datetime | None = None
) -> ServiceRequest:
    """The end: what was done, told to the requester after commit."""
    resolution = _text(resolution, field="resolution", missing=_("Say how the request was resolved."))
    with transaction.atomic():
        request = _take(user=user, request_id=request_id, action="resolve")
        _move(request, "resolve", user)
        request.resolution = resolution
        request.resolved_at = now or timezone.now()
        request.save(update_fields=["status", "resolution", "resolved_at"])
        event = _event(request, ServiceRequestEventKind.RESOLVED, by=user, text=resolution, at=request.resolved_at)
        _notify_requester(request, event, NoticePurpose.RESOLUTION, resolution)
        _ledger(context, request, event, "resolved; the requester told", Outcome.RESOLVED, by=user)
        _audit(context, request, "resolved")
    return request


def service_request_reroute(
    *, context: AuditContext, user, request_id: int, office_code: str, reason: str
) -> ServiceRequest:
    """Send the request to the office that should have it (with the reason): it waits there to be
    claimed, unassigned, and keeps its due date."""
    reason = _text(reason, field="reason", missing=_("Give the reason for re-routing."))
    office = FieldOffice.objects.filter(code=(office_code or "").strip()).first()
    if office is None:
        raise ApplicationError(_("Choose the office to send it to."), field="office_code")
    with transaction.atomic():
        request = _take(user=user, request_id=request_id, action="reroute")
        if office.pk == request.office_id:
            raise ApplicationError(
                _("%(reference)s is at %(office)s already.") % {"reference": request.reference, "office": office.name},
                field="office_code",
            )
        previous = request.office
        _move(request, "reroute", user)
        request.office = office
        request.assigned_to = None
        request.escalated_at = None  # the new office's supervisors are told if it is overdue there
        request.save(update_fields=["status", "office", "assigned_to", "escalated_at"])
        text = _("From %(from)s: %(reason)s") % {"from": previous.name, "reason": reason}
        _event(request, ServiceRequestEventKind.REROUTED, by=user, text=text, office=office)
        _audit(context, request, f"re-routed from {previous.code} to {office.code}", {"reason": reason})
    return request


# --- overdue requests ----------------------------------------------------------------------------
def service_request_escalate(*, request_id: int, today: date | None = None) -> bool:
    """Escalate one overdue request to its office's supervisors (an e-mail each, after commit).
    Idempotent: a request escalated already, resolved or not overdue is left alone."""
    context = AuditContext.system(AuditChannel.TASK)
    with transaction.atomic():
        request = ServiceRequest.objects.select_for_update().select_related("office").filter(pk=request_id).first()
        if request is None or "escalate" not in SERVICE_REQUEST.allowed_actions(request, None):
            return False
        if request.due_on >= (today or timezone.localdate()):
            return False
        request.escalated_at = timezone.now()
        request.save(update_fields=["escalated_at"])
        supervisors = list(
            OfficeMembership.objects.filter(office=request.office, is_supervisor=True, user__is_active=True)
            .exclude(user__email="")
            .select_related("user")
        )
        names = ", ".join(m.user.get_username() for m in supervisors) or _("no supervisor on file")
        event = _event(
            request,
            ServiceRequestEventKind.ESCALATED,
            text=_("Due %(due)s; told: %(names)s.") % {"due": _date(request.due_on), "names": names},
            at=request.escalated_at,
        )
        for membership in supervisors:
            notice = ServiceRequestNotice.objects.create(
                request=request,
                event=event,
                purpose=NoticePurpose.ESCALATION,
                channel=NoticeChannel.EMAIL,
                to=membership.user.email,
                language="en",
                subject=f"Overdue service request {request.reference} at {request.office.name}",
                body=(
                    f"{request.reference} ({request.get_kind_display()}) was due on {request.due_on:%Y-%m-%d} "
                    f"and is {request.get_status_display().lower()}"
                    + (f", held by {request.assigned_to.get_username()}" if request.assigned_to_id else ", unclaimed")
                    + f".\n\nOpen it: {settings.PUBLIC_BASE_URL.rstrip('/')}"
                    + reverse("office-request", args=[request.pk])
                ),
            )
            enqueue_on_commit("contactcenter.service_request_email_send", notice_id=notice.pk)
        _audit(context, request, "escalated as overdue", {"supervisors": [m.user_id for m in supervisors]})
    return True


def service_requests_escalate_overdue(*, today: date | None = None, limit: int = 200) -> int:
    """Escalate every open request past its due date not escalated yet (the beat task's work)."""
    from contactcenter.live.workflows import OPEN_AT_OFFICE

    today = today or timezone.localdate()
    ids = list(
        ServiceRequest.objects.filter(status__in=OPEN_AT_OFFICE, due_on__lt=today, escalated_at__isnull=True)
        .order_by("due_on", "id")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(service_request_escalate(request_id=pk, today=today) for pk in ids)


# --- sending e-mail ------------------------------------------------------------------------------
def service_request_notice_email_send(*, notice_id: int) -> bool:
    """Send one notice e-mail once; a redelivered task finds it sent and does nothing."""
    with transaction.atomic():
        notice = ServiceRequestNotice.objects.select_for_update().filter(pk=notice_id).first()
        if notice is None or notice.channel != NoticeChannel.EMAIL or notice.status != NoticeStatus.QUEUED:
            return False
        EmailMessage(
            notice.subject,
            notice.body,
            to=[notice.to],
            headers={"Message-ID": mail_message_id("service-request-notice", notice.pk, notice.request_id)},
        ).send()
        notice.status, notice.sent_at = NoticeStatus.SENT, timezone.now()
        notice.attempts += 1
        notice.save(update_fields=["status", "sent_at", "attempts"])
    return True


def service_request_notice_give_up(*, notice_id: int, reason: str) -> None:
    """The e-mail could not be delivered after its last try: the request's history says so."""
    with transaction.atomic():
        notice = ServiceRequestNotice.objects.select_for_update().filter(pk=notice_id).first()
        if notice is None or notice.status != NoticeStatus.QUEUED:
            return
        notice.status, notice.error = NoticeStatus.FAILED, reason[:300]
        notice.save(update_fields=["status", "error"])
        _event(
            notice.request,
            ServiceRequestEventKind.NOTICE,
            text=_("E-mail to %(to)s not delivered.") % {"to": notice.to},
        )


def service_request_notices_pending(*, older_than_seconds: int = 60) -> list[int]:
    """Queued notice e-mails whose task never reached the broker (the sweep sends them)."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    return list(
        ServiceRequestNotice.objects.filter(
            channel=NoticeChannel.EMAIL, status=NoticeStatus.QUEUED, created_at__lt=cutoff
        ).values_list("pk", flat=True)[:500]
    )


__all__ = [
    "TOPIC_OF_KIND",
    "service_request_ask",
    "service_request_claim",
    "service_request_due_on",
    "service_request_escalate",
    "service_request_note_add",
    "service_request_notice_email_send",
    "service_request_notice_give_up",
    "service_request_notices_pending",
    "service_request_reply_record",
    "service_request_reroute",
    "service_request_resolve",
    "service_request_reviewed",
    "service_request_taken",
    "service_requests_escalate_overdue",
]
