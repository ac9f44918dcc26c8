"""Issue 13's walk, whole, through Twilio's REST API (the fake of tests/fake_twilio.py) and its signed
conference callbacks: a Spanish caller reaches a Spanish CSR, who accepts, holds, consults an ISO who
joins, and leaves the call to the ISO; a supervisor listens and then whispers to the ISO; the caller
hangs up; the ISO's after-call work ends by itself. The wallboard, the receipt number's history and
the audit log show every step."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from contactcenter import selectors, services
from contactcenter.audit.context import AuditContext
from contactcenter.models import AgentState, AgentStatus, AuditEvent, CallControl, ContactStatus, MonitorSession
from contactcenter.staff.roles import Role
from tests.contactcenter.test_conference import (
    AGENT_LEG_SID,
    API,
    CALL_SID,
    CONFERENCE_SID,
    _connected,
    _event,
    _send_all,
)
from tests.fake_twilio import Recorded
from tests.ivr.conftest import reference  # noqa: F401 - the fixture: the IVR reads the reference data

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def _state(user) -> str:
    return AgentState.objects.get(user=user).state


def _summaries(*contacts) -> list[str]:
    return list(
        AuditEvent.objects.filter(
            target_type="contactcenter.waitingcontact", target_id__in=[str(c.pk) for c in contacts]
        )
        .order_by("id")
        .values_list("summary", flat=True)
    )


def test_the_spanish_callers_walk_csr_hold_iso_consult_warm_transfer_supervisor_whisper_hang_up(
    fake_twilio, make_staff
):
    csr = make_staff(Role.CSR, first_name="Ana", last_name="Pérez")
    csr.staff_profile.languages = ["es", "en"]
    csr.staff_profile.save()
    iso = make_staff(Role.ISO, first_name="Luis", last_name="Gómez")
    supervisor = make_staff(Role.SUPERVISOR, first_name="Sofía", last_name="Ruiz")
    services.agent_state_set(context=AuditContext(actor=iso), user=iso, state="available")

    # The CSR's console rings; she accepts: the caller is put through with the recording notice,
    # and the phone network rings her browser into the contact's conference.
    contact = _connected(csr)
    controls = _send_all()
    assert [control.action for control in controls] == ["connect_agent", "dial_agent"]
    assert controls[1].target == f"client:agent-{csr.pk}"
    _event(contact, "conference-start", 1)
    _event(contact, "participant-join", 2, label="caller", call_sid=CALL_SID)
    _event(contact, "participant-join", 3, label="agent", call_sid=AGENT_LEG_SID)
    (record,) = _send_all()
    assert record.action == "record_start"

    # She puts the caller on hold (music in Spanish), then consults an ISO.
    fake_twilio.clear()
    csr_context, iso_context = AuditContext(actor=csr), AuditContext(actor=iso)
    services.contact_hold(context=csr_context, user=csr, contact_id=contact.pk, hold=True)
    _send_all()
    assert fake_twilio.requests[-1] == Recorded(
        "POST",
        f"{API}/Conferences/{CONFERENCE_SID}/Participants/caller.json",
        {"Hold": "true", "HoldUrl": "https://ncsc.test/ivr/conference/hold/?l=es", "HoldMethod": "POST"},
    )
    consult = services.contact_consult_start(context=csr_context, user=csr, contact_id=contact.pk, purpose="iso")
    assert (consult.offered_to, _state(iso)) == (iso, AgentStatus.OFFERED)
    services.contact_answer(context=iso_context, user=iso, contact_id=consult.pk)
    (dial,) = [c for c in _send_all() if c.action == "consult_dial"]
    iso_leg = dial.provider_sid
    assert iso_leg.startswith("CA")
    _event(contact, "participant-join", 4, label=f"consult-{consult.pk}", call_sid=iso_leg)

    # She leaves the ISO with the caller (a warm transfer) and wraps up.
    services.contact_consult_join(context=csr_context, user=csr, contact_id=contact.pk)
    services.contact_consult_complete(context=csr_context, user=csr, contact_id=contact.pk)
    _send_all()
    _event(contact, "participant-leave", 5, label="agent", call_sid=AGENT_LEG_SID)
    consult.refresh_from_db()
    assert (consult.status, consult.call_sid, _state(csr), _state(iso)) == (
        ContactStatus.CONNECTED,
        CALL_SID,
        AgentStatus.WRAP_UP,
        AgentStatus.ON_CALL,
    )
    # The wallboard's live monitor shows the ISO on the call.
    board = {agent.user_id: agent.state for agent in selectors.agents_signed_on()}
    assert board[iso.pk] == AgentStatus.ON_CALL

    # A supervisor listens, then whispers to the ISO: coaching the ISO's own leg.
    fake_twilio.clear()
    supervisor_context = AuditContext(actor=supervisor)
    services.monitor_listen(context=supervisor_context, user=supervisor, contact_id=consult.pk)
    _send_all()
    services.monitor_whisper(context=supervisor_context, user=supervisor, contact_id=consult.pk)
    _send_all()
    label = f"monitor-agent-{supervisor.pk}"
    join, whisper = fake_twilio.requests
    assert (join.method, join.path) == ("POST", f"{API}/Conferences/{CONFERENCE_SID}/Participants.json")
    assert (join.params["Label"], join.params["Coaching"], join.params["CallSidToCoach"]) == (label, "true", iso_leg)
    assert whisper == Recorded(
        "POST",
        f"{API}/Conferences/{CONFERENCE_SID}/Participants/{label}.json",
        {"Coaching": "true", "Muted": "false", "CallSidToCoach": iso_leg},
    )

    # The caller hangs up: the ISO's conversation ends, the supervisor's session with it.
    _event(contact, "participant-leave", 6, label="caller", call_sid=CALL_SID)
    consult.refresh_from_db()
    assert (consult.status, _state(iso)) == (ContactStatus.COMPLETED, AgentStatus.WRAP_UP)
    assert not MonitorSession.objects.filter(ended_at__isnull=True).exists()

    # The ISO's after-call work ends by itself at the queue's after-call time.
    later = timezone.now() + timedelta(hours=1)
    assert services.wrap_ups_expire(now=later) >= 1
    assert _state(iso) == AgentStatus.AVAILABLE

    # The receipt number's history shows both conversations, and the audit log every step.
    history = {
        row.handled_by_id
        for row in selectors.interactions_for_receipt_number(user=supervisor, receipt_number="EAC2190000001")
    }
    assert {csr.pk, iso.pk} <= history
    steps = _summaries(contact, consult)
    for expected in (
        "Caller put on hold",
        "Warm transfer to",
        f"Supervisor {supervisor.username} on the call of {iso.username}",
        "whispering to the agent",
    ):
        assert any(expected in step for step in steps), (expected, steps)
    assert CallControl.objects.filter(status="failed").count() == 0


@pytest.mark.usefixtures("reference")
def test_the_same_walk_without_an_account_the_simulators_caller_hanging_up_ends_the_isos_call(
    make_staff, at_time, settings
):
    """TELEPHONY_BACKEND=local: no conference callbacks. The simulator's caller hanging up (Twilio's
    signed 'completed' status) ends the call left to the ISO, the supervisor's listening and any
    consult, and the ISO's after-call work then ends by itself."""
    from ivr.simulator import SimulatedCall
    from tests.ivr.conftest import WEEKDAY_7PM_EASTERN

    assert settings.TELEPHONY_BACKEND == "local"
    csr = make_staff(Role.CSR)
    csr.staff_profile.languages = ["es", "en"]
    csr.staff_profile.save()
    iso = make_staff(Role.ISO)
    supervisor = make_staff(Role.SUPERVISOR)
    csr_context, iso_context = AuditContext(actor=csr), AuditContext(actor=iso)
    with at_time(WEEKDAY_7PM_EASTERN):  # 4 p.m. in Los Angeles
        call = SimulatedCall(from_number="+12135550142")
        call.start()
        call.press("2")  # español
        assert call.press("0").enqueue["name"] == "tier1-es"
        services.agent_state_set(context=csr_context, user=csr, state="available")
        services.agent_state_set(context=iso_context, user=iso, state="available")
        contact = selectors.waiting_contact_for_call(call_sid=call.call_sid)
        assert services.route_next(queue_name="tier1-es").contact_id == contact.pk
        services.contact_answer(context=csr_context, user=csr, contact_id=contact.pk)
        services.contact_hold(context=csr_context, user=csr, contact_id=contact.pk, hold=True)
        consult = services.contact_consult_start(context=csr_context, user=csr, contact_id=contact.pk, purpose="iso")
        services.contact_answer(context=iso_context, user=iso, contact_id=consult.pk)
        services.contact_consult_complete(context=csr_context, user=csr, contact_id=contact.pk)
        services.monitor_listen(context=AuditContext(actor=supervisor), user=supervisor, contact_id=consult.pk)
        services.monitor_whisper(context=AuditContext(actor=supervisor), user=supervisor, contact_id=consult.pk)
        assert (_state(csr), _state(iso)) == (AgentStatus.WRAP_UP, AgentStatus.ON_CALL)

        assert call.hang_up().status == 200
        consult.refresh_from_db()
        assert (consult.status, _state(iso)) == (ContactStatus.COMPLETED, AgentStatus.WRAP_UP)
        assert not MonitorSession.objects.filter(ended_at__isnull=True).exists()
        assert services.wrap_ups_expire(now=timezone.now() + timedelta(hours=1)) == 2  # the CSR's and the ISO's
        assert (_state(csr), _state(iso)) == (AgentStatus.AVAILABLE, AgentStatus.AVAILABLE)
