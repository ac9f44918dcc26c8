"""Workflows declared once (contactcenter/common/workflows.py): a table of actions by state that services
enforce and pages and the API read; the live tier's and the router's tables (live/ and routing/workflows.py)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from rest_framework.test import APIClient

from contactcenter import selectors, services
from contactcenter.audit.context import AuditContext
from contactcenter.common.errors import ApplicationError
from contactcenter.common.workflows import Refusal, Transition, Workflow
from contactcenter.models import AgentState, AgentStatus, ContactStatus, WaitingContact
from contactcenter.routing.workflows import AGENT, LIVE_CONTACT
from contactcenter.staff.roles import Role
from tests.contactcenter.live_tier.calls import _within_normal_case
from tests.reference_data import seed_reference


def _is_big(obj, user) -> bool:
    return obj.size > 10


TOY = Workflow(
    "toy",
    (
        Transition("open", ["shut"], "open"),
        Transition("shut", ["open"], "shut", guard=_is_big),
        Transition("paint", ["open", "shut"], roles=[Role.SUPERVISOR]),
        Transition("rot", ["open", "shut"], "gone", automatic=True),
    ),
)


def test_the_table_answers_by_state_guard_and_who_asks():
    shut, small_open, big_open = (
        SimpleNamespace(status=s, size=n) for s, n in (("shut", 1), ("open", 1), ("open", 99))
    )
    # A person never sees the automatic action; the system (None) does, but no role-gated one.
    assert TOY.allowed_actions(shut, None) == {"open", "rot"}
    assert TOY.allowed_actions(small_open, None) == {"rot"}
    assert TOY.allowed_actions(big_open, None) == {"shut", "rot"}
    assert TOY.refusal("shut", shut, None) is Refusal.STATE
    assert TOY.refusal("shut", small_open, None) is Refusal.GUARD
    assert TOY.refusal("paint", big_open, None) is Refusal.ROLE
    assert TOY.row("open", shut, None).target == "open" and TOY.row("open", big_open, None) is None
    assert TOY.sources("paint") == {"open", "shut"}
    assert TOY.leads("open", "gone") and not TOY.leads("gone", "open")
    assert TOY.states() == {"open", "shut", "gone"}
    with pytest.raises(ValueError, match="no action 'fly'"):
        TOY.refusal("fly", shut, None)


@pytest.mark.django_db
def test_a_role_gated_action_is_a_person_with_that_role(make_staff):
    supervisor, csr = make_staff(Role.SUPERVISOR), make_staff(Role.CSR)
    thing = SimpleNamespace(status="shut", size=1)
    assert TOY.allowed_actions(thing, supervisor) == {"open", "paint"}
    assert TOY.allowed_actions(thing, csr) == {"open"}


# What an agent could choose for themselves before the table (routing.AGENT_SETTABLE).
AGENT_SETTABLE_BEFORE = {
    AgentStatus.OFFLINE: {AgentStatus.AVAILABLE, AgentStatus.BREAK},
    AgentStatus.AVAILABLE: {AgentStatus.OFFLINE, AgentStatus.BREAK, AgentStatus.NOT_READY},
    AgentStatus.BREAK: {AgentStatus.AVAILABLE, AgentStatus.OFFLINE, AgentStatus.NOT_READY},
    AgentStatus.NOT_READY: {AgentStatus.AVAILABLE, AgentStatus.BREAK, AgentStatus.OFFLINE, AgentStatus.NOT_READY},
    AgentStatus.WRAP_UP: {AgentStatus.AVAILABLE, AgentStatus.BREAK, AgentStatus.OFFLINE, AgentStatus.NOT_READY},
    AgentStatus.OFFERED: set(),
    AgentStatus.ON_CALL: set(),
}


@pytest.mark.parametrize("state", list(AgentStatus))
def test_an_agent_chooses_the_states_they_could_before(state):
    assert AGENT.allowed_actions(AgentState(state=state), None) == AGENT_SETTABLE_BEFORE[state]


def test_an_agent_never_signed_on_is_offline():
    assert selectors.agent_allowed_actions(agent=None, user=None) == AGENT_SETTABLE_BEFORE[AgentStatus.OFFLINE]


@pytest.mark.parametrize(
    ("status", "held"),
    [
        # A callback waiting for its next dial keeps the wrap-up of the dial nobody answered.
        (ContactStatus.WAITING, {"wrap_up"}),
        (ContactStatus.OFFERED, {"accept", "decline"}),
        (
            ContactStatus.CONNECTED,
            {"add_receipt", "verify", "take_service_request", "escalate", "control", "consult", "end"},
        ),
        (ContactStatus.COMPLETED, {"wrap_up"}),
    ],
)
def test_a_live_contact_is_worked_only_by_the_agent_it_is_offered_to(status, held):
    agent, other = SimpleNamespace(pk=7), SimpleNamespace(pk=8)
    contact = WaitingContact(status=status, offered_to_id=7)
    assert LIVE_CONTACT.allowed_actions(contact, agent) == held
    assert LIVE_CONTACT.allowed_actions(contact, other) == held & {"wrap_up"}


def test_a_consult_is_stepped_by_the_agent_who_asked_once_the_person_is_on_the_line():
    asker, asked = SimpleNamespace(pk=1), SimpleNamespace(pk=2)
    ringing = WaitingContact(status=ContactStatus.OFFERED, offered_to_id=2, consult_of_id=5)
    joined = WaitingContact(status=ContactStatus.CONNECTED, offered_to_id=2, consult_of_id=5)
    assert LIVE_CONTACT.allowed_actions(ringing, asker) == {"consult_cancel"}
    assert LIVE_CONTACT.allowed_actions(joined, asker) == {"consult_join", "consult_complete", "consult_cancel"}
    assert "consult_cancel" not in LIVE_CONTACT.allowed_actions(joined, asked)


@pytest.fixture
def reference(db):

    seed_reference(cases=30, surgeons=5)


def test_a_service_request_is_decided_by_another_tier2_officer_and_the_api_says_so(reference, make_staff):
    case = _within_normal_case()
    iso, other_iso, csr = make_staff(Role.ISO), make_staff(Role.ISO), make_staff(Role.CSR)
    request = services.service_request_create(
        context=AuditContext(actor=iso), user=iso, kind="expedite", receipt_number=case.receipt_number,
        date_of_birth=case.date_of_birth, requester_role="applicant", contact_email="caller@example.com",
        expedite_criterion="humanitarian", details="Medical emergency abroad.",
    )  # fmt: skip
    assert selectors.service_request_allowed_actions(request=request, user=other_iso) == {"approve", "deny"}
    assert selectors.service_request_allowed_actions(request=request, user=iso) == set()
    assert selectors.service_request_allowed_actions(request=request, user=csr) == set()
    with pytest.raises(ApplicationError, match="Only a Tier 2 officer decides"):
        services.service_request_review(
            context=AuditContext(actor=csr), user=csr, request_id=request.pk, approve=True, note="Fine."
        )

    def detail(user):
        client = APIClient()
        client.force_authenticate(user)
        return client.get(f"/api/service-requests/{request.pk}/").json()

    assert detail(other_iso)["allowed_actions"] == ["approve", "deny"]
    assert detail(iso)["allowed_actions"] == []
    services.service_request_review(
        context=AuditContext(actor=other_iso), user=other_iso, request_id=request.pk, approve=False, note="No."
    )
    assert detail(other_iso)["allowed_actions"] == []
    with pytest.raises(ApplicationError, match="is not awaiting review"):
        services.service_request_review(
            context=AuditContext(actor=other_iso), user=other_iso, request_id=request.pk, approve=True, note="Yes."
        )
