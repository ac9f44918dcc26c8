"""Inquiries taken in through the API: role checks, refusals as 400, review by a CAO supervisor, and a
referral from an ISO linked in the ledger."""

import pytest

from casework.models import Inquiry, Source
from contactcenter.staff.roles import Role
from tests.casework.factories import make_inquiry
from tests.casework.intake.form_data import LONG_EMAIL

pytestmark = pytest.mark.django_db


def test_api_intake_and_role_checks(client_as, make_staff):
    client = client_as(Role.CAO_ANALYST)
    payload = {
        "source": "congressional",
        "subject": "Constituent A-number A 123 456 789",
        "body": "Please check on LIN2190000003.",
        "correspondent_name": "Office of Rep. Smith",
    }
    response = client.post("/api/casework/inquiries/", payload, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "triaged" and body["a_numbers"] == ["A123456789"]
    assert body["receipt_numbers"] == ["LIN2190000003"]
    bad = client.post("/api/casework/inquiries/", {**payload, "subject": " "}, content_type="application/json")
    assert bad.status_code == 400
    client.force_login(make_staff(Role.TSA_LIAISON))
    assert client.get("/api/casework/inquiries/").json()["count"] == 0
    assert client.post("/api/casework/inquiries/", payload, content_type="application/json").status_code == 403
    client.force_login(make_staff(Role.CSR))
    assert client.get("/api/casework/inquiries/").status_code == 403


def test_api_review_needs_a_cao_supervisor(client_as, make_staff):
    client = client_as(Role.CAO_ANALYST)
    inquiry = make_inquiry(correspondent_email="ana@example.com", source=Source.CIS_OMBUDSMAN)
    analyst = client.user
    assigned = client.post(f"/api/casework/inquiries/{inquiry.pk}/assign/", {"assignee": analyst.username})
    assert assigned.status_code == 200, assigned.content
    draft = client.post(f"/api/casework/inquiries/{inquiry.pk}/responses/", {"body": "Dear {{ name }}"})
    assert draft.status_code == 201, draft.content
    draft = draft.json()
    assert draft["body"] == "Dear Ombudsman Case Assistance"
    assert client.post(f"/api/casework/responses/{draft['id']}/submit/").status_code == 200
    assert client.post(f"/api/casework/responses/{draft['id']}/review/", {"approve": True}).status_code == 403
    client.force_login(make_staff(Role.CAO_SUPERVISOR))
    approved = client.post(f"/api/casework/responses/{draft['id']}/review/", {"approve": True})
    assert approved.status_code == 200 and approved.json()["status"] == "approved"


def test_referral_from_an_iso_is_linked_in_the_ledger(client_as):
    from contactcenter import services as core_services
    from contactcenter.audit.context import AuditContext
    from contactcenter.models import Channel

    tier2 = core_services.interaction_record(
        context=AuditContext.system(),
        channel=Channel.TIER2,
        topic_code="case-status",
        source_app="contactcenter",
        source_model="waitingcontact",
        source_id="77",
        receipt_numbers=["EAC2190000001"],
    )
    client = client_as(Role.CAO_ANALYST)
    response = client.post(
        "/api/casework/inquiries/",
        {
            "source": "public",
            "channel": "iso_referral",
            "subject": "Complex case referred by Tier 2",
            "body": "EAC2190000001: applicant needs a written answer.",
            "correspondent_name": "Ana Ruiz",
            "referred_from_interaction_id": tier2.pk,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    inquiry = Inquiry.objects.get()
    assert inquiry.interaction.parent == tier2 and inquiry.channel == "iso_referral"


def test_api_refuses_an_overlong_email_with_400(client_as):
    client = client_as(Role.CAO_ANALYST)
    payload = {"source": "public", "subject": "S", "body": "B", "correspondent_name": "N"}
    response = client.post(
        "/api/casework/inquiries/", {**payload, "correspondent_email": LONG_EMAIL}, content_type="application/json"
    )
    assert response.status_code == 400 and not Inquiry.objects.exists()
