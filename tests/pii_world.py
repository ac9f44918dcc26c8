"""One of every record that holds personal data, made through the services where they exist: what the
audit-completeness and object-level access tests walk every URL against."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone

from contactcenter.audit.context import AuditContext
from contactcenter.staff.roles import Role

# Words that only TRIP records carry: no page or response outside CAO and TSA may show them.
TRIP_MARKERS = ("Zebulon Quartermaine", "RCN7741852963", "Quartermaine screening at IAD")
# Words that only the sensitive inquiry carries: no analyst it does not name may see them.
SENSITIVE_MARKERS = ("Orla Pemberton", "orla.pemberton@example.org")


@dataclass
class World:
    users: dict[Role, Any]
    case: Any
    interaction: Any
    service_request: Any
    inquiry: Any
    attachment: Any
    response: Any
    letter: Any
    trip_inquiry: Any
    trip: Any
    trip_response: Any
    contact: Any
    organisation: Any
    engagement: Any
    registration: Any
    referral: Any
    waiting_contact: Any
    recording: Any = None
    mailing_batch: Any = None
    mailing_segment: Any = None
    mailing: Any = None
    partner_report: Any = None
    # A telephone inquiry from the Office of the Director marked sensitive: the world's analyst (its
    # assignee) and CAO supervisors see it, no other analyst.
    sensitive_inquiry: Any = None
    sensitive_response: Any = None


def build_world(make_staff, case) -> World:
    from casework import services as casework
    from casework.models import ResponseKind, Source
    from contactcenter import services as core
    from contactcenter.models import (
        CallControl,
        CallerVerification,
        CallRecording,
        CaseStatusEvent,
        Escalation,
        FormOrder,
        NoticeChannel,
        OfficeMembership,
        OutboundMessage,
        ServiceRequest,
        ServiceRequestEvent,
        ServiceRequestNotice,
        StatusNotice,
        StatusSubscription,
        WaitingContact,
    )
    from ivr.models import Call
    from outreach import services as outreach
    from outreach.models import (
        EngagementMessage,
        EngagementMessageDelivery,
        Membership,
        PartnerInteraction,
        PartnerReportBack,
        PartnerReportBackDelivery,
        ReportBack,
        ReportBackDelivery,
    )
    from tests.casework.factories import AttachmentFactory, make_inquiry
    from tests.outreach.factories import ContactFactory, EngagementFactory, OrganisationFactory, RegistrationFactory

    users = {role: make_staff(role) for role in Role}
    csr, analyst = users[Role.CSR], users[Role.CAO_ANALYST]
    context = AuditContext(actor=analyst)

    interaction = core.interaction_record(
        context=AuditContext(actor=csr),
        channel="tier1",
        topic_code="case-status",
        source_app="contactcenter",
        source_model="waitingcontact",
        source_id=990001,
        receipt_numbers=[case.receipt_number],
        contact_phone="+12025550100",
        summary="Caller asked about a delayed card",
        handled_by=csr,
    )
    service_request = ServiceRequest.objects.create(
        kind="expedite",
        status="pending_review",
        case=case,
        receipt_number=case.receipt_number,
        form=case.form,
        office=case.office,
        applicant_name=case.applicant_name,
        date_of_birth=case.date_of_birth,
        requester_role="applicant",
        expedite_criterion="financial_loss",
        due_on=timezone.localdate() + timedelta(days=15),
        created_by=csr,
    )
    OfficeMembership.objects.create(user=users[Role.OFFICE_STAFF], office=case.office)
    asked = ServiceRequestEvent.objects.create(request=service_request, kind="asked", text="Which address?")
    ServiceRequestNotice.objects.create(
        request=service_request,
        event=asked,
        purpose="question",
        channel=NoticeChannel.EMAIL,
        to="ana@example.com",
        subject="USCIS needs information",
        body="Which address?",
    )
    status_event = CaseStatusEvent.objects.create(case=case, status=case.status, occurred_on=case.status_on)
    subscription = StatusSubscription.objects.create(
        case=case, channel="sms", to="+12025550100", language="es", source="console", status="confirmed"
    )
    StatusNotice.objects.create(
        subscription=subscription, event=status_event, channel="sms", to=subscription.to, body="USCIS: case moved."
    )
    FormOrder.objects.create(
        form=case.form, channel="mail", case=case, idempotency_key="world-order-1", status="queued"
    )
    mailing_batch = core.mailing_batch_create(context=AuditContext.system())
    core.survey_answer_record(
        context=AuditContext.system(),
        channel="ivr",
        source_app="ivr",
        source_model="call",
        source_id="CAworldsurvey",
        method="keypad",
        question="satisfaction",
        score=4,
        topic_code="case-status",
        receipt_number=case.receipt_number,
    )
    waiting_contact = WaitingContact.objects.create(
        kind="call",
        tier=1,
        language="en",
        queue_name="tier1-en",
        phone="+12025550100",
        caller_time_zone="America/New_York",
    )
    # A call's recording (the local gateway's: its audio is a second of silence).
    recording = CallRecording.objects.create(
        contact=waiting_contact,
        interaction=interaction,
        recording_sid="RElocal" + "0" * 27,
        status="completed",
        duration_seconds=1,
        backend="local",
    )
    tier2_contact = WaitingContact.objects.create(
        kind="call",
        tier=2,
        language="en",
        queue_name="tier2-en",
        phone="+12025550100",
        caller_time_zone="America/New_York",
    )
    Escalation.objects.create(
        from_contact=waiting_contact,
        to_contact=tier2_contact,
        reason="case_specific",
        tried="Read the case status",
        summary="Card returned as undeliverable",
        language="en",
        created_by=csr,
    )
    CallControl.objects.create(contact=waiting_contact, action="dial_callback", target="+12025550100")
    OutboundMessage.objects.create(
        to_number="+12025550100", body="Your reference is SR-00000001", backend="local", purpose="world"
    )
    CallerVerification.objects.create(
        contact=waiting_contact,
        agent=csr,
        receipt_number=case.receipt_number,
        case=case,
        outcome="failed",
        checks={"date_of_birth": False, "a_number": True},
    )
    Call.objects.create(call_sid="CA" + "0" * 32, from_number="+12025550100", caller_time_zone="America/New_York")

    inquiry = make_inquiry(attachments=[AttachmentFactory()])
    inquiry = casework.inquiry_triage(context=context, inquiry=inquiry, source=Source.CIS_OMBUDSMAN, priority=2)
    inquiry = casework.inquiry_assign(context=context, inquiry=inquiry, assignee=analyst)
    response = casework.response_draft(context=context, inquiry=inquiry, subject="Re: delay", body="Dear Ombudsman")
    letter = casework.response_draft(
        context=context, inquiry=inquiry, kind=ResponseKind.LETTER, subject="Letter", body="Dear applicant"
    )

    trip_inquiry = make_inquiry(
        source=Source.TSA_TRIP,
        subject="Quartermaine screening at IAD",
        body=f"Zebulon Quartermaine is screened at every flight (his case {case.receipt_number}).",
        correspondent_name="Zebulon Quartermaine",
        correspondent_email="zq@example.org",
        correspondent_organisation="",
    )
    trip = casework.trip_redress_open(
        context=context,
        inquiry=trip_inquiry,
        redress_control_number="RCN7741852963",
        traveller_name="Zebulon Quartermaine",
    )
    type(trip).objects.filter(pk=trip.pk).update(determination_letter="Zebulon Quartermaine: redress granted.")
    trip.refresh_from_db()
    trip_inquiry = casework.inquiry_triage(context=context, inquiry=trip_inquiry, source=Source.TSA_TRIP, priority=2)
    trip_inquiry = casework.inquiry_assign(context=context, inquiry=trip_inquiry, assignee=analyst)
    trip_response = casework.response_draft(
        context=context, inquiry=trip_inquiry, subject="Quartermaine screening at IAD", body="Dear traveller"
    )

    # Words only the sensitive inquiry carries (SENSITIVE_MARKERS).
    sensitive_inquiry = make_inquiry(
        channel="telephone",
        source=Source.DIRECTOR,
        subject="Orla Pemberton asked for the Director",
        body=f"Orla Pemberton called the Director's office about {case.receipt_number}.",
        correspondent_name="Orla Pemberton",
        correspondent_email="orla.pemberton@example.org",
        correspondent_phone="+12025550177",
        correspondent_organisation="",
        a_numbers=["A098765432"],
    )
    sensitive_inquiry = casework.inquiry_assign(context=context, inquiry=sensitive_inquiry, assignee=analyst)
    sensitive_inquiry = casework.inquiry_sensitivity_set(
        context=AuditContext(actor=users[Role.CAO_SUPERVISOR]), inquiry=sensitive_inquiry, sensitive=True
    )
    sensitive_response = casework.response_draft(
        context=context, inquiry=sensitive_inquiry, subject="Re: Orla Pemberton", body="Dear Ms Pemberton"
    )

    organisation = OrganisationFactory()
    contact = ContactFactory(first_name="Twin", last_name="Person", phone="+13125550110")
    ContactFactory(first_name="Twin", last_name="Person")  # a possible duplicate
    Membership.objects.create(contact=contact, organisation=organisation, position="Director")
    PartnerInteraction.objects.create(
        cro=users[Role.CRO], organisation=organisation, contact=contact, kind="call", summary="Talked"
    )
    engagement = EngagementFactory(organiser=users[Role.CRO])
    registration = RegistrationFactory(
        engagement=engagement, accommodation="Wheelchair access", interpreter_language="Haitian Creole"
    )
    message = EngagementMessage.objects.create(
        engagement=engagement, subject="Parking", body="Use the north lot.", sent_by=users[Role.CRO]
    )
    EngagementMessageDelivery.objects.create(message=message, registration=registration, email=registration.email)
    report = ReportBack.objects.create(engagement=engagement, introduction="Thanks")
    ReportBackDelivery.objects.create(report=report, registration=registration, email=registration.email)
    # An outreach mailing sent to the contact (consenting), whose recipient row holds their address.
    from outreach.models import Mailing, MailingRecipient, MailingSegment, MailingStatus

    contact.consent_email = True
    contact.save(update_fields=["consent_email"])
    mailing_segment = MailingSegment.objects.create(name="Everyone", created_by=users[Role.CRO])
    mailing = Mailing.objects.create(
        segment=mailing_segment, subject_en="News", body_en="News", subject_es="Noticias", body_es="Noticias",
        created_by=users[Role.CRO], status=MailingStatus.SENT,
    )  # fmt: skip
    MailingRecipient.objects.create(mailing=mailing, contact=contact, email=contact.email, status="sent")

    partner_report = PartnerReportBack.objects.create(organisation=organisation, published_by=users[Role.CRO])
    PartnerReportBackDelivery.objects.create(report=partner_report, contact=contact, email="partner@example.org")
    referral = outreach.referral_create(
        context=AuditContext(actor=users[Role.CRO]),
        referred_by=users[Role.CRO],
        person_name="Referred Person",
        topic_code="case-status",
        mode="inquiry",
        consent=True,
        email="referred@example.org",
        receipt_number=case.receipt_number,
        receipt_consent=True,
    )
    return World(
        users=users,
        case=case,
        interaction=interaction,
        service_request=service_request,
        inquiry=inquiry,
        attachment=inquiry.attachments.first(),
        response=response,
        letter=letter,
        trip_inquiry=trip_inquiry,
        trip=trip,
        trip_response=trip_response,
        contact=contact,
        organisation=organisation,
        engagement=engagement,
        registration=registration,
        referral=referral,
        waiting_contact=waiting_contact,
        sensitive_inquiry=sensitive_inquiry,
        sensitive_response=sensitive_response,
        recording=recording,
        mailing_batch=mailing_batch,
        mailing_segment=mailing_segment,
        mailing=mailing,
        partner_report=partner_report,
    )
