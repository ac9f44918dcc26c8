"""PED outreach writes about feedback: recorded, routed, answered and reported back to attendees, with
what people say masked and only what was reported back made public."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone, translation

from contactcenter.common.errors import ApplicationError
from outreach import services
from outreach.models import FeedbackItem, FeedbackStatus, Registration, ReportBackDelivery
from tests.outreach.factories import CTX, EngagementFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def test_feedback_moves_new_under_review_response_drafted_reported_back(make_staff):
    staff = make_staff("outreach_staff")
    engagement = EngagementFactory(capacity=5, starts_at=timezone.now() - timedelta(days=1))
    attended = RegistrationFactory(engagement=engagement, attended=True)
    RegistrationFactory(engagement=engagement, attended=False)
    item = services.feedback_record(
        context=CTX, recorded_by=staff, source="engagement", engagement_id=engagement.pk,
        topic_code="naturalization", summary="N-400 interview waits are long",
    )  # fmt: skip
    with pytest.raises(ApplicationError, match="Route the feedback"):
        services.feedback_respond(context=CTX, feedback_id=item.pk, response="x")
    with pytest.raises(ApplicationError, match="no agency response yet"):
        services.report_back_publish(context=CTX, engagement_id=engagement.pk)
    services.feedback_route(context=CTX, feedback_id=item.pk, owning_office="fod")
    services.feedback_respond(context=CTX, feedback_id=item.pk, response="Field offices added Saturday interviews.")
    report = services.report_back_publish(context=CTX, engagement_id=engagement.pk, introduction="Thank you")
    item.refresh_from_db()
    assert item.status == FeedbackStatus.REPORTED_BACK
    assert list(report.deliveries.values_list("email", flat=True)) == [attended.email]
    services.report_back_publish(context=CTX, engagement_id=engagement.pk)
    assert ReportBackDelivery.objects.count() == 1  # once per attendee

    delivery = ReportBackDelivery.objects.get()
    assert services.report_back_delivery_send(delivery_id=delivery.pk) is True
    assert services.report_back_delivery_send(delivery_id=delivery.pk) is False
    assert len(mail.outbox) == 1
    assert "Saturday interviews" in mail.outbox[0].body
    with pytest.raises(ApplicationError, match="already reported back"):
        services.feedback_respond(context=CTX, feedback_id=item.pk, response="y")
    with translation.override("es"), pytest.raises(ApplicationError, match="ya se incluyó en un informe"):
        services.feedback_respond(context=CTX, feedback_id=item.pk, response="y")


def test_the_public_report_back_and_its_e_mails_show_only_what_was_reported_back(make_staff, client):
    staff = make_staff("outreach_staff")
    engagement = EngagementFactory(capacity=5, starts_at=timezone.now() - timedelta(days=1))
    RegistrationFactory(engagement=engagement, attended=True)

    def feedback(summary: str, response: str = "") -> FeedbackItem:
        item = services.feedback_record(
            context=CTX, recorded_by=staff, source="engagement", engagement_id=engagement.pk,
            topic_code="naturalization", summary=summary,
        )  # fmt: skip
        if response:
            services.feedback_route(context=CTX, feedback_id=item.pk, owning_office="fod")
            services.feedback_respond(context=CTX, feedback_id=item.pk, response=response)
        return item

    feedback("Fee waivers are hard to find", "The fee waiver page was rewritten.")
    services.report_back_publish(context=CTX, engagement_id=engagement.pk)
    # Heard after publishing: one still new, one with an answer only drafted (not yet approved to publish).
    feedback("Internal remark: partner X is difficult")
    feedback("Biometrics appointments far away", "DRAFT - do not publish: mobile biometrics being discussed")

    public = client.get(f"/outreach/reports/{engagement.uid}/").content.decode()
    assert "Fee waivers are hard to find" in public and "The fee waiver page was rewritten." in public
    assert "Internal remark" not in public and "Biometrics appointments" not in public and "DRAFT" not in public
    assert services.report_back_delivery_send(delivery_id=ReportBackDelivery.objects.get().pk) is True
    body = mail.outbox[0].body
    assert "The fee waiver page was rewritten." in body
    assert "Internal remark" not in body and "DRAFT" not in body and "still preparing its answer" not in body


def test_the_agency_response_keeps_its_telephone_numbers_but_not_a_persons_case_numbers(make_staff, client):
    staff = make_staff("outreach_staff")
    engagement = EngagementFactory(capacity=5, starts_at=timezone.now() - timedelta(days=1))
    RegistrationFactory(engagement=engagement, attended=True)
    item = services.feedback_record(
        context=CTX, recorded_by=staff, source="engagement", engagement_id=engagement.pk,
        topic_code="naturalization", summary="My case IOE0912345678 is stuck, call me at 312-555-0199",
    )  # fmt: skip
    assert item.summary == "My case IOE******5678 is stuck, call me at ******0199"  # what people say: all masked
    services.feedback_route(context=CTX, feedback_id=item.pk, owning_office="fod")
    services.feedback_respond(
        context=CTX,
        feedback_id=item.pk,
        response="Call us at 800-375-5283 or (312) 555-0100. About IOE-091-234-5678 and A123456789: "
        "we cannot discuss one person's case here.",
    )
    item.refresh_from_db()
    expected = (
        "Call us at 800-375-5283 or (312) 555-0100. About IOE******5678 and A******789: "
        "we cannot discuss one person's case here."
    )
    assert item.response == expected
    services.report_back_publish(context=CTX, engagement_id=engagement.pk)
    services.report_back_delivery_send(delivery_id=ReportBackDelivery.objects.get().pk)
    assert "Call us at 800-375-5283 or (312) 555-0100." in mail.outbox[0].body
    assert "IOE0912345678" not in mail.outbox[0].body and "123456789" not in mail.outbox[0].body
    public = client.get(f"/outreach/reports/{engagement.uid}/").content.decode()
    assert "Call us at 800-375-5283" in public and "A******789" in public and "A123456789" not in public


def test_attendance_and_a_report_back_wait_for_the_engagement_to_happen(make_staff):
    staff = make_staff("outreach_staff")
    starts = timezone.now() + timedelta(days=2)
    engagement = EngagementFactory(capacity=5, starts_at=starts)
    registration = RegistrationFactory(engagement=engagement)
    item = services.feedback_record(
        context=CTX, recorded_by=staff, source="engagement", engagement_id=engagement.pk,
        topic_code="naturalization", summary="Asked ahead of the session",
    )  # fmt: skip
    services.feedback_route(context=CTX, feedback_id=item.pk, owning_office="fod")
    services.feedback_respond(context=CTX, feedback_id=item.pk, response="Answered ahead.")
    with pytest.raises(ApplicationError, match="has not started yet"):
        services.attendance_record(context=CTX, registration_id=registration.pk, attended=True)
    registration.refresh_from_db()
    assert registration.attended is False
    Registration.objects.filter(pk=registration.pk).update(attended=True)
    with pytest.raises(ApplicationError, match="has not taken place yet") as refused:
        services.report_back_publish(context=CTX, engagement_id=engagement.pk)
    assert refused.value.extra == {"code": "not_ended"}
    with translation.override("es"), pytest.raises(ApplicationError, match="aún no ha comenzado"):
        services.attendance_record(context=CTX, registration_id=registration.pk, attended=False)
    item.refresh_from_db()
    assert item.status == FeedbackStatus.RESPONSE_DRAFTED and ReportBackDelivery.objects.count() == 0

    # Under way: attendance is taken; the report back still waits for the end.
    engagement.starts_at, engagement.ends_at = (
        timezone.now() - timedelta(minutes=30),
        timezone.now() + timedelta(hours=1),
    )
    engagement.registration_closes_at = engagement.starts_at - timedelta(hours=1)
    engagement.save(update_fields=["starts_at", "ends_at", "registration_closes_at"])
    assert services.attendance_record(context=CTX, registration_id=registration.pk, attended=True).attended is True
    with pytest.raises(ApplicationError, match="has not taken place yet"):
        services.report_back_publish(context=CTX, engagement_id=engagement.pk)
    engagement.ends_at = timezone.now() - timedelta(minutes=1)
    engagement.save(update_fields=["ends_at"])
    services.report_back_publish(context=CTX, engagement_id=engagement.pk)
    assert ReportBackDelivery.objects.count() == 1


def test_feedback_from_an_engagement_or_partner_names_it(make_staff):
    staff = make_staff("cro")
    with pytest.raises(ApplicationError, match="names the engagement"):
        services.feedback_record(context=CTX, recorded_by=staff, source="engagement", topic_code="fees", summary="x")
    with pytest.raises(ApplicationError, match="Unknown topic"):
        services.feedback_record(context=CTX, recorded_by=staff, source="cro", topic_code="nope", summary="x")
    assert FeedbackItem.objects.count() == 0


def test_case_identifiers_typed_into_feedback_are_not_kept(make_staff):
    item = services.feedback_record(
        context=CTX, recorded_by=make_staff("cro"), source="cro", topic_code="case-status",
        summary="Caller with EAC2190000001 waits", detail="A-number A012345678, lives at 12 Main Street",
    )  # fmt: skip
    item.refresh_from_db()
    assert "EAC2190000001" not in item.summary and "EAC******0001" in item.summary
    assert "012345678" not in item.detail and "Main Street" not in item.detail
