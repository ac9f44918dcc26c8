"""The CAO inquiry page: the forms its state allows, "Assign to me", the case beside the inquiry,
and the supervisor's review."""

import re

import pytest

from casework import services
from casework.models import InquiryStatus, ResponseStatus
from contactcenter.audit.context import AuditContext
from contactcenter.models import AuditEvent
from contactcenter.staff.roles import Role
from tests.casework.factories import make_inquiry

pytestmark = pytest.mark.django_db


def _forms(page: str) -> set[str]:
    """The inquiry actions the page has a form for, by the URL each form posts to."""
    return set(re.findall(r'<form method="post" action="/casework/inquiries/\d+/([a-z-]+)/"', page))


def test_a_new_inquiry_offers_triage_and_neither_drafting_nor_a_call(client_as):
    inquiry = make_inquiry(correspondent_email="someone@example.com", correspondent_organisation="")
    assert inquiry.status == InquiryStatus.RECEIVED
    page = client_as(Role.CAO_ANALYST).get(f"/casework/inquiries/{inquiry.pk}/").text
    assert "triage" in _forms(page)
    assert not _forms(page) & {"assign", "assign-me", "draft", "telephone"}


def test_a_closed_inquiry_offers_no_triage_assign_draft_or_call(client_as):
    client = client_as(Role.CAO_ANALYST)
    inquiry = services.inquiry_close(context=AuditContext(actor=client.user), inquiry=make_inquiry())
    assert inquiry.status == InquiryStatus.CLOSED
    page = client.get(f"/casework/inquiries/{inquiry.pk}/").text
    assert 'data-status="closed"' in page
    assert not _forms(page) & {"triage", "assign", "assign-me", "draft", "telephone"}
    assert f"/casework/inquiries/{inquiry.pk}/reopen/" in page


def test_an_assigned_inquiry_offers_drafting_beside_the_correspondents_text(client_as):
    client = client_as(Role.CAO_ANALYST)
    context = AuditContext(actor=client.user)
    inquiry = services.inquiry_assign(context=context, inquiry=make_inquiry(), assignee=client.user)
    page = client.get(f"/casework/inquiries/{inquiry.pk}/").text
    assert {"draft", "telephone", "assign"} <= _forms(page)
    assert "assign-me" not in _forms(page)  # already theirs
    draft_area = page[page.index("data-draft-area") :]
    assert "The applicant has waited a long time" in draft_area[: draft_area.index("<form")]


def test_assign_to_me_assigns_the_analyst_and_is_audited(client_as):
    inquiry = make_inquiry()
    assert inquiry.status == InquiryStatus.TRIAGED
    client = client_as(Role.CAO_ANALYST)
    page = client.get(f"/casework/inquiries/{inquiry.pk}/").text
    assert "assign-me" in _forms(page) and "Assign to me" in page
    done = client.post(f"/casework/inquiries/{inquiry.pk}/assign-me/", follow=True)
    inquiry.refresh_from_db()
    assert inquiry.assignee == client.user and inquiry.status == InquiryStatus.ASSIGNED
    assert AuditEvent.objects.filter(
        actor=client.user, summary=f"Inquiry {inquiry.reference} assigned to {client.user.get_username()}"
    ).exists()
    assert 'data-status="assigned"' in done.text and "assign-me" not in _forms(done.text)


def test_assign_to_me_is_refused_by_the_same_rule_as_the_assign_form(client_as):
    client = client_as(Role.CAO_ANALYST)
    inquiry = services.inquiry_close(context=AuditContext(actor=client.user), inquiry=make_inquiry())
    refused = client.post(f"/casework/inquiries/{inquiry.pk}/assign-me/", follow=True)
    assert "cannot be assigned; reopen it first" in refused.text
    inquiry.refresh_from_db()
    assert inquiry.assignee is None and inquiry.status == InquiryStatus.CLOSED


def test_the_page_shows_the_case_status_of_the_receipt_number(client_as, seeded_cases):
    inquiry = make_inquiry()
    page = client_as(Role.CAO_ANALYST).get(f"/casework/inquiries/{inquiry.pk}/").text
    case = inquiry.cases.select_related("status").get()
    assert f'data-case-status="{case.receipt_number}"' in page and case.status.headline_en in page


def _in_review(analyst, kind="email"):
    context = AuditContext(actor=analyst)
    inquiry = services.inquiry_assign(context=context, inquiry=make_inquiry(), assignee=analyst)
    response = services.response_draft(context=context, inquiry=inquiry, kind=kind, body="Dear {{ name }}, we checked.")
    return services.response_submit(context=context, response=response)


def test_the_review_decision_has_nothing_chosen_and_is_required(client_as, make_staff):
    response = _in_review(make_staff(Role.CAO_ANALYST))
    page = client_as(Role.CAO_SUPERVISOR).get(f"/casework/responses/{response.pk}/").text
    radios = re.findall(r"<input[^>]*name=\"decision\"[^>]*>", page)
    assert len(radios) == 2
    assert all('type="radio"' in radio and "required" in radio and "checked" not in radio for radio in radios)


def _approve(client, response):
    return client.post(f"/casework/responses/{response.pk}/review/", {"decision": "approve", "note": ""}, follow=True)


def test_after_approving_a_letter_the_inquiry_page_shows_it_sent(client_as, make_staff):
    response = _in_review(make_staff(Role.CAO_ANALYST), kind="letter")
    approved = _approve(client_as(Role.CAO_SUPERVISOR), response)
    assert approved.redirect_chain == [(f"/casework/inquiries/{response.inquiry_id}/", 302)]
    assert 'data-status="sent"' in approved.text and 'data-response-status="sent"' in approved.text
    assert "Review recorded." in approved.text


def test_after_approving_an_email_the_inquiry_page_says_it_is_being_sent(
    client_as, make_staff, django_capture_on_commit_callbacks
):
    response = _in_review(make_staff(Role.CAO_ANALYST))
    client = client_as(Role.CAO_SUPERVISOR)
    with django_capture_on_commit_callbacks() as callbacks:  # the worker has not sent it yet
        approved = _approve(client, response)
    assert len(callbacks) == 1
    response.refresh_from_db()
    assert response.status == ResponseStatus.APPROVED
    assert 'data-response-status="approved"' in approved.text and "data-response-being-sent" in approved.text
    assert "response approved, being sent" in approved.text
