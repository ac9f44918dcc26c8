"""The demo's staff can take every kind of contact the demo produces."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import StringIO

from django.contrib.auth import get_user_model
from django.core.management import call_command

from contactcenter import services
from contactcenter.audit.context import AuditContext
from contactcenter.models import ContactKind, WaitingContact

MONDAY_9AM_EASTERN = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


def test_a_spanish_escalation_reaches_the_demo_officer_once_it_overflows(db):
    call_command("seed_demo", contacts=10, cases=200, stdout=StringIO())
    officer = get_user_model().objects.get(username="demo-iso")
    services.agent_state_set(
        context=AuditContext(actor=officer), user=officer, state="available", now=MONDAY_9AM_EASTERN
    )
    escalated = WaitingContact.objects.create(
        kind=ContactKind.CALL,
        tier=2,
        language="es",
        queue_name="tier2-es",
        enqueued_at=MONDAY_9AM_EASTERN,
        phone="+12135550142",
        caller_time_zone="America/Los_Angeles",
    )

    assert services.route_next(queue_name="tier2-es", now=MONDAY_9AM_EASTERN + timedelta(seconds=119)) is None
    offer = services.route_next(queue_name="tier2-es", now=MONDAY_9AM_EASTERN + timedelta(seconds=120))

    assert (offer.contact_id, offer.agent_id) == (escalated.pk, officer.pk)
