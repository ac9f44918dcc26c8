import pytest
from django.test import Client

from contactcenter import services
from contactcenter.audit.context import AuditContext
from contactcenter.models import AuditEvent
from contactcenter.staff.roles import Role


@pytest.fixture
def ledger(db):
    for n, channel in enumerate(["ivr", "tier1", "written"]):
        services.interaction_record(
            context=AuditContext.system(),
            channel=channel,
            topic_code="case-status",
            source_app="test",
            source_model=channel,
            source_id=n,
            receipt_numbers=["EAC2190000001"],
            outcome="resolved",
        )


def test_schema_is_openapi_3_with_our_paths(client_as):
    response = client_as(Role.CSR).get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    import json

    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    assert {"/api/me/", "/api/interactions/", "/api/topics/"} <= set(schema["paths"])


def test_swagger_ui_is_served_offline(client_as):
    html = client_as(Role.CSR).get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and "unpkg" not in html.lower()


def test_token_authentication(make_staff, ledger):
    user = make_staff(Role.ISO)
    token = services.api_token_create(user=user, context=AuditContext.system())
    response = Client().get("/api/me/", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 200
    assert response.json()["roles"] == ["iso"]
    assert Client().get("/api/me/", HTTP_AUTHORIZATION="Token not-a-token").status_code == 401


def test_receipt_history_is_paginated_and_audited(client_as, ledger):
    client = client_as(Role.CSR)
    response = client.get("/api/interactions/by-receipt/eac2190000001/?page_size=2")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]
    assert body["results"][0]["receipt_numbers"] == ["EAC2190000001"]
    audit = AuditEvent.objects.get(action="view", target_type="receipt_number")
    assert audit.target_id == "EAC2190000001" and audit.channel == "api" and audit.actor == client.user


def test_application_errors_are_400_with_one_shape(client_as):
    response = client_as(Role.CSR).get("/api/interactions/by-receipt/NOTARECEIPT/")
    assert response.status_code == 400
    assert response.json() == {
        "message": "A receipt number is 3 letters (EAC, WAC, LIN, SRC, NBC, MSC, IOE or YSC) and 10 digits.",
        "extra": {},
    }
    assert not AuditEvent.objects.filter(action="view").exists()


def test_outreach_roles_see_no_case_data(client_as, ledger):
    client = client_as(Role.CRO)
    assert client.get("/api/interactions/").status_code == 403
    assert client.get("/api/interactions/by-receipt/EAC2190000001/").status_code == 403
    assert client.get("/api/topics/").status_code == 200


def test_interaction_list_is_audited_once_per_request_with_what_was_listed(client_as, ledger):
    client = client_as(Role.CSR)
    response = client.get("/api/interactions/?page_size=1000&channel=ivr")
    assert response.status_code == 200
    assert response.json()["count"] == 1
    audit = AuditEvent.objects.get(action="view", target_type="interaction_list")
    assert audit.actor == client.user and audit.channel == "api"
    assert audit.detail["count"] == "1" and audit.detail["shown"] == "1"
    assert audit.detail["channel"] == "ivr" and audit.detail["page"] == "1"
    assert audit.detail["page_size"] == "100"
    assert "EAC2190000001" not in audit.summary + str(audit.detail)


def test_interaction_retrieve_is_audited_with_its_id(client_as, ledger):
    from contactcenter.models import Interaction

    client = client_as(Role.CSR)
    interaction = Interaction.objects.order_by("pk").first()
    response = client.get(f"/api/interactions/{interaction.pk}/")
    assert response.status_code == 200
    assert response.json()["receipt_numbers"] == ["EAC2190000001"]
    audit = AuditEvent.objects.get(action="view", target_type="interaction")
    assert audit.actor == client.user and audit.channel == "api"
    assert audit.target_id == str(interaction.pk)
