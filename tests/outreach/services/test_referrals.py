"""PED outreach writes about case referrals: consent, the callback queued in the contact center, and
closing a referral out."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from contactcenter import services as core_services
from contactcenter.audit.context import AuditContext
from contactcenter.common.errors import ApplicationError
from contactcenter.models import (
    AgentState,
    AgentStatus,
    AuditEvent,
    Channel,
    ContactKind,
    ContactStatus,
    Interaction,
    Outcome,
    WaitingContact,
)
from outreach import services
from outreach.models import CaseReferral
from tests.outreach.factories import CTX, EngagementFactory

pytestmark = pytest.mark.django_db


def test_referral_needs_consent_and_a_phone_for_a_callback(make_staff):
    cro = make_staff("cro")
    with pytest.raises(ApplicationError, match="consent"):
        services.referral_create(
            context=CTX, referred_by=cro, person_name="P", topic_code="case-status", mode="callback",
            consent=False, phone="3125550199",
        )  # fmt: skip
    with pytest.raises(ApplicationError, match="needs the person's telephone"):
        services.referral_create(
            context=CTX, referred_by=cro, person_name="P", topic_code="case-status", mode="callback", consent=True,
            email="p@example.org",
        )  # fmt: skip
    assert CaseReferral.objects.count() == Interaction.objects.count() == WaitingContact.objects.count() == 0


def test_callback_referral_queues_a_callback_and_is_closed_out(make_staff):
    cro = make_staff("cro")
    engagement = EngagementFactory()
    referral = services.referral_create(
        context=CTX, referred_by=cro, person_name="Pedro Diaz", topic_code="case-status", mode="callback",
        consent=True, phone="(312) 555-0199", language="es", engagement_id=engagement.pk,
    )  # fmt: skip
    assert referral.interaction.channel == Channel.OUTREACH
    assert referral.interaction.outcome == Outcome.CALLBACK
    assert (referral.callback.kind, referral.callback.queue_name) == (ContactKind.CALLBACK, "tier1-es")
    assert referral.callback.caller_time_zone == "America/Chicago"
    assert referral.callback.interaction_id == referral.interaction_id
    services.referral_close(context=CTX, referral_id=referral.pk, outcome="answered", note="Called back")
    referral.refresh_from_db()
    referral.interaction.refresh_from_db()
    assert (referral.status, referral.interaction.outcome) == ("closed", Outcome.RESOLVED)
    with pytest.raises(ApplicationError, match="already closed"):
        services.referral_close(context=CTX, referral_id=referral.pk, outcome="answered")


def _callback_referral(cro, phone="(312) 555-0199"):
    return services.referral_create(
        context=CTX, referred_by=cro, person_name="Pedro Diaz", topic_code="case-status", mode="callback",
        consent=True, phone=phone, language="en",
    )  # fmt: skip


@pytest.fixture
def office_hours(at_time):
    """Callbacks are offered only in the caller's daytime: a Monday at noon in Chicago."""
    with at_time(datetime(2026, 11, 30, 18, 0, tzinfo=UTC)):
        yield


@pytest.mark.parametrize("outcome", ["withdrawn", "answered"])
def test_closing_a_referral_the_person_no_longer_needs_cancels_its_waiting_callback(make_staff, outcome):
    referral = _callback_referral(make_staff("cro"))
    services.referral_close(context=CTX, referral_id=referral.pk, outcome=outcome)
    callback = WaitingContact.objects.get(pk=referral.callback_id)
    assert (callback.status, callback.ended_at) == (ContactStatus.CANCELLED, CaseReferral.objects.get().closed_at)
    assert AuditEvent.objects.filter(
        target_type="contactcenter.waitingcontact", target_id=callback.pk, summary__startswith="Contact withdrawn"
    ).exists()


def test_a_referral_closed_as_unreachable_leaves_the_callback_to_the_contact_centers_redials(make_staff):
    referral = _callback_referral(make_staff("cro"))
    services.referral_close(context=CTX, referral_id=referral.pk, outcome="unreachable")
    assert WaitingContact.objects.get(pk=referral.callback_id).status == ContactStatus.WAITING


def test_withdrawing_a_callback_offered_to_an_agent_frees_the_agent(make_staff, office_hours):
    csr = make_staff("csr")
    core_services.agent_state_set(context=AuditContext(actor=csr), user=csr, state="available")
    referral = _callback_referral(make_staff("cro"))
    core_services.route_next(queue_name="tier1-en")
    assert WaitingContact.objects.get(pk=referral.callback_id).status == ContactStatus.OFFERED

    services.referral_close(context=CTX, referral_id=referral.pk, outcome="withdrawn", note="Has a lawyer now")

    assert WaitingContact.objects.get(pk=referral.callback_id).status == ContactStatus.CANCELLED
    assert AgentState.objects.get(user=csr).state == AgentStatus.AVAILABLE


def test_a_callback_already_under_way_is_not_withdrawn(make_staff, office_hours):
    csr = make_staff("csr")
    core_services.agent_state_set(context=AuditContext(actor=csr), user=csr, state="available")
    referral = _callback_referral(make_staff("cro"))
    core_services.route_next(queue_name="tier1-en")
    core_services.contact_answer(context=AuditContext(actor=csr), user=csr, contact_id=referral.callback_id)

    services.referral_close(context=CTX, referral_id=referral.pk, outcome="answered")

    assert WaitingContact.objects.get(pk=referral.callback_id).status == ContactStatus.CONNECTED
    assert AgentState.objects.get(user=csr).state == AgentStatus.ON_CALL


def test_case_identifiers_typed_into_a_referral_close_out_note_are_not_kept(client_as):
    client = client_as("cro")
    referral = _callback_referral(client.user)
    note = "Withdrew: case EAC2190000001, A-number A012345678, call 312-555-0142"
    services.referral_close(context=CTX, referral_id=referral.pk, outcome="withdrawn", note=note)
    kept = CaseReferral.objects.get().close_note
    assert "EAC******0001" in kept
    assert kept.startswith("Withdrew: case EAC******0001")
    assert "EAC2190000001" not in kept and "012345678" not in kept and "555-0142" not in kept
    page = client.get(f"/outreach/referrals/{referral.pk}/").content.decode()
    assert "EAC******0001" in page and "EAC2190000001" not in page and "012345678" not in page


def test_inquiry_referral_is_a_ledger_entry_without_a_callback(make_staff):
    referral = services.referral_create(
        context=CTX, referred_by=make_staff("outreach_staff"), person_name="Kim", topic_code="green-card",
        mode="inquiry", consent=True, email="Kim@Example.org",
    )  # fmt: skip
    assert referral.callback is None
    assert (referral.interaction.outcome, referral.email) == (Outcome.REFERRED, "kim@example.org")
    assert referral.interaction.source_url == f"/outreach/referrals/{referral.pk}/"
