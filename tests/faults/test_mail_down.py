"""Scenario 4: the mail server is down (nothing listens on its port) or refuses (5xx).

Sends are retried with exponential backoff, never marked sent until the server accepted them,
and after the last try staff see "Delivery failed" (in English and Spanish) where they look, with
a button that sends again: once the server is back, exactly one e-mail arrives."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from contactcenter.staff.roles import Role
from tests.faults.smtp_sink import SmtpSink, closed_port
from tests.waiting import wait_for

CELERY_WORKER = pytest.mark.celery_worker

QUICK_RETRIES = {"TEST_MAIL_SEND_MAX_RETRIES": "2", "TEST_MAIL_RETRY_BACKOFF_SECONDS": "1", "TEST_EMAIL_TIMEOUT": "5"}


def _retry_countdowns(log: str, task: str) -> list[int]:
    return [int(seconds) for seconds in re.findall(rf"Task {re.escape(task)}\[[^\]]+\] retry: Retry in (\d+)s", log)]


@CELERY_WORKER
def test_a_cao_response_to_a_mail_server_that_is_down_shows_delivery_failed_then_goes_once_when_sent_again(
    fault_stack, make_staff
):
    from casework import services
    from casework.models import Response, ResponseStatus
    from contactcenter.audit.context import AuditContext
    from contactcenter.staff.roles import Role
    from tests.casework.factories import make_inquiry

    port = closed_port()
    worker = fault_stack.worker("down", TEST_EMAIL_PORT=str(port), **QUICK_RETRIES)
    analyst, supervisor = make_staff(Role.CAO_ANALYST), make_staff(Role.CAO_SUPERVISOR)
    context = AuditContext(actor=analyst)
    inquiry = services.inquiry_assign(context=context, inquiry=make_inquiry(), assignee=analyst)
    response = services.response_draft(context=context, inquiry=inquiry, body="Dear {{ name }}, the case is moving.")
    services.response_submit(context=context, response=response)
    services.response_review(context=AuditContext(actor=supervisor), response=response, approve=True)

    assert wait_for(lambda: Response.objects.get(pk=response.pk).status == ResponseStatus.FAILED, timeout=60), (
        worker.text()[-3000:]
    )
    response.refresh_from_db()
    assert response.sent_at is None and response.send_attempts == 3  # the first try and two retries
    assert "ConnectionRefusedError" in response.send_error
    # Exponential backoff: 1 s, then 2 s.
    assert _retry_countdowns(worker.text(), "casework.response_send") == [1, 2]
    assert "casework.response_send gave up after 3 tries" in worker.text()

    client = Client()
    client.force_login(supervisor)
    english = client.get(f"/casework/responses/{response.pk}/").content.decode()
    assert "Delivery failed" in english and "data-delivery-failed" in english
    assert "This e-mail was not delivered to caseassistance@cisomb.dhs.gov" in english and "after 3 tries" in english
    assert "Send again" in english
    spanish = client.get(f"/casework/responses/{response.pk}/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Entrega fallida" in spanish and "Enviar de nuevo" in spanish and "después de 3 intentos" in spanish
    inquiry_page = client.get(f"/casework/inquiries/{inquiry.pk}/").content.decode()
    assert 'data-response-status="failed"' in inquiry_page and "Delivery failed" in inquiry_page

    sink = SmtpSink(port)  # the mail server comes back where it was
    try:
        sent_again = client.post(f"/casework/responses/{response.pk}/send-again/", follow=True)
        assert "The response is being sent again." in sent_again.content.decode()
        assert wait_for(lambda: Response.objects.get(pk=response.pk).status == ResponseStatus.SENT, timeout=30), (
            worker.text()[-3000:]
        )
        assert wait_for(fault_stack.idle, timeout=30)
        delivered = sink.messages("Message-ID", "cao-response-")
        assert [m["To"] for m in delivered] == ["caseassistance@cisomb.dhs.gov"]
        response.refresh_from_db()
        assert response.send_error == "" and response.sent_at is not None
    finally:
        sink.stop()


@CELERY_WORKER
def test_a_registration_confirmation_refused_by_the_mail_server_shows_on_the_engagement_page(
    fault_stack, smtp_sink, make_staff
):
    from contactcenter.staff.roles import Role
    from outreach.models import Registration
    from tests.outreach.factories import EngagementFactory

    smtp_sink.mode, smtp_sink.only = "refuse", "registration-confirmation"
    worker = fault_stack.worker("refusing", TEST_EMAIL_PORT=str(smtp_sink.port), **QUICK_RETRIES)
    engagement = EngagementFactory(capacity=10)
    Client().post(f"/outreach/events/{engagement.pk}/", {"name": "Ana Ruiz", "email": "ana@example.org"})
    registration = Registration.objects.get(email="ana@example.org")

    assert wait_for(lambda: Registration.objects.get(pk=registration.pk).mail_failed_at is not None, timeout=60), (
        worker.text()[-3000:]
    )
    registration.refresh_from_db()
    assert registration.confirmation_sent_at is None and registration.confirmed_status == ""
    assert registration.mail_error.startswith("SMTPDataError: (554")
    assert smtp_sink.attempts == 3 and smtp_sink.messages("Message-ID", "registration-confirmation") == []
    assert _retry_countdowns(worker.text(), "outreach.registration_confirmation_send") == [1, 2]

    client = Client()
    client.force_login(make_staff(Role.OUTREACH_STAFF))
    english = client.get(f"/outreach/engagements/{engagement.pk}/").content.decode()
    assert "Delivery failed" in english and "1 e-mail about this engagement was not delivered" in english
    assert "data-registration-mail-failed" in english and "E-mail not delivered" in english
    spanish = client.get(f"/outreach/engagements/{engagement.pk}/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Entrega fallida" in spanish and "Correo no entregado" in spanish and "Enviar de nuevo" in spanish

    smtp_sink.mode = "accept"  # the server accepts again
    page = client.post(f"/outreach/engagements/{engagement.pk}/send-again/", follow=True).content.decode()
    assert "1 undelivered e-mail is being sent again." in page
    assert wait_for(
        lambda: Registration.objects.get(pk=registration.pk).confirmation_sent_at is not None, timeout=30
    ), worker.text()[-3000:]
    assert wait_for(fault_stack.idle, timeout=30)
    assert [m["To"] for m in smtp_sink.messages("Message-ID", "registration-confirmation")] == ["ana@example.org"]
    after = client.get(f"/outreach/engagements/{engagement.pk}/").content.decode()
    assert "data-delivery-failed" not in after and "data-registration-mail-failed" not in after


@pytest.mark.django_db
def test_a_report_back_to_a_mail_server_that_is_down_is_shown_undelivered_then_sent_once(
    settings, make_staff, client, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    from contactcenter.audit.context import AuditContext
    from outreach import services
    from outreach.models import ReportBackDelivery
    from outreach.tasks import report_back_delivery_send
    from tests.outreach.factories import EngagementFactory, RegistrationFactory

    port = closed_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.MAIL_SEND_MAX_RETRIES = 2
    staff = make_staff(Role.OUTREACH_STAFF)
    context = AuditContext(actor=staff)
    engagement = EngagementFactory(capacity=5, starts_at=timezone.now() - timedelta(days=1))
    attendee = RegistrationFactory(engagement=engagement, attended=True, email="rosa@example.org")
    item = services.feedback_record(
        context=context, recorded_by=staff, source="engagement", engagement_id=engagement.pk,
        topic_code="naturalization", summary="N-400 interview waits are long",
    )  # fmt: skip
    services.feedback_route(context=context, feedback_id=item.pk, owning_office="fod")
    services.feedback_respond(context=context, feedback_id=item.pk, response="Field offices added Saturday interviews.")
    with django_capture_on_commit_callbacks(execute=False):
        services.report_back_publish(context=context, engagement_id=engagement.pk)
    delivery = ReportBackDelivery.objects.get(registration=attendee)

    report_back_delivery_send.apply(kwargs={"delivery_id": delivery.pk})  # as a worker runs it, retries included
    delivery.refresh_from_db()
    assert delivery.sent_at is None and delivery.failed_at is not None
    assert delivery.error.startswith("ConnectionRefusedError")

    client.force_login(staff)
    report_page = client.get(f"/outreach/engagements/{engagement.pk}/report/").content.decode()
    assert "rosa@example.org" in report_page and "Delivery failed" in report_page
    engagement_page = client.get(f"/outreach/engagements/{engagement.pk}/", HTTP_ACCEPT_LANGUAGE="es").content
    assert "1 correo electrónico sobre este evento no se entregó" in engagement_page.decode()

    sink = SmtpSink(port)
    try:
        with django_capture_on_commit_callbacks(execute=False) as queued:
            client.post(f"/outreach/engagements/{engagement.pk}/send-again/")
        assert len(queued) == 1
        report_back_delivery_send.apply(kwargs={"delivery_id": delivery.pk})
        report_back_delivery_send.apply(kwargs={"delivery_id": delivery.pk})  # redelivered: nothing more
        delivered = sink.messages("Message-ID", f"ncsc-report-back-{delivery.pk}@")
        assert [m["To"] for m in delivered] == ["rosa@example.org"]
        assert "Saturday interviews" in delivered[0].get_payload(decode=True).decode()
    finally:
        sink.stop()
    delivery.refresh_from_db()
    assert delivery.sent_at is not None and delivery.failed_at is None
