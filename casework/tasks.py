from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import BadHeaderError
from django.utils import timezone

from contactcenter.common.background import mail_retry_or_give_up

from . import selectors, services, staging

# OSError covers a closed port, a timeout and every smtplib refusal (SMTPException is an OSError).
_MAIL_ERRORS = (OSError, BadHeaderError)


@shared_task(bind=True, name="casework.inquiry_confirm", acks_late=True, ignore_result=True)
def inquiry_confirm(self, inquiry_id: int) -> None:
    """E-mail the confirmation number; a confirmation already sent is not sent again."""
    try:
        services.inquiry_confirm_send(inquiry_id=inquiry_id)
    except _MAIL_ERRORS as error:
        mail_retry_or_give_up(
            self, error, give_up=lambda reason: services.inquiry_confirm_give_up(inquiry_id=inquiry_id, reason=reason)
        )


@shared_task(bind=True, name="casework.response_send", acks_late=True, ignore_result=True)
def response_send(self, response_id: int) -> None:
    """Send an approved response once (state guard and row lock in the service); after the last
    failed try the response shows "Delivery failed" to staff."""
    try:
        services.response_send(response_id=response_id)
    except _MAIL_ERRORS as error:
        services.response_send_attempt_failed(response_id=response_id, reason=f"{error.__class__.__name__}: {error}")
        mail_retry_or_give_up(
            self, error, give_up=lambda reason: services.response_send_give_up(response_id=response_id, reason=reason)
        )


@shared_task(name="casework.sweep", acks_late=True, ignore_result=True)
def sweep() -> dict:
    """Resend follow-up work whose task never reached the broker, run the SLA clock, and delete
    attachments kept for a form that was never sent again."""
    cutoff = timezone.now() - timedelta(seconds=60)
    for inquiry_id in selectors.inquiries_confirmation_pending(older_than=cutoff):
        inquiry_confirm.delay(inquiry_id=inquiry_id)
    # A response whose send is retrying is left to its retries; one whose retry was lost is not.
    retrying_since = timezone.now() - timedelta(seconds=2 * settings.MAIL_RETRY_BACKOFF_MAX)
    for response_id in selectors.responses_send_pending(older_than=cutoff, retry_lost_before=retrying_since):
        response_send.delay(response_id=response_id)
    return {**services.sla_sweep(), "staged_files_removed": staging.sweep()}
