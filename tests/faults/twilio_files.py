"""A fake Twilio REST API at Twilio's HTTP client, for a worker process started by a test: what it
"did" (texts sent, calls dialled) is kept in files the test reads, across workers. The test's plan
(plan.json) says how each POST goes: "ok", or "hold_after" (Twilio carries the request out, then
the answer never comes: the worker waits until it is killed)."""

from __future__ import annotations

import json
import logging
import os
import time
from email.utils import format_datetime
from pathlib import Path

from django.utils import timezone
from twilio.http import HttpClient
from twilio.http.response import Response


class FileTwilioApi(HttpClient):
    def __init__(self, timeout=None, **kwargs) -> None:
        super().__init__(logging.getLogger("tests.twilio"), False, timeout)
        self.folder = Path(os.environ["FAKE_TWILIO_DIR"])

    def _read(self, name: str) -> list:
        path = self.folder / name
        return json.loads(path.read_text()) if path.exists() else []

    def _write(self, name: str, rows: list) -> None:
        (self.folder / name).write_text(json.dumps(rows))

    def request(self, method, url, params=None, data=None, headers=None, auth=None, timeout=None, **kwargs):
        self._write("requests.json", [*self._read("requests.json"), [method, url]])
        kind = "messages" if "/Messages" in url else "calls"
        if method == "GET":
            found = [row for row in self._read(f"{kind}.json") if row["to"] == (params or {}).get("To")]
            return Response(200, json.dumps({kind: found[::-1], "next_page_uri": None, "page": 0}))
        if not url.endswith(("/Messages.json", "/Calls.json")):  # a live call redirected
            return Response(200, json.dumps({"sid": url.rsplit("/", 1)[-1].removesuffix(".json")}))
        plan = self._read("plan.json")
        outcome = plan.pop(0) if plan else "ok"
        self._write("plan.json", plan)
        rows = self._read(f"{kind}.json")
        record = {"sid": f"{'SM' if kind == 'messages' else 'CA'}{len(rows) + 1:032d}", "to": data["To"]}
        record.update(body=data.get("Body", ""), status="queued", date_created=format_datetime(timezone.now()))
        self._write(f"{kind}.json", [*rows, record])
        if outcome == "hold_after":
            (self.folder / "holding").touch()
            time.sleep(3600)
        return Response(201, json.dumps(record))
