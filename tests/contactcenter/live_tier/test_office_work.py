"""A service request's end at the office: claim, ask, reply, resolve, re-route; due dates in business
days; overdue requests escalated once; the requester told by text and e-mail after commit; each
contact in the ledger under the receipt number."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from contactcenter import selectors, services
from contactcenter.audit.context import AuditContext
from contactcenter.common.errors import ApplicationError
from contactcenter.models import (
    AuditEvent,
    BenefitCase,
    Channel,
    FieldOffice,
    Interaction,
    NoticeStatus,
    OfficeMembership,
    OutboundMessage,
    Outcome,
    ServiceRequest,
    ServiceRequestEvent,
    ServiceRequestNotice,
    ServiceRequestStatus,
)
from contactcenter.routing.opening_hours import business_days_after, business_days_until
from contactcenter.staff.roles import Role
from contactcenter.tasks import service_requests_escalate, text_send


def _request(csr, *, kind="card_not_received", language="en", phone="+12135550142", email="ana@example.com"):
    case = BenefitCase.objects.select_related("office").order_by("pk").first()
    return services.service_request_create(
        context=AuditContext(actor=csr),
        user=csr,
        kind=kind,
        receipt_number=case.receipt_number,
        date_of_birth=case.date_of_birth,
        requester_role="applicant",
        contact_phone=phone,
        contact_email=email,
        language=language,
        details="The card never came.",
    )


@pytest.fixture
def office_world(reference, make_staff):
    csr = make_staff(Role.CSR)
    office = BenefitCase.objects.order_by("pk").first().office
    worker = make_staff(Role.OFFICE_STAFF)
    colleague = make_staff(Role.OFFICE_STAFF)
    supervisor = make_staff(Role.OFFICE_STAFF)
    for user in (worker, colleague):
        OfficeMembership.objects.create(user=user, office=office)
    OfficeMembership.objects.create(user=supervisor, office=office, is_supervisor=True)
    return csr, office, worker, colleague, supervisor


def _ctx(user):
    return AuditContext(actor=user)


# --- due dates -----------------------------------------------------------------------------------
def test_due_dates_count_business_days_and_skip_federal_holidays():
    # Thanksgiving (Thursday 26 November 2026) and the weekends are not counted.
    assert services.service_request_due_on(kind="card_not_received", taken_on=date(2026, 11, 20)) == date(2026, 12, 14)
    assert services.service_request_due_on(kind="address_change", taken_on=date(2026, 11, 20)) == date(2026, 12, 2)
    # Christmas Day is a Friday: two business days after Wednesday the 23rd is Monday the 28th.
    assert business_days_after(date(2026, 12, 23), 2) == date(2026, 12, 28)
    assert business_days_until(date(2026, 12, 23), date(2026, 12, 28)) == 2
    assert business_days_until(date(2026, 12, 28), date(2026, 12, 23)) == -2


def test_a_request_taken_is_due_in_business_days(office_world):
    csr = office_world[0]
    request = _request(csr)
    assert request.due_on == business_days_after(timezone.localdate(), 15)
    assert request.due_on > timezone.localdate() + timedelta(days=15)  # weekends in between


# --- the requester is told -----------------------------------------------------------------------
def test_the_reference_number_is_texted_and_emailed_in_spanish_after_commit(
    office_world, fake_twilio, django_capture_on_commit_callbacks
):
    csr = office_world[0]
    with django_capture_on_commit_callbacks() as callbacks:
        request = _request(csr, language="es")
        # Nothing leaves before the request is committed.
        assert fake_twilio.texts == [] and mail.outbox == []
    assert len(callbacks) == 2  # the text's task and the e-mail's

    message = OutboundMessage.objects.get(purpose__startswith="service-request-notice:")
    text_send.apply(kwargs={"message_id": message.pk})
    assert [t["to"] for t in fake_twilio.texts] == ["+12135550142"]
    assert request.reference in fake_twilio.texts[0]["body"]
    assert "recibimos su solicitud de servicio" in fake_twilio.texts[0]["body"]

    notice = ServiceRequestNotice.objects.get(request=request, channel="email")
    assert services.service_request_notice_email_send(notice_id=notice.pk) is True
    assert services.service_request_notice_email_send(notice_id=notice.pk) is False  # redelivered: nothing more
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ana@example.com"]
    assert request.reference in mail.outbox[0].subject and "Su solicitud" in mail.outbox[0].subject

    kinds = list(ServiceRequestEvent.objects.filter(request=request).values_list("kind", flat=True))
    assert kinds == ["created", "notice"]
    entry = Interaction.objects.get(channel=Channel.OFFICE)
    assert entry.parent_id == request.interaction_id and entry.outcome == Outcome.IN_PROGRESS
    assert request.receipt_number in [i.value for i in entry.identifiers.all()]


# --- the office's steps --------------------------------------------------------------------------
def test_claim_ask_reply_resolve_walk_with_history_audit_and_ledger(office_world, django_capture_on_commit_callbacks):
    csr, _office, worker, colleague, _supervisor = office_world
    request = _request(csr)
    assert selectors.service_request_allowed_actions(request=request, user=worker) == {"claim", "note", "reroute"}
    assert selectors.service_request_allowed_actions(request=request, user=csr) == frozenset()

    with pytest.raises(ApplicationError, match="not open now"):  # not claimed yet
        services.service_request_ask(context=_ctx(worker), user=worker, request_id=request.pk, question="Which card?")
    services.service_request_claim(context=_ctx(worker), user=worker, request_id=request.pk)
    with pytest.raises(ApplicationError, match="already"):
        services.service_request_claim(context=_ctx(worker), user=worker, request_id=request.pk)
    with pytest.raises(ApplicationError, match="another member of staff"):
        services.service_request_resolve(context=_ctx(colleague), user=colleague, request_id=request.pk, resolution="x")

    with django_capture_on_commit_callbacks() as callbacks:
        services.service_request_ask(
            context=_ctx(worker), user=worker, request_id=request.pk, question="What address did you move to?"
        )
    assert len(callbacks) == 2
    request.refresh_from_db()
    assert request.status == ServiceRequestStatus.AWAITING_REPLY
    question = OutboundMessage.objects.filter(purpose__startswith="service-request-notice:").order_by("pk").last()
    assert "What address did you move to?" in question.body

    with pytest.raises(ApplicationError, match="Write what"):
        services.service_request_reply_record(context=_ctx(worker), user=worker, request_id=request.pk, reply="  ")
    services.service_request_reply_record(
        context=_ctx(worker), user=worker, request_id=request.pk, reply="By phone: 1200 Main St."
    )
    services.service_request_note_add(context=_ctx(colleague), user=colleague, request_id=request.pk, text="Checked.")
    with pytest.raises(ApplicationError, match="Say how"):
        services.service_request_resolve(context=_ctx(worker), user=worker, request_id=request.pk, resolution="")
    services.service_request_resolve(
        context=_ctx(worker), user=worker, request_id=request.pk, resolution="A new card was mailed on 1 December."
    )

    request.refresh_from_db()
    assert request.status == ServiceRequestStatus.RESOLVED and request.resolved_at is not None
    assert selectors.service_request_allowed_actions(request=request, user=worker) == {"note"}
    with pytest.raises(ApplicationError, match="not open now"):
        services.service_request_claim(context=_ctx(colleague), user=colleague, request_id=request.pk)
    kinds = list(ServiceRequestEvent.objects.filter(request=request).values_list("kind", flat=True))
    assert kinds == ["created", "notice", "claimed", "asked", "reply", "note", "resolved"]
    office_entries = Interaction.objects.filter(channel=Channel.OFFICE).order_by("occurred_at", "pk")
    assert [e.outcome for e in office_entries] == ["in_progress", "in_progress", "in_progress", "resolved"]
    resolution = OutboundMessage.objects.filter(purpose__startswith="service-request-notice:").order_by("pk").last()
    assert "is resolved. A new card was mailed on 1 December." in resolution.body
    summaries = list(
        AuditEvent.objects.filter(target_type="contactcenter.servicerequest", target_id=str(request.pk)).values_list(
            "summary", flat=True
        )
    )
    assert any("claimed by" in s for s in summaries) and any(s.endswith("resolved") for s in summaries)


def test_a_colleague_takes_over_and_another_office_cannot_touch_it(office_world, make_staff):
    csr, office, worker, colleague, _supervisor = office_world
    request = _request(csr)
    stranger = make_staff(Role.OFFICE_STAFF)
    OfficeMembership.objects.create(user=stranger, office=FieldOffice.objects.exclude(pk=office.pk).first())
    services.service_request_claim(context=_ctx(worker), user=worker, request_id=request.pk)
    services.service_request_claim(context=_ctx(colleague), user=colleague, request_id=request.pk)
    request.refresh_from_db()
    assert request.assigned_to == colleague
    assert "Taken over from" in ServiceRequestEvent.objects.filter(kind="claimed").last().text
    with pytest.raises(ApplicationError, match="another office"):
        services.service_request_note_add(context=_ctx(stranger), user=stranger, request_id=request.pk, text="Hi")
    with pytest.raises(ApplicationError, match="Only the staff"):
        services.service_request_claim(context=_ctx(csr), user=csr, request_id=request.pk)


def test_reroute_sends_it_unassigned_to_the_other_office_with_the_reason(office_world):
    csr, office, worker, _colleague, _supervisor = office_world
    request = _request(csr)
    other = FieldOffice.objects.exclude(pk=office.pk).first()
    services.service_request_claim(context=_ctx(worker), user=worker, request_id=request.pk)
    with pytest.raises(ApplicationError, match="reason"):
        services.service_request_reroute(
            context=_ctx(worker), user=worker, request_id=request.pk, office_code=other.code, reason=""
        )
    with pytest.raises(ApplicationError, match="already"):
        services.service_request_reroute(
            context=_ctx(worker), user=worker, request_id=request.pk, office_code=office.code, reason="Wrong"
        )
    services.service_request_reroute(
        context=_ctx(worker), user=worker, request_id=request.pk, office_code=other.code, reason="The case moved."
    )
    request.refresh_from_db()
    assert (request.office, request.status, request.assigned_to) == (other, ServiceRequestStatus.ROUTED, None)
    event = ServiceRequestEvent.objects.filter(kind="rerouted").get()
    assert event.office == other and "The case moved." in event.text
    assert selectors.service_request_allowed_actions(request=request, user=worker) == frozenset()


def test_an_approved_expedite_goes_on_to_the_office(office_world, make_staff):
    csr, _office, worker, _colleague, _supervisor = office_world
    iso = make_staff(Role.ISO)
    case = BenefitCase.objects.order_by("pk").first()
    request = services.service_request_create(
        context=_ctx(csr),
        user=csr,
        kind="expedite",
        expedite_criterion="humanitarian",
        receipt_number=case.receipt_number,
        date_of_birth=case.date_of_birth,
        requester_role="applicant",
        contact_email="ana@example.com",
    )
    assert selectors.service_request_allowed_actions(request=request, user=worker) == frozenset()
    services.service_request_review(context=_ctx(iso), user=iso, request_id=request.pk, approve=True, note="Urgent.")
    request.refresh_from_db()
    assert "claim" in selectors.service_request_allowed_actions(request=request, user=worker)
    services.service_request_claim(context=_ctx(worker), user=worker, request_id=request.pk)
    kinds = list(ServiceRequestEvent.objects.filter(request=request).values_list("kind", flat=True))
    assert kinds == ["created", "notice", "approved", "claimed"]


def test_a_denied_expedite_ends_with_the_requester_told_in_their_language(
    office_world, make_staff, django_capture_on_commit_callbacks
):
    csr, _office, worker, _colleague, _supervisor = office_world
    iso = make_staff(Role.ISO)
    case = BenefitCase.objects.order_by("pk").first()
    request = services.service_request_create(
        context=_ctx(csr),
        user=csr,
        kind="expedite",
        expedite_criterion="financial_loss",
        receipt_number=case.receipt_number,
        date_of_birth=case.date_of_birth,
        requester_role="applicant",
        contact_phone="+12135550142",
        contact_email="ana@example.com",
        language="es",
    )
    with django_capture_on_commit_callbacks() as callbacks:
        services.service_request_review(
            context=_ctx(iso), user=iso, request_id=request.pk, approve=False, note="No evidence of the loss."
        )
    assert len(callbacks) == 2  # the text's task and the e-mail's, after commit
    request.refresh_from_db()
    assert request.status == ServiceRequestStatus.DENIED
    assert selectors.service_request_allowed_actions(request=request, user=worker) == frozenset()
    [text] = ServiceRequestNotice.objects.filter(request=request, purpose="denial", channel="sms")
    assert request.reference in text.body and "no se puede conceder" in text.body
    assert "No evidence" not in text.body  # the officer's note stays internal
    notice = ServiceRequestNotice.objects.get(request=request, purpose="denial", channel="email")
    assert services.service_request_notice_email_send(notice_id=notice.pk) is True
    [email] = mail.outbox
    assert email.to == ["ana@example.com"] and "no fue concedida" in email.subject
    denied = Interaction.objects.get(channel=Channel.OFFICE, summary__contains="not granted")
    assert denied.outcome == Outcome.RESOLVED and denied.parent_id == request.interaction_id
    assert case.receipt_number in [i.value for i in denied.identifiers.all()]


# --- overdue -------------------------------------------------------------------------------------
def test_overdue_requests_are_escalated_to_the_supervisor_once(office_world, django_capture_on_commit_callbacks):
    csr, _office, _worker, _colleague, supervisor = office_world
    request = _request(csr)
    fresh = _request(csr, kind="typographic_error")
    ServiceRequest.objects.filter(pk=request.pk).update(due_on=timezone.localdate() - timedelta(days=1))

    with django_capture_on_commit_callbacks() as callbacks:
        assert service_requests_escalate.apply().get() == 1
    assert len(callbacks) == 1
    notice = ServiceRequestNotice.objects.get(purpose="escalation")
    assert notice.to == supervisor.email and request.reference in notice.subject
    services.service_request_notice_email_send(notice_id=notice.pk)
    assert [m.to for m in mail.outbox] == [[supervisor.email]]
    assert "/office/requests/" in mail.outbox[0].body

    # Again (the next beat): nothing more.
    assert service_requests_escalate.apply().get() == 0
    assert services.service_request_escalate(request_id=request.pk) is False
    assert ServiceRequestEvent.objects.filter(kind="escalated").count() == 1
    assert ServiceRequestNotice.objects.filter(purpose="escalation").count() == 1
    request.refresh_from_db()
    fresh.refresh_from_db()
    assert request.escalated_at is not None and fresh.escalated_at is None
    assert AuditEvent.objects.filter(summary=f"{request.reference} escalated as overdue").count() == 1


def test_an_undeliverable_notice_email_says_so_on_the_history(office_world):
    csr = office_world[0]
    request = _request(csr, phone="")
    notice = ServiceRequestNotice.objects.get(request=request)
    services.service_request_notice_give_up(notice_id=notice.pk, reason="SMTPRecipientsRefused")
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.FAILED
    assert ServiceRequestEvent.objects.filter(request=request, text__contains="not delivered").exists()
