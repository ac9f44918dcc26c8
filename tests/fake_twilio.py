"""A fake Twilio REST API: a small real HTTP server that twilio-python's client is pointed at.

The gateway builds its client with settings.TWILIO_HTTP_CLIENT; in a test that is
`FakeTwilioHttpClient`, Twilio's own HTTP client with `https://api.twilio.com` rewritten to the
server's address (FAKE_TWILIO_URL, so a worker process started by a test can be pointed at it too).
Everything else of twilio-python runs as in production: URL building, form encoding, JSON parsing.

The server records every request (method, path, form or query parameters) for tests to assert the
exact REST calls, and answers with plausible resources: calls, texts, conferences, participants,
recordings, the account's numbers and TwiML Apps. `fail_next(n)` makes the next n requests fail with a 503."""

from __future__ import annotations

import json
import os
import re
import threading
from dataclasses import dataclass
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.utils import timezone
from twilio.http.http_client import TwilioHttpClient

TWILIO_HOST = re.compile(r"^https://api(\.[a-z0-9-]+)*\.twilio\.com")
ACCOUNT = r"/2010-04-01/Accounts/(?P<account>AC\w+)"


class FakeTwilioHttpClient(TwilioHttpClient):
    """Twilio's HTTP client, sending to the fake API named by FAKE_TWILIO_URL."""

    def request(self, method, url, *args, **kwargs):
        return super().request(method, self.rewrite_url(url), *args, **kwargs)

    @staticmethod
    def rewrite_url(url: str) -> str:
        """Also used by the gateway for what twilio-python does not fetch (a recording's audio)."""
        return TWILIO_HOST.sub(os.environ["FAKE_TWILIO_URL"].rstrip("/"), url)


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    params: dict[str, str]


NUMBER_FIELDS = (
    "voice_url",
    "voice_method",
    "status_callback",
    "status_callback_method",
    "voice_fallback_url",
    "voice_fallback_method",
    "voice_application_sid",
)


def _sid(prefix: str, number: int) -> str:
    return f"{prefix}{number:032d}"


class FakeTwilio:
    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.calls: list[dict] = []
        self.texts: list[dict] = []
        self.conferences: dict[str, dict] = {}  # by friendly name
        self.recordings: dict[str, bytes] = {}  # audio by recording sid (deleted ones are removed)
        self.authorizations: list[tuple[str, str]] = []  # (path, Authorization header) of each request
        self.numbers: list[dict] = []  # the account's incoming phone numbers
        self.applications: list[dict] = []  # its TwiML Apps
        self._failures: list[int] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # --- what a test arranges and reads ---------------------------------------------------------
    def fail_next(self, count: int = 1, status: int = 503) -> None:
        self._failures.extend([status] * count)

    def conference_start(self, name: str) -> str:
        """A conference in progress at Twilio (a caller is in it); its sid."""
        with self._lock:
            sid = _sid("CF", len(self.conferences) + 1)
            self.conferences[name] = {"sid": sid, "friendly_name": name, "status": "in-progress"}
        return sid

    def recording_add(self, sid: str, audio: bytes = b"ID3-fake-mp3-audio") -> None:
        """A recording Twilio holds (its audio answers GET /Recordings/<sid>.mp3)."""
        self.recordings[sid] = audio

    def number_add(self, phone_number: str, **fields: str) -> str:
        """A number on the account (bought or ported), with its voice configuration; its sid."""
        with self._lock:
            sid = _sid("PN", len(self.numbers) + 1)
            number = dict.fromkeys(NUMBER_FIELDS)
            number.update(sid=sid, phone_number=phone_number, friendly_name=phone_number, **fields)
            self.numbers.append(number)
        return sid

    def application_add(self, friendly_name: str, **fields: str) -> str:
        """A TwiML App on the account; its sid."""
        with self._lock:
            sid = _sid("AP", len(self.applications) + 1)
            self.applications.append({"sid": sid, "friendly_name": friendly_name, "voice_url": None, **fields})
        return sid

    def posts(self) -> list[Recorded]:
        return [request for request in self.requests if request.method == "POST"]

    def clear(self) -> None:
        self.requests.clear()
        self.authorizations.clear()

    # --- the API --------------------------------------------------------------------------------
    def _answer(self, method: str, path: str, params: dict[str, str]) -> tuple[int, dict]:
        now = format_datetime(timezone.now())
        base = {"account_sid": "AC" + "0" * 32, "date_created": now, "date_updated": now}
        routes = [
            (rf"{ACCOUNT}/Calls\.json", self._calls),
            (rf"{ACCOUNT}/Calls/(?P<sid>CA\w+)/Recordings\.json", self._recording),
            (rf"{ACCOUNT}/Calls/(?P<sid>CA\w+)/Recordings/(?P<recording>[\w.]+)\.json", self._recording_update),
            (rf"{ACCOUNT}/Recordings/(?P<recording>RE\w+)\.json", self._recording_resource),
            (rf"{ACCOUNT}/Calls/(?P<sid>CA\w+)\.json", self._call),
            (rf"{ACCOUNT}/Messages\.json", self._messages),
            (rf"{ACCOUNT}/Conferences\.json", self._conference_list),
            (rf"{ACCOUNT}/Conferences/(?P<conference>CF\w+)/Participants\.json", self._participant_create),
            (rf"{ACCOUNT}/Conferences/(?P<conference>CF\w+)/Participants/(?P<participant>[^/]+)\.json",
             self._participant),
            (rf"{ACCOUNT}/Conferences/(?P<conference>CF\w+)\.json", self._conference),
            (rf"{ACCOUNT}/IncomingPhoneNumbers\.json", self._number_list),
            (rf"{ACCOUNT}/IncomingPhoneNumbers/(?P<sid>PN\w+)\.json", self._number),
            (rf"{ACCOUNT}/Applications\.json", self._applications),
            (rf"{ACCOUNT}/Applications/(?P<sid>AP\w+)\.json", self._application),
        ]  # fmt: skip
        for pattern, answer in routes:
            found = re.fullmatch(pattern, path)
            if found:
                status, body = answer(method, params, **{k: v for k, v in found.groupdict().items() if k != "account"})
                return status, {**base, **body} if status < 300 and "sid" in body else body
        return 404, {"code": 20404, "message": f"The requested resource {path} was not found", "status": 404}

    def _page(self, key: str, rows: list[dict]) -> dict:
        return {key: rows, "next_page_uri": None, "page": 0, "page_size": 50, "first_page_uri": "", "uri": ""}

    def _calls(self, method, params):
        if method == "GET":
            return 200, self._page("calls", [c for c in self.calls if c["to"] == params.get("To")][::-1])
        record = {
            "sid": _sid("CA", len(self.calls) + 1),
            "to": params["To"],
            "from": params["From"],
            "status": "queued",
        }
        record["date_created"] = format_datetime(timezone.now())
        self.calls.append(record)
        return 201, record

    def _call(self, method, params, sid):
        return 200, {"sid": sid, "status": "completed" if params.get("Status") == "completed" else "in-progress"}

    def _recording(self, method, params, sid):
        if method == "GET":  # the call's recordings: none started by an earlier try
            return 200, self._page("recordings", [])
        return 201, {"sid": _sid("RE", len(self.requests)), "call_sid": sid, "status": "in-progress", "channels": 2}

    def _recording_update(self, method, params, sid, recording):
        return 200, {"sid": "RE" + "0" * 32 if recording == "Twilio.CURRENT" else recording, "call_sid": sid,
                     "status": params.get("Status", "in-progress"), "channels": 2}  # fmt: skip

    def _recording_resource(self, method, params, recording):
        if recording not in self.recordings:
            return 404, {"code": 20404, "message": f"Recording {recording} was not found", "status": 404}
        if method == "DELETE":
            del self.recordings[recording]
            return 204, {}
        return 200, {"sid": recording, "status": "completed", "channels": 2}

    def _messages(self, method, params):
        if method == "GET":
            return 200, self._page("messages", [t for t in self.texts if t["to"] == params.get("To")][::-1])
        record = {"sid": _sid("SM", len(self.texts) + 1), "to": params["To"], "body": params.get("Body", "")}
        record.update(status="queued", date_created=format_datetime(timezone.now()))
        self.texts.append(record)
        return 201, record

    def _conference_list(self, method, params):
        rows = [
            c
            for c in self.conferences.values()
            if params.get("FriendlyName") in (None, c["friendly_name"]) and params.get("Status") in (None, c["status"])
        ]
        return 200, self._page("conferences", rows)

    def _conference(self, method, params, conference):
        found = next((c for c in self.conferences.values() if c["sid"] == conference), None)
        if found is None:  # one the test named in a status callback only
            found = self.conferences.setdefault(
                conference, {"sid": conference, "friendly_name": conference, "status": "in-progress"}
            )
        if params.get("Status") == "completed":
            found["status"] = "completed"
        return 200, dict(found)

    def _participant(self, method, params, conference, participant):
        return 200, {
            "sid": conference,
            "conference_sid": conference,
            "call_sid": participant if participant.startswith("CA") else _sid("CA", 900 + len(participant)),
            "label": "" if participant.startswith("CA") else participant,
            "hold": params.get("Hold") == "true",
            "muted": params.get("Muted") == "true",
            "status": "connected",
        }

    def _participant_create(self, method, params, conference):
        return 201, {
            "sid": conference,
            "conference_sid": conference,
            "call_sid": _sid("CA", 800 + len(self.requests)),
            "label": params.get("Label", ""),
            "status": "queued",
        }

    @staticmethod
    def _update(record: dict, params: dict[str, str]) -> None:
        """A POST's form parameters (VoiceUrl, StatusCallbackMethod, …) onto the resource's fields."""
        for name, value in params.items():
            record[re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()] = value

    def _number_list(self, method, params):
        rows = [n for n in self.numbers if params.get("PhoneNumber") in (None, n["phone_number"])]
        return 200, self._page("incoming_phone_numbers", [dict(n) for n in rows])

    def _number(self, method, params, sid):
        found = next((n for n in self.numbers if n["sid"] == sid), None)
        if found is None:
            return 404, {"code": 20404, "message": f"The requested resource {sid} was not found", "status": 404}
        if method == "POST":
            self._update(found, params)
        return 200, dict(found)

    def _applications(self, method, params):
        if method == "GET":
            rows = [a for a in self.applications if params.get("FriendlyName") in (None, a["friendly_name"])]
            return 200, self._page("applications", [dict(a) for a in rows])
        record = {"sid": _sid("AP", len(self.applications) + 1)}
        self._update(record, params)
        self.applications.append(record)
        return 201, dict(record)

    def _application(self, method, params, sid):
        found = next((a for a in self.applications if a["sid"] == sid), None)
        if found is None:
            return 404, {"code": 20404, "message": f"The requested resource {sid} was not found", "status": 404}
        if method == "POST":
            self._update(found, params)
        return 200, dict(found)

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                split = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                params = dict(parse_qsl(body if self.command == "POST" else split.query, keep_blank_values=True))
                with fake._lock:
                    fake.requests.append(Recorded(self.command, split.path, params))
                    fake.authorizations.append((split.path, self.headers.get("Authorization", "")))
                    failure = fake._failures.pop(0) if fake._failures else None
                    media = re.fullmatch(rf"{ACCOUNT}/Recordings/(?P<sid>RE\w+)\.mp3", split.path)
                    if failure:
                        code, message = (20003, "Authenticate") if failure == 401 else (20500, "Service unavailable")
                        status, answer = failure, {"code": code, "message": message, "status": failure}
                    elif media and self.command == "GET":
                        audio = fake.recordings.get(media.group("sid"))
                        status, answer = (200, audio) if audio is not None else (404, {"status": 404})
                    else:
                        status, answer = fake._answer(self.command, split.path, params)
                binary = isinstance(answer, bytes)
                payload = answer if binary else b"" if status == 204 else json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "audio/mpeg" if binary else "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_DELETE = _serve  # noqa: N815 - http.server names its methods so

            def log_message(self, *args) -> None:  # the test's output stays readable
                pass

        return Handler


@pytest.fixture
def fake_twilio(settings, monkeypatch):
    """The telephony gateway on Twilio, talking to a fake Twilio API in this process."""
    fake = FakeTwilio()
    monkeypatch.setenv("FAKE_TWILIO_URL", fake.url)
    settings.TELEPHONY_BACKEND = "twilio"
    settings.TWILIO_HTTP_CLIENT = "tests.fake_twilio.FakeTwilioHttpClient"
    settings.TWILIO_PHONE_NUMBER = "+18003755283"
    yield fake
    fake.close()
