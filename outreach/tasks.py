"""Thin Celery tasks of PED outreach: fetch by id, call the service, which guards against repeats."""

from celery import shared_task
from django.core.mail import BadHeaderError

from . import services

_MAIL_RETRY = {
    "autoretry_for": (OSError, BadHeaderError),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 6,
}


@shared_task(name="outreach.registration_confirmation_send", acks_late=True, ignore_result=True, **_MAIL_RETRY)
def registration_confirmation_send(registration_id: int) -> bool:
    return services.registration_confirmation_send(registration_id=registration_id)


@shared_task(name="outreach.registration_reminder_send", acks_late=True, ignore_result=True, **_MAIL_RETRY)
def registration_reminder_send(registration_id: int) -> bool:
    return services.registration_reminder_send(registration_id=registration_id)


@shared_task(name="outreach.registration_change_notice_send", acks_late=True, ignore_result=True, **_MAIL_RETRY)
def registration_change_notice_send(registration_id: int) -> bool:
    return services.registration_change_notice_send(registration_id=registration_id)


@shared_task(name="outreach.registration_cancellation_notice_send", acks_late=True, ignore_result=True, **_MAIL_RETRY)
def registration_cancellation_notice_send(registration_id: int) -> bool:
    return services.registration_cancellation_notice_send(registration_id=registration_id)


@shared_task(name="outreach.report_back_delivery_send", acks_late=True, ignore_result=True, **_MAIL_RETRY)
def report_back_delivery_send(delivery_id: int) -> bool:
    return services.report_back_delivery_send(delivery_id=delivery_id)


@shared_task(name="outreach.reminders_and_sweep", acks_late=True, ignore_result=True)
def reminders_and_sweep() -> int:
    """Periodic: remind registrants of tomorrow's engagements, and resend confirmations and report
    backs whose task never reached the broker. Each send is guarded, so overlap sends nothing twice."""
    sent = 0
    for registration_id in services.registrations_reminder_due():
        registration_reminder_send.delay(registration_id=registration_id)
        sent += 1
    for registration_id in services.registrations_confirmation_pending():
        registration_confirmation_send.delay(registration_id=registration_id)
    for registration_id in services.registrations_change_notice_pending():
        registration_change_notice_send.delay(registration_id=registration_id)
    for registration_id in services.registrations_cancellation_notice_pending():
        registration_cancellation_notice_send.delay(registration_id=registration_id)
    for delivery_id in services.report_back_deliveries_pending():
        report_back_delivery_send.delay(delivery_id=delivery_id)
    return sent
