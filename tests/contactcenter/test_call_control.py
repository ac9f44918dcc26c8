"""Call instructions to the phone network: put the caller through on accept, warm-transfer on
escalation, dial a callback; carried out once, after commit, by a worker. Twilio's HTTP client is
the one thing faked."""

from __future__ import annotations

import json
import time

import pytest
from twilio.http import HttpClient
from twilio.http.response import Response

from contactcenter import services
from contactcenter.audit.context import AuditContext
from contactcenter.models import CallControl, CallControlStatus, ContactKind, WaitingContact
from contactcenter.staff.roles import Role
from contactcenter.telephony import gateway as telephony
from tests.ivr.conftest import WEEKDAY_7PM_EASTERN

CALL_SID = "CA" + "7" * 32


class FakeTwilioHttp(HttpClient):
    def __init__(self, status: int = 200) -> None:
        import logging

        super().__init__(logging.getLogger("tests.twilio"), False)
        self.status = status
        self.requests: list[tuple[str, str, dict]] = []

    def request(self, method, url, params=None, data=None, headers=None, auth=None, timeout=None, **kwargs):
        self.requests.append((method, url, dict(data or {})))
        if self.status >= 400:
            return Response(self.status, json.dumps({"code": 20500, "message": "Service unavailable", "status": 503}))
        return Response(201, json.dumps({"sid": "CA" + "9" * 32, "status": "in-progress"}))


@pytest.fixture
def twilio(settings, monkeypatch):
    from twilio.rest import Client

    settings.TELEPHONY_BACKEND = "twilio"
    settings.TWILIO_PHONE_NUMBER = "+18003755283"
    settings.PUBLIC_BASE_URL = "https://ncsc.example.gov"
    fake = FakeTwilioHttp()
    monkeypatch.setattr(
        telephony,
        "gateway",
        lambda: telephony.TwilioGateway(client=Client("AC" + "0" * 32, "token", http_client=fake)),
    )
    return fake


def _connected(user, *, kind=ContactKind.CALL) -> WaitingContact:
    context = AuditContext(actor=user)
    services.agent_state_set(context=context, user=user, state="available")
    contact = services.contact_enqueue(
        context=AuditContext.system(),
        phone="+12135550142",
        language="es",
        caller_time_zone="America/Los_Angeles",
        call_sid=CALL_SID,
        kind=kind,
    )
    services.route_next(queue_name="tier1-es" if user.staff_profile.languages[0] == "es" else "tier1-en")
    return services.contact_answer(context=context, user=user, contact_id=contact.pk)


@pytest.fixture
def spanish_csr(make_staff):
    user = make_staff(Role.CSR)
    user.staff_profile.languages = ["es", "en"]
    user.staff_profile.save()
    return user


def test_accepting_a_queued_call_puts_the_caller_through_to_the_agent_once(
    twilio, spanish_csr, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        contact = _connected(spanish_csr)
    control = CallControl.objects.get(contact=contact, action="connect_agent")
    assert (control.action, control.target, control.call_sid) == ("connect_agent", f"agent-{spanish_csr.pk}", CALL_SID)
    assert len(callbacks) >= 1

    services.call_control_send(control_id=control.pk)
    services.call_control_send(control_id=control.pk)  # a redelivered task

    assert len(twilio.requests) == 1
    method, url, data = twilio.requests[0]
    assert method == "POST" and url.endswith(f"/Calls/{CALL_SID}.json")
    # Into the contact's conference, which the agent's line joins (tests/contactcenter/test_conference.py).
    assert (
        'participantLabel="caller"' in data["Twiml"] and f">contact-{contact.pk}-1</Conference></Dial>" in data["Twiml"]
    )
    assert 'language="es-US"' in data["Twiml"] and "Lo comunicamos ahora con un representante." in data["Twiml"]
    control.refresh_from_db()
    assert (control.status, control.attempts, control.backend) == (CallControlStatus.DONE, 1, "twilio")


def test_escalation_warm_transfers_the_same_call_into_the_tier2_queue(twilio, spanish_csr):
    contact = _connected(spanish_csr)
    services.contact_escalate(
        context=AuditContext(actor=spanish_csr),
        user=spanish_csr,
        contact_id=contact.pk,
        reason="complex_eligibility",
        tried="Explained the eligibility rules.",
        summary="Needs an officer on a waiver question.",
        now=WEEKDAY_7PM_EASTERN,  # 4 p.m. for the Pacific caller: Tier 2 is open
    )
    transfer = CallControl.objects.get(action="transfer")
    services.call_control_send(control_id=transfer.pk)

    _, url, data = twilio.requests[-1]
    assert url.endswith(f"/Calls/{CALL_SID}.json")
    assert ">tier2-es</Enqueue>" in data["Twiml"]
    assert 'waitUrl="https://ncsc.example.gov/ivr/queue/wait/"' in data["Twiml"]
    assert WaitingContact.objects.get(call_sid=CALL_SID).queue_name == "tier2-es"


def test_a_callback_is_dialled_from_the_agency_number_when_the_agent_accepts(twilio, spanish_csr, at_time):
    with at_time(WEEKDAY_7PM_EASTERN):  # 4 p.m. in the caller's Pacific zone: callbacks are placed
        contact = _connected(spanish_csr, kind=ContactKind.CALLBACK)
    control = CallControl.objects.get(contact=contact, action="dial_callback")
    services.call_control_send(control_id=control.pk)

    _, url, data = twilio.requests[0]
    assert url.endswith("/Calls.json")
    assert (data["To"], data["From"]) == ("+12135550142", "+18003755283")
    assert "Le habla U S C I S para devolverle la llamada" in data["Twiml"]


def test_a_refusal_is_retried_then_left_failed(twilio, spanish_csr):
    twilio.status = 503
    contact = _connected(spanish_csr)
    control = CallControl.objects.get(contact=contact, action="connect_agent")
    for attempt in (1, 2):
        with pytest.raises(telephony.TelephonyError):
            services.call_control_send(control_id=control.pk)
        control.refresh_from_db()
        assert (control.status, control.attempts) == (CallControlStatus.PENDING, attempt)
    assert services.call_control_send(control_id=control.pk).status == CallControlStatus.FAILED  # no more retries
    control.refresh_from_db()
    assert (control.status, control.attempts) == (CallControlStatus.FAILED, 3)
    assert "Service unavailable" in control.error or "503" in control.error


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_carries_out_the_instruction_after_commit(celery_worker_process, spanish_csr):
    _, log = celery_worker_process
    contact = _connected(spanish_csr)
    control = CallControl.objects.get(contact=contact)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        control.refresh_from_db()
        if control.status == CallControlStatus.DONE:
            break
        time.sleep(0.2)
    assert control.status == CallControlStatus.DONE, log.read_text()[-3000:]
    assert (control.backend, control.provider_sid) == ("local", f"CClocal{control.pk:026d}")
