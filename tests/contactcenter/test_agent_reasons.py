"""Not-ready reason codes: the center's list, the agent's choice on the console, the history, the wallboard."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from contactcenter import services
from contactcenter.audit.context import AuditContext
from contactcenter.common.errors import ApplicationError
from contactcenter.models import AgentState, AgentStateChange, AuditEvent, NotReadyReason
from contactcenter.staff.roles import Role


def _signed_in(user, language: str = "en") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def test_the_center_starts_with_six_reasons_in_both_languages(db):
    reasons = list(NotReadyReason.objects.order_by("order").values_list("code", "label_en", "label_es", "active"))
    assert [code for code, *_ in reasons] == [
        "break",
        "meal",
        "training",
        "meeting",
        "device_problem",
        "system_issue",
    ]
    assert ("device_problem", "Device problem", "Problema con el dispositivo", True) in reasons


def test_an_agent_goes_not_ready_for_training_from_the_console_and_the_history_keeps_the_reason(make_staff):
    csr = make_staff(Role.CSR)
    client = _signed_in(csr)
    client.post("/console/state/", {"state": "available"})
    page = client.get("/console/").content.decode()
    assert '<label class="usa-label" id="not-ready-legend" for="not-ready-reason">Not ready, because</label>' in page
    assert '<option value="training">Training</option>' in page

    page = client.post("/console/state/", {"state": "not_ready", "reason_code": "training"}, follow=True)
    text = page.content.decode()
    assert "Your status is now: Not ready: Training." in text
    assert 'data-agent-reason="training">Training</span>' in text
    agent = AgentState.objects.get(user=csr)
    assert (agent.state, agent.reason_code) == ("not_ready", "training")
    change = AgentStateChange.objects.filter(agent=csr).order_by("-id").first()
    assert (change.from_state, change.to_state, change.reason_code) == ("available", "not_ready", "training")
    assert AuditEvent.objects.filter(
        target_type="contactcenter.agentstate", summary="Agent available → not_ready [training]"
    ).exists()

    # Another reason while not ready is a change of its own; going available clears it.
    client.post("/console/state/", {"state": "not_ready", "reason_code": "meeting"})
    assert AgentState.objects.get(user=csr).reason_code == "meeting"
    client.post("/console/state/", {"state": "available"})
    agent = AgentState.objects.get(user=csr)
    assert (agent.state, agent.reason_code) == ("available", "")
    assert list(AgentStateChange.objects.filter(agent=csr).order_by("id").values_list("to_state", "reason_code")) == [
        ("available", ""),
        ("not_ready", "training"),
        ("not_ready", "meeting"),
        ("available", ""),
    ]


def test_the_console_names_the_reasons_in_spanish(make_staff):
    csr = make_staff(Role.CSR)
    client = _signed_in(csr, "es")
    client.post("/console/state/", {"state": "available"})
    page = client.post("/console/state/", {"state": "not_ready", "reason_code": "meal"}, follow=True)
    text = page.content.decode()
    assert "No disponible, porque" in text
    assert '<option value="device_problem">Problema con el dispositivo</option>' in text
    assert 'data-agent-reason="meal">Comida</span>' in text


def test_not_ready_needs_an_active_reason_and_a_break_carries_only_break_or_meal(make_staff):
    csr = make_staff(Role.CSR)
    context = AuditContext(actor=csr)
    services.agent_state_set(context=context, user=csr, state="available")
    for code in ("", "coffee"):
        with pytest.raises(ApplicationError, match="Choose why you are not ready"):
            services.agent_state_set(context=context, user=csr, state="not_ready", reason_code=code)
    NotReadyReason.objects.filter(code="meeting").update(active=False)
    with pytest.raises(ApplicationError, match="Choose why you are not ready"):
        services.agent_state_set(context=context, user=csr, state="not_ready", reason_code="meeting")
    with pytest.raises(ApplicationError, match="A break is a break or a meal"):
        services.agent_state_set(context=context, user=csr, state="break", reason_code="training")
    assert AgentState.objects.get(user=csr).state == "available"

    services.agent_state_set(context=context, user=csr, state="break", reason_code="meal")
    assert (AgentState.objects.get(user=csr).state, AgentState.objects.get(user=csr).reason_code) == ("break", "meal")
    # A plain break (today's button) still works and carries no reason.
    services.agent_state_set(context=context, user=csr, state="available")
    services.agent_state_set(context=context, user=csr, state="break")
    assert AgentState.objects.get(user=csr).reason_code == ""
    # A reason on a state that takes none is dropped.
    services.agent_state_set(context=context, user=csr, state="available", reason_code="training")
    assert AgentState.objects.get(user=csr).reason_code == ""


def test_the_console_refuses_not_ready_without_a_reason_with_a_message(make_staff):
    csr = make_staff(Role.CSR)
    client = _signed_in(csr)
    client.post("/console/state/", {"state": "available"})
    page = client.post("/console/state/", {"state": "not_ready"}, follow=True).content.decode()
    assert "Choose why you are not ready." in page
    assert AgentState.objects.get(user=csr).state == "available"


def test_a_softphone_reports_a_device_problem_through_the_api(make_staff):
    csr = make_staff(Role.CSR)
    client = _signed_in(csr)
    client.post("/api/agent/state/", {"state": "available"}, content_type="application/json")
    response = client.post(
        "/api/agent/state/", {"state": "not_ready", "reason_code": "device_problem"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert (response.json()["state"], response.json()["reason_code"]) == ("not_ready", "device_problem")


def test_the_wallboard_lists_each_agents_state_reason_and_time_in_it(make_staff):
    trainee = make_staff(Role.CSR, first_name="Ana", last_name="Ruiz")
    ready = make_staff(Role.CSR, first_name="Bo", last_name="Lee")
    twelve_minutes_ago = timezone.now() - timedelta(minutes=12)
    for user in (trainee, ready):
        services.agent_state_set(context=AuditContext(actor=user), user=user, state="available")
    services.agent_state_set(
        context=AuditContext(actor=trainee), user=trainee, state="not_ready", reason_code="training",
        now=twelve_minutes_ago,
    )  # fmt: skip
    supervisor = _signed_in(make_staff(Role.SUPERVISOR))
    page = supervisor.get("/wallboard/live/").content.decode()
    row = page[page.index(f'data-agent="{trainee.username}"') :]
    row = row[: row.index("</tr>")]
    assert "Ana Ruiz" in row and "Not ready" in row
    assert 'data-agent-reason="training">Training</td>' in row
    assert "12\xa0minutes" in row
    other = page[page.index(f'data-agent="{ready.username}"') :]
    other = other[: other.index("</tr>")]
    assert "Available" in other and 'data-agent-reason="">—</td>' in other

    spanish = _signed_in(make_staff(Role.SUPERVISOR), "es").get("/wallboard/live/").content.decode()
    assert 'data-agent-reason="training">Capacitación</td>' in spanish
