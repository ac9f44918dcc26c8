"""The live tier's API: agent state, queue statistics and service requests, each checked by role."""

from __future__ import annotations

from contactcenter import services
from contactcenter.models import BenefitCase, ServiceRequest
from contactcenter.staff.roles import Role
from tests.contactcenter.live_tier.calls import _address_change, _ivr_contact, _post, _signed_in, _within_normal_case


def test_api_agent_state_queue_stats_and_service_requests_are_role_checked(reference, make_staff):
    csr, supervisor = make_staff(Role.CSR), make_staff(Role.SUPERVISOR)
    agent_api, supervisor_api = _signed_in(csr), _signed_in(supervisor)

    response = agent_api.post("/api/agent/state/", {"state": "available"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["state"] == "available"
    assert response.json()["home_queue"] == "tier1-en"
    assert agent_api.post("/api/agent/state/", {"state": "on_call"}, content_type="application/json").status_code == 400
    assert supervisor_api.get("/api/agent/state/").status_code == 403

    assert agent_api.get("/api/queues/stats/").status_code == 403
    stats = {row["name"]: row for row in supervisor_api.get("/api/queues/stats/").json()}
    assert stats["tier1-en"]["agents"] == {"available": 1}

    unknown = agent_api.post(
        "/api/service-requests/",
        {
            "kind": "card_not_received",
            "receipt_number": "EAC0000000001",
            "date_of_birth": "1980-01-01",
            "requester_role": "applicant",
            "contact_phone": "+12135550142",
        },
        content_type="application/json",
    )
    assert unknown.status_code == 400 and "No case is on file" in unknown.json()["message"]
    assert unknown.json()["extra"] == {"field": "receipt_number"}
    assert unknown.json()["fields"] == {"receipt_number": [unknown.json()["message"]]}
    case = _within_normal_case()
    created = agent_api.post(
        "/api/service-requests/",
        {
            "kind": "card_not_received",
            "receipt_number": case.receipt_number,
            "date_of_birth": case.date_of_birth.isoformat(),
            "requester_role": "applicant",
            "contact_phone": "+12135550142",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["office"] == case.office.code and created.json()["status"] == "routed"
    listed = supervisor_api.get("/api/service-requests/", {"receipt_number": case.receipt_number}).json()
    assert [row["reference"] for row in listed["results"]] == [created.json()["reference"]]


def test_api_refuses_a_bad_address_with_the_field_in_extra_and_in_fields(reference, make_staff):
    """The 400 API clients have read since before the top-level "fields": extra.field and extra.fields."""
    case = BenefitCase.objects.filter(status__terminal=False).first()
    csr = make_staff(Role.CSR)
    client = _signed_in(csr)
    _post(client, "/console/state/", {"state": "available"})
    contact = _ivr_contact(receipt_number=case.receipt_number)
    services.route_next(queue_name="tier1-en")
    _post(client, f"/console/contacts/{contact.pk}/accept/")

    response = client.post(
        "/api/service-requests/",
        {"contact_id": contact.pk, **_address_change(case, new_zip="9001")},
        content_type="application/json",
    )

    assert response.status_code == 400
    problems = {"new_zip": ["A ZIP code is 5 digits, for example 90012."]}
    assert response.json() == {
        "message": "A ZIP code is 5 digits, for example 90012.",
        "extra": {"field": "new_zip", "fields": problems},
        "fields": problems,
    }
    assert ServiceRequest.objects.count() == 0
