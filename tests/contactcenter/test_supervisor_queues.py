"""Supervisors edit queue settings on their own console page, audited with each old and new value."""

from __future__ import annotations

from datetime import time

import pytest
from django.test import Client

from contactcenter import services
from contactcenter.audit.context import AuditContext
from contactcenter.common.errors import ApplicationError
from contactcenter.models import AuditEvent, QueueConfig
from contactcenter.staff.roles import Role


def _signed_in(user, language: str = "en") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def _form(**changes) -> dict:
    data = {
        "opens_at": "08:00",
        "closes_at": "20:00",
        "hours_time_zone": "",
        "service_level_seconds": "60",
        "service_level_target_percent": "80",
        "short_abandon_seconds": "5",
        "longest_wait_amber_seconds": "60",
        "longest_wait_red_seconds": "120",
        "abandonment_amber_percent": "5",
        "abandonment_red_percent": "10",
        "offer_timeout_seconds": "20",
        "after_call_work_seconds": "120",
        "overflow_after_seconds": "",
        "overflow_to": [],
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_a_supervisor_sees_every_queue_and_edits_one(make_staff):
    supervisor = _signed_in(make_staff(Role.SUPERVISOR))
    listing = supervisor.get("/supervisor/queues/").content.decode()
    for name in ("tier1-en", "tier1-es", "tier2-en", "tier2-es"):
        assert f'data-queue="{name}"' in listing
    assert 'href="/supervisor/queues/tier1-es/"' in listing

    form = supervisor.get("/supervisor/queues/tier1-es/").content.decode()
    assert '<label class="usa-label" for="id_after_call_work_seconds">After-call time (seconds)' in form
    assert 'value="tier1-en"' in form and 'value="tier1-es"' not in form  # a queue never overflows to itself

    response = supervisor.post(
        "/supervisor/queues/tier1-es/",
        _form(
            opens_at="07:30",
            service_level_seconds="45",
            after_call_work_seconds="90",
            overflow_after_seconds="30",
            overflow_to=["tier1-en"],
        ),
        follow=True,
    )
    assert "The settings of queue tier1-es are saved." in response.content.decode()
    config = QueueConfig.objects.get(name="tier1-es")
    assert (config.opens_at, config.service_level_seconds, config.after_call_work_seconds) == (time(7, 30), 45, 90)
    assert (config.overflow_after_seconds, config.overflow_to) == (30, ["tier1-en"])
    event = AuditEvent.objects.get(target_type="contactcenter.queueconfig", target_id=str(config.pk))
    assert event.action == "update" and event.actor is not None
    assert "opens_at 08:00:00 → 07:30:00" in event.summary
    assert "service_level_seconds 60 → 45" in event.summary
    assert "after_call_work_seconds 120 → 90" in event.summary
    assert "overflow_to ['tier1-en'] → ['tier1-en']" not in event.summary
    assert event.detail["after_call_work_seconds"] == "120 → 90"


def test_a_queue_that_closes_before_it_opens_is_refused_next_to_the_field(make_staff):
    supervisor = _signed_in(make_staff(Role.SUPERVISOR))
    response = supervisor.post("/supervisor/queues/tier1-en/", _form(opens_at="18:00", closes_at="09:00"))
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_closes_at_error"' in page and "A queue closes after it opens" in page
    assert QueueConfig.objects.get(name="tier1-en").opens_at == time(8, 0)
    assert not AuditEvent.objects.filter(target_type="contactcenter.queueconfig").exists()

    response = supervisor.post("/supervisor/queues/tier1-en/", _form(hours_time_zone="Mars/Olympus"))
    assert response.status_code == 400 and "Not a time zone name" in response.content.decode()


def test_the_page_speaks_spanish(make_staff):
    page = _signed_in(make_staff(Role.SUPERVISOR), "es").get("/supervisor/queues/tier1-en/").content.decode()
    assert "Tiempo después de la llamada (segundos)" in page
    assert "Guardar ajustes" in page


@pytest.mark.parametrize("role", [Role.CSR, Role.ISO, Role.CAO_SUPERVISOR])
def test_only_supervisors_open_the_page(make_staff, role):
    client = _signed_in(make_staff(role))
    assert client.get("/supervisor/queues/").status_code == 403
    assert client.post("/supervisor/queues/tier1-en/", _form(service_level_seconds="1")).status_code == 403
    assert QueueConfig.objects.get(name="tier1-en").service_level_seconds == 60


def test_the_service_changes_only_the_settings_supervisors_own(make_staff):
    context = AuditContext(actor=make_staff(Role.SUPERVISOR))
    with pytest.raises(ApplicationError, match="not changed here: active, tier"):
        services.queue_config_update(context=context, name="tier1-en", tier=2, active=False)
    with pytest.raises(ApplicationError, match="no queue named tier9-xx"):
        services.queue_config_update(context=context, name="tier9-xx", service_level_seconds=30)
    with pytest.raises(ApplicationError, match="no queue named tier3-en"):
        services.queue_config_update(context=context, name="tier1-en", overflow_to=["tier3-en"])
    # Saving what is already there records nothing.
    services.queue_config_update(context=context, name="tier1-en", service_level_seconds=60)
    assert not AuditEvent.objects.filter(target_type="contactcenter.queueconfig").exists()


def test_a_supervisor_adds_a_reason_and_retires_one_and_agents_see_the_change(make_staff):
    from contactcenter.models import NotReadyReason

    supervisor = _signed_in(make_staff(Role.SUPERVISOR))
    page = supervisor.get("/supervisor/not-ready-reasons/").content.decode()
    assert 'data-reason="device_problem"' in page and "Problema con el dispositivo" in page

    added = supervisor.post(
        "/supervisor/not-ready-reasons/",
        {"code": "coaching", "label_en": "Coaching", "label_es": "Asesoría", "order": "70", "active": "on"},
        follow=True,
    )
    assert "Reason coaching saved." in added.content.decode()
    supervisor.post(
        "/supervisor/not-ready-reasons/",
        {"code": "meeting", "label_en": "Meeting", "label_es": "Reunión", "order": "40"},
    )
    assert NotReadyReason.objects.get(code="meeting").active is False
    events = list(
        AuditEvent.objects.filter(target_type="contactcenter.notreadyreason").order_by("id").values_list("summary")
    )
    assert events[0][0].startswith("Not-ready reason coaching added: label_en  → Coaching")
    assert events[1][0] == "Not-ready reason meeting changed: active True → False"

    csr = make_staff(Role.CSR)
    services.agent_state_set(context=AuditContext(actor=csr), user=csr, state="available")
    console = _signed_in(csr).get("/console/").content.decode()
    assert '<option value="coaching">Coaching</option>' in console
    assert 'value="meeting"' not in console


def test_a_reason_code_must_be_a_slug(make_staff):
    supervisor = _signed_in(make_staff(Role.SUPERVISOR))
    response = supervisor.post(
        "/supervisor/not-ready-reasons/", {"code": "Two words", "label_en": "x", "label_es": "x", "order": "1"}
    )
    assert response.status_code == 400 and 'id="id_code_error"' in response.content.decode()
