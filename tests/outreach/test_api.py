"""The outreach API: role-checked, writes through services, refusals as 400 with the message,
and no case PII in any payload."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from contactcenter import services as core
from contactcenter.audit.context import AuditContext
from contactcenter.models import Channel
from contactcenter.staff.roles import Role
from outreach.models import Engagement, Organisation
from tests.outreach.factories import EngagementFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_as(make_staff):
    def sign_in(role):
        client = APIClient()
        client.force_authenticate(make_staff(role))
        return client

    return sign_in


@pytest.mark.parametrize("role", [Role.CSR, Role.ISO, Role.CAO_ANALYST, Role.SUPERVISOR])
def test_other_roles_are_refused(api_as, role):
    client = api_as(role)
    for url in ("/api/outreach/organisations/", "/api/outreach/feedback/", "/api/outreach/dashboard/"):
        assert client.get(url).status_code == 403


def test_anonymous_is_refused():
    assert APIClient().get("/api/outreach/engagements/").status_code in (401, 403)


def test_engagement_create_refuses_naive_and_mismatched_times(api_as):
    client = api_as(Role.CRO)
    payload = {"title": "Webinar", "kind": "webinar", "time_zone": "America/Los_Angeles", "capacity": 100,
               "topic_code": "employment-authorization", "call_in": "https://example.gov/webinar",
               "starts_at": "2027-05-04T10:00:00", "ends_at": "2027-05-04T11:00:00-07:00",
               "registration_closes_at": "2027-05-03T10:00:00-07:00"}  # fmt: skip
    response = client.post("/api/outreach/engagements/", payload, format="json")
    assert response.status_code == 400
    assert "start time has no time zone" in response.json()["message"]
    response = client.post(
        "/api/outreach/engagements/", {**payload, "starts_at": "2027-05-04T10:00:00-04:00"}, format="json"
    )
    assert response.status_code == 400
    assert "-04:00 does not match America/Los_Angeles, which is -07:00" in response.json()["message"]
    assert Engagement.objects.count() == 0
    response = client.post(
        "/api/outreach/engagements/", {**payload, "starts_at": "2027-05-04T10:00:00-07:00"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["starts_at"].startswith("2027-05-04T13:00:00")  # shown in the server's zone


def test_organisations_filter_and_duplicate_refusal(api_as):
    client = api_as(Role.OUTREACH_STAFF)
    OrganisationFactory(kind="tribal", name="Tohono O'odham Nation", district="")
    OrganisationFactory(kind="business")
    listing = client.get("/api/outreach/organisations/?kind=tribal").json()
    assert [row["name"] for row in listing["results"]] == ["Tohono O'odham Nation"]
    response = client.post(
        "/api/outreach/organisations/",
        {"name": "tohono o'odham nation", "kind": "tribal", "level": "hq"},
        format="json",
    )
    assert response.status_code == 400 and "already on file" in response.json()["message"]
    # extra.field is what clients read before the top-level "fields" was added: both stay.
    assert response.json()["extra"] == {"field": "name"}
    assert response.json()["fields"] == {"name": [response.json()["message"]]}
    assert Organisation.objects.count() == 2


def test_contacts_dedupe_and_merge(api_as):
    client = api_as(Role.CRO)
    first = client.post(
        "/api/outreach/contacts/", {"first_name": "Ana", "last_name": "Ruiz", "email": "ana@example.org"}, format="json"
    ).json()
    response = client.post(
        "/api/outreach/contacts/", {"first_name": "Ana", "last_name": "Ruiz", "phone": "415 555 0100"}, format="json"
    )
    assert response.status_code == 400 and response.json()["extra"]["duplicates"] == [first["id"]]
    second = client.post(
        "/api/outreach/contacts/",
        {"first_name": "Ana", "last_name": "Ruiz", "phone": "415 555 0100", "allow_possible_duplicate": True},
        format="json",
    ).json()
    assert second["phone"] == "+14155550100"
    merged = client.post(f"/api/outreach/contacts/{first['id']}/merge/", {"merge_id": second["id"]}, format="json")
    assert merged.status_code == 200 and merged.json()["phone"] == "+14155550100"
    ids = [row["id"] for row in client.get("/api/outreach/contacts/").json()["results"]]
    assert ids == [first["id"]]


def test_feedback_route_respond_and_volume_carry_counts_not_case_data(api_as):
    client = api_as(Role.OUTREACH_STAFF)
    engagement = EngagementFactory()
    for i in range(2):
        core.interaction_record(
            context=AuditContext.system(), channel=Channel.TIER1, topic_code="naturalization", source_app="test",
            source_model="call", source_id=str(i), receipt_numbers=["IOE0912345678"],
        )  # fmt: skip
    item = client.post(
        "/api/outreach/feedback/",
        {"source": "engagement", "engagement_id": engagement.pk, "topic_code": "naturalization",
         "summary": "Oath ceremonies are scheduled far away"},
        format="json",
    ).json()  # fmt: skip
    refused = client.post(f"/api/outreach/feedback/{item['id']}/respond/", {"response": "x"}, format="json")
    assert refused.status_code == 400 and "Route the feedback" in refused.json()["message"]
    routed = client.post(f"/api/outreach/feedback/{item['id']}/route/", {"owning_office": "fod"}, format="json")
    assert routed.json()["status"] == "under_review"
    answered = client.post(f"/api/outreach/feedback/{item['id']}/respond/", {"response": "More sites."}, format="json")
    assert answered.json()["status"] == "response_drafted"
    volume = client.get(f"/api/outreach/feedback/{item['id']}/volume/")
    assert (volume.json()["calls"], volume.json()["inquiries"]) == (2, 0)
    assert "IOE" not in volume.content.decode()
    dashboard = client.get("/api/outreach/dashboard/").json()
    assert dashboard["feedback_pipeline"]["response_drafted"] == 1
    assert dashboard["engagements_per_district_month"][0]["district"] == "Chicago"


def test_referral_via_api_requires_consent_and_closes(api_as):
    client = api_as(Role.CRO)
    payload = {"person_name": "Kim", "topic_code": "case-status", "mode": "callback", "phone": "2125550123"}
    refused = client.post("/api/outreach/referrals/", {**payload, "consent": False}, format="json")
    assert refused.status_code == 400 and "consent" in refused.json()["message"]
    created = client.post("/api/outreach/referrals/", {**payload, "consent": True}, format="json").json()
    assert created["callback_status"] == "waiting" and "phone" not in created
    closed = client.post(f"/api/outreach/referrals/{created['id']}/close/", {"outcome": "unreachable"}, format="json")
    assert closed.json()["status"] == "closed"
