import socket
from datetime import timedelta

from celery import shared_task
from django.core import management
from django.core.mail import BadHeaderError
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from contactcenter import services
from contactcenter.audit.context import AuditContext
from contactcenter.common.background import mail_retry_or_give_up
from contactcenter.models import AuditChannel
from contactcenter.telephony.gateway import TelephonyError


@shared_task(name="contactcenter.heartbeat_record", acks_late=True, ignore_result=True)
def heartbeat_record() -> None:
    services.heartbeat_record(name="celery", hostname=socket.gethostname())


@shared_task(name="contactcenter.clearsessions", acks_late=True, ignore_result=True)
def clearsessions() -> None:
    management.call_command("clearsessions")


@shared_task(
    name="contactcenter.form_order_fulfil",
    acks_late=True,
    ignore_result=True,
    autoretry_for=(TelephonyError,),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
)
def form_order_fulfil(order_id: int) -> None:
    """Send a form order; a telephony failure is retried with backoff, a sent order is not resent."""
    services.form_order_fulfil(order_id=order_id)


@shared_task(
    name="contactcenter.text_send",
    acks_late=True,
    ignore_result=True,
    autoretry_for=(TelephonyError,),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
)
def text_send(message_id: int) -> None:
    """Send a queued text; a failure is retried with backoff, a text already sent is not resent."""
    services.text_send(message_id=message_id)


@shared_task(name="contactcenter.mailing_batch_make", acks_late=True, ignore_result=True)
def mailing_batch_make() -> None:
    """The day's mailing batch of queued mail form orders (none when nothing is queued); run again, it
    gathers only what was queued since."""
    services.mailing_batch_create(context=AuditContext.system(channel=AuditChannel.TASK))


@shared_task(name="contactcenter.form_orders_sweep", acks_late=True, ignore_result=True)
def form_orders_sweep() -> None:
    """Resend form orders and texts whose task never reached the broker."""
    for order_id in services.form_orders_pending():
        form_order_fulfil.delay(order_id=order_id)
    for message_id in services.texts_pending():
        text_send.delay(message_id=message_id)


# --- service requests at the office --------------------------------------------------------------
# OSError covers a closed port, a timeout and every smtplib refusal (SMTPException is an OSError).
_MAIL_ERRORS = (OSError, BadHeaderError)


@shared_task(bind=True, name="contactcenter.service_request_email_send", acks_late=True, ignore_result=True)
def service_request_email_send(self, notice_id: int) -> None:
    """E-mail one service request notice; one sent already is not sent again."""
    try:
        services.service_request_notice_email_send(notice_id=notice_id)
    except _MAIL_ERRORS as error:
        mail_retry_or_give_up(
            self,
            error,
            give_up=lambda reason: services.service_request_notice_give_up(notice_id=notice_id, reason=reason),
        )


@shared_task(name="contactcenter.service_requests_escalate", acks_late=True, ignore_result=True)
def service_requests_escalate() -> int:
    """Escalate overdue service requests to their offices' supervisors (each once), and resend
    notice e-mails whose task never reached the broker."""
    for notice_id in services.service_request_notices_pending():
        service_request_email_send.delay(notice_id=notice_id)
    return services.service_requests_escalate_overdue()


# --- case-status updates ------------------------------------------------------------------------
# A database that is briefly away (a restart, a fail-over) is worth waiting for; our own bugs are not.
_DATABASE_AWAY = (OperationalError, InterfaceError)


@shared_task(
    name="contactcenter.status_notices_create",
    acks_late=True,
    ignore_result=True,
    autoretry_for=_DATABASE_AWAY,
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=8,
)
def status_notices_create(event_ids: list[int]) -> None:
    """The notices of one import batch's status changes; run twice, it makes none twice."""
    services.status_notices_create(event_ids=event_ids)


@shared_task(
    name="contactcenter.status_notices_send",
    acks_late=True,
    ignore_result=True,
    autoretry_for=_DATABASE_AWAY,
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=8,
)
def status_notices_send(notice_ids: list[int]) -> None:
    """Hand a batch of notices to the text queue and the e-mail task; one handed on is not again."""
    services.status_notices_send(notice_ids=notice_ids)


@shared_task(bind=True, name="contactcenter.status_notice_email_send", acks_late=True, ignore_result=True)
def status_notice_email_send(self, notice_id: int) -> None:
    try:
        services.status_notice_email_send(notice_id=notice_id)
    except _MAIL_ERRORS as error:
        mail_retry_or_give_up(
            self, error, give_up=lambda reason: services.status_notice_give_up(notice_id=notice_id, reason=reason)
        )


@shared_task(bind=True, name="contactcenter.status_code_email_send", acks_late=True, ignore_result=True)
def status_code_email_send(self, subscription_id: int) -> None:
    try:
        services.status_code_email_send(subscription_id=subscription_id)
    except _MAIL_ERRORS as error:
        # A code that cannot be delivered expires unused: the person asks for a new one.
        mail_retry_or_give_up(self, error, give_up=lambda reason: None)


@shared_task(name="contactcenter.status_notices_sweep", acks_late=True, ignore_result=True)
def status_notices_sweep() -> None:
    """Resend notice batches whose task never reached the broker."""
    for notice_ids in services.status_notices_pending():
        status_notices_send.delay(notice_ids=notice_ids)


# --- routing ------------------------------------------------------------------------------------
@shared_task(name="contactcenter.route_queue", acks_late=True, ignore_result=True)
def route_queue(queue_name: str) -> int:
    """Offer the queue's contacts to available agents until nothing more can be offered (bounded)."""
    return services.route_queue_drain(queue_name=queue_name)


@shared_task(name="contactcenter.offers_expire", acks_late=True, ignore_result=True)
def offers_expire() -> int:
    return services.offers_expire()


@shared_task(name="contactcenter.wallboard_prefill", ignore_result=True)
def wallboard_prefill() -> int:
    """Every refresh interval, while a wallboard is open: the figures every supervisor shares,
    computed here so no viewer's request waits on them. Returns how many sets were computed."""
    from contactcenter.consoles.wallboard import prefill
    from contactcenter.consoles.wallboard_figures import SHARED

    return sum(prefill(name, compute) for name, compute in SHARED.items())


@shared_task(name="contactcenter.routing_sweep", acks_late=True, ignore_result=True)
def routing_sweep() -> None:
    """Every few seconds: expire missed offers, route every queue, and resend call instructions
    whose task was lost, so a broker outage delays and never loses."""
    services.routing_sweep()
    for control_id in services.call_controls_pending():
        call_control_send.delay(control_id=control_id)


@shared_task(name="contactcenter.wrap_ups_expire", acks_late=True, ignore_result=True)
def wrap_ups_expire() -> int:
    """Close wrap-ups that ran past their queue's after-call time (the beat, every few seconds)."""
    return services.wrap_ups_expire()


@shared_task(name="contactcenter.agent_joins_expire", acks_late=True, ignore_result=True)
def agent_joins_expire() -> int:
    """Accepted calls whose agent's line never joined: the caller back at the front of the line (the beat)."""
    return services.agent_joins_expire()


@shared_task(
    name="contactcenter.call_control_send",
    acks_late=True,
    ignore_result=True,
    autoretry_for=(TelephonyError,),
    retry_backoff=2,
    retry_backoff_max=30,
    max_retries=5,
)
def call_control_send(control_id: int) -> None:
    """Put a caller through, transfer them or dial them back; a done instruction is never repeated."""
    services.call_control_send(control_id=control_id)


@shared_task(
    name="contactcenter.recordings_expire",
    acks_late=True,
    ignore_result=True,
    autoretry_for=(TelephonyError,),
    retry_backoff=60,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=5,
)
def recordings_expire() -> int:
    """Hourly: delete recordings past RECORDING_RETENTION_DAYS, here and their audio at Twilio; one
    Twilio would not delete is retried with backoff (those deleted stay deleted)."""
    return services.recordings_expire()


# --- rollups ------------------------------------------------------------------------------------
# The reconcile recomputes the last week and the day before it whatever their marks: the wallboard's
# and the queue report's default period, and a repeat contact can change a figure up to 7 days back.
RECONCILE_DAYS = 8


@shared_task(name="contactcenter.queue_rollups_refresh", acks_late=True, ignore_result=True)
def queue_rollups_refresh() -> int:
    """Recompute every queue interval marked stale or counted with an old service level (sent after
    a write commits, and by the beat)."""
    return services.queue_rollups_dirty_refresh()


@shared_task(name="contactcenter.queue_rollups_reconcile", acks_late=True, ignore_result=True)
def queue_rollups_reconcile() -> int:
    """Recompute the last days' queue intervals whatever their marks: repairs any gap a write
    outside the services (or a lost mark) left in the queue report."""
    return services.queue_rollups_rebuild(since=timezone.now() - timedelta(days=RECONCILE_DAYS))


@shared_task(name="contactcenter.ledger_rollups_refresh", acks_late=True, ignore_result=True)
def ledger_rollups_refresh() -> int:
    """Recompute every interval marked stale (the beat, every few seconds)."""
    return services.ledger_rollups_dirty_refresh()


@shared_task(name="contactcenter.ledger_rollups_reconcile", acks_late=True, ignore_result=True)
def ledger_rollups_reconcile() -> int:
    """Recompute the last 8 days' intervals whatever their marks: repairs any gap a write outside
    the services (or a lost mark) left in the 7-day figures."""
    return services.ledger_rollups_rebuild(since=timezone.now() - timedelta(days=RECONCILE_DAYS))
