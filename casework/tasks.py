from datetime import timedelta

from celery import shared_task
from django.core.mail import BadHeaderError
from django.utils import timezone

from . import selectors, services, staging

_MAIL_ERRORS = (OSError, BadHeaderError)


@shared_task(
    name="casework.inquiry_confirm",
    acks_late=True,
    ignore_result=True,
    autoretry_for=_MAIL_ERRORS,
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def inquiry_confirm(inquiry_id: int) -> None:
    """E-mail the confirmation number; a confirmation already sent is not sent again."""
    services.inquiry_confirm_send(inquiry_id=inquiry_id)


@shared_task(
    name="casework.response_send",
    acks_late=True,
    ignore_result=True,
    autoretry_for=_MAIL_ERRORS,
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def response_send(response_id: int) -> None:
    """Send an approved response once (state guard and row lock in the service)."""
    services.response_send(response_id=response_id)


@shared_task(name="casework.sweep", acks_late=True, ignore_result=True)
def sweep() -> dict:
    """Resend follow-up work whose task never reached the broker, run the SLA clock, and delete
    attachments kept for a form that was never sent again."""
    cutoff = timezone.now() - timedelta(seconds=60)
    for inquiry_id in selectors.inquiries_confirmation_pending(older_than=cutoff):
        inquiry_confirm.delay(inquiry_id=inquiry_id)
    for response_id in selectors.responses_send_pending(older_than=cutoff):
        response_send.delay(response_id=response_id)
    return {**services.sla_sweep(), "staged_files_removed": staging.sweep()}
