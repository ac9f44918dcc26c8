"""Twilio voice webhooks. Each one checks the signature, and each failure ends in spoken help."""

from __future__ import annotations

import logging
from functools import wraps

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse
from django.templatetags.static import static
from django.urls import reverse
from twilio.twiml.voice_response import VoiceResponse

from contactcenter import selectors
from contactcenter import services as contact_services
from contactcenter.routing import hours
from contactcenter.routing.phones import callback_number_for

from . import clock, flow, services, tasks, twiml
from . import selectors as ivr_selectors
from .models import Call
from .prompts import VOICES, prompt
from .security import twilio_params, twilio_signed
from .speech import spoken_minutes

logger = logging.getLogger(__name__)


def _twiml(body: str, status: int = 200) -> HttpResponse:
    return HttpResponse(body, content_type="text/xml; charset=utf-8", status=status)


# How often a webhook that found the database away is posted again (after the apology and a pause,
# some eight seconds a round) before the caller is asked to call back: a restart or a fail-over is
# over well within that.
DATABASE_RETRIES = 3


def _url_language(request: HttpRequest) -> str:
    """The call's language as our own step URL carries it (twiml.step_url): known without the database."""
    value = request.GET.get("l", "")
    return value if value in VOICES else ""


def _retry_count(request: HttpRequest) -> int:
    value = request.GET.get("r", "")
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 2 else 0


def _retry_url(request: HttpRequest) -> str:
    query = request.GET.copy()
    query["r"] = str(_retry_count(request) + 1)
    return f"{request.path}?{query.urlencode()}"


def _tier1_open(from_number: str, language: str) -> bool:
    try:
        return hours.tier1_open(time_zone=hours.caller_time_zone(from_number), at=clock.now(), language=language)
    except DatabaseError:  # queue hours are read from the database, which may be what failed
        return False


def spoken_failure(view):
    """No caller ever hears Twilio's "application error": a failing step apologises instead.

    When the database is away (a restart, a fail-over) nothing of the step was saved: the caller
    hears the apology in their language and Twilio posts the step again, up to DATABASE_RETRIES
    times, before being asked to call back. Any other failure offers a person when one is on duty."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except (InterfaceError, OperationalError) as error:
            retry = _retry_count(request)
            language = _url_language(request)
            if retry < DATABASE_RETRIES:
                logger.warning("database unavailable at %s (%s): apologised, retry %d", request.path, error, retry + 1)
                return _twiml(twiml.apology_and_retry(language=language, url=_retry_url(request)))
            logger.error("database unavailable at %s after %d retries: caller asked to call again", request.path, retry)
            return _twiml(twiml.apology(language=language, tier1_open=False))
        except Exception:
            logger.exception("IVR step failed at %s", request.path)
            language = _url_language(request) or ivr_selectors.call_language(call_sid=_param(request, "CallSid", 34))
            is_open = _tier1_open(_param(request, "From", 20), language)
            return _twiml(twiml.apology(language=language, tier1_open=is_open))

    return wrapped


def on_a_live_connection(view):
    """Django's health check (CONN_HEALTH_CHECKS) sends a `SELECT 1` before a request's first
    statement: a round trip on every webhook, more than some steps' own work. These webhooks skip
    it; a connection Postgres dropped fails the first statement instead, and the webhook is run once
    more on a new connection (each is idempotent on its CallSid and step, and nothing it wrote
    before the failure was committed)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        database = connections[DEFAULT_DB_ALIAS]
        session = database.connection
        if session is not None:
            database.health_check_done = True
        try:
            return view(request, *args, **kwargs)
        except (InterfaceError, OperationalError):
            # A transaction's failed rollback makes Django drop the session and open another.
            dropped = database.connection is not session or not database.is_usable()
            if session is None or not dropped:
                raise
            logger.warning("database connection lost; %s taken again on a new one", request.path)
            database.close()
            return view(request, *args, **kwargs)

    return wrapped


def _param(request: HttpRequest, name: str, limit: int = 64) -> str:
    return twilio_params(request).get(name, "")[:limit]


@twilio_signed
@spoken_failure
@on_a_live_connection
def voice(request: HttpRequest) -> HttpResponse:
    call_sid = _param(request, "CallSid", 34)
    if not call_sid:
        return _twiml(twiml.apology(language="", tier1_open=False))
    return _twiml(
        services.call_start(
            call_sid=call_sid, from_number=_param(request, "From", 20), to_number=_param(request, "To", 20)
        )
    )


def _step_number(request: HttpRequest) -> int:
    """The `s` of the action URL we gave Twilio (`?s=<n>`); -1 when missing or not a number."""
    value = request.GET.get("s", "")
    return int(value) if value.isascii() and value.isdigit() else -1


@twilio_signed
@spoken_failure
@on_a_live_connection
def step(request: HttpRequest) -> HttpResponse:
    call_sid = _param(request, "CallSid", 34)
    number = _step_number(request)
    if not call_sid:
        return _twiml(twiml.apology(language="", tier1_open=False))
    try:
        if number < 1:
            raise Call.DoesNotExist(call_sid)
        if _retry_count(request):
            # Posted again after an apology, without the caller's answer: ask the question again.
            body = services.call_replay(call_sid=call_sid, step=number)
        else:
            body = services.call_step(
                call_sid=call_sid,
                step=number,
                digits=_param(request, "Digits", 40),
                speech=_param(request, "SpeechResult", 300),
                confidence=_confidence(request),
            )
    except Call.DoesNotExist:
        # We lost (or never had) this call: start over rather than fail.
        body = services.call_start(
            call_sid=call_sid, from_number=_param(request, "From", 20), to_number=_param(request, "To", 20)
        )
    return _twiml(body)


def _confidence(request: HttpRequest) -> float | None:
    """Twilio's `Confidence` for a SpeechResult, 0 to 1; None when absent or not such a number."""
    try:
        value = float(_param(request, "Confidence", 12))
    except ValueError:
        return None
    return value if 0.0 <= value <= 1.0 else None


def _whole_number(request: HttpRequest, name: str, limit: int = 7) -> int | None:
    """A whole-number parameter of Twilio's; None when it is not one (`str.isdigit` alone passes "²",
    which `int` refuses) or has more than `limit` digits."""
    value = _param(request, name, 10)
    return int(value) if value.isascii() and value.isdigit() and len(value) <= limit else None


def _call_duration(request: HttpRequest) -> int | None:
    """Twilio's `CallDuration` in seconds; None (the call's own start and end then give it) when it
    is not a number a call could last."""
    return _whole_number(request, "CallDuration")


@on_a_live_connection
def _status_record(request: HttpRequest, **update) -> None:
    services.call_status_update(**update)


@twilio_signed
@spoken_failure
def status(request: HttpRequest) -> HttpResponse:
    """Twilio posts a call's end once and never again: when the database is away, a worker records
    it once the database is back (the broker holds it meanwhile)."""
    update = {
        "call_sid": _param(request, "CallSid", 34),
        "status": _param(request, "CallStatus", 20),
        "duration": _call_duration(request),
    }
    try:
        _status_record(request, **update)
    except (InterfaceError, OperationalError) as error:
        logger.warning("database unavailable (%s): the status of call %s left to a worker", error, update["call_sid"])
        try:
            tasks.call_status_record.apply_async(kwargs={**update, "at": clock.now().isoformat()}, retry=False)
        except Exception as broker_error:  # the broker is away too: this call's end is not recorded
            logger.error("broker unavailable, status of call %s lost: %s", update["call_sid"], broker_error)
    return _twiml(str(VoiceResponse()))


@twilio_signed
def fallback(request: HttpRequest) -> HttpResponse:
    """Twilio's fallback URL: our primary answer failed or timed out. No database needed."""
    logger.error(
        "Twilio fallback for %s: %s %s",
        _param(request, "CallSid") or "-",
        _param(request, "ErrorCode"),
        _param(request, "ErrorUrl", 300),
    )
    language = ivr_selectors.call_language(call_sid=_param(request, "CallSid", 34))
    return _twiml(twiml.apology(language=language, tier1_open=_tier1_open(_param(request, "From", 20), language)))


# Our own hold music (static/audio/make_hold_music.py wrote it), 51 s: played once per round of the
# wait message, so a waiting caller hears their place and wait about every minute.
HOLD_MUSIC = "audio/hold-music.wav"


def hold_music_url() -> str:
    """The hold music's absolute URL (Twilio fetches it from us), its hashed name in production."""
    return settings.PUBLIC_BASE_URL.rstrip("/") + static(HOLD_MUSIC)


@twilio_signed
@spoken_failure
def queue_wait(request: HttpRequest) -> HttpResponse:
    """Enqueue's waitUrl, posted again each time it ends: the caller's place and estimated wait in
    their language, the callback offer, then our hold music once."""
    call_sid = _param(request, "CallSid", 34)
    contact = selectors.waiting_contact_for_call(call_sid=call_sid)
    language = contact.language if contact else (ivr_selectors.call_language(call_sid=call_sid) or "en")
    voice = VOICES[language]
    response = VoiceResponse()
    if contact is not None:
        position, wait = selectors.queue_position(contact=contact)
        response.say(
            prompt("queue_position", language, position=position, wait=spoken_minutes(wait, language)), **voice
        )
    # Only a caller the center can call back at the number they call from is offered to keep their place.
    phone = contact.phone if contact else _param(request, "From", 20)
    if callback_number_for(phone) is not None:
        # The music inside the Gather: 1 keeps the caller's place at any moment of it.
        gather = response.gather(action=reverse("ivr:queue-key"), method="POST", num_digits=1, timeout=1, input="dtmf")
        gather.say(prompt("queue_callback_offer", language), **voice)
        gather.play(hold_music_url())
    else:
        response.play(hold_music_url())
    return _twiml(str(response))


@twilio_signed
@spoken_failure
def queue_key(request: HttpRequest) -> HttpResponse:
    response = VoiceResponse()
    if _param(request, "Digits", 4)[:1] == "1" and services.call_keep_place_with_callback(
        call_sid=_param(request, "CallSid", 34)
    ):
        response.leave()
    else:
        response.redirect(reverse("ivr:queue-wait"), method="POST")
    return _twiml(str(response))


@twilio_signed
@spoken_failure
def queue_done(request: HttpRequest) -> HttpResponse:
    """Enqueue's action: the caller left the queue (callback, hang-up, error)."""
    call_sid = _param(request, "CallSid", 34)
    result = _param(request, "QueueResult", 30)
    language = ivr_selectors.call_language(call_sid=call_sid) or "en"
    voice = VOICES[language]
    response = VoiceResponse()
    if result == "leave":
        response.say(prompt("queue_callback_booked", language), **voice)
        response.say(prompt("goodbye", language), **voice)
        response.hangup()
    elif result in ("error", "system-error", "queue-full"):
        response.say(prompt("queue_failed", language), **voice)
        response.say(prompt("try_later", language), **voice)
        response.hangup()
    else:
        response.hangup()
    return _twiml(str(response))


# --- calls on conferences -------------------------------------------------------------------------


@twilio_signed
def conference_hold(request: HttpRequest) -> HttpResponse:
    """Played to a caller on hold or waiting for the agent to join (`?l=` the caller's language):
    no database, so a hold never fails."""
    language = _url_language(request) or "en"
    response = VoiceResponse()
    response.say(prompt("on_hold", language), **VOICES[language])
    response.play(hold_music_url())
    response.redirect(request.get_full_path(), method="POST")
    return _twiml(str(response))


def _timestamp(request: HttpRequest, name: str = "Timestamp"):
    """Twilio's `Timestamp` (RFC 2822) of the event; None (now) when absent or unreadable."""
    from email.utils import parsedate_to_datetime

    value = _param(request, name, 40)
    try:
        moment = parsedate_to_datetime(value) if value else None
    except (TypeError, ValueError):
        return None
    return moment if moment is not None and moment.tzinfo is not None else None


@twilio_signed
@on_a_live_connection
def conference_status(request: HttpRequest) -> HttpResponse:
    """The status callback of every contact's conference (start, end, join, leave, hold, mute)."""
    event = {
        "conference_sid": _param(request, "ConferenceSid", 34),
        "friendly_name": _param(request, "FriendlyName", 64),
        "event": _param(request, "StatusCallbackEvent", 30),
        "call_sid": _param(request, "CallSid", 34),
        "label": _param(request, "ParticipantLabel", 40),
        "sequence": _param(request, "SequenceNumber", 12),
        "at": _timestamp(request),
    }
    contact_services.conference_event_record(context=flow.ivr_context(), **event)
    return HttpResponse(status=204)


@twilio_signed
@on_a_live_connection
def agent_voice(request: HttpRequest) -> HttpResponse:
    """The TwiML App's voice URL: an agent's browser (`client:<identity>`) calls with `contact=<id>`
    to join the conversation it accepted."""
    if request.GET.get("line") in ("desk", "client"):
        return _agent_line_voice(request)
    identity = _param(request, "From", 80).removeprefix("client:")
    contact = _param(request, "contact", 12)
    contact_id = int(contact) if contact.isascii() and contact.isdigit() else 0
    return _twiml(
        contact_services.conference_agent_join(
            context=flow.ivr_context(),
            identity=identity,
            contact_id=contact_id,
            call_sid=_param(request, "CallSid", 34),
        )
    )


@twilio_signed
@on_a_live_connection
def recording_status(request: HttpRequest) -> HttpResponse:
    """The recording status callback of a live call (`?contact=<id>` in the URL we gave Twilio):
    in-progress, completed (with duration, channels and the media's URL), absent."""
    contact_id = request.GET.get("contact", "")
    if not (contact_id.isascii() and contact_id.isdigit() and len(contact_id) <= 12):
        return HttpResponse(status=204)
    contact_services.recording_status_record(
        context=flow.ivr_context(),
        contact_id=int(contact_id),
        recording_sid=_param(request, "RecordingSid", 34),
        call_sid=_param(request, "CallSid", 34),
        status=_param(request, "RecordingStatus", 12),
        channels=_whole_number(request, "RecordingChannels", 1),
        duration=_whole_number(request, "RecordingDuration"),
        media_url=_param(request, "RecordingUrl", 300),
        started_at=_timestamp(request, "RecordingStartTime"),
    )
    return HttpResponse(status=204)


def _agent_line_voice(request: HttpRequest) -> HttpResponse:
    """An agent's desk phone or SIP line, dialled by REST on the accept: the URL's query (ours, signed
    with it; a browser's parameters come in the body) names the contact and the agent; `step=answer`
    is the screening Gather's answer, `step=status` the line's status callback."""
    contact = request.GET.get("contact", "")[:12]
    step = request.GET.get("step")
    if step == "status":  # the line's status callback: busy, unanswered, failed or ended
        contact_services.conference_agent_line_status(
            context=flow.ivr_context(),
            identity=request.GET.get("agent", "")[:80],
            contact_id=int(contact) if contact.isascii() and contact.isdigit() else 0,
            status=_param(request, "CallStatus", 20),
        )
        return HttpResponse(status=204)
    # A browser's softphone answers the dialled leg for an agent who accepted: no screening.
    answer = step == "answer" or request.GET.get("line") == "client"
    return _twiml(
        contact_services.conference_agent_line_answer(
            context=flow.ivr_context(),
            identity=request.GET.get("agent", "")[:80],
            contact_id=int(contact) if contact.isascii() and contact.isdigit() else 0,
            call_sid=_param(request, "CallSid", 34),
            digits=("1" if request.GET.get("line") == "client" else _param(request, "Digits", 4)) if answer else None,
        )
    )
