"""An accepted call whose agent's line never joins the conference: after AGENT_JOIN_TIMEOUT_SECONDS the
caller goes back to the front of the line with what was gathered, and the agent to not ready with the
device-problem reason (the beat task `contactcenter.agent_joins_expire`). Against Postgres and the fake
Twilio API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from contactcenter import selectors, services
from contactcenter.models import (
    AgentState,
    AgentStateChange,
    AgentStatus,
    AuditEvent,
    CallControl,
    ContactStatus,
    WaitingContact,
)
from contactcenter.staff.roles import Role
from contactcenter.telephony import gateway as telephony
from tests.contactcenter.test_conference import (
    AGENT_LEG_SID,
    API,
    CALL_SID,
    EARLIER_SID,
    _connected,
    _enqueue,
    _event,
    _send_all,
)

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture
def spanish_csr(make_staff):
    user = make_staff(Role.CSR)
    user.staff_profile.languages = ["es", "en"]
    user.staff_profile.save()
    return user


def _later(seconds: int):
    return timezone.now() + timedelta(seconds=seconds)


def test_a_line_that_never_joins_puts_the_caller_first_in_line_and_the_agent_not_ready(fake_twilio, spanish_csr):
    contact = _connected(spanish_csr)
    earlier = _enqueue(EARLIER_SID)
    WaitingContact.objects.filter(pk=earlier.pk).update(enqueued_at=contact.enqueued_at - timedelta(minutes=5))
    _send_all()
    _event(contact, "conference-start", 1)
    _event(contact, "participant-join", 2, label="caller", call_sid=CALL_SID)

    assert services.agent_joins_expire(now=_later(25)) == 0  # still within the limit
    assert services.agent_joins_expire(now=_later(31)) == 1
    assert services.agent_joins_expire(now=_later(45)) == 0  # the next beat: nothing more to do

    contact.refresh_from_db()
    assert (contact.status, contact.offered_to, contact.conference_sid) == (ContactStatus.WAITING, None, "")
    assert contact.receipt_numbers == ["EAC2190000001"] and contact.ivr_path == ["language:es", "menu:agent"]
    assert selectors.queue_position(contact=contact)[0] == 1
    agent = AgentState.objects.get(user=spanish_csr)
    assert (agent.state, agent.reason_code) == (AgentStatus.NOT_READY, "device_problem")
    change = AgentStateChange.objects.filter(agent=spanish_csr).first()
    assert change.reason == "the agent's line never joined the call"
    assert AuditEvent.objects.filter(
        target_type="contactcenter.waitingcontact",
        target_id=str(contact.pk),
        summary__startswith="The agent's line never joined the call; caller back at the front of tier1-es",
    ).exists()

    fake_twilio.clear()
    (control,) = _send_all()
    assert (control.action, control.target, control.status) == ("requeue", "tier1-es", "done")
    (request,) = fake_twilio.requests
    assert request.path == f"{API}/Calls/{CALL_SID}.json" and ">tier1-es</Enqueue>" in request.params["Twiml"]
    assert "usted vuelve al primer lugar de la fila" in request.params["Twiml"]


def test_a_line_that_joined_is_left_on_the_call(fake_twilio, spanish_csr):
    contact = _connected(spanish_csr)
    _send_all()
    _event(contact, "conference-start", 1)
    _event(contact, "participant-join", 2, label="agent", call_sid=AGENT_LEG_SID)
    assert services.agent_joins_expire(now=_later(600)) == 0
    assert WaitingContact.objects.get(pk=contact.pk).status == ContactStatus.CONNECTED
    assert AgentState.objects.get(user=spanish_csr).state == AgentStatus.ON_CALL


def test_the_limit_counts_from_the_callers_move_when_twilio_was_slow(fake_twilio, spanish_csr):
    contact = _connected(spanish_csr)
    services.call_control_send(control_id=CallControl.objects.get(contact=contact, action="dial_agent").pk)
    control = CallControl.objects.get(contact=contact, action="connect_agent")
    fake_twilio.fail_next(1)
    with pytest.raises(telephony.TelephonyError):
        services.call_control_send(control_id=control.pk)
    # Twilio still failing: not the agent's line, so nothing is done however long it takes.
    assert services.agent_joins_expire(now=_later(120)) == 0
    services.call_control_send(control_id=control.pk)
    control.refresh_from_db()
    CallControl.objects.filter(pk=control.pk).update(done_at=control.done_at + timedelta(seconds=60))
    assert services.agent_joins_expire(now=_later(75)) == 0  # 15 s after the caller's move
    assert services.agent_joins_expire(now=_later(95)) == 1


def test_the_local_backend_and_a_zero_limit_never_requeue(settings, spanish_csr):
    settings.TELEPHONY_BACKEND = "local"
    contact = _connected(spanish_csr)
    _send_all()
    assert services.agent_joins_expire(now=_later(600)) == 0  # no conference callbacks come from it

    settings.AGENT_JOIN_TIMEOUT_SECONDS = 0
    CallControl.objects.filter(contact=contact).update(backend="twilio")
    assert services.agent_joins_expire(now=_later(600)) == 0
    settings.AGENT_JOIN_TIMEOUT_SECONDS = 30
    assert services.agent_joins_expire(now=_later(600)) == 1


def test_the_beat_runs_the_task(settings):
    from contactcenter import tasks
    from contactcenter.celery import app

    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "contactcenter.agent_joins_expire")
    assert entry["schedule"] <= 15
    assert "contactcenter.agent_joins_expire" in app.tasks
    assert tasks.agent_joins_expire() == 0
