"""The live tier's API: agent state, queue statistics and service requests, each checked by role."""

from __future__ import annotations

from contactcenter.staff.roles import Role
from tests.contactcenter.live_tier.calls import _signed_in, _within_normal_case


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
