"""The telephony gateway: the one place that talks to the phone network.

`TELEPHONY_BACKEND=twilio` uses Twilio's REST client; `local` (demo, simulator, tests) performs
the same steps and records them without a network. Both write an OutboundMessage per text."""

from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings
from django.db import transaction

from .identifiers import mask_phone
from .models import OutboundMessage, OutboundMessageStatus

logger = logging.getLogger(__name__)


class TelephonyError(Exception):
    pass


class Gateway(Protocol):
    name: str

    def send_sms(self, *, to: str, body: str, purpose: str = "") -> OutboundMessage: ...


class LocalGateway:
    name = "local"

    def send_sms(self, *, to: str, body: str, purpose: str = "") -> OutboundMessage:
        with transaction.atomic():
            message = OutboundMessage.objects.create(
                to_number=to,
                body=body,
                backend=self.name,
                status=OutboundMessageStatus.SENT,
                purpose=purpose,
                provider_sid=f"SMlocal{OutboundMessage.objects.count() + 1:026d}",
            )
        logger.info("local gateway: text to %s (%s)", mask_phone(to), purpose)
        return message


class TwilioGateway:
    name = "twilio"

    def __init__(self, client=None) -> None:
        from twilio.rest import Client

        self.client = client or Client(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN)

    def send_sms(self, *, to: str, body: str, purpose: str = "") -> OutboundMessage:
        from twilio.base.exceptions import TwilioException

        message = OutboundMessage.objects.create(to_number=to, body=body, backend=self.name, purpose=purpose)
        try:
            sent = self.client.messages.create(to=to, from_=settings.TWILIO_PHONE_NUMBER, body=body)
        except TwilioException as error:
            message.status = OutboundMessageStatus.FAILED
            message.error = str(error)[:300]
            message.save(update_fields=["status", "error"])
            raise TelephonyError(str(error)) from error
        message.status = OutboundMessageStatus.SENT
        message.provider_sid = sent.sid or ""
        message.save(update_fields=["status", "provider_sid"])
        return message


def gateway() -> Gateway:
    backend = settings.TELEPHONY_BACKEND
    if backend == "twilio":
        return TwilioGateway()
    if backend == "local":
        return LocalGateway()
    raise TelephonyError(f"Unknown TELEPHONY_BACKEND {backend!r}; use 'twilio' or 'local'.")
