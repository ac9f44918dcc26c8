"""The telephony gateway: the one place that talks to the phone network.

`TELEPHONY_BACKEND=twilio` uses Twilio's REST client; `local` (demo, simulator, tests) performs
the same steps and records them without a network. Both write an OutboundMessage per text."""

from __future__ import annotations

import logging
from datetime import timedelta
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
    "queue_transfer": {
        "en": "Please stay on the line while we transfer your call.",
        "es": "Por favor, permanezca en la línea mientras transferimos su llamada.",
    },
    "requeue": {
        "en": "We lost the line to your representative. Please hold: you are back at the front of the line.",
        "es": (
            "Se perdió la comunicación con su representante. "
            "Permanezca en la línea: usted vuelve al primer lugar de la fila."
        ),
    },
    "agent_line_screen": {
        "en": "A caller is waiting for you at the contact center. Press 1 to take the call.",
        "es": "Una persona lo espera en el centro de contacto. Oprima 1 para tomar la llamada.",
    },
    "agent_line_missed": {
        "en": "The call was not taken; the caller goes back to the front of the line. Goodbye.",
        "es": "No se tomó la llamada; la persona vuelve al primer lugar de la fila. Adiós.",
    },
    "dial_callback": {
        "en": "This is U S C I S returning your call, as you requested. Please hold for a representative.",
        "es": "Le habla U S C I S para devolverle la llamada que solicitó. Espere al representante.",
    },
}


# Conference participants are addressed by label in REST updates, and named by it in status callbacks.
CALLER_LABEL = "caller"
AGENT_LABEL = "agent"
CONFERENCE_EVENTS = "start end join leave hold mute"
PARTICIPANT_UPDATES = {
    CallControlAction.HOLD: (CALLER_LABEL, {"hold": True}),
    CallControlAction.RESUME: (CALLER_LABEL, {"hold": False}),
    CallControlAction.MUTE: (AGENT_LABEL, {"muted": True}),
    CallControlAction.UNMUTE: (AGENT_LABEL, {"muted": False}),
}


def _public(name: str, **query: str) -> str:
    from urllib.parse import urlencode

    from django.urls import reverse

    return settings.PUBLIC_BASE_URL.rstrip("/") + reverse(name) + (f"?{urlencode(query)}" if query else "")


def conference_name(contact) -> str:
    """The conference of one conversation: the contact and its offer count, so a caller put back in
    line after the agent's line dropped meets the next agent in a new conference, and the first
    one's late callbacks are known for what they are."""
    return f"contact-{contact.pk}-{contact.attempts}"


def hold_music_url(language: str) -> str:
    return _public("ivr:conference-hold", l=language if language in VOICES else "en")


def conference_dial(contact, *, label: str):
    """`<Dial><Conference>` for one leg: the caller's ends the conference when they leave; the
    agent's does not (a dropped browser leaves the caller in, to be put back in line)."""
    from twilio.twiml.voice_response import Dial

    caller = label == CALLER_LABEL
    dial = Dial()
    dial.conference(
        conference_name(contact),
        beep=False,
        start_conference_on_enter=not caller,
        end_conference_on_exit=caller,
        participant_label=label,
        wait_url=hold_music_url(contact.language),
        wait_method="POST",
        status_callback=_public("ivr:conference-status"),
        status_callback_event=CONFERENCE_EVENTS,
        status_callback_method="POST",
    )
    return dial


def control_twiml(control: CallControl) -> str:
    """The TwiML a call instruction puts the call on: built only with twilio's VoiceResponse."""
    from django.urls import reverse
    from twilio.twiml.voice_response import VoiceResponse

    voice, language = VOICES.get(control.language, VOICES["en"])
    response = VoiceResponse()
    response.say(
        SAY[control.action][control.language if control.language in VOICES else "en"], voice=voice, language=language
    )
    if control.action in (CallControlAction.TRANSFER, CallControlAction.QUEUE_TRANSFER, CallControlAction.REQUEUE):
        base = settings.PUBLIC_BASE_URL.rstrip("/")
        response.enqueue(
            control.target,
            wait_url=base + reverse("ivr:queue-wait"),
            wait_url_method="POST",
            action=base + reverse("ivr:queue-done"),
            method="POST",
        )
    elif control.action in (CallControlAction.CONNECT_AGENT, CallControlAction.DIAL_CALLBACK):
        # A caller put through and a person called back meet their agent the same way: in the
        # contact's conference, so hold, mute and transfer work on both.
        response.append(conference_dial(control.contact, label=CALLER_LABEL))
    return str(response)


def agent_conference_twiml(contact) -> str:
    """What the agent's line (the browser's call through the TwiML App) is put on."""
    from twilio.twiml.voice_response import VoiceResponse

    response = VoiceResponse()
    response.append(conference_dial(contact, label=AGENT_LABEL))
    return str(response)


# The agent's desk phone or SIP line: dialled by REST when the agent accepts (CallControl DIAL_AGENT);
# the answer is screened (press 1), so a voicemail never joins the caller's conference.
AGENT_LINE_RING_SECONDS = 25


def agent_line_url(contact, *, identity: str, step: str = "ring", browser: bool = False) -> str:
    """Our agent-leg webhook for a dialled line: the query (signed by Twilio with the URL) names the
    contact and the agent, which a browser's call through the TwiML App cannot set. A desk phone is
    screened (press 1); a browser's softphone answers for the agent, who accepted already."""
    line = "client" if browser else "desk"
    return _public("ivr:agent-voice", contact=str(contact.pk), agent=identity, line=line, step=step)


def agent_line_screen_twiml(contact, *, identity: str) -> str:
    """What the agent hears on picking up: press 1 to take the call; nothing pressed (or a
    voicemail) is posted back too, so the caller is put back in line at once."""
    from twilio.twiml.voice_response import Gather, VoiceResponse

    spoken = contact.language if contact.language in VOICES else "en"
    voice, language = VOICES[spoken]
    response = VoiceResponse()
    gather = Gather(
        num_digits=1,
        timeout=8,
        action=agent_line_url(contact, identity=identity, step="answer"),
        method="POST",
        action_on_empty_result=True,
    )
    gather.say(SAY["agent_line_screen"][spoken], voice=voice, language=language)
    response.append(gather)
    return str(response)


def agent_line_missed_twiml(language: str) -> str:
    from twilio.twiml.voice_response import VoiceResponse

    spoken = language if language in VOICES else "en"
    voice, tag = VOICES[spoken]
    response = VoiceResponse()
    response.say(SAY["agent_line_missed"][spoken], voice=voice, language=tag)
    response.hangup()
    return str(response)


def no_call_twiml() -> str:
    from twilio.twiml.voice_response import VoiceResponse

    response = VoiceResponse()
    response.say("There is no call for you to join.", voice=VOICES["en"][0], language=VOICES["en"][1])
    response.hangup()
    return str(response)


def rest_client():
    """Twilio's REST client for the account, with the HTTP client and timeout of the settings
    (TWILIO_HTTP_CLIENT names another HTTP client class: a proxying one; tests' fake Twilio)."""
    from django.utils.module_loading import import_string
    from twilio.rest import Client

    http_client = import_string(settings.TWILIO_HTTP_CLIENT)(timeout=settings.TWILIO_HTTP_TIMEOUT)
    return Client(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, http_client=http_client)


class LocalGateway:
    name = "local"

    def send_sms(self, *, to: str, body: str, purpose: str = "") -> OutboundMessage:
        with transaction.atomic():
            queued = (
                OutboundMessage.objects.filter(
                    purpose=purpose, to_number=to, body=body, status=OutboundMessageStatus.QUEUED
                ).first()
                if purpose
                else None
            )
            message = queued or OutboundMessage(to_number=to, body=body, backend=self.name, purpose=purpose)
            message.status = OutboundMessageStatus.SENT
            message.provider_sid = f"SMlocal{OutboundMessage.objects.count() + 1:026d}"
            message.save()
        logger.info("local gateway: text to %s (%s)", mask_phone(to), purpose)
        return message

    def control(self, *, control: CallControl) -> str:
        logger.info("local gateway: %s → %s", control.action, control.target)
        return f"CClocal{control.pk:026d}"


class TwilioGateway:
    """Twilio's REST API. Every call has a timeout (TWILIO_HTTP_TIMEOUT); a failure of any kind
    (refusal, 5xx, timeout, connection) is a TelephonyError for the caller's task to retry.

    A 5xx or a timeout may hide a request Twilio carried out, so a text or a callback tried before
    is first looked for at Twilio (same number, same body, since the first try) and not sent again
    when found: idempotency keyed on our row, since Twilio's API takes no idempotency key."""

    name = "twilio"

    def __init__(self, client=None) -> None:
        self.client = client or rest_client()

    @staticmethod
    def _failure(error: Exception) -> TelephonyError:
        return TelephonyError(f"{error.__class__.__name__}: {error}"[:300])

    def _rest(self, call):
        from requests import RequestException
        from twilio.base.exceptions import TwilioException

        try:
            return call()
        except (TwilioException, RequestException) as error:
            raise self._failure(error) from error

    def send_sms(self, *, to: str, body: str, purpose: str = "") -> OutboundMessage:
        """Send a text once per purpose: a purpose already sent is returned as it is; one tried
        before and failed is looked for at Twilio before it is sent again."""
        earlier = (
            OutboundMessage.objects.filter(purpose=purpose, to_number=to, body=body).order_by("created_at").first()
            if purpose
            else None
        )
        if earlier is not None and earlier.status == OutboundMessageStatus.SENT:
            return earlier
        message = earlier or OutboundMessage.objects.create(to_number=to, body=body, backend=self.name, purpose=purpose)
        try:
            tried = earlier is not None and (earlier.attempts > 1 or earlier.status == OutboundMessageStatus.FAILED)
            found = self._text_found(message) if tried else None
            sid = (
                found
                or self._rest(
                    lambda: self.client.messages.create(to=to, from_=settings.TWILIO_PHONE_NUMBER, body=body)
                ).sid
            )
        except TelephonyError as error:
            message.status, message.error = OutboundMessageStatus.FAILED, str(error)[:300]
            message.save(update_fields=["status", "error"])
            raise
        message.status, message.provider_sid, message.error = OutboundMessageStatus.SENT, sid or "", ""
        message.backend = self.name
        message.save(update_fields=["status", "provider_sid", "error", "backend"])
        return message

    def _text_found(self, message: OutboundMessage) -> str | None:
        since = message.created_at - timedelta(minutes=1)
        sent = self._rest(
            # Newest first; no DateSent filter, which leaves out a text still queued at Twilio.
            lambda: self.client.messages.list(to=message.to_number, from_=settings.TWILIO_PHONE_NUMBER, limit=50)
        )
        for candidate in sent:
            if candidate.body == message.body and (candidate.date_created is None or candidate.date_created >= since):
                logger.warning("text %s was sent by an earlier try (%s): not sent again", message.pk, candidate.sid)
                return candidate.sid
        return None

    def control(self, *, control: CallControl) -> str:
        if control.action in PARTICIPANT_UPDATES:
            return self._participant_update(control)
        if control.action == CallControlAction.END_CONFERENCE:
            conference = self._conference_sid(control)
            if not conference:  # over already (the caller hung up too)
                return ""
            return self._rest(lambda: self.client.conferences(conference).update(status="completed")).sid or conference
        if control.action == CallControlAction.DIAL_AGENT:
            return self._agent_line_dial(control)
        twiml = control_twiml(control)
        if control.action == CallControlAction.DIAL_CALLBACK:
            if control.attempts > 1 and (placed := self._call_found(control, to=control.contact.phone)):
                return placed
            return (
                self._rest(
                    lambda: self.client.calls.create(
                        to=control.contact.phone, from_=settings.TWILIO_PHONE_NUMBER, twiml=twiml
                    )
                ).sid
                or ""
            )
        updated = self._rest(lambda: self.client.calls(control.call_sid).update(twiml=twiml))
        return updated.sid or control.call_sid

    def _conference_sid(self, control: CallControl) -> str:
        """The contact's conference as the status callbacks named it; else looked up by name (a hold
        pressed before the first callback arrived). Not there yet: an error, so the task retries."""
        if control.contact.conference_sid:
            return control.contact.conference_sid
        found = self._rest(
            lambda: self.client.conferences.list(friendly_name=control.target, status="in-progress", limit=1)
        )
        return found[0].sid if found else ""

    def _participant_update(self, control: CallControl) -> str:
        label, params = PARTICIPANT_UPDATES[CallControlAction(control.action)]
        if control.action == CallControlAction.HOLD:
            params = {**params, "hold_url": hold_music_url(control.language), "hold_method": "POST"}
        conference = self._conference_sid(control)
        if not conference:  # not started yet: the task tries again
            raise TelephonyError(f"conference {control.target} is not in progress")
        participant = self._rest(lambda: self.client.conferences(conference).participants(label).update(**params))
        return participant.call_sid or ""

    def _agent_line_dial(self, control: CallControl) -> str:
        """Ring the agent's desk phone or SIP line (the control's target); answered, it asks our
        agent-leg webhook what to do. A contact no longer on the line to that agent is not dialled."""
        from .models import ContactStatus
        from .services.live import agent_identity

        contact = control.contact
        if contact.status != ContactStatus.CONNECTED or contact.offered_to is None:
            return ""
        if control.attempts > 1 and (placed := self._call_found(control, to=control.target)):
            return placed
        identity = agent_identity(contact.offered_to)
        browser = control.target.startswith("client:")
        url = agent_line_url(contact, identity=identity, browser=browser)
        created = self._rest(
            lambda: self.client.calls.create(
                to=control.target,
                from_=settings.TWILIO_PHONE_NUMBER,
                url=url,
                method="POST",
                timeout=AGENT_LINE_RING_SECONDS,
                # Busy, unanswered or failed: said at once, so the caller does not wait for the join limit.
                status_callback=agent_line_url(contact, identity=identity, step="status", browser=browser),
                status_callback_event=["completed"],
                status_callback_method="POST",
            )
        )
        return created.sid or ""

    def _call_found(self, control: CallControl, *, to: str) -> str | None:
        """A call an earlier try of this instruction placed (a 5xx or a timeout may hide one)."""
        since = control.created_at - timedelta(minutes=1)
        placed = self._rest(
            # Newest first; no StartTime filter, which leaves out a call still queued at Twilio.
            lambda: self.client.calls.list(to=to, from_=settings.TWILIO_PHONE_NUMBER, limit=20)
        )
        for call in placed:
            if call.date_created is None or call.date_created >= since:
                logger.warning("call %s was placed by an earlier try (%s): not placed again", control.pk, call.sid)
                return call.sid
        return None


def gateway() -> Gateway:
    backend = settings.TELEPHONY_BACKEND
    if backend == "twilio":
        return TwilioGateway()
    if backend == "local":
        return LocalGateway()
    raise TelephonyError(f"Unknown TELEPHONY_BACKEND {backend!r}; use 'twilio' or 'local'.")
