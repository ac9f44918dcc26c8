"""Routing through the broker: a real Celery worker offers an enqueued contact, and a broker that
is down loses nothing (the periodic sweep routes it)."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.apps import apps

from contactcenter import services
from contactcenter.audit.context import AuditContext
from contactcenter.models import AgentState, ContactStatus, WaitingContact
from tests.waiting import wait_for


@pytest.fixture
def queues():
    import_module("contactcenter.migrations.0008_queue_configs").forwards(apps, None)


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_offers_an_enqueued_contact_to_the_available_agent(celery_worker_process, queues, make_staff):
    _, log = celery_worker_process
    csr = make_staff("csr")
    services.agent_state_set(context=AuditContext(actor=csr), user=csr, state="available")

    contact = services.contact_enqueue(
        context=AuditContext.system(), phone="+12025550100", language="en", caller_time_zone="America/New_York"
    )

    def offered() -> bool:
        contact.refresh_from_db()
        return contact.status == ContactStatus.OFFERED

    assert wait_for(offered), log.read_text()[-3000:]
    assert contact.offered_to == csr
    assert AgentState.objects.get(user=csr).state == "offered"
    assert "contactcenter.route_queue" in log.read_text()


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_enqueueing_with_the_broker_down_succeeds_and_the_sweep_routes_it_later(broker_down, queues, make_staff):
    csr = make_staff("csr")
    services.agent_state_set(context=AuditContext(actor=csr), user=csr, state="available")

    contact = services.contact_enqueue(
        context=AuditContext.system(), phone="+12025550100", language="en", caller_time_zone="America/New_York"
    )

    assert WaitingContact.objects.filter(pk=contact.pk).exists()
    # A session worker may still take a stale route_queue message from an earlier test, so the
    # sweep's own count may be 0 or 1; what matters is that the contact ends up offered.
    swept = services.routing_sweep()
    assert set(swept) == {"expired", "tier1-en", "tier1-es", "tier2-en", "tier2-es"}
    contact.refresh_from_db()
    assert (contact.status, contact.offered_to) == (ContactStatus.OFFERED, csr)
