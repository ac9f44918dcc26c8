"""Thin Celery tasks of PED outreach: fetch by id, call the service, which guards against repeats."""

from celery import shared_task
from django.core.mail import BadHeaderError

from contactcenter.common.background import mail_retry_or_give_up

from . import mailings, services

# OSError covers a closed port, a timeout and every smtplib refusal (SMTPException is an OSError).
_MAIL_ERRORS = (OSError, BadHeaderError)


def _registration_send(task, send, registration_id: int) -> bool:
    try:
        return send(registration_id=registration_id)
    except _MAIL_ERRORS as error:
        mail_retry_or_give_up(
            task,
            error,
            give_up=lambda reason: services.registration_mail_give_up(registration_id=registration_id, reason=reason),
        )
        return False


@shared_task(bind=True, name="outreach.registration_confirmation_send", acks_late=True, ignore_result=True)
def registration_confirmation_send(self, registration_id: int) -> bool:
    return _registration_send(self, services.registration_confirmation_send, registration_id)


@shared_task(bind=True, name="outreach.registration_reminder_send", acks_late=True, ignore_result=True)
def registration_reminder_send(self, registration_id: int) -> bool:
    return _registration_send(self, services.registration_reminder_send, registration_id)


@shared_task(bind=True, name="outreach.registration_change_notice_send", acks_late=True, ignore_result=True)
def registration_change_notice_send(self, registration_id: int) -> bool:
    return _registration_send(self, services.registration_change_notice_send, registration_id)


@shared_task(bind=True, name="outreach.registration_cancellation_notice_send", acks_late=True, ignore_result=True)
def registration_cancellation_notice_send(self, registration_id: int) -> bool:
    return _registration_send(self, services.registration_cancellation_notice_send, registration_id)


@shared_task(bind=True, name="outreach.report_back_delivery_send", acks_late=True, ignore_result=True)
def report_back_delivery_send(self, delivery_id: int) -> bool:
    try:
        return services.report_back_delivery_send(delivery_id=delivery_id)
    except _MAIL_ERRORS as error:
        mail_retry_or_give_up(
            self,
            error,
            give_up=lambda reason: services.report_back_delivery_give_up(delivery_id=delivery_id, reason=reason),
        )
        return False


@shared_task(bind=True, name="outreach.feedback_routed_notice_send", acks_late=True, ignore_result=True)
def feedback_routed_notice_send(self, feedback_id: int) -> bool:
    try:
        return services.feedback_routed_notice_send(feedback_id=feedback_id)
    except _MAIL_ERRORS as error:
        mail_retry_or_give_up(
            self,
            error,
            give_up=lambda reason: services.feedback_routed_notice_give_up(feedback_id=feedback_id, reason=reason),
        )
        return False


@shared_task(bind=True, name="outreach.partner_report_back_delivery_send", acks_late=True, ignore_result=True)
def partner_report_back_delivery_send(self, delivery_id: int) -> bool:
    try:
        return services.partner_report_back_delivery_send(delivery_id=delivery_id)
    except _MAIL_ERRORS as error:
        mail_retry_or_give_up(
            self,
            error,
            give_up=lambda reason: services.partner_report_back_delivery_give_up(
                delivery_id=delivery_id, reason=reason
            ),
        )
        return False


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
    for delivery_id in services.partner_report_back_deliveries_pending():
        partner_report_back_delivery_send.delay(delivery_id=delivery_id)
    for feedback_id in services.feedback_routed_notices_pending():
        feedback_routed_notice_send.delay(feedback_id=feedback_id)
    for delivery_id in services.engagement_message_deliveries_pending():
        engagement_message_delivery_send.delay(delivery_id=delivery_id)
    return sent


# --- mailings (outreach/mailings.py) -----------------------------------------------------------------
@shared_task(bind=True, name="outreach.mailing_batch_send", acks_late=True, ignore_result=True)
def mailing_batch_send(self, mailing_id: int, recipient_ids: list[int]) -> int:
    """One batch of a mailing; a retry sends only those still queued (each row guards itself)."""
    try:
        return mailings.mailing_batch_send(mailing_id=mailing_id, recipient_ids=recipient_ids)
    except _MAIL_ERRORS as error:
        mail_retry_or_give_up(
            self,
            error,
            give_up=lambda reason: mailings.mailing_batch_give_up(
                mailing_id=mailing_id, recipient_ids=recipient_ids, reason=reason
            ),
        )
        return 0


@shared_task(bind=True, name="outreach.mailing_test_deliver", acks_late=True, ignore_result=True)
def mailing_test_deliver(self, mailing_id: int, user_id: int) -> None:
    try:
        mailings.mailing_test_deliver(mailing_id=mailing_id, user_id=user_id)
    except _MAIL_ERRORS as error:
        mail_retry_or_give_up(self, error, give_up=lambda reason: None)


@shared_task(name="outreach.mailings_sweep", acks_late=True, ignore_result=True)
def mailings_sweep() -> int:
    """Periodic: queue again the recipients of mailings whose send task never reached the broker."""
    queued = 0
    for mailing_id, recipient_ids in mailings.mailing_recipients_pending().items():
        for start in range(0, len(recipient_ids), 50):
            mailing_batch_send.delay(mailing_id=mailing_id, recipient_ids=recipient_ids[start : start + 50])
        queued += len(recipient_ids)
    return queued


@shared_task(bind=True, name="outreach.engagement_message_delivery_send", acks_late=True, ignore_result=True)
def engagement_message_delivery_send(self, delivery_id: int) -> bool:
    try:
        return services.engagement_message_delivery_send(delivery_id=delivery_id)
    except _MAIL_ERRORS as error:
        mail_retry_or_give_up(
            self,
            error,
            give_up=lambda reason: services.engagement_message_delivery_give_up(delivery_id=delivery_id, reason=reason),
        )
        return False
