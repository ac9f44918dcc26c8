from datetime import datetime

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import services


@shared_task(
    name="ivr.call_status_record",
    acks_late=True,
    ignore_result=True,
    autoretry_for=(InterfaceError, OperationalError),
    retry_backoff=2,
    retry_backoff_max=60,
    retry_jitter=False,
    max_retries=20,
)
def call_status_record(call_sid: str, status: str, duration: int | None, at: str) -> None:
    """Twilio's status callback that came while the database was away, recorded once it is back
    (a call's end is recorded once, however often this runs)."""
    services.call_status_update(call_sid=call_sid, status=status, duration=duration, at=datetime.fromisoformat(at))


@shared_task(name="ivr.simulator_lines_hang_up", ignore_result=True)
def simulator_lines_hang_up() -> int:
    """Simulated callers whose simulator page closed leave the queue, as a real caller's hang-up does."""
    from .simulator import lines_hang_up

    return len(lines_hang_up())


@shared_task(
    name="ivr.call_steps_expire",
    acks_late=True,
    ignore_result=True,
    autoretry_for=(InterfaceError, OperationalError),
    retry_backoff=60,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=5,
)
def call_steps_expire() -> int:
    """Hourly: delete the step records of calls past IVR_STEP_RETENTION_DAYS (each call's row and
    its ledger entry stay); batches already deleted stay deleted when a run fails."""
    return services.call_steps_expire()
