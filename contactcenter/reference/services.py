"""Form orders: a form mailed to the address on file of a case (queued for the day's mailing batch,
contactcenter/reference/mailing.py), or its link texted to the caller."""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from contactcenter.audit.context import AuditContext
from contactcenter.audit.services import audit_record
from contactcenter.common.errors import ApplicationError
from contactcenter.models import (
    AuditAction,
    AuditChannel,
    BenefitCase,
    Form,
    FormOrder,
    FormOrderChannel,
    FormOrderStatus,
    Language,
)
from contactcenter.reference.identifiers import (
    phone_e164,
)
from contactcenter.reference.workflows import FORM_ORDER
from contactcenter.telephony.gateway import TelephonyError, gateway
from contactcenter.telephony.texts import text_attempt_begin


# --- form orders ---------------------------------------------------------------------------------
def form_order_create(
    *,
    context: AuditContext,
    form: Form,
    channel: str,
    language: str,
    phone: str = "",
    case: BenefitCase | None = None,
    idempotency_key: str,
) -> FormOrder:
    """Order a form by text message (a download link) or by mail to the address on file.

    The same idempotency key (e.g. the CallSid and step) returns the first order and creates
    nothing, so a retried webhook cannot send twice. Fulfilment runs after commit on a worker."""
    if not idempotency_key:
        raise ApplicationError("An idempotency key is required.")
    existing = FormOrder.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    if channel not in FormOrderChannel.values:
        raise ApplicationError(f"Unknown channel {channel!r}.")
    if language not in Language.values:
        raise ApplicationError(f"Unknown language {language!r}.")
    if not form.active:
        raise ApplicationError(f"Form {form.number} can no longer be ordered.")
    if channel == FormOrderChannel.SMS:
        phone = _sms_number(phone)
    elif case is None or not (case.mailing_address_line and case.mailing_zip):
        raise ApplicationError("A form is mailed only to the address on file of a case.")
    from contactcenter.common.background import enqueue_on_commit

    with transaction.atomic():
        order = FormOrder(
            form=form, channel=channel, language=language, phone=phone, case=case, idempotency_key=idempotency_key
        )
        order.full_clean(validate_unique=False)
        try:
            with transaction.atomic():
                order.save()
        except IntegrityError:
            # A concurrent request with the same key won the race: its order is the order.
            return FormOrder.objects.get(idempotency_key=idempotency_key)
        audit_record(
            context=context,
            action=AuditAction.CREATE,
            target_type="contactcenter.formorder",
            target_id=order.pk,
            summary=f"Form {form.number} ordered by {order.get_channel_display().lower()} in {language}",
        )
        order_id = order.pk
        enqueue_on_commit("contactcenter.form_order_fulfil", order_id=order_id)
    return order


def _sms_number(phone: str) -> str:
    number = phone_e164(phone)
    if number is None:
        raise ApplicationError("A text message needs a valid phone number.")
    return number


def form_order_sms_body(*, form: Form, language: str) -> str:
    link = f"https://www.uscis.gov/{form.number.lower()}"
    if language == Language.SPANISH:
        return f"USCIS: Formulario {form.number}, {form.title_es}. Descárguelo gratis en {link}"
    return f"USCIS: Form {form.number}, {form.title_en}. Download it free at {link}"


def form_order_fulfil(*, order_id: int) -> FormOrder:
    """Send one order. Idempotent: a sent order is left alone, so a redelivered task sends nothing.

    A telephony failure is recorded on the order (attempts, last_error) and raised again for the
    task to retry; the row lock keeps two workers from sending the same order at once."""
    failure: TelephonyError | None = None
    problem = ""
    unlocked = FormOrder.objects.select_related("form").filter(pk=order_id).first()
    if unlocked is not None and unlocked.channel == FormOrderChannel.SMS and unlocked.status != FormOrderStatus.SENT:
        text_attempt_begin(
            to=unlocked.phone,
            body=form_order_sms_body(form=unlocked.form, language=unlocked.language),
            purpose=f"form-order:{unlocked.pk}",
        )
    with transaction.atomic():
        order = FormOrder.objects.select_for_update().filter(pk=order_id).first()
        if order is None:
            raise ApplicationError(f"Form order {order_id} does not exist.")
        if order.status not in FORM_ORDER.sources("text"):
            return order  # sent, or a mail order already queued, batched or mailed
        order.attempts += 1
        form = order.form
        if order.channel == FormOrderChannel.SMS:
            try:
                gateway().send_sms(
                    to=order.phone,
                    body=form_order_sms_body(form=form, language=order.language),
                    purpose=f"form-order:{order.pk}",
                )
            except TelephonyError as error:
                failure, problem = error, str(error) or error.__class__.__name__
        else:
            case = BenefitCase.objects.filter(pk=order.case_id).first() if order.case_id else None
            if case is None:
                problem = "No case, so no address on file to mail the form to."
            else:
                # It waits for the day's mailing batch; it is mailed once a supervisor confirms the batch.
                order.mailed_to = case.mailing_address
        if problem:
            order.status = FormOrderStatus.FAILED
            order.last_error = problem[:300]
        elif order.channel == FormOrderChannel.SMS:
            order.status = FormOrderStatus.SENT
            order.sent_at = timezone.now()
            order.last_error = ""
        else:
            order.status = FormOrderStatus.QUEUED
            order.last_error = ""
        order.save(update_fields=["status", "attempts", "last_error", "mailed_to", "sent_at"])
        audit_record(
            context=AuditContext.system(channel=AuditChannel.TASK),
            action=AuditAction.UPDATE,
            target_type="contactcenter.formorder",
            target_id=order.pk,
            summary=f"Form {form.number} order by {order.channel}: {order.status} (attempt {order.attempts})",
        )
    if failure is not None:
        raise failure
    return order


def form_orders_pending(*, older_than_seconds: int = 60, max_attempts: int = 5) -> list[int]:
    """Orders whose fulfilment was never sent to the broker (or whose task was lost)."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    return list(
        FormOrder.objects.filter(status=FormOrderStatus.PENDING, created_at__lt=cutoff, attempts__lt=max_attempts)
        .order_by("created_at")
        .values_list("pk", flat=True)[:500]
    )


__all__ = ["form_order_create", "form_order_fulfil", "form_order_sms_body", "form_orders_pending"]
