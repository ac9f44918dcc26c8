"""Scenario 5: Twilio's REST API failing (5xx) or slow (timeouts).

Twilio's HTTP client is the one thing faked: it answers 503, or times out before or after Twilio
carried the request out, and it remembers what "Twilio" really did (texts sent, calls placed), so
a retry that sends twice shows. Texts and call instructions are retried without sending twice; an
agent sees a clear message when an instruction failed for good; a caller's TwiML never waits on a
REST call, so a failing API never drops a call."""

from __future__ import annotations

import json
import logging
from email.utils import format_datetime

import pytest
import requests
from django.utils import timezone
from twilio.http import HttpClient
from twilio.http.response import Response

from contactcenter import services
from contactcenter.audit.context import AuditContext
from contactcenter.models import CallControl, CallControlStatus, ContactKind, OutboundMessage
from contactcenter.reference import services as reference_services
from contactcenter.staff.roles import Role
from contactcenter.tasks import call_control_send, text_send
from contactcenter.telephony import gateway as telephony
from contactcenter.telephony import texts
from tests.ivr.conftest import WEEKDAY_7PM_EASTERN

pytestmark = [pytest.mark.django_db]

AGENCY_NUMBER = "+18003755283"
CALLER = "+12135550142"
CALL_SID = "CA" + "7" * 32


class FakeTwilioApi(HttpClient):
    """Twilio's REST API as seen through its HTTP client. `plan` says how each POST goes, in order:
    "ok", "503", "timeout_before" (never reached Twilio) or "timeout_after" (Twilio did it, the
    answer never came back); with the plan used up, every POST is "ok"."""

    def __init__(self) -> None:
        super().__init__(logging.getLogger("tests.twilio"), False)
        self.plan: list[str] = []
        self.requests: list[tuple[str, str]] = []
        self.texts: list[dict] = []  # what Twilio sent
        self.calls: list[dict] = []  # what Twilio dialled
        self.updates: list[dict] = []  # live calls Twilio redirected

    def request(self, method, url, params=None, data=None, headers=None, auth=None, timeout=None, **kwargs):
        self.requests.append((method, url))
        if method == "GET":
            if url.endswith("/Messages.json"):
                found = [t for t in self.texts if t["to"] == (params or {}).get("To")]
                return Response(200, json.dumps({"messages": found[::-1], "next_page_uri": None, "page": 0}))
            found = [c for c in self.calls if c["to"] == (params or {}).get("To")]
            return Response(200, json.dumps({"calls": found[::-1], "next_page_uri": None, "page": 0}))
        outcome = self.plan.pop(0) if self.plan else "ok"
        if outcome == "503":
            return Response(503, json.dumps({"code": 20500, "message": "Service unavailable", "status": 503}))
        if outcome == "timeout_before":
            raise requests.exceptions.ConnectTimeout("Connection to api.twilio.com timed out. (connect timeout=10)")
        now = format_datetime(timezone.now())
        if url.endswith("/Messages.json"):
            record = {
                "sid": f"SM{len(self.texts) + 1:032d}",
                "to": data["To"],
                "body": data["Body"],
                "date_created": now,
            }
            self.texts.append(record)
        elif url.endswith("/Calls.json"):
            record = {"sid": f"CA{len(self.calls) + 1:032d}", "to": data["To"], "status": "queued", "date_created": now}
            self.calls.append(record)
        else:
            record = {"sid": url.rsplit("/", 1)[-1].removesuffix(".json"), "status": "in-progress"}
            self.updates.append({**record, "twiml": data["Twiml"]})
        if outcome == "timeout_after":
            raise requests.exceptions.ReadTimeout("api.twilio.com: Read timed out. (read timeout=10)")
        return Response(201, json.dumps(record))

    def posts(self) -> int:
        return sum(1 for method, _ in self.requests if method == "POST")


@pytest.fixture
def twilio_api(settings, monkeypatch):
    from twilio.rest import Client

    settings.TWILIO_PHONE_NUMBER = AGENCY_NUMBER
    settings.PUBLIC_BASE_URL = "https://ncsc.example.gov"
    fake = FakeTwilioApi()

    def gateway():
        return telephony.TwilioGateway(client=Client("AC" + "0" * 32, "token", http_client=fake))

    monkeypatch.setattr(telephony, "gateway", gateway)
    monkeypatch.setattr(reference_services, "gateway", gateway)
    monkeypatch.setattr(texts, "gateway", gateway)
    return fake


def test_the_twilio_client_has_a_timeout(settings):
    settings.TWILIO_HTTP_TIMEOUT = 7
    assert telephony.TwilioGateway().client.http_client.timeout == 7


def _results_texted(caller, at_time, django_capture_on_commit_callbacks):
    with at_time(WEEKDAY_7PM_EASTERN):
        call = caller(CALLER)
        call.start()
        call.press("1")
        call.press("4")
        call.press("90012")
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            texted = call.press("2")
    return call, texted, callbacks


def test_a_caller_asking_for_a_text_while_twilio_is_down_is_answered_at_once_and_texted_later(
    reference, caller, at_time, twilio_api, django_capture_on_commit_callbacks
):
    twilio_api.plan = ["503", "timeout_before"]
    call, texted, callbacks = _results_texted(caller, at_time, django_capture_on_commit_callbacks)
    # The caller's TwiML did not wait on Twilio's API: answered, menu offered, call not dropped.
    assert texted.status == 200 and not texted.hangup and texted.gather is not None
    assert "We sent the details" in texted.text
    assert twilio_api.requests == [] and len(callbacks) == 1
    message = OutboundMessage.objects.get(purpose=f"ivr:{call.call_sid}:results")
    assert message.status == "queued"

    text_send.apply(kwargs={"message_id": message.pk})  # as a worker runs it, retries included
    message.refresh_from_db()
    assert (message.status, message.provider_sid) == ("sent", twilio_api.texts[0]["sid"])
    assert len(twilio_api.texts) == 1 and twilio_api.texts[0]["to"] == CALLER
    assert "Los Angeles Field Office" in twilio_api.texts[0]["body"]
    assert twilio_api.posts() == 3  # 503, timed out before reaching Twilio, sent


def test_a_text_twilio_sent_but_whose_answer_timed_out_is_not_sent_again(
    reference, caller, at_time, twilio_api, django_capture_on_commit_callbacks
):
    twilio_api.plan = ["timeout_after"]
    call, _texted, _callbacks = _results_texted(caller, at_time, django_capture_on_commit_callbacks)
    message = OutboundMessage.objects.get(purpose=f"ivr:{call.call_sid}:results")

    text_send.apply(kwargs={"message_id": message.pk})
    message.refresh_from_db()
    assert len(twilio_api.texts) == 1  # the retry found it at Twilio instead of sending it again
    assert (message.status, message.provider_sid) == ("sent", twilio_api.texts[0]["sid"])
    assert twilio_api.posts() == 1
    text_send.apply(kwargs={"message_id": message.pk})  # redelivered: nothing more
    assert len(twilio_api.texts) == 1 and twilio_api.posts() == 1


def test_a_form_order_text_retried_after_a_timeout_reaches_the_caller_once(twilio_api):
    from datetime import date
    from decimal import Decimal

    from contactcenter.models import Form, FormOrder
    from contactcenter.tasks import form_order_fulfil

    form = Form.objects.create(
        number="I-765",
        title_en="Application for Employment Authorization",
        title_es="Solicitud de Autorización de Empleo",
        fee=Decimal("520.00"),
        edition=date(2025, 1, 20),
    )
    order = services.form_order_create(
        context=AuditContext.system(), form=form, channel="sms", language="en", phone=CALLER, idempotency_key="CA9:4"
    )
    twilio_api.plan = ["timeout_after"]
    form_order_fulfil.apply(kwargs={"order_id": order.pk})
    order.refresh_from_db()
    assert order.status == "sent" and order.attempts == 2
    assert len(twilio_api.texts) == 1 and "uscis.gov/i-765" in twilio_api.texts[0]["body"]
    assert twilio_api.posts() == 1 and FormOrder.objects.count() == 1


@pytest.fixture
def csr(make_staff):
    user = make_staff(Role.CSR)
    user.staff_profile.languages = ["es", "en"]
    user.staff_profile.save()
    return user


def _connected(user, *, kind=ContactKind.CALL, capture):
    context = AuditContext(actor=user)
    services.agent_state_set(context=context, user=user, state="available")
    contact = services.contact_enqueue(
        context=AuditContext.system(),
        phone=CALLER,
        language="es",
        caller_time_zone="America/Los_Angeles",
        call_sid=CALL_SID,
        kind=kind,
    )
    services.route_next(queue_name="tier1-es")
    with capture(execute=False):
        return services.contact_answer(context=context, user=user, contact_id=contact.pk)


def test_putting_a_caller_through_is_retried_after_5xx_and_done_once(
    twilio_api, csr, client, django_capture_on_commit_callbacks
):
    twilio_api.plan = ["503"]
    contact = _connected(csr, capture=django_capture_on_commit_callbacks)
    control = CallControl.objects.get(contact=contact)
    call_control_send.apply(kwargs={"control_id": control.pk})
    control.refresh_from_db()
    assert (control.status, control.attempts) == (CallControlStatus.DONE, 2)
    assert [u["sid"] for u in twilio_api.updates] == [CALL_SID]  # redirected once
    call_control_send.apply(kwargs={"control_id": control.pk})  # redelivered: nothing more
    assert len(twilio_api.updates) == 1 and twilio_api.posts() == 2


def test_a_callback_twilio_dialled_but_whose_answer_timed_out_is_not_dialled_again(
    twilio_api, csr, at_time, django_capture_on_commit_callbacks
):
    twilio_api.plan = ["timeout_after"]
    with at_time(WEEKDAY_7PM_EASTERN):
        contact = _connected(csr, kind=ContactKind.CALLBACK, capture=django_capture_on_commit_callbacks)
        control = CallControl.objects.get(contact=contact)
        call_control_send.apply(kwargs={"control_id": control.pk})
    control.refresh_from_db()
    assert control.status == CallControlStatus.DONE
    assert len(twilio_api.calls) == 1 and twilio_api.calls[0]["to"] == CALLER  # the caller's phone rang once
    assert control.provider_sid == twilio_api.calls[0]["sid"]


def test_an_instruction_that_failed_for_good_is_shown_to_the_agent_in_words(
    twilio_api, csr, client, django_capture_on_commit_callbacks
):
    twilio_api.plan = ["503", "timeout_before", "timeout_before"]
    contact = _connected(csr, capture=django_capture_on_commit_callbacks)
    control = CallControl.objects.get(contact=contact)
    call_control_send.apply(kwargs={"control_id": control.pk})
    control.refresh_from_db()
    assert (control.status, control.attempts) == (CallControlStatus.FAILED, 3)
    assert "ConnectTimeout" in control.error
    assert twilio_api.updates == []

    client.force_login(csr)
    english = client.get("/console/work/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-call-control-failed="connect_agent"' in english
    assert "The caller could not be put through to you: the phone network did not answer our request" in english
    spanish = client.get("/console/work/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "No se pudo comunicar al llamante con usted" in spanish
