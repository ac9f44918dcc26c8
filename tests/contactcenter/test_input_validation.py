"""Issue 14, finding 16: every API filter is validated (a 400 naming the parameter), a NUL character
is refused wherever input arrives, and the schema tells the truth about nulls and error answers."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from rest_framework import serializers

from contactcenter.staff.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_role(make_staff):
    """A signed-in client per role (a session, so that token minting stays in test_api_fuzz.py)."""

    def client_for(role: Role) -> Client:
        client = Client()
        client.force_login(make_staff(role))
        return client

    return client_for


# --- NUL -----------------------------------------------------------------------------------------
@pytest.mark.postgres
def test_a_nul_in_a_service_request_filter_is_a_400_naming_it_not_a_500(as_role):
    response = as_role(Role.CSR).get("/api/service-requests/?status=%00")
    assert response.status_code == 400
    assert response.json() == {"detail": "A NUL character is not accepted (query parameter 'status')."}


def test_a_nul_in_a_json_body_is_refused_before_any_view(as_role):
    body = json.dumps({"kind": "expedite", "receipt_number": "EAC2190000001\u0000", "date_of_birth": "1980-01-01"})
    response = as_role(Role.CSR).post("/api/service-requests/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": "A NUL character is not accepted (the JSON body)."}


def test_an_escaped_backslash_before_u0000_is_text_not_a_nul(as_role):
    body = json.dumps({"state": "\\u0000"})
    response = as_role(Role.CSR).post("/api/agent/state/", body, content_type="application/json")
    assert response.status_code == 400
    assert "state" in response.json()  # the serializer's refusal of an unknown state, not the NUL guard


def test_a_nul_in_a_page_form_field_gets_the_400_page():
    response = Client().post("/accounts/login/", {"username": "demo\x00", "password": "x"})
    assert response.status_code == 400
    assert "Request not accepted" in response.content.decode()


def test_a_nul_in_the_session_cookie_is_refused_before_the_session_is_read():
    client = Client()
    # The test client sends it quoted, the NUL as an octal escape, which Django decodes back to a NUL.
    client.cookies["sessionid"] = "abcdefghij\x00klmnopqrstuvwxyz"
    response = client.get("/cases/EAC2190000001/")
    assert response.status_code == 400
    assert "Request not accepted" in response.content.decode()


def test_an_encoded_percent_sign_followed_by_zeros_is_not_a_nul(client_as):
    response = client_as(Role.CAO_ANALYST).get("/casework/?q=%2500")
    assert response.status_code == 200


def test_a_nul_in_a_twilio_webhook_still_answers_spoken_help():
    response = Client().post("/ivr/voice/", {"CallSid": "CA\x00", "From": "+12025550100"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    body = response.content.decode()
    assert "<Say" in body and "<Hangup" in body


def test_a_nul_in_a_header_we_read_is_refused():
    response = Client().get("/api/me/", HTTP_ACCEPT_LANGUAGE="es\x00")
    assert response.status_code == 400


# --- filters --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("role", "url", "parameter"),
    [
        (Role.CSR, "/api/service-requests/?status=approvedx", "status"),
        (Role.CSR, "/api/service-requests/?receipt_number=not-a-receipt", "receipt_number"),
        (Role.CSR, "/api/interactions/?channel=fax", "channel"),
        (Role.CSR, "/api/interactions/?page=abc", "page"),
        (Role.CSR, "/api/topics/?page_size=-1", "page_size"),
        (Role.CAO_ANALYST, "/api/casework/inquiries/?status=lost", "status"),
        (Role.CAO_ANALYST, "/api/casework/inquiries/?source=pigeon", "source"),
        (Role.CAO_ANALYST, "/api/casework/inquiries/?q=" + "x" * 201, "q"),
        (Role.OUTREACH_STAFF, "/api/outreach/organisations/?kind=secret", "kind"),
        (Role.OUTREACH_STAFF, "/api/outreach/organisations/?language=" + "x" * 6, "language"),
        (Role.OUTREACH_STAFF, "/api/outreach/contacts/?q=" + "x" * 81, "q"),
        (Role.OUTREACH_STAFF, "/api/outreach/engagements/?district=" + "x" * 81, "district"),
        (Role.OUTREACH_STAFF, "/api/outreach/feedback/?status=maybe", "status"),
        (Role.OUTREACH_STAFF, "/api/outreach/referrals/?open=perhaps", "open"),
    ],
)
def test_an_invalid_filter_is_a_400_naming_the_parameter(as_role, role, url, parameter):
    response = as_role(role).get(url)
    assert response.status_code == 400, response.content
    assert parameter in response.json()


def test_valid_filters_still_filter(as_role):
    client = as_role(Role.CSR)
    assert client.get("/api/service-requests/?status=approved&receipt_number=eac-219-000-0001").status_code == 200
    assert client.get("/api/interactions/?channel=ivr&page=1&page_size=10").status_code == 200
    assert as_role(Role.OUTREACH_STAFF).get("/api/outreach/referrals/?open=1").status_code == 200


def test_an_unknown_api_path_answers_json(as_role):
    response = as_role(Role.CSR).get("/api/interactions/not-a-number/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


# --- the schema -----------------------------------------------------------------------------------
def _schema(as_role) -> dict:
    return as_role(Role.CSR).get("/api/schema/", HTTP_ACCEPT="application/json").json()


def test_nullable_fields_are_nullable_in_the_schema(as_role):
    components = _schema(as_role)["components"]["schemas"]
    for component, field in [
        ("Topic", "parent"),
        ("Interaction", "handled_by"),
        ("Inquiry", "assignee"),
        ("Response", "drafted_by"),
        ("Response", "reviewed_by"),
        ("Organisation", "owner"),
        ("Referral", "callback_status"),
    ]:
        assert components[component]["properties"][field].get("nullable") is True, (component, field)


def test_every_declared_field_over_a_nullable_column_allows_null():
    import casework.api
    import contactcenter.api
    import outreach.api

    lying = []
    for module in (contactcenter.api, casework.api, outreach.api):
        for name, serializer in vars(module).items():
            if not (isinstance(serializer, type) and issubclass(serializer, serializers.ModelSerializer)):
                continue
            if serializer is serializers.ModelSerializer:
                continue
            for field_name, field in serializer().fields.items():
                source = (field.source or field_name).split(".")[0]
                try:
                    column = serializer.Meta.model._meta.get_field(source)
                except Exception:
                    continue
                if getattr(column, "null", False) and not field.allow_null:
                    lying.append(f"{name}.{field_name}")
    assert lying == []


def test_every_operation_documents_its_error_answers(as_role):
    for path, operations in _schema(as_role)["paths"].items():
        for method, operation in operations.items():
            assert {"400", "401", "403", "404"} <= set(operation["responses"]), (method, path)
            if method == "post":
                assert "415" in operation["responses"], path


def test_list_filters_are_documented_with_their_choices(as_role):
    parameters = {
        parameter["name"]: parameter
        for parameter in _schema(as_role)["paths"]["/api/service-requests/"]["get"]["parameters"]
    }
    assert "approved" in parameters["status"]["schema"]["enum"]
    assert parameters["page"]["schema"]["type"] == "integer"


def test_the_schema_is_valid_openapi(as_role):
    from drf_spectacular.validation import validate_schema

    validate_schema(_schema(as_role))


def test_adding_a_note_is_documented_as_the_201_it_answers(as_role):
    responses = _schema(as_role)["paths"]["/api/casework/inquiries/{id}/notes/"]["post"]["responses"]
    assert "201" in responses and "200" not in responses


def test_an_engagements_registrations_are_documented_as_the_plain_list_they_are(as_role):
    response = _schema(as_role)["paths"]["/api/outreach/engagements/{id}/registrations/"]["get"]["responses"]["200"]
    assert response["content"]["application/json"]["schema"]["type"] == "array"


def test_a_nul_in_a_multipart_field_of_the_public_form_is_refused():
    response = Client().post("/casework/write/", {"subject": "Help\x00", "body": "Please"})
    assert response.status_code == 400
    assert "Request not accepted" in response.content.decode()


def test_a_nul_in_the_path_is_refused(client_as):
    assert client_as(Role.CSR).get("/cases/EAC%00/").status_code == 400
