"""Calls on conferences: on accept the caller is put in a conference named for the contact and the
agent's line joins it; hold, resume and mute are participant updates; Twilio's conference callbacks
(signed, delivered more than once) end the contact or put the caller back at the front of the line.

Twilio's REST API is the fake HTTP server of tests/fake_twilio.py, reached through twilio-python's
own client: the tests assert the exact REST calls a real account would receive."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from contactcenter import selectors, services
from contactcenter.audit.context import AuditContext
from contactcenter.common.errors import ApplicationError
from contactcenter.models import (
    AgentState,
    AgentStateChange,
    AgentStatus,
    AuditEvent,
    CallControl,
    CallControlStatus,
    ConferenceEvent,
    ContactStatus,
    WaitingContact,
)
from contactcenter.staff.roles import Role
from contactcenter.telephony import gateway as telephony
from ivr.simulator import in_process_transport, sign
from tests.fake_twilio import Recorded
from tests.ivr.conftest import WEEKDAY_7PM_EASTERN

pytestmark = [pytest.mark.django_db]

ACCOUNT = "AC00000000000000000000000000000000"
API = f"/2010-04-01/Accounts/{ACCOUNT}"
CALL_SID = "CA" + "5" * 32
EARLIER_SID = "CA" + "4" * 32
AGENT_LEG_SID = "CA" + "6" * 32
CONFERENCE_SID = "CF" + "1" * 32
BASE = "https://ncsc.test"


@pytest.fixture
def spanish_csr(make_staff):
    user = make_staff(Role.CSR)
    user.staff_profile.languages = ["es", "en"]
    user.staff_profile.save()
    return user


def _enqueue(call_sid: str, **kwargs) -> WaitingContact:
    return services.contact_enqueue(
        context=AuditContext.system(),
        phone="+12135550142",
        language="es",
        caller_time_zone="America/Los_Angeles",
        call_sid=call_sid,
        **kwargs,
    )


def _connected(user) -> WaitingContact:
    context = AuditContext(actor=user)
    services.agent_state_set(context=context, user=user, state="available")
    contact = _enqueue(CALL_SID, receipt_numbers=["EAC2190000001"], ivr_path=["language:es", "menu:agent"])
    assert services.route_next(queue_name="tier1-es").contact_id == contact.pk
    return services.contact_answer(context=context, user=user, contact_id=contact.pk)


def _send_all() -> list[CallControl]:
    """What the call-control task does after commit, for every instruction not yet carried out."""
    pending = list(CallControl.objects.filter(status=CallControlStatus.PENDING).order_by("id"))
    for control in pending:
        services.call_control_send(control_id=control.pk)
    return [CallControl.objects.get(pk=control.pk) for control in pending]


def _signed_post(path: str, params: dict[str, str], *, signed: bool = True):
    post = in_process_transport(Client(raise_request_exception=False))
    headers = {"X-Twilio-Signature": sign(BASE + path, params)} if signed else {}
    return post(path, params, headers)


def _event(contact: WaitingContact, event: str, sequence: int, *, label: str = "", call_sid: str = "", **extra):
    params = {
        "AccountSid": ACCOUNT,
        "ConferenceSid": CONFERENCE_SID,
        "FriendlyName": telephony.conference_name(contact),
        "StatusCallbackEvent": event,
        "SequenceNumber": str(sequence),
        **extra,
    }
    if call_sid:
        params.update(CallSid=call_sid, ParticipantLabel=label, Coaching="false")
    return _signed_post(reverse("ivr:conference-status"), params)


def _conference_element(twiml: str) -> ET.Element:
    root = ET.fromstring(twiml)
    (conference,) = root.iter("Conference")
    return conference


def test_accepting_redirects_the_caller_into_a_conference_named_for_the_contact(fake_twilio, spanish_csr):
    contact = _connected(spanish_csr)
    control, _ring = _send_all()  # the agent's browser is rung too (tests/contactcenter/test_agent_line.py)
    assert (control.action, control.status, control.attempts) == ("connect_agent", "done", 1)

    request = fake_twilio.requests[0]
    assert (request.method, request.path, list(request.params)) == ("POST", f"{API}/Calls/{CALL_SID}.json", ["Twiml"])
    root = ET.fromstring(request.params["Twiml"])
    assert [child.tag for child in root] == ["Say", "Say", "Dial"]
    assert root[0].text == "Lo comunicamos ahora con un representante." and root[0].get("language") == "es-US"
    # The recording is announced in the caller's language before the agent joins (test_recordings.py).
    assert root[1].text == "Esta llamada se graba para fines de calidad y capacitación."
    conference = _conference_element(request.params["Twiml"])
    assert conference.text == f"contact-{contact.pk}-1"
    assert conference.attrib == {
        "beep": "false",
        "endConferenceOnExit": "true",
        "startConferenceOnEnter": "false",
        "participantLabel": "caller",
        "waitUrl": f"{BASE}/ivr/conference/hold/?l=es",
        "waitMethod": "POST",
        "statusCallback": f"{BASE}/ivr/conference/status/",
        "statusCallbackEvent": "start end join leave hold mute",
        "statusCallbackMethod": "POST",
    }


def test_the_agents_line_joins_the_same_conference_and_no_other_agent_can(fake_twilio, spanish_csr, make_staff):
    contact = _connected(spanish_csr)
    path = reverse("ivr:agent-voice")
    params = {"AccountSid": ACCOUNT, "CallSid": AGENT_LEG_SID, "From": f"client:agent-{spanish_csr.pk}", "To": ""}

    status, body = _signed_post(path, {**params, "contact": str(contact.pk)})
    assert status == 200
    conference = _conference_element(body)
    assert conference.text == f"contact-{contact.pk}-1"
    assert (conference.get("participantLabel"), conference.get("endConferenceOnExit")) == ("agent", "false")
    assert conference.get("startConferenceOnEnter") == "true"
    assert conference.get("statusCallback") == f"{BASE}/ivr/conference/status/"

    stranger = make_staff(Role.CSR)
    status, body = _signed_post(path, {**params, "From": f"client:agent-{stranger.pk}", "contact": str(contact.pk)})
    assert status == 200 and "<Conference" not in body and "<Hangup />" in body
    assert fake_twilio.requests == []  # the TwiML answers; no REST call


def test_hold_and_resume_are_participant_updates_with_hold_music_in_the_callers_language(fake_twilio, spanish_csr):
    contact = _connected(spanish_csr)
    _send_all()
    assert _event(contact, "conference-start", 1)[0] == 204
    fake_twilio.clear()
    context = AuditContext(actor=spanish_csr)

    contact = services.contact_hold(context=context, user=spanish_csr, contact_id=contact.pk, hold=True)
    services.contact_hold(context=context, user=spanish_csr, contact_id=contact.pk, hold=True)  # pressed twice
    assert contact.on_hold_since is not None
    (control,) = _send_all()
    assert (control.action, control.status) == ("hold", "done")
    assert fake_twilio.requests == [
        Recorded(
            "POST",
            f"{API}/Conferences/{CONFERENCE_SID}/Participants/caller.json",
            {"Hold": "true", "HoldUrl": f"{BASE}/ivr/conference/hold/?l=es", "HoldMethod": "POST"},
        )
    ]
    # What the caller hears on hold: Spanish, then music, again and again.
    status, body = _signed_post("/ivr/conference/hold/?l=es", {"AccountSid": ACCOUNT, "CallSid": CALL_SID})
    root = ET.fromstring(body)
    assert status == 200 and [child.tag for child in root] == ["Say", "Play", "Redirect"]
    assert root[0].text.startswith("Por favor, permanezca en la línea.") and root[0].get("language") == "es-US"

    fake_twilio.clear()
    contact = services.contact_hold(context=context, user=spanish_csr, contact_id=contact.pk, hold=False)
    assert contact.on_hold_since is None
    _send_all()
    assert fake_twilio.requests == [
        Recorded("POST", f"{API}/Conferences/{CONFERENCE_SID}/Participants/caller.json", {"Hold": "false"})
    ]
    summaries = list(
        AuditEvent.objects.filter(target_type="contactcenter.waitingcontact", target_id=str(contact.pk)).values_list(
            "summary", flat=True
        )
    )
    assert summaries.count("Caller put on hold") == 1 and summaries.count("Caller taken off hold") == 1


def test_hold_pressed_before_the_conference_callback_looks_the_conference_up_by_name(fake_twilio, spanish_csr):
    contact = _connected(spanish_csr)
    _send_all()
    name = telephony.conference_name(contact)
    fake_twilio.clear()
    services.contact_hold(context=AuditContext(actor=spanish_csr), user=spanish_csr, contact_id=contact.pk, hold=True)

    # Not started yet at Twilio: the instruction waits for a retry, the caller's call is untouched.
    with pytest.raises(telephony.TelephonyError):
        services.call_control_send(control_id=CallControl.objects.get(action="hold").pk)
    conference_sid = fake_twilio.conference_start(name)
    (control,) = _send_all()
    assert (control.status, control.attempts) == ("done", 2)
    lookup = Recorded(
        "GET", f"{API}/Conferences.json", {"FriendlyName": name, "Status": "in-progress", "PageSize": "1"}
    )
    assert fake_twilio.requests[0] == lookup and fake_twilio.requests[1] == lookup
    assert fake_twilio.requests[2].path == f"{API}/Conferences/{conference_sid}/Participants/caller.json"
    assert fake_twilio.requests[2].params["Hold"] == "true"


def test_mute_and_unmute_update_the_agents_participant(fake_twilio, spanish_csr):
    contact = _connected(spanish_csr)
    _send_all()
    _event(contact, "conference-start", 1)
    fake_twilio.clear()
    context = AuditContext(actor=spanish_csr)

    assert services.contact_mute(context=context, user=spanish_csr, contact_id=contact.pk, mute=True).muted
    _send_all()
    assert not services.contact_mute(context=context, user=spanish_csr, contact_id=contact.pk, mute=False).muted
    _send_all()
    assert fake_twilio.requests == [
        Recorded("POST", f"{API}/Conferences/{CONFERENCE_SID}/Participants/agent.json", {"Muted": "true"}),
        Recorded("POST", f"{API}/Conferences/{CONFERENCE_SID}/Participants/agent.json", {"Muted": "false"}),
    ]


def test_a_failing_twilio_is_retried_and_the_hold_is_made_once(fake_twilio, spanish_csr):
    contact = _connected(spanish_csr)
    _send_all()
    _event(contact, "conference-start", 1)
    services.contact_hold(context=AuditContext(actor=spanish_csr), user=spanish_csr, contact_id=contact.pk, hold=True)
    control = CallControl.objects.get(action="hold")
    fake_twilio.clear()
    fake_twilio.fail_next(1)

    with pytest.raises(telephony.TelephonyError):
        services.call_control_send(control_id=control.pk)
    control.refresh_from_db()
    assert (control.status, control.attempts) == ("pending", 1) and "503" in control.error
    services.call_control_send(control_id=control.pk)
    services.call_control_send(control_id=control.pk)  # a redelivered task
    control.refresh_from_db()
    assert (control.status, control.attempts) == ("done", 2)
    assert [r.path.rsplit("/", 1)[-1] for r in fake_twilio.requests] == ["caller.json", "caller.json"]
    assert WaitingContact.objects.get(pk=contact.pk).status == ContactStatus.CONNECTED


def test_the_caller_hanging_up_on_hold_ends_the_contact_and_the_agent_wraps_up(fake_twilio, spanish_csr):
    contact = _connected(spanish_csr)
    _send_all()
    _event(contact, "conference-start", 1)
    _event(contact, "participant-join", 2, label="caller", call_sid=CALL_SID)
    _event(contact, "participant-hold", 3, label="caller", call_sid=CALL_SID)
    contact.refresh_from_db()
    assert contact.on_hold_since is not None and contact.conference_sid == CONFERENCE_SID

    for _delivery in range(2):  # Twilio posts it again
        assert _event(contact, "participant-leave", 4, label="caller", call_sid=CALL_SID)[0] == 204

    contact.refresh_from_db()
    assert (contact.status, contact.on_hold_since) == (ContactStatus.COMPLETED, None)
    assert AgentState.objects.get(user=spanish_csr).state == AgentStatus.WRAP_UP
    assert AgentStateChange.objects.filter(agent=spanish_csr, to_state=AgentStatus.WRAP_UP).count() == 1
    assert ConferenceEvent.objects.filter(contact=contact).count() == 4
    leave = ConferenceEvent.objects.get(contact=contact, event="participant-leave")
    assert leave.outcome == "caller hung up: conversation ended, agent in wrap-up"
    assert AuditEvent.objects.filter(target_type="contactcenter.conferenceevent", target_id=str(leave.pk)).count() == 1


def test_the_agents_line_dropping_puts_the_caller_first_in_line_again(fake_twilio, spanish_csr, make_staff):
    contact = _connected(spanish_csr)
    # Another caller, waiting longer than the one on the line.
    earlier = _enqueue(EARLIER_SID)
    WaitingContact.objects.filter(pk=earlier.pk).update(enqueued_at=contact.enqueued_at - timedelta(minutes=5))
    earlier.refresh_from_db()
    _send_all()
    _event(contact, "conference-start", 1)
    _event(contact, "participant-join", 2, label="agent", call_sid=AGENT_LEG_SID)
    _send_all()  # the recording, started as the agent joined
    fake_twilio.clear()

    for _delivery in range(2):
        assert _event(contact, "participant-leave", 3, label="agent", call_sid=AGENT_LEG_SID)[0] == 204

    contact.refresh_from_db()
    assert (contact.status, contact.offered_to, contact.conference_sid) == (ContactStatus.WAITING, None, "")
    assert contact.receipt_numbers == ["EAC2190000001"] and contact.ivr_path == ["language:es", "menu:agent"]
    assert selectors.queue_position(contact=contact)[0] == 1
    assert selectors.queue_position(contact=earlier)[0] == 2
    agent = AgentState.objects.get(user=spanish_csr)
    assert (agent.state, AgentStateChange.objects.filter(agent=spanish_csr).first().reason) == (
        AgentStatus.NOT_READY,
        "the agent's line dropped mid-call",
    )
    (control,) = _send_all()
    assert (control.action, control.target) == ("requeue", "tier1-es")
    (request,) = fake_twilio.requests
    assert request.path == f"{API}/Calls/{CALL_SID}.json"
    assert ">tier1-es</Enqueue>" in request.params["Twiml"]
    assert "usted vuelve al primer lugar de la fila" in request.params["Twiml"]

    # The caller leaving the old conference (pulled out by that redirect) changes nothing.
    _event(contact, "participant-leave", 4, label="caller", call_sid=CALL_SID)
    _event(contact, "conference-end", 5)
    contact.refresh_from_db()
    assert contact.status == ContactStatus.WAITING

    # The next agent is offered the re-queued caller before the one who waited longer.
    other = make_staff(Role.CSR)
    other.staff_profile.languages = ["es"]
    other.staff_profile.save()
    services.agent_state_set(context=AuditContext(actor=other), user=other, state="available")
    assert services.route_next(queue_name="tier1-es").contact_id == contact.pk
    answered = services.contact_answer(context=AuditContext(actor=other), user=other, contact_id=contact.pk)
    assert telephony.conference_name(answered) == f"contact-{contact.pk}-2"  # a new conference


def test_ending_the_call_ends_the_conference(fake_twilio, spanish_csr):
    contact = _connected(spanish_csr)
    _send_all()
    _event(contact, "conference-start", 1)
    fake_twilio.clear()
    services.contact_end(context=AuditContext(actor=spanish_csr), user=spanish_csr, contact_id=contact.pk)
    (control,) = _send_all()
    assert (control.action, control.status) == ("end_conference", "done")
    assert fake_twilio.requests == [
        Recorded("POST", f"{API}/Conferences/{CONFERENCE_SID}.json", {"Status": "completed"})
    ]
    assert AgentState.objects.get(user=spanish_csr).state == AgentStatus.WRAP_UP


@pytest.mark.parametrize("name", ["ivr:conference-status", "ivr:conference-hold", "ivr:agent-voice"])
def test_an_unsigned_conference_webhook_is_refused(fake_twilio, spanish_csr, name):
    contact = _connected(spanish_csr)
    params = {
        "AccountSid": ACCOUNT,
        "ConferenceSid": CONFERENCE_SID,
        "FriendlyName": telephony.conference_name(contact),
        "StatusCallbackEvent": "participant-leave",
        "CallSid": CALL_SID,
        "ParticipantLabel": "caller",
        "SequenceNumber": "1",
    }
    assert _signed_post(reverse(name), params, signed=False)[0] == 403
    forged = {"X-Twilio-Signature": sign(BASE + reverse(name), params, token="not-our-token")}
    assert in_process_transport(Client(raise_request_exception=False))(reverse(name), params, forged)[0] == 403
    contact.refresh_from_db()
    assert contact.status == ContactStatus.CONNECTED and not ConferenceEvent.objects.exists()


def test_the_api_holds_only_the_agents_own_call(fake_twilio, spanish_csr, make_staff, client):
    contact = _connected(spanish_csr)
    client.force_login(spanish_csr)
    url = reverse("api-contact-hold", args=[contact.pk])
    response = client.post(url, {"hold": True}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["on_hold"] is True and response.json()["contact_id"] == contact.pk
    response = client.post(
        reverse("api-contact-mute", args=[contact.pk]), {"mute": True}, content_type="application/json"
    )
    assert response.json()["muted"] is True
    assert sorted(CallControl.objects.filter(contact=contact).values_list("action", flat=True)) == [
        "connect_agent",
        "dial_agent",
        "hold",
        "mute",
    ]

    other = make_staff(Role.CSR)
    client.force_login(other)
    response = client.post(url, {"hold": False}, content_type="application/json")
    assert response.status_code == 400 and response.json()["message"] == "This contact is not yours to take."
    assert WaitingContact.objects.get(pk=contact.pk).on_hold_since is not None


def test_the_console_hold_button_is_a_toggle_in_spanish(fake_twilio, spanish_csr, client):
    contact = _connected(spanish_csr)
    client.force_login(spanish_csr)
    page = client.get(reverse("agent-console"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert 'id="call-hold" aria-pressed="false">En espera</button>' in page
    assert 'id="call-mute" aria-pressed="false">Silenciar mi línea</button>' in page

    response = client.post(reverse("console-hold", args=[contact.pk]), {"hold": "on"}, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 302
    page = client.get(reverse("agent-console"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert 'id="call-hold" aria-pressed="true">En espera</button>' in page
    assert "El llamante está en espera y escucha música." in page
    assert 'name="hold" value="off"' in page


def test_a_cold_transfer_moves_the_caller_to_another_queue_with_what_was_gathered(fake_twilio, spanish_csr):
    contact = _connected(spanish_csr)
    _send_all()
    _event(contact, "conference-start", 1)
    fake_twilio.clear()
    context = AuditContext(actor=spanish_csr)
    with pytest.raises(ApplicationError, match="by escalation"):
        services.contact_transfer(
            context=context, user=spanish_csr, contact_id=contact.pk, queue_name="tier2-es", now=WEEKDAY_7PM_EASTERN
        )

    onward = services.contact_transfer(
        context=context, user=spanish_csr, contact_id=contact.pk, queue_name="tier1-en", now=WEEKDAY_7PM_EASTERN
    )
    assert (onward.queue_name, onward.language, onward.status, onward.call_sid) == (
        "tier1-en",
        "en",
        ContactStatus.WAITING,
        CALL_SID,
    )
    assert onward.receipt_numbers == ["EAC2190000001"] and onward.ivr_path == ["language:es", "menu:agent"]
    contact.refresh_from_db()
    assert (contact.status, contact.call_sid) == (ContactStatus.COMPLETED, None)
    assert onward.interaction_id == contact.agent_interaction_id  # the hand-off chain in the ledger
    assert AgentState.objects.get(user=spanish_csr).state == AgentStatus.WRAP_UP
    (control,) = _send_all()
    assert (control.action, control.target, control.status) == ("queue_transfer", "tier1-en", "done")
    (request,) = fake_twilio.requests
    assert request.path == f"{API}/Calls/{CALL_SID}.json"
    assert "Please stay on the line while we transfer your call." in request.params["Twiml"]
    assert ">tier1-en</Enqueue>" in request.params["Twiml"]
    # The caller leaving the Tier 1 conference on the way changes nothing.
    _event(contact, "participant-leave", 2, label="caller", call_sid=CALL_SID)
    assert WaitingContact.objects.get(pk=onward.pk).status == ContactStatus.WAITING


def test_the_local_backend_carries_out_the_same_instructions_without_a_network(settings, spanish_csr):
    settings.TELEPHONY_BACKEND = "local"
    contact = _connected(spanish_csr)
    context = AuditContext(actor=spanish_csr)
    services.contact_hold(context=context, user=spanish_csr, contact_id=contact.pk, hold=True)
    services.contact_mute(context=context, user=spanish_csr, contact_id=contact.pk, mute=True)
    services.contact_end(context=context, user=spanish_csr, contact_id=contact.pk)
    done = _send_all()
    assert [(c.action, c.backend, c.status) for c in done] == [
        ("connect_agent", "local", "done"),
        ("hold", "local", "done"),
        ("mute", "local", "done"),
        ("end_conference", "local", "done"),
    ]
    assert all(c.provider_sid == f"CClocal{c.pk:026d}" for c in done)
    assert [c.target for c in done[1:]] == [f"contact-{contact.pk}-1"] * 3
