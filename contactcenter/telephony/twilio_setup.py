"""What `manage.py twilio_configure` does at Twilio: the center's number and the agents' TwiML App
pointed at our webhooks, through the REST API. A plan is worked out first (what each resource should
say); `--dry-run` prints it and calls nothing, a real run reads the account and changes only what
differs, so a second run changes nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings

from contactcenter.reference.identifiers import phone_e164
from contactcenter.telephony.gateway import webhook_url

APP_NAME = "NCSC Contact Center agents"


class SetupError(Exception):
    """A problem the operator can fix (settings, credentials, the account): said in one sentence."""


def number_webhooks() -> dict[str, str]:
    """The number's voice configuration (twilio-python's parameter names): calls come to the IVR,
    their status to its callback, a failing answer to the fallback, and texts to the survey's reply
    webhook; no TwiML App on the number (one there would take the calls instead of the Voice URL)."""
    return {
        "voice_url": webhook_url("voice"),
        "voice_method": "POST",
        "status_callback": webhook_url("status"),
        "status_callback_method": "POST",
        "voice_fallback_url": webhook_url("fallback"),
        "voice_fallback_method": "POST",
        "voice_application_sid": "",
        # Texts to the number are replies to the customer feedback survey (ivr/views_survey.py).
        "sms_url": webhook_url("sms"),
        "sms_method": "POST",
    }


def app_webhooks() -> dict[str, str]:
    """The TwiML App the agents' lines use: its Voice URL puts an agent's leg in the contact's conference."""
    return {"voice_url": webhook_url("agent_voice"), "voice_method": "POST"}


@dataclass
class Outcome:
    lines: list[str] = field(default_factory=list)
    changed: bool = False
    app_sid: str = ""


def settings_check(*, number: str) -> str:
    """The number to configure in E.164, once the settings a real run needs are there."""
    missing = [name for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN") if not getattr(settings, name)]
    if missing:
        raise SetupError(f"Set {' and '.join(missing)} in the environment first.")
    if not settings.TWILIO_ACCOUNT_SID.startswith("AC"):
        raise SetupError("TWILIO_ACCOUNT_SID is an account SID, starting with AC.")
    base = urlsplit(settings.PUBLIC_BASE_URL)
    if base.scheme != "https" or base.hostname in (None, "localhost", "127.0.0.1", "::1"):
        raise SetupError(
            f"PUBLIC_BASE_URL is {settings.PUBLIC_BASE_URL!r}: set it to the https address Twilio reaches "
            "this server at (the webhooks are built from it, and Twilio signs requests against it)."
        )
    return number_check(number)


def number_check(number: str) -> str:
    if not number:
        raise SetupError("Set TWILIO_PHONE_NUMBER (E.164, e.g. +18005551234) or pass --number.")
    e164 = phone_e164(number)
    if e164 is None:
        raise SetupError(f"{number!r} is not a phone number; give it in E.164, e.g. +18005551234.")
    return e164


def plan_lines(*, number: str, app_name: str) -> list[str]:
    """What a real run would do, for --dry-run: no request is made."""
    lines = [f"Would look up {number} on account {settings.TWILIO_ACCOUNT_SID or '(TWILIO_ACCOUNT_SID unset)'}"]
    lines += [f"  and set {name} = {value or '(none)'}" for name, value in number_webhooks().items()]
    if settings.TWILIO_TWIML_APP_SID:
        lines.append(f"Would look up the TwiML App {settings.TWILIO_TWIML_APP_SID} (TWILIO_TWIML_APP_SID)")
    else:
        lines.append(f"Would look up the TwiML App named {app_name!r}, and create it if there is none")
    lines += [f"  and set {name} = {value}" for name, value in app_webhooks().items()]
    lines.append("Would print the TwiML App's SID for TWILIO_TWIML_APP_SID.")
    return lines


def _differences(resource, wanted: dict[str, str]) -> dict[str, str]:
    return {name: value for name, value in wanted.items() if (getattr(resource, name, None) or "") != value}


def _rest(call, *, what: str):
    from requests import RequestException
    from twilio.base.exceptions import TwilioException, TwilioRestException

    try:
        return call()
    except (TwilioRestException, TwilioException) as error:
        status, message = _status_of(error)
        if status in (401, 403):
            raise SetupError(
                "Twilio refused the credentials: check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN "
                f"(HTTP {status} while trying to {what})."
            ) from error
        if status is not None:
            raise SetupError(f"Twilio refused to {what}: HTTP {status}, {message}"[:400]) from error
        raise SetupError(f"Could not reach Twilio to {what}: {error.__class__.__name__}: {error}"[:400]) from error
    except RequestException as error:
        raise SetupError(f"Could not reach Twilio to {what}: {error.__class__.__name__}: {error}"[:400]) from error


def _status_of(error: Exception) -> tuple[int | None, str]:
    """The HTTP status Twilio answered with, and its message: a refused REST call carries them; a
    refused list page (twilio-python's 'Unable to fetch page') carries the response itself."""
    import json

    status = getattr(error, "status", None)
    if status is not None:
        return status, getattr(error, "msg", "") or str(error)
    response = error.args[1] if len(error.args) > 1 else None
    status = getattr(response, "status_code", None)
    try:
        message = json.loads(getattr(response, "text", "") or "{}").get("message", "")
    except (ValueError, AttributeError):
        message = ""
    return status, message


def configure(*, number: str, app_name: str = APP_NAME, client=None) -> Outcome:
    """Point the number at our webhooks and the TwiML App at the agent-leg webhook, changing only
    what differs. Returns what was done, line by line, and the TwiML App's SID."""
    from contactcenter.telephony import gateway as telephony

    client = client or telephony.rest_client()
    outcome = Outcome()

    found = _rest(lambda: client.incoming_phone_numbers.list(phone_number=number, limit=2), what=f"look up {number}")
    if not found:
        raise SetupError(
            f"{number} is not a number of account {settings.TWILIO_ACCOUNT_SID}: buy or port it there "
            "(Phone Numbers in the Twilio console), or set TWILIO_PHONE_NUMBER to one that is."
        )
    incoming = found[0]
    changes = _differences(incoming, number_webhooks())
    if changes:
        _rest(lambda: client.incoming_phone_numbers(incoming.sid).update(**changes), what=f"update {number}")
        outcome.changed = True
        outcome.lines.append(f"Number {number} ({incoming.sid}) updated:")
        outcome.lines += [f"  {name} = {value or '(none)'}" for name, value in changes.items()]
    else:
        outcome.lines.append(f"Number {number} ({incoming.sid}) already points at our webhooks: unchanged.")

    wanted = app_webhooks()
    if settings.TWILIO_TWIML_APP_SID:
        app_sid = settings.TWILIO_TWIML_APP_SID
        app = _app_fetch(client, app_sid)
    else:
        apps = _rest(
            lambda: client.applications.list(friendly_name=app_name, limit=2),
            what=f"look up the TwiML App {app_name!r}",
        )
        app = apps[0] if apps else None
        if len(apps) > 1:
            outcome.lines.append(f"Several TwiML Apps are named {app_name!r}: {app.sid} is the one used.")
    if app is None:
        app = _rest(
            lambda: client.applications.create(friendly_name=app_name, **wanted),
            what=f"create the TwiML App {app_name!r}",
        )
        outcome.changed = True
        outcome.lines.append(f"TwiML App {app_name!r} created ({app.sid}): voice_url = {wanted['voice_url']}")
    else:
        changes = _differences(app, wanted)
        if changes:
            _rest(lambda: client.applications(app.sid).update(**changes), what=f"update the TwiML App {app.sid}")
            outcome.changed = True
            outcome.lines.append(f"TwiML App {app.friendly_name!r} ({app.sid}) updated:")
            outcome.lines += [f"  {name} = {value}" for name, value in changes.items()]
        else:
            outcome.lines.append(f"TwiML App {app.friendly_name!r} ({app.sid}) already points at us: unchanged.")
    outcome.app_sid = app.sid
    return outcome


def _app_fetch(client, sid: str):
    from twilio.base.exceptions import TwilioRestException

    try:
        return _rest(lambda: client.applications(sid).fetch(), what=f"look up the TwiML App {sid}")
    except SetupError as error:
        cause = error.__cause__
        if isinstance(cause, TwilioRestException) and cause.status == 404:
            raise SetupError(
                f"TWILIO_TWIML_APP_SID={sid} is not a TwiML App of account {settings.TWILIO_ACCOUNT_SID}: "
                "correct it, or unset it to have one created."
            ) from cause
        raise
