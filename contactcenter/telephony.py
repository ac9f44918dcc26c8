"""The telephony gateway: the one place that talks to the phone network.

`TELEPHONY_BACKEND=twilio` uses Twilio's REST client; `local` (demo, simulator, tests) performs
the same steps and records them without a network. Both write an OutboundMessage per text."""

from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings
from django.db import transaction

from .identifiers import mask_phone
from .models import CallControl, CallControlAction, OutboundMessage, OutboundMessageStatus

logger = logging.getLogger(__name__)


class TelephonyError(Exception):
    pass


class Gateway(Protocol):
    name: str

    def send_sms(self, *, to: str, body: str, purpose: str = "") -> OutboundMessage: ...

    def control(self, *, control: CallControl) -> str:
        """Carry out one call instruction; returns the provider's id for it."""
        ...


VOICES = {"en": ("Polly.Joanna", "en-US"), "es": ("Polly.Lupe", "es-US")}
SAY = {
    "connect_agent": {
        "en": "Connecting you to a representative now.",
        "es": "Lo comunicamos ahora con un representante.",
    },
    "transfer": {
        "en": "Please stay on the line while we transfer you to an officer.",
        "es": "Por favor, permanezca en la línea mientras lo transferimos a un oficial.",
    },
    "dial_callback": {
        "en": "This is U S C I S returning your call, as you requested. Please hold for a representative.",
        "es": "Le habla U S C I S para devolverle la llamada que solicitó. Espere al representante.",
    },
}


def control_twiml(control: CallControl) -> str:
    """The TwiML a call instruction puts the call on: built only with twilio's VoiceResponse."""
    from django.urls import reverse
    from twilio.twiml.voice_response import Dial, VoiceResponse

    voice, language = VOICES.get(control.language, VOICES["en"])
    response = VoiceResponse()
    response.say(
        SAY[control.action][control.language if control.language in VOICES else "en"], voice=voice, language=language
    )
    if control.action == CallControlAction.TRANSFER:
        base = settings.PUBLIC_BASE_URL.rstrip("/")
        response.enqueue(
            control.target,
            wait_url=base + reverse("ivr:queue-wait"),
            wait_url_method="POST",
            action=base + reverse("ivr:queue-done"),
            method="POST",
        )
    else:
        dial = Dial(answer_on_bridge=True)
        dial.client(control.target)
        response.append(dial)
    return str(response)


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

    def control(self, *, control: CallControl) -> str:
        logger.info("local gateway: %s → %s", control.action, control.target)
        return f"CClocal{control.pk:026d}"


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

    def control(self, *, control: CallControl) -> str:
        from twilio.base.exceptions import TwilioException

        twiml = control_twiml(control)
        try:
            if control.action == CallControlAction.DIAL_CALLBACK:
                placed = self.client.calls.create(
                    to=control.contact.phone, from_=settings.TWILIO_PHONE_NUMBER, twiml=twiml
                )
                return placed.sid or ""
            updated = self.client.calls(control.call_sid).update(twiml=twiml)
            return updated.sid or control.call_sid
        except TwilioException as error:
            raise TelephonyError(str(error)) from error


def gateway() -> Gateway:
    backend = settings.TELEPHONY_BACKEND
    if backend == "twilio":
        return TwilioGateway()
    if backend == "local":
        return LocalGateway()
    raise TelephonyError(f"Unknown TELEPHONY_BACKEND {backend!r}; use 'twilio' or 'local'.")
