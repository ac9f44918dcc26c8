"""Form orders: idempotent on their key, fulfilled after commit by a worker, never sent twice."""

from __future__ import annotations

import time
from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction

from contactcenter import services
from contactcenter.audit.context import AuditContext
from contactcenter.common.errors import ApplicationError
from contactcenter.models import (
    AuditEvent,
    BenefitCase,
    FieldOffice,
    Form,
    FormOrder,
    FormOrderStatus,
    OutboundMessage,
    StatusHeadline,
)
from contactcenter.telephony.gateway import LocalGateway, TelephonyError

CONTEXT = AuditContext.system()


def _form() -> Form:
    return Form.objects.create(
        number="I-765",
        title_en="Application for Employment Authorization",
        title_es="Solicitud de Autorización de Empleo",
        fee=Decimal("520.00"),
        edition=date(2025, 1, 20),
    )


def _case(form: Form) -> BenefitCase:
    office = FieldOffice.objects.create(
        code="CSC",
        name="California Service Center",
        kind="service_center",
        address_line="24000 Avila Rd",
        city="Laguna Niguel",
        state="CA",
        zip_code="92677",
        latitude=33.5145,
        longitude=-117.7084,
        time_zone="America/Los_Angeles",
        hours_en="Not open to the public",
        hours_es="No atiende al público",
    )
    return BenefitCase.objects.create(
        receipt_number="WAC2190000002",
        form=form,
        office=office,
        received_on=date(2021, 6, 8),
        status=StatusHeadline.objects.get(code="card-was-mailed-to-me"),
        status_on=date(2021, 9, 2),
        applicant_name="María Elena Castillo Ruiz",
        date_of_birth=date(1992, 11, 3),
        mailing_address_line="1457 W Olympic Blvd Apt 3",
        mailing_city="Los Angeles",
        mailing_state="CA",
        mailing_zip="90015",
    )


@pytest.mark.django_db
def test_same_idempotency_key_returns_the_first_order_and_enqueues_once(django_capture_on_commit_callbacks):
    form = _form()
    with django_capture_on_commit_callbacks() as callbacks:
        first = services.form_order_create(
            context=CONTEXT, form=form, channel="sms", language="en", phone="(213) 555-0143", idempotency_key="CA1:4"
        )
        again = services.form_order_create(
            context=CONTEXT, form=form, channel="sms", language="es", phone="+12135550199", idempotency_key="CA1:4"
        )
    assert again.pk == first.pk
    assert (again.language, again.phone) == ("en", "+12135550143")
    assert FormOrder.objects.count() == 1
    assert len(callbacks) == 1
    assert AuditEvent.objects.filter(target_type="contactcenter.formorder", action="create").count() == 1


@pytest.mark.django_db
def test_orders_need_a_phone_for_sms_and_an_address_on_file_for_mail():
    form = _form()
    with pytest.raises(ApplicationError, match="valid phone number"):
        services.form_order_create(context=CONTEXT, form=form, channel="sms", language="en", idempotency_key="k1")
    with pytest.raises(ApplicationError, match="address on file"):
        services.form_order_create(context=CONTEXT, form=form, channel="mail", language="en", idempotency_key="k2")
    with pytest.raises(ApplicationError, match="Unknown channel"):
        services.form_order_create(context=CONTEXT, form=form, channel="fax", language="en", idempotency_key="k3")
    assert not FormOrder.objects.exists()


@pytest.mark.django_db
def test_sms_fulfilment_sends_the_link_once(settings):
    settings.TELEPHONY_BACKEND = "local"
    form = _form()
    order = services.form_order_create(
        context=CONTEXT, form=form, channel="sms", language="es", phone="213-555-0143", idempotency_key="CA2:4"
    )
    sent = services.form_order_fulfil(order_id=order.pk)
    assert (sent.status, sent.attempts, sent.last_error) == (FormOrderStatus.SENT, 1, "")
    assert sent.sent_at is not None
    message = OutboundMessage.objects.get(purpose=f"form-order:{order.pk}")
    assert message.to_number == "+12135550143"
    assert message.body == (
        "USCIS: Formulario I-765, Solicitud de Autorización de Empleo. Descárguelo gratis en https://www.uscis.gov/i-765"
    )
    # A redelivered task finds the order sent and sends nothing.
    assert services.form_order_fulfil(order_id=order.pk).attempts == 1
    assert OutboundMessage.objects.count() == 1


@pytest.mark.django_db
def test_mail_fulfilment_queues_the_order_for_the_mailing_batch():
    form = _form()
    case = _case(form)
    order = services.form_order_create(
        context=CONTEXT, form=form, channel="mail", language="en", case=case, idempotency_key="CA3:4"
    )
    queued = services.form_order_fulfil(order_id=order.pk)
    # Not mailed yet: it waits for the day's batch, mailed only once a supervisor confirms it.
    assert (queued.status, queued.sent_at) == (FormOrderStatus.QUEUED, None)
    assert queued.mailed_to == "1457 W Olympic Blvd Apt 3, Los Angeles, CA 90015"
    assert not OutboundMessage.objects.exists()
    # A redelivered task leaves a queued order alone.
    again = services.form_order_fulfil(order_id=order.pk)
    assert (again.status, again.attempts) == (FormOrderStatus.QUEUED, 1)


@pytest.mark.django_db
def test_a_telephony_failure_is_recorded_and_raised_for_retry(monkeypatch):
    form = _form()
    order = services.form_order_create(
        context=CONTEXT, form=form, channel="sms", language="en", phone="+12135550143", idempotency_key="CA4:4"
    )

    def down(self, **kwargs):
        raise TelephonyError("Twilio answered 503")

    monkeypatch.setattr(LocalGateway, "send_sms", down)
    with pytest.raises(TelephonyError):
        services.form_order_fulfil(order_id=order.pk)
    order.refresh_from_db()
    assert (order.status, order.attempts, order.last_error) == (FormOrderStatus.FAILED, 1, "Twilio answered 503")

    monkeypatch.undo()
    retried = services.form_order_fulfil(order_id=order.pk)
    assert (retried.status, retried.attempts, retried.last_error) == (FormOrderStatus.SENT, 2, "")
    assert "https://www.uscis.gov/i-765" in OutboundMessage.objects.get().body


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_fulfils_the_order_after_commit(celery_worker_process, settings):
    _, log = celery_worker_process
    assert settings.TELEPHONY_BACKEND == "local"
    form = _form()
    with transaction.atomic():
        order = services.form_order_create(
            context=CONTEXT, form=form, channel="sms", language="en", phone="+13055550142", idempotency_key="CA5:4"
        )
        time.sleep(0.5)
        assert not OutboundMessage.objects.exists()  # nothing leaves before the order is committed

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not OutboundMessage.objects.filter(purpose=f"form-order:{order.pk}"):
        time.sleep(0.2)
    message = OutboundMessage.objects.get(purpose=f"form-order:{order.pk}")
    assert message.backend == "local"
    assert message.body.endswith("Download it free at https://www.uscis.gov/i-765")
    order.refresh_from_db()
    assert (order.status, order.attempts) == (FormOrderStatus.SENT, 1)
    assert "contactcenter.form_order_fulfil" in log.read_text()
