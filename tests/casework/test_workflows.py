"""The CAO workflows declared once (casework/workflows.py): the actions each state allows are the
ones the services admitted and the pages showed before, and the API says which they are."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from casework import selectors, services
from casework.models import OPEN_STATUSES, Inquiry, InquiryStatus, Response, ResponseStatus
from casework.workflows import INQUIRY
from contactcenter.audit.context import AuditContext
from contactcenter.staff.roles import Role
from tests.casework.factories import make_inquiry

S = InquiryStatus


@pytest.mark.django_db
@pytest.mark.parametrize("status", list(S))
@pytest.mark.parametrize("assignee_id", [None, 1])
def test_an_inquiry_allows_what_its_page_and_services_allowed_before(make_staff, status, assignee_id):
    inquiry = Inquiry(status=status, assignee_id=assignee_id)
    analyst = make_staff(Role.CAO_ANALYST)
    actions = INQUIRY.allowed_actions(inquiry, analyst)
    assert INQUIRY.allowed_actions(inquiry, make_staff(Role.CAO_SUPERVISOR)) == actions
    is_open = status in OPEN_STATUSES
    # The page's buttons, as its template decided them by status.
    assert ("resume" in actions) == (status == S.ON_HOLD)
    assert ("hold" in actions) == (is_open and status != S.ON_HOLD)
    assert ("reopen" in actions) == (status in (S.SENT, S.CLOSED))
    assert ("close" in actions) == (status not in (S.CLOSED, S.ON_HOLD))
    # The services' own checks.
    assert ("triage" in actions) == is_open
    assert ("assign" in actions) == (is_open and status != S.RECEIVED)
    assert ("draft" in actions) == (status in (S.ASSIGNED, S.DRAFTING))
    assert ("telephone" in actions) == (is_open and status not in (S.RECEIVED, S.ON_HOLD))
    # The correspondent's reply reopens what a CAO may reopen, to the same status, with no one's role.
    assert ("reply" in INQUIRY.allowed_actions(inquiry, None)) == ("reopen" in actions)
    if "reopen" in actions:
        target = S.ASSIGNED if assignee_id else S.TRIAGED
        assert INQUIRY.row("reopen", inquiry, analyst).target == INQUIRY.row("reply", inquiry, None).target == target


@pytest.mark.django_db
@pytest.mark.parametrize("status", list(S))
def test_no_action_on_an_inquiry_or_its_responses_is_a_tsa_liaisons_or_the_systems_by_hand(make_staff, status):
    """A liaison reads DHS TRIP inquiries and their responses and changes none: the table says so."""
    liaison, inquiry = make_staff(Role.TSA_LIAISON), Inquiry(status=status, assignee_id=1)
    assert selectors.inquiry_allowed_actions(inquiry=inquiry, user=liaison) == set()
    automatic = {row.action for row in INQUIRY.transitions if row.automatic}
    assert selectors.inquiry_allowed_actions(inquiry=inquiry, user=None) <= automatic
    for response_status in ResponseStatus:
        response = Response(status=response_status, drafted_by_id=1)
        assert selectors.response_allowed_actions(response=response, user=liaison) == set()
    assert not selectors.inquiry_actions_offered(user=liaison)
    assert selectors.inquiry_actions_offered(user=make_staff(Role.CAO_ANALYST))


# The steps a service could set an inquiry's status by, before the table (services.TRANSITIONS).
STEPS_BEFORE = {
    S.RECEIVED: {S.TRIAGED, S.CLOSED},
    S.TRIAGED: {S.ASSIGNED, S.CLOSED},
    S.ASSIGNED: {S.DRAFTING, S.SENT, S.CLOSED},
    S.DRAFTING: {S.IN_REVIEW, S.SENT, S.CLOSED},
    S.IN_REVIEW: {S.DRAFTING, S.SENT, S.CLOSED},
    S.SENT: {S.CLOSED},
    S.CLOSED: set(),
    S.ON_HOLD: set(),
}


def test_the_steps_a_service_sets_are_the_ones_it_could_before():
    steps = {(source, target) for source in S for target in S if INQUIRY.leads(source, target)}
    before = {(source, target) for source, targets in STEPS_BEFORE.items() for target in targets}
    assert before <= steps
    # Besides, what hold and reopen set by themselves (never through a plain step).
    extra = {(source, target) for source, target in steps - before}
    assert {target for _source, target in extra} <= {S.ON_HOLD, S.ASSIGNED, S.TRIAGED}
    assert {source for source, target in extra if target != S.ON_HOLD} == {S.SENT, S.CLOSED}


@pytest.mark.django_db
def test_a_response_is_reviewed_by_a_supervisor_who_did_not_write_it(analyst, supervisor, make_staff, client_as):
    other_supervisor = make_staff(Role.CAO_SUPERVISOR)
    context = AuditContext(actor=analyst)
    inquiry = services.inquiry_assign(context=context, inquiry=make_inquiry(), assignee=analyst)
    response = services.response_draft(context=context, inquiry=inquiry, body="Dear {{ name }}.")
    assert selectors.response_allowed_actions(response=response, user=analyst) == {"edit", "submit"}
    services.response_update(
        context=AuditContext(actor=supervisor), response=response, subject=response.subject, body="Dear you."
    )
    response = services.response_submit(context=context, response=response)
    assert selectors.response_allowed_actions(response=response, user=analyst) == set()
    assert selectors.response_allowed_actions(response=response, user=supervisor) == {"return"}
    assert selectors.response_allowed_actions(response=response, user=other_supervisor) == {"approve", "return"}
    page = client_as(Role.CAO_ANALYST).get(f"/casework/responses/{response.pk}/").text
    assert "Record review" not in page and "Send for review" not in page

    response.status = ResponseStatus.FAILED
    response.save(update_fields=["status"])
    assert selectors.response_allowed_actions(response=response, user=supervisor) == {"send_again"}
    assert selectors.response_allowed_actions(response=response, user=analyst) == set()
    analyst_page = client_as(Role.CAO_ANALYST).get(f"/casework/responses/{response.pk}/").text
    supervisor_page = client_as(Role.CAO_SUPERVISOR).get(f"/casework/responses/{response.pk}/").text
    assert "data-delivery-failed" in analyst_page and "Send again" not in analyst_page
    assert "data-delivery-failed" in supervisor_page and "Send again" in supervisor_page


@pytest.mark.django_db
def test_the_api_says_what_may_be_done_to_an_inquiry_now(make_staff):
    inquiry = make_inquiry()
    analyst, liaison = make_staff(Role.CAO_ANALYST), make_staff(Role.TSA_LIAISON)
    client = APIClient()
    client.force_authenticate(analyst)
    detail = client.get(f"/api/casework/inquiries/{inquiry.pk}/").json()
    assert detail["status"] == S.TRIAGED
    assert detail["allowed_actions"] == ["assign", "close", "hold", "telephone", "triage"]
    assert "allowed_actions" not in client.get("/api/casework/inquiries/").json()["results"][0]
    held = client.post(f"/api/casework/inquiries/{inquiry.pk}/hold/", {"reason": "Waiting"}, format="json").json()
    assert held["allowed_actions"] == ["assign", "resume", "triage"]
    refused = client.post(f"/api/casework/inquiries/{inquiry.pk}/close/")
    assert refused.status_code == 400 and refused.json()["message"] == "Take the inquiry off hold before closing it."

    trip = make_inquiry(correspondent_email="liaison@tsa.dhs.gov", subject="Screened again", body="At IAD")
    client.force_authenticate(liaison)
    assert client.get(f"/api/casework/inquiries/{trip.pk}/").json()["allowed_actions"] == []
    # The page reads the same table: its actions are the analyst's, not the liaison's.
    pages = Client(), Client()
    pages[0].force_login(analyst)
    pages[1].force_login(liaison)
    analyst_page, liaison_page = (page.get(f"/casework/inquiries/{trip.pk}/").text for page in pages)
    assert 'id="actions-heading"' in analyst_page and "Save triage" in analyst_page
    assert 'id="actions-heading"' not in liaison_page and "/triage/" not in liaison_page
