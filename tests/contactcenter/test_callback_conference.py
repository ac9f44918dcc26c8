"""Callbacks on conferences: the person called back meets the agent in the contact's conference, as an
inbound caller does, so hold, mute, transfer and the conference callbacks work on callbacks too.
Against the fake Twilio API: the exact REST calls."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from contactcenter import services
from contactcenter.audit.context import AuditContext
from contactcenter.common.errors import ApplicationError
from contactcenter.models import (
    AgentState,
    AgentStatus,
    CallControl,
    ContactKind,
    ContactStatus,
    WaitingContact,
)
from contactcenter.staff.roles import Role
from tests.contactcenter.test_conference import API, BASE, CONFERENCE_SID, _event, _send_all
from tests.ivr.conftest import WEEKDAY_7PM_EASTERN

pytestmark = [pytest.mark.django_db]

ORIGINAL_SID = "CA" + "3" * 32  # the call on which the person asked to be called back (long over)
PLACED_SID = "CA" + "0" * 31 + "1"  # the fake's first created call: the callback itself
PHONE = "+12135550142"


@pytest.fixture
def clock(at_time):
    with at_time(WEEKDAY_7PM_EASTERN):  # 4 p.m. for the Pacific caller: callbacks are placed
        yield


@pytest.fixture
def spanish_csr(make_staff):
    user = make_staff(Role.CSR)
    user.staff_profile.languages = ["es", "en"]
    user.staff_profile.save()
    return user


def _callback_answered(user) -> WaitingContact:
    context = AuditContext(actor=user)
    services.agent_state_set(context=context, user=user, state="available")
    contact = services.contact_enqueue(
        context=AuditContext.system(),
        phone=PHONE,
        language="es",
        caller_time_zone="America/Los_Angeles",
        call_sid=ORIGINAL_SID,
        kind=ContactKind.CALLBACK,
        receipt_numbers=["EAC2190000001"],
    )
    assert services.route_next(queue_name="tier1-es").contact_id == contact.pk
    return services.contact_answer(context=context, user=user, contact_id=contact.pk)


def test_the_person_called_back_is_put_in_the_contacts_conference(fake_twilio, spanish_csr, clock):
    contact = _callback_answered(spanish_csr)
    control, ring = _send_all()
    assert (control.action, control.target, control.status) == ("dial_callback", f"contact-{contact.pk}-1", "done")
    assert (ring.action, ring.target) == ("dial_agent", f"client:agent-{spanish_csr.pk}")  # the agent's browser
    request, _ring = fake_twilio.requests
    assert (request.method, request.path) == ("POST", f"{API}/Calls.json")
    assert (request.params["To"], request.params["From"]) == (PHONE, "+18003755283")
    root = ET.fromstring(request.params["Twiml"])
    assert [child.tag for child in root] == ["Say", "Say", "Dial"]
    assert root[0].text.startswith("Le habla U S C I S para devolverle la llamada")
    assert root[1].text == "Esta llamada se graba para fines de calidad y capacitación."  # recorded as calls are
    (conference,) = root.iter("Conference")
    assert conference.text == f"contact-{contact.pk}-1"
    assert (conference.get("participantLabel"), conference.get("endConferenceOnExit")) == ("caller", "true")
    assert conference.get("statusCallback") == f"{BASE}/ivr/conference/status/"
    assert "<Client" not in request.params["Twiml"]
    assert services.live_call_sid(WaitingContact.objects.get(pk=contact.pk)) == PLACED_SID


def test_hold_mute_work_on_a_callback_once_it_is_dialled(fake_twilio, spanish_csr, clock):
    contact = _callback_answered(spanish_csr)
    context = AuditContext(actor=spanish_csr)
    with pytest.raises(ApplicationError, match="Hold, mute and transfer work on a call in the conference"):
        services.contact_hold(context=context, user=spanish_csr, contact_id=contact.pk, hold=True)
    _send_all()
    _event(contact, "conference-start", 1)
    _event(contact, "participant-join", 2, label="caller", call_sid=PLACED_SID)
    fake_twilio.clear()
    services.contact_hold(context=context, user=spanish_csr, contact_id=contact.pk, hold=True)
    services.contact_mute(context=context, user=spanish_csr, contact_id=contact.pk, mute=True)
    _send_all()
    assert [(r.path.rsplit("/", 1)[-1], r.params.get("Hold"), r.params.get("Muted")) for r in fake_twilio.requests] == [
        ("caller.json", "true", None),
        ("agent.json", None, "true"),
    ]
    assert fake_twilio.requests[0].path == f"{API}/Conferences/{CONFERENCE_SID}/Participants/caller.json"


def test_the_person_hanging_up_ends_the_callback_and_the_agent_wraps_up(fake_twilio, spanish_csr, clock):
    contact = _callback_answered(spanish_csr)
    _send_all()
    _event(contact, "conference-start", 1)
    _event(contact, "participant-join", 2, label="caller", call_sid=PLACED_SID)
    for _delivery in range(2):
        _event(contact, "participant-leave", 3, label="caller", call_sid=PLACED_SID)
    contact.refresh_from_db()
    assert (contact.status, contact.kind) == (ContactStatus.COMPLETED, ContactKind.CALLBACK)
    assert AgentState.objects.get(user=spanish_csr).state == AgentStatus.WRAP_UP


def test_the_agents_line_dropping_puts_the_person_in_line_to_be_put_through_not_dialled_again(
    fake_twilio, spanish_csr, make_staff, clock
):
    contact = _callback_answered(spanish_csr)
    _send_all()
    _event(contact, "conference-start", 1)
    _event(contact, "participant-join", 2, label="caller", call_sid=PLACED_SID)
    fake_twilio.clear()
    _event(contact, "participant-leave", 3, label="agent", call_sid="CA" + "6" * 32)

    contact.refresh_from_db()
    assert (contact.status, contact.kind, contact.call_sid) == (ContactStatus.WAITING, ContactKind.CALL, PLACED_SID)
    assert contact.receipt_numbers == ["EAC2190000001"]
    (requeue,) = _send_all()
    assert (requeue.action, requeue.call_sid) == ("requeue", PLACED_SID)
    (request,) = fake_twilio.requests
    assert request.path == f"{API}/Calls/{PLACED_SID}.json" and ">tier1-es</Enqueue>" in request.params["Twiml"]

    other = make_staff(Role.CSR)
    other.staff_profile.languages = ["es"]
    other.staff_profile.save()
    services.agent_state_set(context=AuditContext(actor=other), user=other, state="available")
    assert services.route_next(queue_name="tier1-es").contact_id == contact.pk
    services.contact_answer(context=AuditContext(actor=other), user=other, contact_id=contact.pk)
    fake_twilio.clear()
    connect, ring = _send_all()
    assert (connect.action, ring.action, ring.target) == ("connect_agent", "dial_agent", f"client:agent-{other.pk}")
    request = fake_twilio.requests[0]
    assert (
        request.path == f"{API}/Calls/{PLACED_SID}.json"
        and f">contact-{contact.pk}-2</Conference>" in (request.params["Twiml"])
    )


def test_a_callback_not_reached_ends_its_conference_and_is_dialled_again_in_a_new_one(fake_twilio, spanish_csr, clock):
    contact = _callback_answered(spanish_csr)
    _send_all()
    _event(contact, "conference-start", 1)
    fake_twilio.clear()
    context = AuditContext(actor=spanish_csr)
    services.contact_end(context=context, user=spanish_csr, contact_id=contact.pk, reached=False)
    contact.refresh_from_db()
    assert (contact.status, contact.kind, contact.conference_sid) == (ContactStatus.WAITING, ContactKind.CALLBACK, "")
    (end,) = _send_all()
    assert (end.action, end.target, end.call_sid) == ("end_conference", f"contact-{contact.pk}-1", PLACED_SID)
    assert [(r.method, r.path) for r in fake_twilio.requests] == [
        ("GET", f"{API}/Conferences.json"),  # found by name: the contact's sid was cleared for the next dial
    ]
    assert CallControl.objects.filter(contact=contact, action="dial_callback").count() == 1


def test_a_callback_is_cold_transferred_by_its_own_call(fake_twilio, spanish_csr, clock):
    contact = _callback_answered(spanish_csr)
    _send_all()
    _event(contact, "conference-start", 1)
    fake_twilio.clear()
    onward = services.contact_transfer(
        context=AuditContext(actor=spanish_csr),
        user=spanish_csr,
        contact_id=contact.pk,
        queue_name="tier1-en",
        now=WEEKDAY_7PM_EASTERN,
    )
    assert (onward.kind, onward.call_sid, onward.queue_name) == (ContactKind.CALL, PLACED_SID, "tier1-en")
    (control,) = _send_all()
    assert control.action == "queue_transfer"
    (request,) = fake_twilio.requests
    assert request.path == f"{API}/Calls/{PLACED_SID}.json" and ">tier1-en</Enqueue>" in request.params["Twiml"]


def test_an_agents_line_that_never_joins_a_callback_puts_the_person_first_in_line(fake_twilio, spanish_csr, clock):
    from datetime import timedelta

    from django.utils import timezone

    contact = _callback_answered(spanish_csr)
    _send_all()
    later = timezone.now() + timedelta(seconds=120)
    assert services.agent_joins_expire(now=later) == 0  # the person has not answered the dial: nobody waits
    _event(contact, "conference-start", 1)
    _event(contact, "participant-join", 2, label="caller", call_sid=PLACED_SID)
    assert services.agent_joins_expire(now=timezone.now() + timedelta(seconds=20)) == 0
    assert services.agent_joins_expire(now=timezone.now() + timedelta(seconds=40)) == 1
    contact.refresh_from_db()
    assert (contact.status, contact.kind, contact.call_sid) == (ContactStatus.WAITING, ContactKind.CALL, PLACED_SID)
    agent = AgentState.objects.get(user=spanish_csr)
    assert (agent.state, agent.reason_code) == (AgentStatus.NOT_READY, "device_problem")


def test_the_console_shows_the_call_bar_on_a_callback(fake_twilio, spanish_csr, clock, client):
    from django.urls import reverse

    _callback_answered(spanish_csr)
    _send_all()
    client.force_login(spanish_csr)
    page = client.get(reverse("agent-console"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert 'id="call-hold" aria-pressed="false">En espera</button>' in page
    assert 'id="call-mute" aria-pressed="false">Silenciar mi línea</button>' in page
