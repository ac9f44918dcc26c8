"""The outreach workflows declared once (outreach/workflows.py): the actions each state allows are
the ones the pages showed before, the services refuse the rest, and the API says which they are."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from contactcenter.audit.context import AuditContext
from contactcenter.common.errors import ApplicationError
from contactcenter.staff.roles import Role
from outreach import selectors, services
from outreach.models import CaseReferral, FeedbackItem, FeedbackStatus, ReferralStatus, RegistrationStatus
from outreach.workflows import FEEDBACK, REFERRAL
from tests.outreach.factories import EngagementFactory, RegistrationFactory

F = FeedbackStatus


@pytest.mark.parametrize("status", list(F))
def test_feedback_allows_what_its_page_showed_before(status):
    actions = FEEDBACK.allowed_actions(FeedbackItem(status=status), None)
    assert {action for action in actions if action != "report_back"} == (
        {"route"} if status in (F.NEW, F.UNDER_REVIEW) else set()
    ) | ({"respond"} if status in (F.UNDER_REVIEW, F.RESPONSE_DRAFTED) else set())


@pytest.mark.parametrize("status", list(ReferralStatus))
def test_a_referral_is_closed_once(status):
    assert ("close" in REFERRAL.allowed_actions(CaseReferral(status=status), None)) == (status != ReferralStatus.CLOSED)


@pytest.mark.django_db
def test_attendance_is_for_the_registered_once_the_engagement_has_begun(client_as):
    begun = EngagementFactory(starts_at=timezone.now() - timedelta(minutes=5), capacity=5)
    ahead = EngagementFactory(capacity=5)
    seated = RegistrationFactory(engagement=begun)
    waiting = RegistrationFactory(engagement=begun, status=RegistrationStatus.WAITLISTED)
    early = RegistrationFactory(engagement=ahead)
    assert selectors.registration_allowed_actions(registration=seated, user=None) == {"attend", "cancel"}
    assert selectors.registration_allowed_actions(registration=waiting, user=None) == {"cancel", "promote"}
    assert selectors.registration_allowed_actions(registration=early, user=None) == {"cancel"}
    with pytest.raises(ApplicationError, match="Only a registered person"):
        services.attendance_record(context=AuditContext.system(), registration_id=waiting.pk, attended=True)
    page = client_as(Role.OUTREACH_STAFF).get(f"/outreach/engagements/{begun.pk}/").text
    assert f'id="attended-{seated.pk}"' in page and f'id="attended-{waiting.pk}"' not in page


@pytest.mark.django_db
def test_the_api_says_what_may_be_done_to_feedback_and_a_referral_now(make_staff):
    client = APIClient()
    client.force_authenticate(make_staff(Role.OUTREACH_STAFF))
    item = client.post(
        "/api/outreach/feedback/",
        {"source": "engagement", "engagement_id": EngagementFactory().pk, "topic_code": "naturalization",
         "summary": "Oath ceremonies are far away"},
        format="json",
    ).json()  # fmt: skip
    assert "allowed_actions" not in item
    assert client.get(f"/api/outreach/feedback/{item['id']}/").json()["allowed_actions"] == ["route"]
    routed = client.post(f"/api/outreach/feedback/{item['id']}/route/", {"owning_office": "fod"}, format="json")
    assert routed.json()["allowed_actions"] == ["respond", "route"]

    payload = {"person_name": "Kim", "topic_code": "case-status", "mode": "callback", "phone": "2125550123"}
    referral = client.post("/api/outreach/referrals/", {**payload, "consent": True}, format="json").json()
    assert client.get(f"/api/outreach/referrals/{referral['id']}/").json()["allowed_actions"] == ["close"]
    closed = client.post(f"/api/outreach/referrals/{referral['id']}/close/", {"outcome": "answered"}, format="json")
    assert closed.json()["allowed_actions"] == []
    again = client.post(f"/api/outreach/referrals/{referral['id']}/close/", {"outcome": "answered"}, format="json")
    assert again.status_code == 400 and again.json()["message"] == "This referral is already closed."
