import socket

from celery import shared_task
from django.core import management

from . import services
from .telephony import TelephonyError


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


@shared_task(name="contactcenter.form_orders_sweep", acks_late=True, ignore_result=True)
def form_orders_sweep() -> None:
    """Resend form orders whose fulfilment task never reached the broker."""
    for order_id in services.form_orders_pending():
        form_order_fulfil.delay(order_id=order_id)
