"""Text messages the center sends (form links, survey invitations): queued durably, sent once by a
worker through the telephony gateway, swept if the broker was away."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models as db_models
from django.db import transaction
from django.utils import timezone

from contactcenter.models import (
    OutboundMessage,
    OutboundMessageStatus,
)
from contactcenter.telephony.gateway import TelephonyError, gateway


def text_queue(*, to: str, body: str, purpose: str, enqueue: bool = True) -> OutboundMessage:
    """A text to send after commit, by a worker: whoever asked for it (a caller in the IVR) never
    waits on the phone network's API. One row per purpose: asking again queues nothing more.
    `enqueue=False` is for a worker that sends a batch itself with `text_send` once its transaction
    commits (the sweep sends any it could not)."""
    message, created = OutboundMessage.objects.get_or_create(
        purpose=purpose,
        to_number=to,
        body=body,
        defaults={"backend": settings.TELEPHONY_BACKEND, "status": OutboundMessageStatus.QUEUED},
    )
    if created and enqueue:
        from contactcenter.common.background import enqueue_on_commit

        enqueue_on_commit("contactcenter.text_send", message_id=message.pk)
    return message


def text_attempt_begin(*, to: str, body: str, purpose: str) -> None:
    """Count a try before it is made, in a transaction of its own: if the worker dies during the
    REST call, the count survives and the next try looks at Twilio before sending again."""
    with transaction.atomic():
        OutboundMessage.objects.get_or_create(
            purpose=purpose,
            to_number=to,
            body=body,
            defaults={"backend": settings.TELEPHONY_BACKEND, "status": OutboundMessageStatus.QUEUED},
        )
        OutboundMessage.objects.filter(purpose=purpose, to_number=to, body=body).exclude(
            status=OutboundMessageStatus.SENT
        ).update(attempts=db_models.F("attempts") + 1)


def text_send(*, message_id: int) -> OutboundMessage | None:
    """Send a queued text once; the row lock keeps two workers from sending it together, and a
    text already sent (or found sent at Twilio by an earlier try) is not sent again."""
    message = OutboundMessage.objects.filter(pk=message_id).first()
    if message is None or message.status == OutboundMessageStatus.SENT:
        return message
    text_attempt_begin(to=message.to_number, body=message.body, purpose=message.purpose)
    failure: TelephonyError | None = None
    with transaction.atomic():
        message = OutboundMessage.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.status == OutboundMessageStatus.SENT:
            return message
        try:
            message = gateway().send_sms(to=message.to_number, body=message.body, purpose=message.purpose)
        except TelephonyError as error:
            failure = error  # raised after commit: the failed try must be kept for the retry to see
    if failure is not None:
        raise failure
    return message


def texts_pending(*, older_than_seconds: int = 60) -> list[int]:
    """Queued texts whose task never reached the broker."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    return list(
        OutboundMessage.objects.filter(status=OutboundMessageStatus.QUEUED, created_at__lt=cutoff).values_list(
            "pk", flat=True
        )[:500]
    )


__all__ = ["text_attempt_begin", "text_queue", "text_send", "texts_pending"]
