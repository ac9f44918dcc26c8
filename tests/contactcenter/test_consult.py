"""Warm transfer / consult and the supervisor request: the agent on a call brings an available ISO (or
a supervisor signed on in their console) into the same conference while the caller is on hold, then
brings the caller back into a three-way call, leaves the call to them, or cancels; a consult nobody
answers gives the caller back to the agent.

Twilio's REST API is the fake HTTP server of tests/fake_twilio.py; conference callbacks are signed
and delivered as Twilio delivers them (more than once)."""

from __future__ import annotations

from datetime import timedelta
from xml.etree import ElementTree

import pytest
from django.urls import reverse
from django.utils import timezone

from contactcenter import selectors, services
from contactcenter.audit.context import AuditContext
from contactcenter.common.errors import ApplicationError
from contactcenter.models import (
    AgentState,
    AgentStatus,
    AuditEvent,
    CallControl,
    ConferenceEvent,
    ContactStatus,
    Disposition,
    Interaction,
    WaitingContact,
)
from contactcenter.staff.roles import Role
from contactcenter.telephony import gateway as telephony
from tests.contactcenter.test_conference import (
    ACCOUNT,
    AGENT_LEG_SID,
    API,
    BASE,
    CALL_SID,
    CONFERENCE_SID,
    _connected,
    _event,
    _send_all,
    _signed_post,
)
from tests.fake_twilio import Recorded
from tests.markup import tight

pytestmark = [pytest.mark.django_db]

CONSULT_LEG_SID = "CA" + "7" * 32


@pytest.fixture
def spanish_csr(make_staff):
    user = make_staff(Role.CSR)
    user.staff_profile.languages = ["es", "en"]
    user.staff_profile.save()
    return user


def _available(user):
    services.agent_state_set(context=AuditContext(actor=user), user=user, state="available")
    return user


@pytest.fixture
def iso(make_staff):
    return _available(make_staff(Role.ISO))


def _state(user) -> str:
    return AgentState.objects.get(user=user).state


def _on_a_call_in_conference(csr) -> WaitingContact:
    contact = _connected(csr)
    _send_all()
    _event(contact, "conference-start", 1)
    _event(contact, "participant-join", 2, label="caller", call_sid=CALL_SID)
    _event(contact, "participant-join", 3, label="agent", call_sid=AGENT_LEG_SID)
    _send_all()  # the recording the agent's join starts
    contact.refresh_from_db()
    return contact


def _audit(contact) -> list[str]:
    return list(
        AuditEvent.objects.filter(target_type="contactcenter.waitingcontact", target_id=str(contact.pk))
        .order_by("id")
        .values_list("summary", flat=True)
    )


def test_warm_transfer_to_an_iso_holds_the_caller_rings_the_iso_in_and_leaves_the_call_to_them(
    fake_twilio, spanish_csr, iso
):
    contact = _on_a_call_in_conference(spanish_csr)
    fake_twilio.clear()
    csr_context, iso_context = AuditContext(actor=spanish_csr), AuditContext(actor=iso)

    consult = services.contact_consult_start(
        context=csr_context, user=spanish_csr, contact_id=contact.pk, purpose="iso"
    )
    assert (consult.status, consult.offered_to, consult.consult_of, consult.tier) == ("offered", iso, contact, 2)
    assert telephony.conference_name(consult) == telephony.conference_name(contact)
    assert (_state(spanish_csr), _state(iso)) == (AgentStatus.ON_CALL, AgentStatus.OFFERED)
    # The ISO's console shows the offer, with the caller's context.
    offered = selectors.console_state(user=iso).contact
    assert offered.pk == consult.pk and offered.receipt_numbers == ["EAC2190000001"]
    (hold,) = _send_all()
    assert (hold.action, hold.status) == ("hold", "done")
    assert fake_twilio.requests == [
        Recorded(
            "POST",
            f"{API}/Conferences/{CONFERENCE_SID}/Participants/caller.json",
            {"Hold": "true", "HoldUrl": f"{BASE}/ivr/conference/hold/?l=es", "HoldMethod": "POST"},
        )
    ]
    with pytest.raises(ApplicationError):  # one consult at a time
        services.contact_consult_start(context=csr_context, user=spanish_csr, contact_id=contact.pk, purpose="iso")
    with pytest.raises(ApplicationError):  # not before the ISO has joined
        services.contact_consult_complete(context=csr_context, user=spanish_csr, contact_id=contact.pk)

    # The ISO accepts: their line is rung into the same conference, labelled for their contact.
    fake_twilio.clear()
    services.contact_answer(context=iso_context, user=iso, contact_id=consult.pk)
    (dial,) = _send_all()
    assert (dial.action, dial.status, dial.target) == ("consult_dial", "done", f"agent-{iso.pk}")
    assert fake_twilio.requests == [
        Recorded(
            "POST",
            f"{API}/Conferences/{CONFERENCE_SID}/Participants.json",
            {
                "From": "+18003755283",
                "To": f"client:agent-{iso.pk}",
                "Label": f"consult-{consult.pk}",
                "EarlyMedia": "true",
                "Beep": "false",
                "StartConferenceOnEnter": "true",
                "EndConferenceOnExit": "false",
                "Timeout": "30",
            },
        )
    ]
    # Both agents are on the call, on the wallboard too.
    board = {agent.user_id: agent.state for agent in selectors.agents_signed_on()}
    assert (board[spanish_csr.pk], board[iso.pk]) == (AgentStatus.ON_CALL, AgentStatus.ON_CALL)
    for _delivery in range(2):
        _event(contact, "participant-join", 4, label=f"consult-{consult.pk}", call_sid=CONSULT_LEG_SID)
    assert ConferenceEvent.objects.get(call_sid=CONSULT_LEG_SID).participant == "consult"

    # Three-way: the caller comes off hold.
    fake_twilio.clear()
    services.contact_consult_join(context=csr_context, user=spanish_csr, contact_id=contact.pk)
    _send_all()
    assert fake_twilio.requests == [
        Recorded("POST", f"{API}/Conferences/{CONFERENCE_SID}/Participants/caller.json", {"Hold": "false"})
    ]

    # The CSR leaves the call to the ISO: the call is the ISO's now, the CSR's line leaves, CSR wraps up.
    fake_twilio.clear()
    handed = services.contact_consult_complete(context=csr_context, user=spanish_csr, contact_id=contact.pk)
    assert handed.pk == consult.pk and handed.call_sid == CALL_SID
    contact.refresh_from_db()
    assert (contact.status, contact.call_sid) == (ContactStatus.COMPLETED, None)
    assert (_state(spanish_csr), _state(iso)) == (AgentStatus.WRAP_UP, AgentStatus.ON_CALL)
    (leave,) = _send_all()
    assert (leave.action, leave.target) == ("line_remove", "agent")
    assert fake_twilio.requests == [
        Recorded("DELETE", f"{API}/Conferences/{CONFERENCE_SID}/Participants/agent.json", {})
    ]
    assert any("Warm transfer to" in summary for summary in _audit(contact))
    assert any("by warm transfer" in summary for summary in _audit(consult))

    # The CSR's line leaving is expected; the ISO now holds the call: mute is their line's.
    _event(contact, "participant-leave", 5, label="agent", call_sid=AGENT_LEG_SID)
    consult.refresh_from_db()
    assert consult.status == ContactStatus.CONNECTED
    fake_twilio.clear()
    services.contact_mute(context=iso_context, user=iso, contact_id=consult.pk, mute=True)
    _send_all()
    assert fake_twilio.requests == [
        Recorded(
            "POST", f"{API}/Conferences/{CONFERENCE_SID}/Participants/consult-{consult.pk}.json", {"Muted": "true"}
        )
    ]

    # The CSR's wrap-up keeps the warm transfer in the history.
    services.contact_wrap_up(
        context=csr_context, user=spanish_csr, contact_id=contact.pk, disposition=Disposition.INFORMATION
    )
    csr_conversation = Interaction.objects.get(pk=contact.agent_interaction_id)
    assert csr_conversation.summary.startswith("Warm transfer to ")
    assert csr_conversation.handled_by == spanish_csr

    # The caller hangs up: the ISO's conversation ends and the ISO wraps up.
    _event(contact, "participant-leave", 6, label="caller", call_sid=CALL_SID)
    consult.refresh_from_db()
    assert consult.status == ContactStatus.COMPLETED and _state(iso) == AgentStatus.WRAP_UP
    iso_conversation = Interaction.objects.get(pk=consult.agent_interaction_id)
    assert (iso_conversation.parent_id, iso_conversation.handled_by) == (csr_conversation.pk, iso)
    # The receipt number's history shows both conversations, who and when.
    history = list(selectors.interactions_for_receipt_number(user=iso, receipt_number="EAC2190000001"))
    assert {csr_conversation.pk, iso_conversation.pk} <= {row.pk for row in history}


def test_a_consult_declined_gives_the_caller_back_to_the_agent_off_hold(fake_twilio, spanish_csr, iso):
    contact = _on_a_call_in_conference(spanish_csr)
    consult = services.contact_consult_start(
        context=AuditContext(actor=spanish_csr), user=spanish_csr, contact_id=contact.pk, purpose="iso"
    )
    _send_all()
    fake_twilio.clear()

    services.offer_decline(context=AuditContext(actor=iso), user=iso, contact_id=consult.pk)
    consult.refresh_from_db()
    contact.refresh_from_db()
    assert (consult.status, consult.disposition) == (ContactStatus.CANCELLED, Disposition.NO_ANSWER)
    assert contact.status == ContactStatus.CONNECTED and contact.on_hold_since is None
    assert (_state(spanish_csr), _state(iso)) == (AgentStatus.ON_CALL, AgentStatus.NOT_READY)
    _send_all()
    assert fake_twilio.requests == [
        Recorded("POST", f"{API}/Conferences/{CONFERENCE_SID}/Participants/caller.json", {"Hold": "false"})
    ]
    assert any("not answered" in summary for summary in _audit(contact))
    # Never put in line for someone else.
    assert not WaitingContact.objects.filter(pk=consult.pk, status=ContactStatus.WAITING).exists()
    assert selectors.consult_latest(contact=contact).pk == consult.pk


def test_a_consult_offer_lapsing_gives_the_caller_back(fake_twilio, spanish_csr, iso):
    contact = _on_a_call_in_conference(spanish_csr)
    consult = services.contact_consult_start(
        context=AuditContext(actor=spanish_csr), user=spanish_csr, contact_id=contact.pk, purpose="iso"
    )
    assert services.offers_expire(now=timezone.now() + timedelta(minutes=5)) == 1
    consult.refresh_from_db()
    contact.refresh_from_db()
    assert (consult.status, consult.disposition, contact.on_hold_since) == ("cancelled", "no_answer", None)
    assert [c.action for c in CallControl.objects.filter(contact=contact).order_by("id")][-2:] == ["hold", "resume"]
    assert _state(iso) == AgentStatus.NOT_READY


def test_nobody_available_is_refused_and_the_caller_is_never_put_on_hold(fake_twilio, spanish_csr, make_staff):
    contact = _on_a_call_in_conference(spanish_csr)
    make_staff(Role.ISO)  # signed in nowhere
    busy = _available(make_staff(Role.CSR))  # not an ISO
    for purpose in ("iso", "supervisor"):
        with pytest.raises(ApplicationError) as refused:
            services.contact_consult_start(
                context=AuditContext(actor=spanish_csr), user=spanish_csr, contact_id=contact.pk, purpose=purpose
            )
        assert "available" in refused.value.message
    contact.refresh_from_db()
    assert contact.on_hold_since is None and _state(busy) == AgentStatus.AVAILABLE
    assert not CallControl.objects.filter(contact=contact, action="hold").exists()


def test_supervisor_request_goes_to_a_supervisor_and_cancelling_brings_the_caller_back(
    fake_twilio, spanish_csr, iso, make_staff
):
    supervisor = _available(make_staff(Role.SUPERVISOR, Role.ISO))
    contact = _on_a_call_in_conference(spanish_csr)
    context = AuditContext(actor=spanish_csr)
    consult = services.contact_consult_start(
        context=context, user=spanish_csr, contact_id=contact.pk, purpose="supervisor"
    )
    assert consult.offered_to == supervisor and _state(iso) == AgentStatus.AVAILABLE
    services.contact_answer(context=AuditContext(actor=supervisor), user=supervisor, contact_id=consult.pk)
    _send_all()
    with pytest.raises(ApplicationError):  # the call is not ended under a consult
        services.contact_end(context=context, user=spanish_csr, contact_id=contact.pk)
    fake_twilio.clear()

    services.contact_consult_cancel(context=context, user=spanish_csr, contact_id=contact.pk)
    consult.refresh_from_db()
    contact.refresh_from_db()
    assert consult.status == ContactStatus.COMPLETED and contact.on_hold_since is None
    assert (_state(spanish_csr), _state(supervisor)) == (AgentStatus.ON_CALL, AgentStatus.WRAP_UP)
    _send_all()
    assert fake_twilio.requests == [
        Recorded("DELETE", f"{API}/Conferences/{CONFERENCE_SID}/Participants/consult-{consult.pk}.json", {}),
        Recorded("POST", f"{API}/Conferences/{CONFERENCE_SID}/Participants/caller.json", {"Hold": "false"}),
    ]
    # The supervisor's part is in the ledger, a hand-off from the CSR's conversation.
    assert Interaction.objects.get(pk=consult.agent_interaction_id).parent_id == contact.agent_interaction_id


def test_cancelling_before_the_answer_frees_the_person_at_once(fake_twilio, spanish_csr, iso):
    contact = _on_a_call_in_conference(spanish_csr)
    context = AuditContext(actor=spanish_csr)
    consult = services.contact_consult_start(context=context, user=spanish_csr, contact_id=contact.pk, purpose="iso")
    services.contact_consult_cancel(context=context, user=spanish_csr, contact_id=contact.pk)
    consult.refresh_from_db()
    assert (consult.status, consult.disposition) == (ContactStatus.CANCELLED, "")
    assert _state(iso) == AgentStatus.AVAILABLE
    with pytest.raises(ApplicationError):
        services.contact_consult_cancel(context=context, user=spanish_csr, contact_id=contact.pk)


def test_the_consulted_persons_line_leaving_ends_the_consult(fake_twilio, spanish_csr, iso):
    contact = _on_a_call_in_conference(spanish_csr)
    consult = services.contact_consult_start(
        context=AuditContext(actor=spanish_csr), user=spanish_csr, contact_id=contact.pk, purpose="iso"
    )
    services.contact_answer(context=AuditContext(actor=iso), user=iso, contact_id=consult.pk)
    _send_all()
    _event(contact, "participant-join", 4, label=f"consult-{consult.pk}", call_sid=CONSULT_LEG_SID)
    fake_twilio.clear()

    for _delivery in range(2):
        _event(contact, "participant-leave", 5, label=f"consult-{consult.pk}", call_sid=CONSULT_LEG_SID)
    consult.refresh_from_db()
    contact.refresh_from_db()
    assert consult.status == ContactStatus.COMPLETED and _state(iso) == AgentStatus.WRAP_UP
    assert contact.status == ContactStatus.CONNECTED and contact.on_hold_since is None
    _send_all()
    assert fake_twilio.requests == [  # no line to take out: it left by itself
        Recorded("POST", f"{API}/Conferences/{CONFERENCE_SID}/Participants/caller.json", {"Hold": "false"})
    ]
    leave = ConferenceEvent.objects.get(event="participant-leave")
    assert leave.outcome.startswith("consulted person's line left")


def test_the_agents_line_dropping_during_the_consult_leaves_the_caller_with_the_iso(
    fake_twilio, spanish_csr, iso, make_staff
):
    contact = _on_a_call_in_conference(spanish_csr)
    consult = services.contact_consult_start(
        context=AuditContext(actor=spanish_csr), user=spanish_csr, contact_id=contact.pk, purpose="iso"
    )
    services.contact_answer(context=AuditContext(actor=iso), user=iso, contact_id=consult.pk)
    _send_all()
    fake_twilio.clear()

    _event(contact, "participant-leave", 4, label="agent", call_sid=AGENT_LEG_SID)
    consult.refresh_from_db()
    contact.refresh_from_db()
    assert (consult.status, consult.call_sid) == (ContactStatus.CONNECTED, CALL_SID)
    assert contact.status == ContactStatus.COMPLETED
    assert (_state(spanish_csr), _state(iso)) == (AgentStatus.WRAP_UP, AgentStatus.ON_CALL)
    _send_all()
    assert fake_twilio.requests == [  # off hold for the ISO; the dropped line is not taken out again
        Recorded("POST", f"{API}/Conferences/{CONFERENCE_SID}/Participants/caller.json", {"Hold": "false"})
    ]
    # Then the ISO's own line dropping puts the caller back at the front of the ISO's line.
    _event(contact, "participant-leave", 5, label=f"consult-{consult.pk}", call_sid=CONSULT_LEG_SID)
    consult.refresh_from_db()
    assert (consult.status, consult.queue_name, consult.consult_of) == (ContactStatus.WAITING, "tier2-en", None)
    assert _state(iso) == AgentStatus.NOT_READY
    # The next ISO meets the caller in a conference of the contact's own, not the first call's.
    _available(make_staff(Role.ISO))
    assert services.route_next(queue_name="tier2-en").contact_id == consult.pk
    consult.refresh_from_db()
    assert telephony.conference_name(consult) == f"contact-{consult.pk}-2"
    assert telephony.line_label(consult) == "agent"


def _page(client, user) -> str:
    client.force_login(user)
    return client.get(reverse("agent-console"), HTTP_ACCEPT_LANGUAGE="es").content.decode()


def test_the_console_walk_in_spanish_consult_an_iso_then_leave_the_call_to_them(fake_twilio, spanish_csr, iso, client):
    contact = _on_a_call_in_conference(spanish_csr)
    page = _page(client, spanish_csr)
    assert 'id="consult-iso">Consultar a un ISO</button>' in page
    assert 'id="consult-supervisor">Pedir un supervisor</button>' in page
    assert "hx-trigger" not in page  # on a call without a consult, nothing to follow

    response = client.post(reverse("console-consult", args=[contact.pk]), {"purpose": "iso"}, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 302
    page = _page(client, spanish_csr)
    assert "Estamos llamando a un ISO para usted." in page
    assert "Llamando a " in page and 'id="consult-cancel">Cancelar consulta</button>' in page
    assert "hx-trigger" in page  # the console follows the consult: answered or not, it says so

    consult = WaitingContact.objects.get(consult_of=contact)
    page = _page(client, iso)
    assert "le pide que se una a su llamada para consultar a un ISO." in page
    client.post(reverse("console-accept", args=[consult.pk]), HTTP_ACCEPT_LANGUAGE="es")
    page = _page(client, iso)
    assert "Se unió a la llamada de " in page and 'id="call-hold"' not in page  # the call is not theirs yet

    page = _page(client, spanish_csr)
    assert 'id="consult-join">Unir a la persona que llama</button>' in page
    assert 'id="consult-complete">Dejar la llamada al ISO</button>' in tight(page)
    client.post(reverse("console-consult-step", args=[contact.pk, "join"]), HTTP_ACCEPT_LANGUAGE="es")
    assert "están juntos en la llamada" in _page(client, spanish_csr)
    client.post(reverse("console-consult-step", args=[contact.pk, "complete"]), HTTP_ACCEPT_LANGUAGE="es")
    assert _state(spanish_csr) == AgentStatus.WRAP_UP
    assert 'id="call-hold"' in _page(client, iso)  # the call bar is the ISO's now
    assert client.post(reverse("console-consult-step", args=[contact.pk, "nothing"])).status_code == 404


def test_the_console_says_in_words_when_nobody_answered(fake_twilio, spanish_csr, iso, client):
    contact = _on_a_call_in_conference(spanish_csr)
    client.force_login(spanish_csr)
    client.post(reverse("console-consult", args=[contact.pk]), {"purpose": "iso"})
    consult = WaitingContact.objects.get(consult_of=contact)
    services.offer_decline(context=AuditContext(actor=iso), user=iso, contact_id=consult.pk)
    page = _page(client, spanish_csr)
    assert 'role="status" data-consult-unanswered' in page
    assert "no contestó: la persona que llama vuelve a estar en la línea con usted, fuera de espera." in page

    # With nobody left to ask, the refusal is said in words too, and the caller is not put on hold.
    client.post(reverse("console-consult", args=[contact.pk]), {"purpose": "supervisor"}, HTTP_ACCEPT_LANGUAGE="es")
    page = _page(client, spanish_csr)
    assert "No hay ningún supervisor disponible ahora" in page


def test_the_api_consult_actions_call_the_same_services(fake_twilio, spanish_csr, iso, client, make_staff):
    contact = _on_a_call_in_conference(spanish_csr)
    client.force_login(spanish_csr)
    url = reverse("api-contact-consult", args=[contact.pk])
    response = client.post(url, {"purpose": "iso"}, content_type="application/json")
    assert response.status_code == 200
    body = response.json()
    assert (body["consult_status"], body["on_hold"], body["consulted"]) == ("offered", True, iso.username)
    assert client.post(url, {"purpose": "anyone"}, content_type="application/json").status_code == 400

    services.contact_answer(context=AuditContext(actor=iso), user=iso, contact_id=body["consult_id"])
    response = client.post(reverse("api-contact-consult-join", args=[contact.pk]))
    assert response.status_code == 200 and response.json()["on_hold"] is False
    response = client.post(reverse("api-contact-consult-complete", args=[contact.pk]))
    assert response.status_code == 200
    assert (response.json()["contact_id"], response.json()["holder_id"]) == (contact.pk, body["consult_id"])
    response = client.post(reverse("api-contact-consult-cancel", args=[contact.pk]))
    assert response.status_code == 400  # the call is no longer the CSR's

    stranger = make_staff(Role.CSR)
    client.force_login(stranger)
    assert client.post(url, {"purpose": "iso"}, content_type="application/json").status_code == 400
    client.force_login(make_staff(Role.CAO_ANALYST))
    assert client.post(url, {"purpose": "iso"}, content_type="application/json").status_code == 403


def test_the_consulted_persons_own_line_joins_the_same_conference_with_its_own_label(fake_twilio, spanish_csr, iso):
    contact = _on_a_call_in_conference(spanish_csr)
    consult = services.contact_consult_start(
        context=AuditContext(actor=spanish_csr), user=spanish_csr, contact_id=contact.pk, purpose="iso"
    )
    services.contact_answer(context=AuditContext(actor=iso), user=iso, contact_id=consult.pk)
    params = {"AccountSid": ACCOUNT, "CallSid": CONSULT_LEG_SID, "From": f"client:agent-{iso.pk}", "To": ""}
    status, body = _signed_post(reverse("ivr:agent-voice"), {**params, "contact": str(consult.pk)})
    (conference,) = ElementTree.fromstring(body).iter("Conference")
    assert status == 200 and conference.text == f"contact-{contact.pk}-1"
    assert (conference.get("participantLabel"), conference.get("endConferenceOnExit")) == (
        f"consult-{consult.pk}",
        "false",
    )


def test_the_consulted_persons_softphone_failing_gives_the_caller_back(fake_twilio, spanish_csr, iso):
    contact = _on_a_call_in_conference(spanish_csr)
    consult = services.contact_consult_start(
        context=AuditContext(actor=spanish_csr), user=spanish_csr, contact_id=contact.pk, purpose="iso"
    )
    services.agent_device_problem(context=AuditContext(actor=iso), user=iso, detail="device error 31005")
    consult.refresh_from_db()
    contact.refresh_from_db()
    assert (consult.status, consult.disposition, contact.on_hold_since) == ("cancelled", "no_answer", None)
    assert (_state(iso), AgentState.objects.get(user=iso).reason_code) == (AgentStatus.NOT_READY, "device_problem")
    assert any("not answered: device problem" in summary for summary in _audit(contact))


def test_a_supervisor_taking_the_consulted_person_off_routing_gives_the_caller_back(
    fake_twilio, spanish_csr, iso, make_staff
):
    contact = _on_a_call_in_conference(spanish_csr)
    consult = services.contact_consult_start(
        context=AuditContext(actor=spanish_csr), user=spanish_csr, contact_id=contact.pk, purpose="iso"
    )
    supervisor = make_staff(Role.SUPERVISOR)
    services.agent_state_force(
        context=AuditContext(actor=supervisor),
        user=supervisor,
        agent_id=iso.pk,
        state="not_ready",
        reason_code="training",
        reason="coaching session",
    )
    consult.refresh_from_db()
    contact.refresh_from_db()
    # Never put in a queue for someone else: the asking agent has the caller back, off hold.
    assert (consult.status, consult.disposition, contact.on_hold_since) == ("cancelled", "no_answer", None)
    assert (_state(iso), _state(spanish_csr)) == (AgentStatus.NOT_READY, AgentStatus.ON_CALL)
    assert any("not answered: the supervisor changed the agent's state" in s for s in _audit(contact))


def test_the_consulted_person_ending_their_part_leaves_the_caller_with_the_agent(fake_twilio, spanish_csr, iso, client):
    contact = _on_a_call_in_conference(spanish_csr)
    consult = services.contact_consult_start(
        context=AuditContext(actor=spanish_csr), user=spanish_csr, contact_id=contact.pk, purpose="iso"
    )
    services.contact_answer(context=AuditContext(actor=iso), user=iso, contact_id=consult.pk)
    _send_all()
    fake_twilio.clear()

    services.contact_end(context=AuditContext(actor=iso), user=iso, contact_id=consult.pk)
    consult.refresh_from_db()
    contact.refresh_from_db()
    assert consult.status == ContactStatus.COMPLETED and _state(iso) == AgentStatus.WRAP_UP
    assert contact.status == ContactStatus.CONNECTED and contact.on_hold_since is None
    assert _state(spanish_csr) == AgentStatus.ON_CALL
    _send_all()
    assert fake_twilio.requests == [  # only the ISO's line leaves; the conference goes on
        Recorded("DELETE", f"{API}/Conferences/{CONFERENCE_SID}/Participants/consult-{consult.pk}.json", {}),
        Recorded("POST", f"{API}/Conferences/{CONFERENCE_SID}/Participants/caller.json", {"Hold": "false"}),
    ]
    page = _page(client, spanish_csr)
    assert 'role="status" data-consult-ended' in page and "La consulta con " in page
    assert 'id="consult-iso"' in page  # another consult may be asked


def test_a_consult_is_no_caller_in_the_consulted_persons_queue_figures(fake_twilio, spanish_csr, iso):
    """The ISO's queue counts the callers who waited in it: a consult rings an ISO into an agent's
    call and leaves the queue's service level, speed of answer and counts alone — live, in the
    rollups and read back from the contacts alike."""
    contact = _on_a_call_in_conference(spanish_csr)
    before = {row.name: row for row in selectors.queue_stats()}
    consult = services.contact_consult_start(
        context=AuditContext(actor=spanish_csr), user=spanish_csr, contact_id=contact.pk, purpose="iso"
    )
    queue = consult.queue_name
    assert queue.startswith("tier2")
    live = {row.name: row for row in selectors.queue_stats()}[queue]
    assert (live.waiting, live.offered) == (before[queue].waiting, before[queue].offered) == (0, 0)

    services.contact_answer(context=AuditContext(actor=iso), user=iso, contact_id=consult.pk)
    today = timezone.localdate()
    assert {row.name: row for row in selectors.queue_stats()}[queue].answered == 0
    for read_back in ("contacts", "rollups"):
        if read_back == "rollups":
            services.queue_rollups_dirty_refresh()  # recounted into the rollups
        history = selectors.queue_history(start=today, end=today)
        assert [row["queue_name"] for row in history] == [contact.queue_name], read_back
    assert sum(row["queued"] for row in selectors.contacts_by_hour(day=today)) == 1  # the caller alone
