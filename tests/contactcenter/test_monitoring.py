"""Supervisors on live calls from the wallboard: listen, whisper, barge and leave are Twilio
conference participant calls (coaching the agent's leg), each audited; force-state takes an agent
out of the routing with a reason, never off a call; the live monitor shows every agent's call and
its hold; queue alerts are raised from the thresholds.

Twilio's REST API is the fake HTTP server of tests/fake_twilio.py: the tests assert the exact REST
calls a real account would receive."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from contactcenter import services
from contactcenter.audit.context import AuditContext
from contactcenter.common.errors import ApplicationError
from contactcenter.models import (
    AgentState,
    AgentStatus,
    AuditEvent,
    CallControl,
    ContactStatus,
    MonitorSession,
    QueueConfig,
    WaitingContact,
)
from contactcenter.staff.roles import Role
from tests.contactcenter.test_conference import (
    AGENT_LEG_SID,
    API,
    CALL_SID,
    CONFERENCE_SID,
    _connected,
    _enqueue,
    _event,
    _send_all,
)
from tests.fake_twilio import Recorded

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def spanish_csr(make_staff):
    user = make_staff(Role.CSR, first_name="Ana", last_name="Pérez")
    user.staff_profile.languages = ["es", "en"]
    user.staff_profile.save()
    return user


@pytest.fixture
def supervisor(make_staff):
    return make_staff(Role.SUPERVISOR, first_name="Sofía", last_name="Ruiz")


def _in_conference(contact, *, agent_joined: bool = True) -> None:
    _send_all()
    assert _event(contact, "conference-start", 1)[0] == 204
    if agent_joined:
        assert _event(contact, "participant-join", 2, label="agent", call_sid=AGENT_LEG_SID)[0] == 204
        _send_all()  # the recording the agent's join starts


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_listen_whisper_barge_and_leave_are_the_exact_participant_calls(fake_twilio, spanish_csr, supervisor):
    contact = _connected(spanish_csr)
    _in_conference(contact)
    fake_twilio.clear()
    context = AuditContext(actor=supervisor)
    label = f"monitor-agent-{supervisor.pk}"
    participant = f"{API}/Conferences/{CONFERENCE_SID}/Participants/{label}.json"

    session = services.monitor_listen(context=context, user=supervisor, contact_id=contact.pk)
    services.monitor_listen(context=context, user=supervisor, contact_id=contact.pk)  # pressed twice
    assert (session.mode, session.agent_id, session.conference) == ("listen", spanish_csr.pk, f"contact-{contact.pk}-1")
    (join,) = _send_all()
    assert (join.action, join.target, join.call_sid, join.status) == (
        "monitor_join",
        f"agent-{supervisor.pk}",
        AGENT_LEG_SID,
        "done",
    )
    assert fake_twilio.requests == [
        Recorded(
            "POST",
            f"{API}/Conferences/{CONFERENCE_SID}/Participants.json",
            {
                "From": "+18003755283",
                "To": f"client:agent-{supervisor.pk}",
                "Label": label,
                "Beep": "false",
                "EndConferenceOnExit": "false",
                "Coaching": "true",
                "Muted": "true",
                "CallSidToCoach": AGENT_LEG_SID,
            },
        )
    ]

    fake_twilio.clear()
    assert services.monitor_whisper(context=context, user=supervisor, contact_id=contact.pk).mode == "whisper"
    _send_all()
    assert services.monitor_barge(context=context, user=supervisor, contact_id=contact.pk).mode == "barge"
    _send_all()
    assert services.monitor_listen(context=context, user=supervisor, contact_id=contact.pk).mode == "listen"
    _send_all()
    assert services.monitor_leave(context=context, user=supervisor, contact_id=contact.pk) is not None
    _send_all()
    assert fake_twilio.requests == [
        Recorded("POST", participant, {"Coaching": "true", "Muted": "false", "CallSidToCoach": AGENT_LEG_SID}),
        Recorded("POST", participant, {"Coaching": "false", "Muted": "false"}),
        Recorded("POST", participant, {"Coaching": "true", "Muted": "true", "CallSidToCoach": AGENT_LEG_SID}),
        Recorded("DELETE", participant, {}),
    ]
    assert not MonitorSession.objects.filter(ended_at__isnull=True).exists()
    summaries = list(
        AuditEvent.objects.filter(
            actor=supervisor, target_type="contactcenter.waitingcontact", target_id=str(contact.pk)
        )
        .order_by("id")
        .values_list("summary", "detail")
    )
    who = f"Supervisor {supervisor.username} on the call of {spanish_csr.username} (tier1-es)"
    assert [summary for summary, _detail in summaries] == [
        f"{who}: joined, listening",
        f"{who}: whispering to the agent",
        f"{who}: barged in (caller and agent hear)",
        f"{who}: listening",
        f"{who}: left",
    ]
    assert [detail["mode"] for _summary, detail in summaries] == ["listen", "whisper", "barge", "listen", "listen"]
    # The caller's call itself was never touched.
    contact.refresh_from_db()
    assert contact.status == ContactStatus.CONNECTED and contact.call_sid == CALL_SID


def test_whisper_without_listening_first_joins_then_whispers(fake_twilio, spanish_csr, supervisor):
    contact = _connected(spanish_csr)
    _in_conference(contact, agent_joined=False)  # no callback named the agent's leg yet
    fake_twilio.clear()
    services.monitor_whisper(context=AuditContext(actor=supervisor), user=supervisor, contact_id=contact.pk)
    assert [c.action for c in _send_all()] == ["monitor_join", "monitor_whisper"]
    agent = f"{API}/Conferences/{CONFERENCE_SID}/Participants/agent.json"
    fetched = "CA" + f"{900 + len('agent'):032d}"  # the fake's sid for the participant labelled agent
    assert [(r.method, r.path) for r in fake_twilio.requests] == [
        ("GET", agent),
        ("POST", f"{API}/Conferences/{CONFERENCE_SID}/Participants.json"),
        ("GET", agent),
        ("POST", f"{API}/Conferences/{CONFERENCE_SID}/Participants/monitor-agent-{supervisor.pk}.json"),
    ]
    assert fake_twilio.requests[1].params["CallSidToCoach"] == fetched
    assert fake_twilio.requests[3].params == {"Coaching": "true", "Muted": "false", "CallSidToCoach": fetched}


def test_a_csr_cannot_listen_and_nobody_joins_a_call_that_is_not_live(fake_twilio, spanish_csr, supervisor, make_staff):
    contact = _connected(spanish_csr)
    other_csr = make_staff(Role.CSR)
    with pytest.raises(ApplicationError, match="Only a supervisor"):
        services.monitor_listen(context=AuditContext(actor=other_csr), user=other_csr, contact_id=contact.pk)
    client = _signed_in(other_csr)
    assert client.post(reverse("wallboard-monitor", args=[contact.pk]), {"mode": "listen"}).status_code == 403
    api = reverse("api-monitor", args=[contact.pk])
    assert client.post(api, {"mode": "listen"}, content_type="application/json").status_code == 403
    assert client.get(reverse("api-live-calls")).status_code == 403

    waiting = _enqueue("CA" + "7" * 32)
    with pytest.raises(ApplicationError, match="no longer connected"):
        services.monitor_listen(context=AuditContext(actor=supervisor), user=supervisor, contact_id=waiting.pk)
    assert not MonitorSession.objects.exists()
    assert not CallControl.objects.filter(action__startswith="monitor_").exists()


def test_the_api_listens_and_leaves(fake_twilio, spanish_csr, supervisor):
    contact = _connected(spanish_csr)
    client = _signed_in(supervisor)
    url = reverse("api-monitor", args=[contact.pk])
    body = client.post(url, {"mode": "listen"}, content_type="application/json").json()
    assert (body["contact_id"], body["mode"], body["ended_at"]) == (contact.pk, "listen", None)
    (call,) = client.get(reverse("api-live-calls")).json()
    assert (call["contact_id"], call["agent"], call["queue_name"], call["language"]) == (
        contact.pk,
        spanish_csr.username,
        "tier1-es",
        "es",
    )
    assert call["on_hold_since"] is None and call["answered_at"] is not None
    assert call["supervisors"] == [{"username": supervisor.username, "mode": "listen"}]
    assert "phone" not in call
    assert client.post(url, {"mode": "shout"}, content_type="application/json").status_code == 400
    body = client.post(url, {"mode": "leave"}, content_type="application/json").json()
    assert body["mode"] is None and body["ended_at"] is not None
    event = AuditEvent.objects.filter(actor=supervisor, summary__contains="joined, listening").get()
    assert event.channel == "api"


def test_the_supervisors_leg_leaving_ends_the_session_and_never_requeues_the_caller(
    fake_twilio, spanish_csr, supervisor
):
    contact = _connected(spanish_csr)
    _in_conference(contact)
    services.monitor_listen(context=AuditContext(actor=supervisor), user=supervisor, contact_id=contact.pk)
    _send_all()
    supervisor_leg = "CA" + "8" * 32
    label = f"monitor-agent-{supervisor.pk}"
    assert _event(contact, "participant-join", 3, label=label, call_sid=supervisor_leg)[0] == 204
    assert _event(contact, "participant-leave", 4, label=label, call_sid=supervisor_leg)[0] == 204
    contact.refresh_from_db()
    assert contact.status == ContactStatus.CONNECTED and contact.offered_to_id == spanish_csr.pk
    assert AgentState.objects.get(user=spanish_csr).state == AgentStatus.ON_CALL
    assert MonitorSession.objects.get().ended_at is not None


def test_the_caller_hanging_up_ends_every_supervisors_session(fake_twilio, spanish_csr, supervisor):
    contact = _connected(spanish_csr)
    _in_conference(contact)
    services.monitor_listen(context=AuditContext(actor=supervisor), user=supervisor, contact_id=contact.pk)
    _event(contact, "participant-leave", 5, label="caller", call_sid=CALL_SID)
    assert MonitorSession.objects.get().ended_at is not None
    contact.refresh_from_db()
    assert contact.status == ContactStatus.COMPLETED


def test_joining_another_call_leaves_the_first(fake_twilio, spanish_csr, supervisor, make_staff):
    first = _connected(spanish_csr)
    context = AuditContext(actor=supervisor)
    services.monitor_listen(context=context, user=supervisor, contact_id=first.pk)
    english = make_staff(Role.CSR)
    services.agent_state_set(context=AuditContext(actor=english), user=english, state="available")
    second = services.contact_enqueue(
        context=AuditContext.system(),
        phone="+12135550143",
        language="en",
        caller_time_zone="America/Los_Angeles",
        call_sid="CA" + "9" * 32,
    )
    assert services.route_next(queue_name="tier1-en").contact_id == second.pk
    services.contact_answer(context=AuditContext(actor=english), user=english, contact_id=second.pk)
    services.monitor_listen(context=context, user=supervisor, contact_id=second.pk)
    sessions = list(MonitorSession.objects.order_by("id").values_list("contact_id", "ended_at"))
    assert sessions[0][0] == first.pk and sessions[0][1] is not None
    assert sessions[1] == (second.pk, None)
    actions = list(
        CallControl.objects.filter(action__startswith="monitor_").order_by("id").values_list("action", "contact_id")
    )
    assert actions == [("monitor_join", first.pk), ("monitor_leave", first.pk), ("monitor_join", second.pk)]


# --- force-state ---------------------------------------------------------------------------------
def test_a_supervisor_sets_an_agent_not_ready_with_a_reason(spanish_csr, supervisor):
    services.agent_state_set(context=AuditContext(actor=spanish_csr), user=spanish_csr, state="available")
    context = AuditContext(actor=supervisor)
    with pytest.raises(ApplicationError, match="Choose the not-ready reason"):
        services.agent_state_force(
            context=context, user=supervisor, agent_id=spanish_csr.pk, state="not_ready", reason="coaching"
        )
    with pytest.raises(ApplicationError, match="Say why"):
        services.agent_state_force(
            context=context,
            user=supervisor,
            agent_id=spanish_csr.pk,
            state="not_ready",
            reason_code="training",
            reason=" ",
        )
    agent = services.agent_state_force(
        context=context,
        user=supervisor,
        agent_id=spanish_csr.pk,
        state="not_ready",
        reason_code="training",
        reason="coaching session at 10",
    )
    assert (agent.state, agent.reason_code) == ("not_ready", "training")
    change = agent.user.agent_state_changes.first()
    assert change.reason == f"set by supervisor {supervisor.username}: coaching session at 10"
    event = AuditEvent.objects.get(actor=supervisor, target_type="contactcenter.agentstate", target_id=str(agent.pk))
    assert "[training]" in event.summary


def test_forcing_an_offered_agent_puts_the_offer_back_in_line(spanish_csr, supervisor):
    services.agent_state_set(context=AuditContext(actor=spanish_csr), user=spanish_csr, state="available")
    contact = _enqueue(CALL_SID)
    assert services.route_next(queue_name="tier1-es").contact_id == contact.pk
    services.agent_state_force(
        context=AuditContext(actor=supervisor),
        user=supervisor,
        agent_id=spanish_csr.pk,
        state="offline",
        reason="left for the day",
    )
    contact.refresh_from_db()
    assert (contact.status, contact.offered_to_id) == (ContactStatus.WAITING, None)
    assert AgentState.objects.get(user=spanish_csr).state == AgentStatus.OFFLINE
    with pytest.raises(ApplicationError, match="signed on"):  # an offline agent is not signed on again
        services.agent_state_force(
            context=AuditContext(actor=supervisor), user=supervisor, agent_id=spanish_csr.pk, state="break", reason="x"
        )


def test_an_agent_on_a_call_cannot_be_forced_off_it(fake_twilio, spanish_csr, supervisor, make_staff):
    contact = _connected(spanish_csr)
    with pytest.raises(ApplicationError, match="is on a call: a supervisor cannot take an agent off a call"):
        services.agent_state_force(
            context=AuditContext(actor=supervisor),
            user=supervisor,
            agent_id=spanish_csr.pk,
            state="offline",
            reason="end of shift",
        )
    assert AgentState.objects.get(user=spanish_csr).state == AgentStatus.ON_CALL
    assert WaitingContact.objects.get(pk=contact.pk).status == ContactStatus.CONNECTED
    # The API says so in words; a CSR may not force anyone.
    client = _signed_in(supervisor)
    url = reverse("api-agent-state-force", args=[spanish_csr.pk])
    response = client.post(url, {"state": "offline", "reason": "end"}, content_type="application/json")
    assert response.status_code == 400 and "cannot take an agent off a call" in response.json()["message"]
    csr = _signed_in(make_staff(Role.CSR))
    assert csr.post(url, {"state": "offline", "reason": "end"}, content_type="application/json").status_code == 403
    assert csr.post(reverse("wallboard-agent-state"), {"agent": spanish_csr.pk}).status_code == 403


# --- the wallboard ---------------------------------------------------------------------------------
def test_the_live_monitor_shows_each_call_with_its_hold_and_the_buttons(fake_twilio, spanish_csr, supervisor):
    contact = _connected(spanish_csr)
    services.contact_hold(context=AuditContext(actor=spanish_csr), user=spanish_csr, contact_id=contact.pk, hold=True)
    WaitingContact.objects.filter(pk=contact.pk).update(
        answered_at=timezone.now() - timedelta(minutes=3, seconds=5),
        on_hold_since=timezone.now() - timedelta(seconds=42),
    )
    cache.clear()
    client = _signed_in(supervisor)
    page = client.get(reverse("wallboard-live"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    row = page.split(f'data-call="{contact.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "Ana Pérez" in row and "tier1-es" in row and "Español" in row
    assert '<td class="text-right" data-figure="talk">3 min 5 s</td>' in row
    assert "En espera</span> 42 s" in row
    assert f'id="monitor-{contact.pk}-listen">Escuchar' in row
    assert f'id="monitor-{contact.pk}-whisper">Susurrar' in row
    assert f'id="monitor-{contact.pk}-barge">Intervenir' in row
    assert "+12135550142" not in page  # no caller's number on the wallboard

    # Listen, sent in place (htmx): the live part comes back with the supervisor in the call and the
    # message for the page's status region; the poll then shows the same.
    response = client.post(reverse("wallboard-monitor", args=[contact.pk]), {"mode": "listen"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200
    assert f'data-monitor-ring="{contact.pk}" data-monitor-mode="listen"' in page
    assert f'id="monitor-{contact.pk}-listen" aria-pressed="true"' in page
    assert f'id="monitor-{contact.pk}-leave"' in page
    assert 'id="wallboard-feedback" hx-swap-oob="innerHTML"' in page and "You are listening: no one hears you." in page
    cache.clear()
    page = client.get(reverse("wallboard-live")).content.decode()
    assert f'data-monitor-ring="{contact.pk}"' in page and "Sofía Ruiz (listening)" in page

    # Without JavaScript the form posts and comes back to the page, with the message.
    response = client.post(reverse("wallboard-monitor", args=[contact.pk]), {"mode": "leave"})
    assert response.status_code == 302 and response.url == reverse("wallboard")
    page = client.get(reverse("wallboard")).content.decode()
    assert "You left the call." in page and 'id="monitor-phone"' in page and "js/monitor-phone.js" in page
    assert f'data-monitor-ring="{contact.pk}"' not in page


def test_the_force_state_form_on_the_wallboard(spanish_csr, supervisor):
    services.agent_state_set(context=AuditContext(actor=spanish_csr), user=spanish_csr, state="available")
    cache.clear()
    client = _signed_in(supervisor)
    page = client.get(reverse("wallboard"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert f'<option value="{spanish_csr.pk}">Ana Pérez (Disponible)</option>' in page
    assert (
        '<label class="usa-label" for="force-reason">Por qué (se registra en el registro de auditoría)</label>' in page
    )
    for spanish in (
        "Cambiar el estado de un agente",
        "Llamadas en curso",
        "Ningún agente está en una llamada.",
        "Su teléfono",
    ):
        assert spanish in page
    assert "Set an agent" not in page and "Calls now" not in page
    response = client.post(
        reverse("wallboard-agent-state"),
        {"agent": spanish_csr.pk, "state": "not_ready", "reason_code": "training", "reason": "coaching"},
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assert response.status_code == 200
    assert AgentState.objects.get(user=spanish_csr).state == AgentStatus.NOT_READY
    assert "Ana Pérez ahora está: No disponible." in response.content.decode()


def test_queue_alerts_when_the_longest_wait_or_the_service_level_crosses_the_threshold(supervisor):
    QueueConfig.objects.filter(name="tier1-en").update(service_level_seconds=30, service_level_target_percent=90)
    _enqueue("CA" + "3" * 32)  # tier1-es: within its threshold
    waiting = services.contact_enqueue(
        context=AuditContext.system(),
        phone="+12135550144",
        language="en",
        caller_time_zone="America/Los_Angeles",
        call_sid="CA" + "2" * 32,
    )
    WaitingContact.objects.filter(pk=waiting.pk).update(enqueued_at=timezone.now() - timedelta(seconds=95))
    abandoned = services.contact_enqueue(
        context=AuditContext.system(),
        phone="+12135550145",
        language="en",
        caller_time_zone="America/Los_Angeles",
        call_sid="CA" + "1" * 32,
    )
    # After 20 s: not a short abandon (5 s), so it counts against today's service level.
    services.contact_abandon(
        context=AuditContext.system(),
        call_sid=abandoned.call_sid,
        ended_at=abandoned.enqueued_at + timedelta(seconds=20),
    )
    cache.clear()
    page = _signed_in(supervisor).get(reverse("wallboard-live")).content.decode()
    assert 'data-alert="queue-wait-tier1-en"' in page
    assert "tier1-en: the longest wait (1 min 35 s) is over the service-level threshold (30 s)." in page
    assert 'data-alert="queue-sl-tier1-en"' in page
    assert "tier1-en: today&#x27;s service level (0.0%) is below the target (90%)." in page
    assert "queue-wait-tier1-es" not in page
    full = _signed_in(supervisor).get(reverse("wallboard")).content.decode()
    assert '<div class="usa-sr-only" role="alert" data-alert-announcer></div>' in full


def test_supervisors_get_a_voice_token_for_the_wallboard_phone(supervisor, settings):
    settings.TELEPHONY_BACKEND = "local"
    body = _signed_in(supervisor).get(reverse("api-voice-token")).json()
    assert body["identity"] == f"agent-{supervisor.pk}"


def test_the_local_backend_monitors_without_a_network(settings, spanish_csr, supervisor):
    settings.TELEPHONY_BACKEND = "local"
    contact = _connected(spanish_csr)
    context = AuditContext(actor=supervisor)
    services.monitor_listen(context=context, user=supervisor, contact_id=contact.pk)
    services.monitor_whisper(context=context, user=supervisor, contact_id=contact.pk)
    services.contact_end(context=AuditContext(actor=spanish_csr), user=spanish_csr, contact_id=contact.pk)
    done = _send_all()
    assert [(c.action, c.backend, c.status) for c in done] == [
        ("connect_agent", "local", "done"),
        ("monitor_join", "local", "done"),
        ("monitor_whisper", "local", "done"),
        ("end_conference", "local", "done"),
    ]
    assert MonitorSession.objects.get().ended_at is not None  # the call's end took the supervisor out


def test_leaving_a_leg_twilio_no_longer_has_is_done(fake_twilio, spanish_csr, supervisor):
    contact = _connected(spanish_csr)
    _in_conference(contact)
    context = AuditContext(actor=supervisor)
    services.monitor_listen(context=context, user=supervisor, contact_id=contact.pk)
    _send_all()
    services.monitor_leave(context=context, user=supervisor)
    fake_twilio.fail_next(1, status=404)  # the supervisor had hung up their browser already
    (leave,) = _send_all()
    assert (leave.action, leave.status, leave.provider_sid, leave.attempts) == ("monitor_leave", "done", "", 1)


def test_a_call_ended_elsewhere_no_longer_shows_the_supervisor_in_it(fake_twilio, spanish_csr, supervisor):
    contact = _connected(spanish_csr)
    services.monitor_listen(context=AuditContext(actor=supervisor), user=supervisor, contact_id=contact.pk)
    services.contact_abandon(context=AuditContext.system(), call_sid=CALL_SID)  # the call's status callback
    cache.clear()
    page = _signed_in(supervisor).get(reverse("wallboard-live")).content.decode()
    assert "data-monitor-ring" not in page and f'data-call="{contact.pk}"' not in page
    # Joining another call later leaves nothing to hang up on this one.
    services.monitor_leave(context=AuditContext(actor=supervisor), user=supervisor)
    assert not CallControl.objects.filter(action="monitor_leave").exists()
