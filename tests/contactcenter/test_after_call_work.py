"""After-call work ends by itself at the queue's limit (unless the agent extends it once)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.db.models import F
from django.test import Client
from django.utils import timezone

from contactcenter import services, tasks
from contactcenter.audit.context import AuditContext
from contactcenter.celery import app
from contactcenter.common.errors import ApplicationError
from contactcenter.models import AgentState, AgentStateChange, AuditEvent, Interaction, QueueConfig, WaitingContact
from contactcenter.staff.roles import Role
from tests.waiting import wait_for


def _in_wrap_up(make_staff):
    """A CSR who took a call and ended it: in wrap-up since now, with the contact to wrap up."""
    csr = make_staff(Role.CSR)
    context = AuditContext(actor=csr)
    services.agent_state_set(context=context, user=csr, state="available")
    contact = services.contact_enqueue(
        context=AuditContext.system(), phone="+12025550100", language="en", caller_time_zone="America/New_York"
    )
    services.route_next(queue_name="tier1-en")
    # With a worker running, its own routing task may be the one that offers it.
    assert wait_for(lambda: WaitingContact.objects.get(pk=contact.pk).status == "offered", timeout=10)
    services.contact_answer(context=context, user=csr, contact_id=contact.pk)
    services.contact_complete(context=context, user=csr, contact_id=contact.pk)
    assert AgentState.objects.get(user=csr).state == "wrap_up"
    return csr, contact


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_queues_start_with_two_minutes_of_after_call_time(db):
    assert set(QueueConfig.objects.values_list("after_call_work_seconds", flat=True)) == {120}


def test_a_wrap_up_past_the_queues_limit_is_closed_and_the_agent_goes_available(make_staff):
    QueueConfig.objects.filter(name="tier1-en").update(after_call_work_seconds=90)
    csr, contact = _in_wrap_up(make_staff)
    since = AgentState.objects.get(user=csr).state_since

    assert services.wrap_ups_expire(now=since + timedelta(seconds=89)) == 0
    assert AgentState.objects.get(user=csr).state == "wrap_up"

    assert services.wrap_ups_expire(now=since + timedelta(seconds=91)) == 1
    contact.refresh_from_db()
    assert (contact.disposition, contact.wrap_up_notes, contact.wrap_up_seconds) == (
        "information",
        "Closed by the after-call time limit.",
        91,
    )
    agent = AgentState.objects.get(user=csr)
    assert agent.state == "available"
    last = AgentStateChange.objects.filter(agent=csr).order_by("-id").first()
    assert (last.from_state, last.to_state, last.reason, last.contact_id) == (
        "wrap_up",
        "available",
        "wrap-up done",
        contact.pk,
    )
    # The conversation's ledger entry carries the note, as a wrap-up saved by the agent would.
    assert Interaction.objects.get(pk=contact.agent_interaction_id).summary == "Closed by the after-call time limit."
    # Idempotent: run again (a second beat, a retried task), nothing more happens.
    assert services.wrap_ups_expire(now=since + timedelta(seconds=200)) == 0
    assert AgentStateChange.objects.filter(agent=csr, to_state="available").count() == 2


def test_the_agent_extends_once_from_the_console_and_gets_the_same_length_again(make_staff):
    csr, contact = _in_wrap_up(make_staff)
    client = _signed_in(csr)
    page = client.get("/console/").content.decode()
    assert "Your after-call time ends at" in page and "Extend my after-call time once" in page

    page = client.post("/console/wrap-up/extend/", follow=True).content.decode()
    assert "Your after-call time is extended once." in page
    assert "Extend my after-call time once" not in page
    assert AuditEvent.objects.filter(summary=f"Wrap-up of contact {contact.pk} extended once").exists()
    with pytest.raises(ApplicationError, match="already extended"):
        services.wrap_up_extend(context=AuditContext(actor=csr), user=csr)

    since = AgentState.objects.get(user=csr).state_since
    assert services.wrap_ups_expire(now=since + timedelta(seconds=121)) == 0
    assert services.wrap_ups_expire(now=since + timedelta(seconds=239)) == 0
    assert AgentState.objects.get(user=csr).state == "wrap_up"
    assert services.wrap_ups_expire(now=since + timedelta(seconds=241)) == 1
    assert AgentState.objects.get(user=csr).state == "available"
    # The next wrap-up starts without an extension.
    assert AgentState.objects.get(user=csr).wrap_up_extended is False


def test_a_wrap_up_the_agent_finished_in_time_is_left_alone(make_staff):
    csr, contact = _in_wrap_up(make_staff)
    services.contact_wrap_up(
        context=AuditContext(actor=csr), user=csr, contact_id=contact.pk, disposition="resolved", notes="Done."
    )
    assert services.wrap_ups_expire(now=timezone.now() + timedelta(hours=1)) == 0
    contact.refresh_from_db()
    assert (contact.disposition, contact.wrap_up_notes) == ("resolved", "Done.")


def test_an_extension_after_the_time_is_over_is_refused(make_staff):
    csr, _ = _in_wrap_up(make_staff)
    AgentState.objects.filter(user=csr).update(state_since=F("state_since") - timedelta(minutes=5))
    with pytest.raises(ApplicationError, match="already over"):
        services.wrap_up_extend(context=AuditContext(actor=csr), user=csr)


def test_the_beat_runs_the_expiry_every_few_seconds():
    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "contactcenter.wrap_ups_expire")
    assert entry["schedule"] <= 30
    assert "contactcenter.wrap_ups_expire" in app.tasks


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_ends_a_wrap_up_that_ran_past_its_limit(celery_worker_process, make_staff):
    _, log = celery_worker_process
    csr, contact = _in_wrap_up(make_staff)
    AgentState.objects.filter(user=csr).update(state_since=F("state_since") - timedelta(minutes=3))

    tasks.wrap_ups_expire.delay()

    assert wait_for(lambda: AgentState.objects.get(user=csr).state == "available"), log.read_text()[-3000:]
    assert WaitingContact.objects.get(pk=contact.pk).wrap_up_notes == "Closed by the after-call time limit."
    assert "contactcenter.wrap_ups_expire" in log.read_text()
