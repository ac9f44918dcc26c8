"""Fault cases with the real broker: Redis down during intake, and a worker killed mid-send."""

import time
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from casework.models import Inquiry
from casework.tasks import sweep
from tests.waiting import wait_for


def _broker_back():
    from django.conf import settings

    from contactcenter.celery import app

    app.conf.broker_url = settings.CELERY_BROKER_URL
    app._pool = None
    app.amqp._producer_pool = None


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_redis_down_during_intake_loses_nothing(broker_down, celery_worker_process, at_time):
    _process, log = celery_worker_process
    cache.clear()
    client = Client()
    response = client.post(
        "/casework/write/",
        {
            "name": "Ana Ruiz",
            "email": "ana@example.com",
            "role": "applicant",
            "subject": "Card not received",
            "message": "About EAC2190000001.",
        },
    )
    assert response.status_code == 302
    inquiry = Inquiry.objects.get()
    assert inquiry.reference in client.get(response["Location"]).text
    assert inquiry.interaction is not None and inquiry.confirmation_sent_at is None
    time.sleep(1)
    inquiry.refresh_from_db()
    assert inquiry.confirmation_sent_at is None  # nothing reached a worker

    _broker_back()
    with at_time(timezone.now() + timedelta(minutes=2)):
        sweep.apply()  # what the beat runs every few minutes
    assert wait_for(lambda: Inquiry.objects.filter(pk=inquiry.pk, confirmation_sent_at__isnull=False).exists()), (
        log.read_text()[-3000:]
    )
    assert "casework.inquiry_confirm" in log.read_text()
    assert inquiry.activities.filter(text="Confirmation e-mailed").count() == 1


def _approved_response(make_staff):
    from casework import services
    from contactcenter.audit.context import AuditContext
    from contactcenter.staff.roles import Role
    from tests.casework.factories import make_inquiry

    analyst, supervisor = make_staff(Role.CAO_ANALYST), make_staff(Role.CAO_SUPERVISOR)
    context = AuditContext(actor=analyst)
    inquiry = services.inquiry_assign(context=context, inquiry=make_inquiry(), assignee=analyst)
    response = services.response_draft(context=context, inquiry=inquiry, body="Dear {{ name }}, the case is moving.")
    services.response_submit(context=context, response=response)
    services.response_review(context=AuditContext(actor=supervisor), response=response, approve=True)
    return response


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_send_sends_the_response_once(casework_worker, make_staff, at_time):
    from casework.models import Response, ResponseStatus

    first = casework_worker.start(send_delay=30, name="killed")
    response = _approved_response(make_staff)  # the send task goes to the worker after commit
    marker = casework_worker.mail_dir / "sending.marker"
    assert wait_for(marker.exists), first.log.read_text()[-3000:]
    first.stop(kill=True)  # SIGKILL in the middle of the send
    response.refresh_from_db()
    assert response.status == ResponseStatus.APPROVED and casework_worker.messages("cao-response-") == []

    marker.unlink()
    second = casework_worker.start(send_delay=0, name="second")
    with at_time(timezone.now() + timedelta(minutes=2)):
        sweep.apply()
    assert wait_for(lambda: Response.objects.filter(pk=response.pk, status=ResponseStatus.SENT).exists()), (
        second.log.read_text()[-3000:]
    )
    sweep.apply()  # nothing left to resend
    time.sleep(2)
    mails = casework_worker.messages("cao-response-")
    assert len(mails) == 1 and mails[0].count(f"Message-ID: <cao-response-{response.send_key}@") == 1
    assert "Dear Ombudsman Case Assistance, the case is moving." in mails[0]
    response.refresh_from_db()
    assert response.send_attempts == 1  # the killed attempt rolled back with its transaction
    assert response.inquiry.status == "sent"
