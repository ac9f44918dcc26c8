"""The telephony gateway: the one place that talks to the phone network.

`TELEPHONY_BACKEND=twilio` uses Twilio's REST client; `local` (demo, simulator, tests) performs
the same steps and records them without a network. Both write an OutboundMessage per text."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from django.conf import settings
from django.db import transaction
from django.dispatch import Signal

from contactcenter.models import CallControl, CallControlAction, OutboundMessage, OutboundMessageStatus
from contactcenter.reference.identifiers import mask_phone
from contactcenter.telephony.voices import VOICES

logger = logging.getLogger(__name__)


class TelephonyError(Exception):
    pass


class Gateway(Protocol):
    name: str

    def send_sms(self, *, to: str, body: str, purpose: str = "") -> OutboundMessage: ...

    def control(self, *, control: CallControl) -> str:
        """Carry out one call instruction; returns the provider's id for it."""
        ...

    def recording_media(self, *, recording) -> RecordingMedia:
        """A recording's audio, fetched with the account's credentials (never a public URL)."""
        ...

    def recording_delete(self, *, recording) -> bool:
        """Delete a recording's media at the phone network; False when it was gone already."""
        ...


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
    "recording_notice": {
        "en": "This call is recorded for quality and training.",
        "es": "Esta llamada se graba para fines de calidad y capacitación.",
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
# A consulted person's line is labelled for their own contact: "consult-<id>".
CONSULT_LABEL = "consult"
SUPERVISOR_LABEL = "supervisor"  # how a conference event names a supervisor's leg
MONITOR_LABEL_PREFIX = "monitor-"
CONFERENCE_EVENTS = "start end join leave hold mute"
PARTICIPANT_UPDATES = {
    CallControlAction.HOLD: (CALLER_LABEL, {"hold": True}),
    CallControlAction.RESUME: (CALLER_LABEL, {"hold": False}),
    CallControlAction.MUTE: (AGENT_LABEL, {"muted": True}),
    CallControlAction.UNMUTE: (AGENT_LABEL, {"muted": False}),
}


# The recording of a conversation is the caller's call, recorded dual-channel (the caller on one
# channel, the conference on the other) from the moment the agent joins; pausing and resuming act on
# the call's current recording, so they need not wait for its sid.
RECORDING_EVENTS = "in-progress completed absent"
# A recording's status as the local gateway reports it (Twilio posts its own to the recording webhook),
# with `recording_status_record`'s arguments: the live tier, which builds on the gateway, keeps it
# (contactcenter/signals.py connects it).
recording_status = Signal()
RECORDING_UPDATES = {
    CallControlAction.RECORD_PAUSE: {"status": "paused", "pause_behavior": "skip"},
    CallControlAction.RECORD_RESUME: {"status": "in-progress"},
}
SILENT_WAV_RATE = 8000  # the local gateway's stand-in for a recording: silence, 8 kHz 16-bit
SILENT_WAV_MAX_SECONDS = 3600


@dataclass(frozen=True)
class RecordingMedia:
    """A recording's audio as the phone network gives it, read a piece at a time."""

    chunks: Iterator[bytes]
    content_type: str
    length: int | None = None


def recording_status_url(contact) -> str:
    return webhook_url("recording_status", contact=str(contact.pk))


def local_recording_sid(contact) -> str:
    return f"RElocal{contact.pk:015d}{contact.attempts:012d}"[:34]


def silent_wav(*, seconds: int, channels: int = 2) -> RecordingMedia:
    """A WAV file of silence as long as the recording: what the local gateway plays for one."""
    import struct

    seconds = max(1, min(seconds, SILENT_WAV_MAX_SECONDS))
    channels = max(1, min(channels, 2))
    block = 2 * channels
    size = SILENT_WAV_RATE * block * seconds
    header = b"RIFF" + struct.pack("<I", 36 + size) + b"WAVE"
    header += b"fmt " + struct.pack("<IHHIIHH", 16, 1, channels, SILENT_WAV_RATE, SILENT_WAV_RATE * block, block, 16)
    header += b"data" + struct.pack("<I", size)

    def chunks() -> Iterator[bytes]:
        yield header
        second = bytes(SILENT_WAV_RATE * block)
        for _ in range(seconds):
            yield second

    return RecordingMedia(chunks=chunks(), content_type="audio/wav", length=len(header) + size)


# A supervisor's leg, by mode: coaching (only the agent hears them) and muted. Joining always
# starts listening; whisper and barge are updates of the same participant.
MONITOR_PARTICIPANT = {
    CallControlAction.MONITOR_JOIN: {"coaching": True, "muted": True},
    CallControlAction.MONITOR_LISTEN: {"coaching": True, "muted": True},
    CallControlAction.MONITOR_WHISPER: {"coaching": True, "muted": False},
    CallControlAction.MONITOR_BARGE: {"coaching": False, "muted": False},
}


def monitor_label(identity: str) -> str:
    """The conference participant label of a supervisor's leg (the identity its browser rings on)."""
    return MONITOR_LABEL_PREFIX + identity


# --- the webhooks our TwiML and Twilio's configuration name -----------------------------------
# The core builds these URLs but answers none of them: the app that does (the IVR) hands in its URL
# names at start-up, keyed by the core's own names, so the core names no channel's URL.
WEBHOOKS = frozenset(
    {
        "voice",  # the number's Voice URL
        "status",  # the number's status callback
        "fallback",  # the number's Voice fallback URL
        "sms",  # the number's SMS URL
        "queue_wait",  # Enqueue's waitUrl
        "queue_done",  # Enqueue's action
        "conference_status",
        "conference_hold",
        "recording_status",
        "agent_voice",  # an agent's line: the TwiML App's Voice URL, and a dialled desk line's
    }
)
_webhook_url_names: dict[str, str] = {}


def webhooks_register(**url_names: str) -> None:
    """Called from the AppConfig.ready() of the app that answers them: its URL names, by WEBHOOKS key."""
    unknown = set(url_names) - WEBHOOKS
    if unknown:
        raise ValueError(f"Not webhooks the core builds: {', '.join(sorted(unknown))}")
    _webhook_url_names.update(url_names)


def webhook_url(key: str, **query: str) -> str:
    """The webhook's public URL (PUBLIC_BASE_URL, as Twilio reaches and signs it), with `query`."""
    from urllib.parse import urlencode

    from django.core.exceptions import ImproperlyConfigured
    from django.urls import reverse

    name = _webhook_url_names.get(key)
    if name is None:
        raise ImproperlyConfigured(
            f"No URL is registered for the {key!r} webhook: the app that answers it registers it with "
            "contactcenter.telephony.gateway.webhooks_register() in its AppConfig.ready() (is it installed?)."
        )
    return settings.PUBLIC_BASE_URL.rstrip("/") + reverse(name) + (f"?{urlencode(query)}" if query else "")


def agent_identity(user) -> str:
    """The agent's softphone identity on the phone network."""
    return f"agent-{user.pk}"


def conference_name(contact) -> str:
    """The conference of one conversation: the contact and its offer count, so a caller put back in
    line after the agent's line dropped meets the next agent in a new conference, and the first
    one's late callbacks are known for what they are."""
    if contact.consult_of_id is not None:  # a consult joins the call it was asked into
        return conference_name(contact.consult_of)
    return f"contact-{contact.pk}-{contact.attempts}"


def line_label(contact) -> str:
    """The conference label of the agent's line on this contact: the contact's own agent is "agent";
    a consulted person is "consult-<their contact>", so two consults of one call never collide."""
    return AGENT_LABEL if contact.consult_of_id is None else f"{CONSULT_LABEL}-{contact.pk}"


def hold_music_url(language: str) -> str:
    return webhook_url("conference_hold", l=language if language in VOICES else "en")


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
        status_callback=webhook_url("conference_status"),
        status_callback_event=CONFERENCE_EVENTS,
        status_callback_method="POST",
    )
    return dial


def control_twiml(control: CallControl) -> str:
    """The TwiML a call instruction puts the call on: built only with twilio's VoiceResponse."""
    from twilio.twiml.voice_response import VoiceResponse

    voice, language = VOICES.get(control.language, VOICES["en"])
    response = VoiceResponse()
    response.say(
        SAY[control.action][control.language if control.language in VOICES else "en"], voice=voice, language=language
    )
    if control.action in (CallControlAction.TRANSFER, CallControlAction.QUEUE_TRANSFER, CallControlAction.REQUEUE):
        response.enqueue(
            control.target,
            wait_url=webhook_url("queue_wait"),
            wait_url_method="POST",
            action=webhook_url("queue_done"),
            method="POST",
        )
    elif control.action in (CallControlAction.CONNECT_AGENT, CallControlAction.DIAL_CALLBACK):
        # A caller put through and a person called back meet their agent the same way: in the
        # contact's conference, so hold, mute and transfer work on both.
        if settings.CALL_RECORDING:  # told before the agent joins: the recording starts when they do
            response.say(
                SAY["recording_notice"][control.language if control.language in VOICES else "en"],
                voice=voice,
                language=language,
            )
        response.append(conference_dial(control.contact, label=CALLER_LABEL))
    return str(response)


def agent_conference_twiml(contact) -> str:
    """What the agent's line (the browser's call through the TwiML App) is put on."""
    from twilio.twiml.voice_response import VoiceResponse

    response = VoiceResponse()
    response.append(conference_dial(contact, label=line_label(contact)))
    return str(response)


# The agent's desk phone or SIP line: dialled by REST when the agent accepts (CallControl DIAL_AGENT);
# the answer is screened (press 1), so a voicemail never joins the caller's conference.
AGENT_LINE_RING_SECONDS = 25


def agent_line_url(contact, *, identity: str, step: str = "ring", browser: bool = False) -> str:
    """Our agent-leg webhook for a dialled line: the query (signed by Twilio with the URL) names the
    contact and the agent, which a browser's call through the TwiML App cannot set. A desk phone is
    screened (press 1); a browser's softphone answers for the agent, who accepted already."""
    line = "client" if browser else "desk"
    return webhook_url("agent_voice", contact=str(contact.pk), agent=identity, line=line, step=step)


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
        if settings.CALL_RECORDING and control.action in (
            CallControlAction.CONNECT_AGENT,
            CallControlAction.RECORD_START,
            CallControlAction.END_CONFERENCE,
        ):
            self._recording_event(control)
        return f"CClocal{control.pk:026d}"

    def _recording_event(self, control: CallControl) -> None:
        """No conference here to record: the caller's being put through starts a stand-in recording
        (as Twilio's first status callback would), and the call's end completes it."""
        from django.utils import timezone

        from contactcenter.audit.context import AuditContext

        contact = control.contact
        ending = control.action == CallControlAction.END_CONFERENCE
        started = contact.answered_at or control.created_at
        recording_status.send(
            sender=type(self),
            context=AuditContext.system(channel="task"),
            contact_id=contact.pk,
            recording_sid=local_recording_sid(contact),
            call_sid=control.call_sid,
            status="completed" if ending else "in-progress",
            duration=max(1, int((timezone.now() - started).total_seconds())) if ending else None,
            started_at=started,
            backend=self.name,
            create=not ending,
        )

    def recording_media(self, *, recording) -> RecordingMedia:
        seconds = recording.duration_seconds
        if seconds is None:
            from django.utils import timezone

            # A stand-in never completed (the caller hung up: no conference end here) lasts as the contact did.
            ended = recording.completed_at or recording.contact.ended_at or timezone.now()
            seconds = int((ended - recording.started_at).total_seconds())
        return silent_wav(seconds=seconds, channels=recording.channels)

    def recording_delete(self, *, recording) -> bool:
        logger.info("local gateway: recording %s deleted", recording.recording_sid)
        return True


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
        if control.action in MONITOR_PARTICIPANT or control.action == CallControlAction.MONITOR_LEAVE:
            return self._monitor(control)
        if control.action in PARTICIPANT_UPDATES:
            return self._participant_update(control)
        if control.action == CallControlAction.RECORD_START:
            return self._recording_start(control)
        if control.action in RECORDING_UPDATES:
            params = RECORDING_UPDATES[CallControlAction(control.action)]
            current = self.client.calls(control.call_sid).recordings("Twilio.CURRENT")
            return self._rest(lambda: current.update(**params)).sid or ""
        if control.action == CallControlAction.CONSULT_DIAL:
            return self._consult_dial(control)
        if control.action == CallControlAction.LINE_REMOVE:
            conference = self._conference_sid(control)
            if not conference:  # over already: the line is gone with it
                return ""
            self._rest(lambda: self.client.conferences(conference).participants(control.target).delete())
            return conference
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
        # A consult's and a supervisor's instructions target a person or a line; the conference is the call's.
        by_contact = control.action in (CallControlAction.CONSULT_DIAL, CallControlAction.LINE_REMOVE)
        by_contact = by_contact or control.action.startswith("monitor_")
        name = conference_name(control.contact) if by_contact else control.target
        found = self._rest(lambda: self.client.conferences.list(friendly_name=name, status="in-progress", limit=1))
        return found[0].sid if found else ""

    def _participant_update(self, control: CallControl) -> str:
        label, params = PARTICIPANT_UPDATES[CallControlAction(control.action)]
        if label == AGENT_LABEL:  # the line of whoever holds the contact (a consulted person after a transfer)
            label = line_label(control.contact)
        if control.action == CallControlAction.HOLD:
            params = {**params, "hold_url": hold_music_url(control.language), "hold_method": "POST"}
        conference = self._conference_sid(control)
        if not conference:  # not started yet: the task tries again
            raise TelephonyError(f"conference {control.target} is not in progress")
        participant = self._rest(lambda: self.client.conferences(conference).participants(label).update(**params))
        return participant.call_sid or ""

    def _recording_start(self, control: CallControl) -> str:
        """Record the caller's call, dual-channel. A try after a 5xx or a timeout first looks for the
        recording an earlier try may have started (Twilio takes no idempotency key)."""
        if control.attempts > 1:
            running = self._rest(lambda: self.client.calls(control.call_sid).recordings.list(limit=5))
            for recording in running:
                if recording.status in ("in-progress", "paused"):
                    return recording.sid
        recording = self._rest(
            lambda: self.client.calls(control.call_sid).recordings.create(
                recording_channels="dual",
                recording_track="both",
                recording_status_callback=recording_status_url(control.contact),
                recording_status_callback_event=RECORDING_EVENTS,
                recording_status_callback_method="POST",
            )
        )
        return recording.sid or ""

    def _media_url(self, recording) -> str:
        url = (
            f"https://api.twilio.com/2010-04-01/Accounts/{settings.TWILIO_ACCOUNT_SID}"
            f"/Recordings/{recording.recording_sid}.mp3"
        )
        # A proxying or test HTTP client may send Twilio's URLs elsewhere (tests' fake Twilio).
        rewrite = getattr(self.client.http_client, "rewrite_url", None)
        return rewrite(url) if rewrite else url

    def recording_media(self, *, recording) -> RecordingMedia:
        """The recording's MP3, fetched with the account's credentials and passed on a piece at a
        time: the browser only ever sees our URL."""
        import requests

        try:
            answer = requests.get(
                self._media_url(recording),
                auth=(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN),
                stream=True,
                timeout=settings.TWILIO_HTTP_TIMEOUT,
            )
        except requests.RequestException as error:
            raise self._failure(error) from error
        if answer.status_code != 200:
            answer.close()
            raise TelephonyError(f"recording {recording.recording_sid}: HTTP {answer.status_code}")
        length = answer.headers.get("Content-Length")

        def chunks() -> Iterator[bytes]:
            try:
                yield from answer.iter_content(chunk_size=64 * 1024)
            finally:
                answer.close()

        return RecordingMedia(
            chunks=chunks(),
            content_type="audio/mpeg",
            length=int(length) if length and length.isdigit() else None,
        )

    def recording_delete(self, *, recording) -> bool:
        from twilio.base.exceptions import TwilioRestException

        try:
            return bool(self._rest(lambda: self.client.recordings(recording.recording_sid).delete()))
        except TelephonyError as error:
            if isinstance(error.__cause__, TwilioRestException) and error.__cause__.status == 404:
                return False  # deleted already (an earlier try, or in Twilio's console)
            raise

    def _consult_dial(self, control: CallControl) -> str:
        """Ring the consulted person (their softphone identity) into the call's conference, labelled
        for their contact."""
        conference = self._conference_sid(control)
        if not conference:  # not started yet: the task tries again
            raise TelephonyError(f"conference {conference_name(control.contact)} is not in progress")
        label = line_label(control.contact)
        participant = self._rest(
            lambda: self.client.conferences(conference).participants.create(
                from_=settings.TWILIO_PHONE_NUMBER,
                to=f"client:{control.target}",
                label=label,
                early_media=True,
                beep="false",
                start_conference_on_enter=True,
                end_conference_on_exit=False,
                timeout=30,
            )
        )
        return participant.call_sid or ""

    def _agent_call_sid(self, conference: str, control: CallControl) -> str:
        """The agent's leg, whom a listening or whispering supervisor coaches: as the conference
        callbacks named it (the instruction's call sid), else asked of Twilio by the agent's label."""
        if control.call_sid and control.call_sid != control.contact.call_sid:
            return control.call_sid
        label = line_label(control.contact)  # "agent", or the consulted person's line the call was left to
        agent = self._rest(lambda: self.client.conferences(conference).participants(label).fetch())
        return agent.call_sid or ""

    def _monitor(self, control: CallControl) -> str:
        """A supervisor's leg in the contact's conference (`control.target` is their identity): joining
        dials their browser into it coaching the agent, muted; listen, whisper and barge update it;
        leaving removes it. Asked of a conference already over, leaving is done."""
        conference = self._conference_sid(control)
        label = monitor_label(control.target)
        if not conference:
            if control.action == CallControlAction.MONITOR_LEAVE:
                return ""
            raise TelephonyError(f"conference {control.target} is not in progress")
        participants = self.client.conferences(conference).participants
        if control.action == CallControlAction.MONITOR_LEAVE:
            from twilio.base.exceptions import TwilioRestException

            try:
                self._rest(lambda: participants(label).delete())
            except TelephonyError as error:
                if isinstance(error.__cause__, TwilioRestException) and error.__cause__.status == 404:
                    return ""  # gone already: the supervisor hung up, or the call ended
                raise
            return label
        params = dict(MONITOR_PARTICIPANT[CallControlAction(control.action)])
        if params["coaching"]:
            params["call_sid_to_coach"] = self._agent_call_sid(conference, control)
        if control.action == CallControlAction.MONITOR_JOIN:
            participant = self._rest(
                lambda: participants.create(
                    from_=settings.TWILIO_PHONE_NUMBER,
                    to=f"client:{control.target}",
                    label=label,
                    beep="false",  # the caller hears no one arrive
                    end_conference_on_exit=False,
                    **params,
                )
            )
        else:
            participant = self._rest(lambda: participants(label).update(**params))
        return participant.call_sid or label

    def _agent_line_dial(self, control: CallControl) -> str:
        """Ring the agent's desk phone or SIP line (the control's target); answered, it asks our
        agent-leg webhook what to do. A contact no longer on the line to that agent is not dialled."""
        from contactcenter.models import ContactStatus

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


def gateway(backend: str | None = None) -> Gateway:
    """The configured gateway, or the one named (a row written under another backend)."""
    backend = backend or settings.TELEPHONY_BACKEND
    if backend == "twilio":
        return TwilioGateway()
    if backend == "local":
        return LocalGateway()
    raise TelephonyError(f"Unknown TELEPHONY_BACKEND {backend!r}; use 'twilio' or 'local'.")
