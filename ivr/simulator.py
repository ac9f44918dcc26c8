"""A caller without a phone: walks the IVR through the same signed webhooks Twilio would call.

Used by `manage.py simulate_call`, the staff simulator page and the test suite."""

from __future__ import annotations

import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from twilio.request_validator import RequestValidator

from .speech import as_heard

Transport = Callable[[str, dict[str, str], dict[str, str]], tuple[int, str]]


def simulator_enabled() -> bool:
    """The simulator signs its webhooks with the real auth token, and a simulated call can send texts
    and book callbacks: only where nothing reaches the phone network (TELEPHONY_BACKEND=local)."""
    return settings.TELEPHONY_BACKEND == "local"


SIMULATOR_DISABLED = (
    "The call simulator works only with TELEPHONY_BACKEND=local: with a real telephony backend a "
    "simulated call would sign with the real Twilio token and could send real texts and book callbacks."
)


@dataclass
class Prompt:
    """One TwiML document, as a caller experiences it."""

    status: int
    xml: str
    says: list[tuple[str, str]] = field(default_factory=list)  # (text, language)
    gather: dict[str, str] | None = None
    enqueue: dict[str, str] | None = None
    redirect: str | None = None
    hangup: bool = False
    leave: bool = False

    @property
    def text(self) -> str:
        return " ".join(text for text, _ in self.says)

    @classmethod
    def parse(cls, status: int, body: str) -> Prompt:
        prompt = cls(status=status, xml=body)
        if status != 200:
            return prompt
        root = ET.fromstring(body)  # noqa: S314 - our own server's TwiML
        for element in root:
            if element.tag == "Gather":
                prompt.gather = dict(element.attrib)
                prompt.says.extend((heard(say), say.attrib.get("language", "")) for say in element.iter("Say"))
            elif element.tag == "Say":
                prompt.says.append((heard(element), element.attrib.get("language", "")))
            elif element.tag == "Enqueue":
                prompt.enqueue = {**element.attrib, "name": element.text or ""}
            elif element.tag == "Redirect":
                prompt.redirect = element.text
            elif element.tag == "Hangup":
                prompt.hangup = True
            elif element.tag == "Leave":
                prompt.leave = True
        return prompt


def heard(say: ET.Element) -> str:
    """A <Say>'s words as the voice says them: its <say-as> parts spelled, grouped or dated."""
    language = "es" if say.attrib.get("language", "").startswith("es") else "en"
    parts = [say.text or ""]
    for child in say:
        if child.tag == "say-as":
            parts.append(
                as_heard(
                    child.attrib.get("interpret-as", ""), child.attrib.get("format", ""), child.text or "", language
                )
            )
        else:
            parts.append("".join(child.itertext()))
        parts.append(child.tail or "")
    return "".join(parts)


def sign(url: str, params: dict[str, str], token: str | None = None) -> str:
    return RequestValidator(token or settings.TWILIO_AUTH_TOKEN).compute_signature(url, params)


def in_process_transport(client=None) -> Transport:
    """Posts through Django's own request handling (middleware, URLconf, views) in this process."""
    from django.test import Client

    client = client or Client(raise_request_exception=False)
    host = next((h for h in settings.ALLOWED_HOSTS if h and "*" not in h and not h.startswith(".")), "localhost")

    def post(path: str, params: dict[str, str], headers: dict[str, str]) -> tuple[int, str]:
        response = client.post(
            path,
            urllib.parse.urlencode(params),
            content_type="application/x-www-form-urlencoded",
            HTTP_HOST=host,
            headers=headers,
        )
        return response.status_code, response.content.decode()

    return post


def http_transport(base_url: str) -> Transport:
    """Posts to a running server (make run), as Twilio would."""

    def post(path: str, params: dict[str, str], headers: dict[str, str]) -> tuple[int, str]:
        request = urllib.request.Request(  # noqa: S310 - the operator's own server
            base_url.rstrip("/") + path, data=urllib.parse.urlencode(params).encode(), headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    return post


def twilio_call_params(*, call_sid: str, account_sid: str, from_number: str, to_number: str) -> dict[str, str]:
    """The parameters Twilio posts with every webhook of an inbound call, the places of both
    numbers included (Twilio leaves unknown ones empty, as here)."""
    params = {
        "AccountSid": account_sid,
        "ApiVersion": "2010-04-01",
        "CallSid": call_sid,
        "CallStatus": "in-progress",
        "Direction": "inbound",
    }
    for role, number in (("From", from_number), ("Caller", from_number), ("To", to_number), ("Called", to_number)):
        params[role] = number
        params.update({f"{role}City": "", f"{role}State": "", f"{role}Zip": "", f"{role}Country": "US"})
    return params


class SimulatedCall:
    def __init__(
        self,
        *,
        from_number: str,
        to_number: str = "+18003755283",
        call_sid: str | None = None,
        transport: Transport | None = None,
        public_base_url: str | None = None,
        token: str | None = None,
    ) -> None:
        self.from_number = from_number
        self.to_number = to_number
        self.call_sid = call_sid or "CA" + uuid.uuid4().hex
        self.transport = transport or in_process_transport()
        self.base = (public_base_url or settings.PUBLIC_BASE_URL).rstrip("/")
        self.token = token
        self.history: list[tuple[str, Prompt]] = []
        self.current: Prompt | None = None

    def _params(self, **extra: str) -> dict[str, str]:
        return {
            **twilio_call_params(
                call_sid=self.call_sid,
                account_sid=settings.TWILIO_ACCOUNT_SID or "AC" + "0" * 32,
                from_number=self.from_number,
                to_number=self.to_number,
            ),
            **extra,
        }

    def post(self, path: str, **params: str) -> Prompt:
        """A signed POST to `path` (which may carry a query string), as Twilio signs it."""
        payload = self._params(**params)
        headers = {"X-Twilio-Signature": sign(self.base + path, payload, self.token)}
        status, body = self.transport(path, payload, headers)
        prompt = Prompt.parse(status, body)
        self.history.append((path, prompt))
        return prompt

    def start(self) -> Prompt:
        self.current = self.post("/ivr/voice/")
        return self.current

    def _answer(self, **params: str) -> Prompt:
        if self.current is None or self.current.gather is None:
            raise RuntimeError("The IVR is not waiting for input.")
        self.current = self.post(self.current.gather["action"], **params)
        return self.current

    def press(self, digits: str) -> Prompt:
        return self._answer(Digits=digits)

    def say(self, speech: str, confidence: str = "0.92") -> Prompt:
        return self._answer(SpeechResult=speech, Confidence=confidence)

    def silence(self) -> Prompt:
        return self._answer()

    def wait_in_queue(self) -> Prompt:
        if self.current is None or self.current.enqueue is None:
            raise RuntimeError("The caller is not being enqueued.")
        return self.post(self.current.enqueue["waitUrl"], QueuePosition="1", QueueTime="5")

    def hang_up(self, duration: int = 60) -> Prompt:
        return self.post("/ivr/status/", CallStatus="completed", CallDuration=str(duration))

    def follow(self, step: str) -> Prompt:
        """One scripted step: digits ("1", "3222190000001#"), `say:words`, `wait` (silence) or `hangup`."""
        step = step.strip()
        if step == "wait":
            return self.silence()
        if step == "hangup":
            return self.hang_up()
        if step.lower().startswith("say:"):
            return self.say(step[4:].strip())
        return self.press(step.rstrip("#"))


# --- a simulated caller's line: what happens after the IVR, and hanging up for a closed page -----
LINE_KEY = "ivr:simulator-line:{}"


def line_seen(*, call_sid: str, from_number: str, at: float | None = None) -> None:
    """The simulator page showed the caller's line: they are still on the phone. Kept a day."""
    from django.core.cache import cache

    cache.set(LINE_KEY.format(call_sid), {"from": from_number, "seen": time.time() if at is None else at}, 86400)


def line_forget(*, call_sid: str) -> None:
    from django.core.cache import cache

    cache.delete(LINE_KEY.format(call_sid))


def lines_hang_up(*, now: float | None = None) -> list[str]:
    """Hang up every simulated caller still in line whose page has not shown the line for
    SIMULATOR_LINE_TIMEOUT_SECONDS (closed, or gone): the signed 'completed' status callback Twilio
    posts when a caller hangs up, so the contact leaves the queue as abandoned the same way."""
    from django.core.cache import cache

    from contactcenter import selectors

    if not simulator_enabled():
        return []
    now = time.time() if now is None else now
    sids = selectors.call_sids_in_line()
    lines = cache.get_many([LINE_KEY.format(sid) for sid in sids])
    hung_up = []
    for sid in sids:
        line = lines.get(LINE_KEY.format(sid))
        if line is None or now - line["seen"] < settings.SIMULATOR_LINE_TIMEOUT_SECONDS:
            continue  # not a simulator's call (a test's, the command's), or its page is open
        prompt = SimulatedCall(from_number=line["from"], call_sid=sid).hang_up()
        if prompt.status == 200:
            line_forget(call_sid=sid)
            hung_up.append(sid)
    return hung_up
