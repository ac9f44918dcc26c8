"""PED outreach writes: each refusal is a clear message and leaves nothing half-saved."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone, translation

from contactcenter import services as core_services
from contactcenter.audit.context import AuditContext
from contactcenter.common.errors import ApplicationError
from contactcenter.models import (
    AgentState,
    AgentStatus,
    AuditEvent,
    Channel,
    ContactKind,
    ContactStatus,
    Interaction,
    Outcome,
    WaitingContact,
)
from outreach import selectors, services
from outreach.models import (
    CaseReferral,
    Contact,
    FeedbackItem,
    FeedbackStatus,
    Membership,
    Organisation,
    Registration,
    RegistrationStatus,
    ReportBackDelivery,
)
from tests.outreach.factories import (
    ContactFactory,
    EngagementFactory,
    OrganisationFactory,
    RegistrationFactory,
)

pytestmark = pytest.mark.django_db
CTX = AuditContext.system()
CHICAGO = ZoneInfo("America/Chicago")


# --- organisations and contacts -------------------------------------------------------------------
def test_organisation_types_include_intergovernmental_and_elected_office():
    org = services.organisation_create(
        context=CTX, name="Office of the Governor of Illinois", kind="elected_office", level="regional",
        region="Central", languages=["EN", " es "],
    )  # fmt: skip
    tribal = services.organisation_create(context=CTX, name="Ho-Chunk Nation", kind="tribal", level="hq")
    assert (org.kind, org.languages, tribal.kind) == ("elected_office", ["en", "es"], "tribal")
    with pytest.raises(ApplicationError, match="already on file"):
        services.organisation_create(
            context=CTX, name="office of the governor of illinois", kind="state", level="regional"
        )
    with pytest.raises(ApplicationError, match="needs its district"):
        services.organisation_create(context=CTX, name="Casa Central", kind="community", level="district")
    assert Organisation.objects.count() == 2


def test_an_organisation_in_the_same_district_written_in_another_case_or_with_spaces_is_a_duplicate():
    services.organisation_create(context=CTX, name="QA Org One", kind="community", level="district",
                                 district="Phoenix")  # fmt: skip
    for district in ("phoenix ", " PHOENIX"):
        with pytest.raises(ApplicationError, match="already on file for this district") as refused:
            services.organisation_create(
                context=CTX, name=" qa org one ", kind="community", level="district", district=district
            )
        assert refused.value.field == "name" and refused.value.extra == {}
    other = services.organisation_create(
        context=CTX, name="QA Org One", kind="community", level="district", district="Tucson"
    )
    assert other.district == "Tucson"
    assert sorted(Organisation.objects.values_list("district", flat=True)) == ["Phoenix", "Tucson"]


def test_contact_email_and_phone_are_normalised_and_bad_ones_refused():
    contact = services.contact_create(
        context=CTX, first_name="Ana", last_name="Ruiz", email=" Ana.Ruiz@Example.ORG ", phone="(312) 555-0142",
        official_role="mayors_office", organisation=OrganisationFactory(), position="Liaison",
    )  # fmt: skip
    assert (contact.email, contact.phone) == ("ana.ruiz@example.org", "+13125550142")
    assert Membership.objects.filter(contact=contact, position="Liaison").exists()
    with pytest.raises(ApplicationError, match="not a valid e-mail"):
        services.contact_create(context=CTX, first_name="B", last_name="C", email="not-an-email")
    with pytest.raises(ApplicationError, match="not a valid telephone"):
        services.contact_create(context=CTX, first_name="B", last_name="C", phone="555-01")
    assert Contact.objects.count() == 1


def test_duplicate_contacts_are_refused_or_confirmed():
    first = services.contact_create(context=CTX, first_name="Luis", last_name="Ortega", email="luis@example.org")
    with pytest.raises(ApplicationError, match="e-mail address is taken") as refused:
        services.contact_create(context=CTX, first_name="L.", last_name="O.", email="LUIS@example.org")
    assert refused.value.extra["duplicates"] == [first.pk]
    with pytest.raises(ApplicationError, match="confirm they are a different person"):
        services.contact_create(context=CTX, first_name="luis", last_name="ortega", email="other@example.org")
    second = services.contact_create(
        context=CTX, first_name="Luis", last_name="Ortega", email="other@example.org", allow_possible_duplicate=True
    )
    assert second.pk != first.pk
    # Even a confirmed duplicate never shares a live e-mail address.
    with pytest.raises(ApplicationError):
        services.contact_create(
            context=CTX, first_name="X", last_name="Y", email="luis@example.org", allow_possible_duplicate=True
        )


def test_merge_moves_memberships_fills_blanks_and_is_audited():
    org_a, org_b = OrganisationFactory(), OrganisationFactory()
    keep = ContactFactory(first_name="Maria", last_name="Lopez", phone="")
    dup = ContactFactory(first_name="Maria", last_name="Lopez", phone="+13125550100", title="Director")
    Membership.objects.create(contact=keep, organisation=org_a)
    Membership.objects.create(contact=dup, organisation=org_a)
    Membership.objects.create(contact=dup, organisation=org_b)
    assert selectors.contact_duplicates(contact=keep) == [dup]

    merged = services.contact_merge(context=CTX, keep_id=keep.pk, merge_id=dup.pk)
    dup.refresh_from_db()
    assert dup.merged_into_id == keep.pk
    assert (merged.phone, merged.title) == ("+13125550100", "Director")
    assert sorted(Membership.objects.filter(contact=keep).values_list("organisation_id", flat=True)) == sorted(
        [org_a.pk, org_b.pk]
    )
    event = AuditEvent.objects.get(target_type="outreach.contact", target_id=str(keep.pk), summary__contains="merged")
    assert event.detail["merged_id"] == str(dup.pk)
    assert list(selectors.contact_list()) == [keep]
    with pytest.raises(ApplicationError, match="already merged"):
        services.contact_merge(context=CTX, keep_id=keep.pk, merge_id=dup.pk)


def test_merging_a_contact_that_others_were_merged_into_repoints_them_to_the_one_kept():
    org = OrganisationFactory()
    one, two, three = ContactFactory(), ContactFactory(), ContactFactory()
    Membership.objects.create(contact=three, organisation=org)
    services.contact_merge(context=CTX, keep_id=one.pk, merge_id=three.pk)  # #3 into #1
    services.contact_merge(context=CTX, keep_id=two.pk, merge_id=one.pk)  # then #1 into #2

    one.refresh_from_db()
    three.refresh_from_db()
    assert (one.merged_into_id, three.merged_into_id) == (two.pk, two.pk)  # no chain #3 → #1 → #2
    assert list(Membership.objects.values_list("contact_id", flat=True)) == [two.pk]
    assert list(selectors.contact_list()) == [two]
    event = AuditEvent.objects.get(target_type="outreach.contact", target_id=str(two.pk), summary__contains="merged")
    assert event.detail["repointed"] == str(three.pk)
    assert f"#{three.pk} re-pointed to #{two.pk}" in event.summary
    assert AuditEvent.objects.filter(target_type="outreach.contact", target_id=str(three.pk),
                                     summary__contains="now points at").count() == 1  # fmt: skip
    with pytest.raises(ApplicationError, match="already merged"):
        services.contact_merge(context=CTX, keep_id=one.pk, merge_id=three.pk)


def test_cro_log_and_follow_ups_due(make_staff):
    cro = make_staff("cro")
    org = OrganisationFactory(owner=cro)
    services.cro_profile_set(context=CTX, user=cro, region="Central", districts=["Chicago", " Milwaukee "])
    due = services.partner_interaction_log(
        context=CTX, cro=cro, organisation_id=org.pk, kind="meeting", summary="Met the board",
        follow_up="Send N-400 flyers in Spanish", follow_up_due=timezone.localdate() + timedelta(days=2),
    )  # fmt: skip
    services.partner_interaction_log(context=CTX, cro=cro, organisation_id=org.pk, kind="call", summary="Quick call")
    with pytest.raises(ApplicationError, match="Say what the follow-up is"):
        services.partner_interaction_log(
            context=CTX, cro=cro, organisation_id=org.pk, kind="email", summary="x", follow_up_due=timezone.localdate()
        )
    assert list(selectors.follow_ups_due(cro=cro)) == [due]
    assert list(selectors.cro_partners(cro=cro)) == [org]
    assert selectors.cro_profile_for(user=cro).districts == ["Chicago", "Milwaukee"]
    services.follow_up_complete(context=CTX, interaction_id=due.pk)
    assert list(selectors.follow_ups_due(cro=cro)) == []


# --- engagements -----------------------------------------------------------------------------------
def _engagement_kwargs(organiser, **overrides):
    start = datetime(2027, 3, 10, 18, 0, tzinfo=CHICAGO)
    values = {
        "context": CTX,
        "organiser": organiser,
        "title": "Naturalization listening session",
        "kind": "listening_session",
        "starts_at": start,
        "ends_at": start + timedelta(hours=2),
        "time_zone": "America/Chicago",
        "capacity": 50,
        "registration_closes_at": start - timedelta(hours=2),
        "topic_code": "naturalization",
        "venue": "Library",
        "district": "Chicago",
    }
    values.update(overrides)
    return values


def test_engagement_refuses_naive_and_mismatched_times(make_staff):
    cro = make_staff("cro")
    naive = datetime(2027, 3, 10, 18, 0)
    with pytest.raises(ApplicationError, match="has no time zone"):
        services.engagement_create(**_engagement_kwargs(cro, starts_at=naive))
    eastern = datetime(2027, 3, 10, 18, 0, tzinfo=ZoneInfo("America/New_York"))
    with pytest.raises(ApplicationError, match=r"UTC offset -05:00 does not match America/Chicago, which is -06:00"):
        services.engagement_create(**_engagement_kwargs(cro, starts_at=eastern, ends_at=eastern + timedelta(hours=2)))
    with pytest.raises(ApplicationError, match="ends before it starts"):
        start = datetime(2027, 3, 10, 18, 0, tzinfo=CHICAGO)
        services.engagement_create(**_engagement_kwargs(cro, ends_at=start - timedelta(hours=1)))
    with pytest.raises(ApplicationError, match="place or a call-in"):
        services.engagement_create(**_engagement_kwargs(cro, venue=""))
    # Even the same instant written in UTC is refused: an event's times carry its own zone's offset.
    utc = datetime(2027, 3, 11, 0, 0, tzinfo=UTC)
    with pytest.raises(ApplicationError, match="does not match"):
        services.engagement_create(**_engagement_kwargs(cro, starts_at=utc))
    engagement = services.engagement_create(**_engagement_kwargs(cro))
    assert engagement.starts_at == datetime(2027, 3, 11, 0, 0, tzinfo=UTC)


def test_wall_clock_times_in_a_daylight_saving_gap_or_overlap_are_refused():
    with pytest.raises(ApplicationError, match="does not exist in America/Chicago"):
        services.local_to_aware(datetime(2027, 3, 14, 2, 30), "America/Chicago", "start")
    with pytest.raises(ApplicationError, match="happens twice"):
        services.local_to_aware(datetime(2027, 11, 7, 1, 30), "America/Chicago", "start")
    assert services.local_to_aware(datetime(2027, 7, 4, 9, 0), "America/Chicago", "start").utcoffset() == timedelta(
        hours=-5
    )


def test_registration_waitlists_over_capacity_and_refuses_after_close(django_capture_on_commit_callbacks):
    engagement = EngagementFactory(capacity=1)
    with django_capture_on_commit_callbacks() as callbacks:
        seated = services.registration_create(
            context=CTX, engagement_id=engagement.pk, name="Ana", email="Ana@Example.org", phone="312 555 0101"
        )
    assert len(callbacks) == 1  # the confirmation is enqueued after commit
    waiting = services.registration_create(context=CTX, engagement_id=engagement.pk, name="Bo", email="bo@example.org")
    assert (seated.status, seated.email, seated.phone) == ("registered", "ana@example.org", "+13125550101")
    assert waiting.status == RegistrationStatus.WAITLISTED
    with pytest.raises(ApplicationError, match="already registered"):
        services.registration_create(context=CTX, engagement_id=engagement.pk, name="Ana", email="ana@example.org")
    with pytest.raises(ApplicationError, match="not a valid telephone"):
        services.registration_create(
            context=CTX, engagement_id=engagement.pk, name="Cy", email="cy@example.org", phone="12"
        )
    with pytest.raises(ApplicationError, match="closed"):
        services.registration_create(
            context=CTX, engagement_id=engagement.pk, name="Di", email="di@example.org",
            now=engagement.registration_closes_at,
        )  # fmt: skip
    assert Registration.objects.filter(engagement=engagement).count() == 2


def test_cancelling_a_seat_promotes_the_first_waitlisted_and_tells_them():
    engagement = EngagementFactory(capacity=1)
    seated = services.registration_create(context=CTX, engagement_id=engagement.pk, name="A", email="a@example.org")
    first = services.registration_create(context=CTX, engagement_id=engagement.pk, name="B", email="b@example.org")
    services.registration_create(context=CTX, engagement_id=engagement.pk, name="C", email="c@example.org")
    for registration in Registration.objects.all():
        services.registration_confirmation_send(registration_id=registration.pk)
    assert len(mail.outbox) == 3
    assert "waitlist" in mail.outbox[1].subject

    token = services.registration_cancel_token(seated)
    assert services.registration_from_token(token) == seated
    assert services.registration_from_token(token + "x") is None
    services.registration_cancel(context=CTX, registration_id=seated.pk)
    first.refresh_from_db()
    assert first.status == RegistrationStatus.REGISTERED
    assert services.registration_confirmation_send(registration_id=first.pk) is True
    assert "Registration confirmed" in mail.outbox[-1].subject
    assert services.registration_confirmation_send(registration_id=first.pk) is False  # once per status
    assert len(mail.outbox) == 4


def test_confirmation_mail_is_in_the_registrants_language_with_a_cancel_link():
    engagement = EngagementFactory(capacity=5)
    registration = services.registration_create(
        context=CTX, engagement_id=engagement.pk, name="Rosa", email="rosa@example.org", language="es"
    )
    services.registration_confirmation_send(registration_id=registration.pk)
    message = mail.outbox[0]
    assert message.subject.startswith("Inscripción confirmada")
    assert "https://ncsc.test/outreach/events/cancel/" in message.body
    assert f"https://ncsc.test/outreach/events/{engagement.pk}/calendar.ics" in message.body


@pytest.mark.django_db(transaction=True)
def test_two_people_taking_the_last_seat_at_once_get_one_seat_and_one_waitlist():
    engagement = EngagementFactory(capacity=1)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def register(n):
        try:
            barrier.wait()
            results.append(
                services.registration_create(
                    context=CTX, engagement_id=engagement.pk, name=f"P{n}", email=f"p{n}@example.org"
                ).status
            )
        except Exception as error:  # surfaced by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(results) == ["registered", "waitlisted"]


def test_reminder_is_sent_once_per_registration_the_day_before():
    soon = EngagementFactory(capacity=5, starts_at=timezone.now() + timedelta(hours=20))
    later = EngagementFactory(capacity=5)
    due = RegistrationFactory(engagement=soon)
    RegistrationFactory(engagement=soon, status=RegistrationStatus.WAITLISTED)
    RegistrationFactory(engagement=later)
    assert services.registrations_reminder_due() == [due.pk]
    assert services.registration_reminder_send(registration_id=due.pk) is True
    assert services.registration_reminder_send(registration_id=due.pk) is False
    assert len(mail.outbox) == 1 and mail.outbox[0].subject.startswith("Reminder:")
    assert services.registrations_reminder_due() == []


def test_a_cancelled_engagement_tells_each_registrant_once_and_takes_no_more(django_capture_on_commit_callbacks):
    engagement = EngagementFactory(capacity=1, starts_at=timezone.now() + timedelta(hours=20))
    seated = RegistrationFactory(engagement=engagement, language="es", email="rosa@example.org")
    waiting = RegistrationFactory(engagement=engagement, status=RegistrationStatus.WAITLISTED)
    gone = RegistrationFactory(engagement=engagement, status=RegistrationStatus.CANCELLED)

    with pytest.raises(ApplicationError, match="Say why"):
        services.engagement_cancel(context=CTX, engagement_id=engagement.pk, reason=" ")
    with django_capture_on_commit_callbacks() as callbacks:
        services.engagement_cancel(context=CTX, engagement_id=engagement.pk, reason="The venue flooded.")
    assert len(callbacks) == 2  # the registered and the waitlisted, not the one who had cancelled
    engagement.refresh_from_db()
    assert engagement.cancelled_at is not None and engagement.sequence == 1
    assert sorted(services.registrations_cancellation_notice_pending(older_than_seconds=-60)) == sorted(
        [seated.pk, waiting.pk]
    )

    for registration in (seated, waiting, gone):
        services.registration_cancellation_notice_send(registration_id=registration.pk)
    assert services.registration_cancellation_notice_send(registration_id=seated.pk) is False
    assert [message.to for message in mail.outbox] == [["rosa@example.org"], [waiting.email]]
    assert mail.outbox[0].subject.startswith("Cancelada:") and "The venue flooded." in mail.outbox[0].body
    assert services.registrations_cancellation_notice_pending(older_than_seconds=-60) == []

    with pytest.raises(ApplicationError, match="cancelled"):
        services.registration_create(context=CTX, engagement_id=engagement.pk, name="Late", email="l@example.org")
    with pytest.raises(ApplicationError, match="already cancelled"):
        services.engagement_cancel(context=CTX, engagement_id=engagement.pk, reason="Again.")
    assert services.registrations_reminder_due() == []
    assert services.registration_reminder_send(registration_id=seated.pk) is False
    from outreach.ics import calendar_for

    ics = calendar_for([engagement], name="test").decode()
    assert "STATUS:CANCELLED" in ics and "SEQUENCE:1" in ics


def test_a_seat_given_up_after_the_engagement_is_cancelled_promotes_and_confirms_no_one():
    engagement = EngagementFactory(capacity=1)
    seated = RegistrationFactory(engagement=engagement, confirmed_status=RegistrationStatus.REGISTERED)
    waiting = RegistrationFactory(
        engagement=engagement, status=RegistrationStatus.WAITLISTED, confirmed_status=RegistrationStatus.WAITLISTED
    )
    services.engagement_cancel(context=CTX, engagement_id=engagement.pk, reason="The venue flooded.")

    services.registration_cancel(context=CTX, registration_id=seated.pk)

    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.WAITLISTED
    # A registration whose new status was never confirmed gets no "seat confirmed" once cancelled.
    Registration.objects.filter(pk=waiting.pk).update(
        status=RegistrationStatus.REGISTERED, updated_at=timezone.now() - timedelta(hours=1)
    )
    assert services.registrations_confirmation_pending() == []
    assert services.registration_confirmation_send(registration_id=waiting.pk) is False
    assert mail.outbox == []


def test_a_rescheduled_engagement_tells_registrants_once_and_gives_new_seats_to_the_waitlist(
    django_capture_on_commit_callbacks,
):
    engagement = EngagementFactory(capacity=1)
    seated = RegistrationFactory(engagement=engagement, language="es", email="rosa@example.org")
    first, second = (RegistrationFactory(engagement=engagement, status=RegistrationStatus.WAITLISTED) for _ in range(2))
    zone = ZoneInfo(engagement.time_zone)
    later = (engagement.starts_at + timedelta(days=7)).astimezone(zone)

    def update(**changes):
        values = {
            # Times as the console sends them: wall-clock times of the event's zone.
            "title": engagement.title, "description": engagement.description,
            "starts_at": engagement.starts_at.astimezone(zone), "ends_at": engagement.ends_at.astimezone(zone),
            "registration_closes_at": engagement.registration_closes_at.astimezone(zone),
            "venue": engagement.venue, "address": engagement.address, "call_in": engagement.call_in,
            "capacity": engagement.capacity, **changes,
        }  # fmt: skip
        return services.engagement_update(context=CTX, engagement_id=engagement.pk, **values)

    with pytest.raises(ApplicationError, match="ends before it starts"):
        update(ends_at=engagement.starts_at)
    with django_capture_on_commit_callbacks() as callbacks:
        update(capacity=2)  # more seats only: the first waitlisted gets one, nobody else is written to
    assert len(callbacks) == 1  # that one's confirmation
    first.refresh_from_db(), second.refresh_from_db()
    assert (first.status, second.status) == (RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED)
    engagement.refresh_from_db()
    assert engagement.sequence == 0
    with pytest.raises(ApplicationError, match="cannot go below"):
        update(capacity=1)

    with django_capture_on_commit_callbacks() as callbacks:
        update(
            starts_at=later, ends_at=later + timedelta(hours=2),
            registration_closes_at=later - timedelta(hours=1), venue="Harold Washington Library",
        )  # fmt: skip
    assert len(callbacks) == 3  # the two seated and the one still waitlisted
    engagement.refresh_from_db()
    assert engagement.sequence == 1 and engagement.venue == "Harold Washington Library"
    assert sorted(services.registrations_change_notice_pending(older_than_seconds=-60)) == sorted(
        [seated.pk, first.pk, second.pk]
    )
    for registration in (seated, first, second):
        assert services.registration_change_notice_send(registration_id=registration.pk) is True
    assert services.registration_change_notice_send(registration_id=seated.pk) is False
    spanish = next(message for message in mail.outbox if message.to == ["rosa@example.org"])
    assert spanish.subject.startswith("Cambio:") and "Harold Washington Library" in spanish.body
    assert later.strftime("%Y-%m-%d %H:%M") in spanish.body
    assert services.registrations_change_notice_pending(older_than_seconds=-60) == []

    late = services.registration_create(context=CTX, engagement_id=engagement.pk, name="L", email="l@example.org")
    assert services.registration_change_notice_send(registration_id=late.pk) is False  # joined after the change


# --- feedback, report back -------------------------------------------------------------------------
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


def test_contact_center_volume_counts_calls_and_inquiries_on_the_topic_and_its_subtopics():
    from contactcenter import services as core

    now = timezone.now()

    def ledger(channel, topic, n, when=now):
        for i in range(n):
            core.interaction_record(
                context=CTX, channel=channel, topic_code=topic, source_app="test", source_model=f"{channel}{topic}",
                source_id=f"{when.timestamp()}-{i}", occurred_at=when,
            )  # fmt: skip

    ledger(Channel.IVR, "service-request", 3)
    ledger(Channel.TIER1, "address-change", 2)  # a subtopic of service requests
    ledger(Channel.WRITTEN, "service-request", 4)
    ledger(Channel.OUTREACH, "service-request", 5)  # outreach's own referrals are not contact-center volume
    ledger(Channel.IVR, "fees", 7)
    ledger(Channel.IVR, "service-request", 6, when=now - timedelta(days=200))
    from contactcenter.models import Topic

    volume = selectors.contact_center_volume(
        topic=Topic.objects.get(code="service-request"), start=now - timedelta(days=30), end=now + timedelta(days=1)
    )
    assert (volume.calls, volume.inquiries, volume.total) == (5, 4, 9)


# --- case referrals -------------------------------------------------------------------------------
def test_referral_needs_consent_and_a_phone_for_a_callback(make_staff):
    cro = make_staff("cro")
    with pytest.raises(ApplicationError, match="consent"):
        services.referral_create(
            context=CTX, referred_by=cro, person_name="P", topic_code="case-status", mode="callback",
            consent=False, phone="3125550199",
        )  # fmt: skip
    with pytest.raises(ApplicationError, match="needs the person's telephone"):
        services.referral_create(
            context=CTX, referred_by=cro, person_name="P", topic_code="case-status", mode="callback", consent=True,
            email="p@example.org",
        )  # fmt: skip
    assert CaseReferral.objects.count() == Interaction.objects.count() == WaitingContact.objects.count() == 0


def test_callback_referral_queues_a_callback_and_is_closed_out(make_staff):
    cro = make_staff("cro")
    engagement = EngagementFactory()
    referral = services.referral_create(
        context=CTX, referred_by=cro, person_name="Pedro Diaz", topic_code="case-status", mode="callback",
        consent=True, phone="(312) 555-0199", language="es", engagement_id=engagement.pk,
    )  # fmt: skip
    assert referral.interaction.channel == Channel.OUTREACH
    assert referral.interaction.outcome == Outcome.CALLBACK
    assert (referral.callback.kind, referral.callback.queue_name) == (ContactKind.CALLBACK, "tier1-es")
    assert referral.callback.caller_time_zone == "America/Chicago"
    assert referral.callback.interaction_id == referral.interaction_id
    services.referral_close(context=CTX, referral_id=referral.pk, outcome="answered", note="Called back")
    referral.refresh_from_db()
    referral.interaction.refresh_from_db()
    assert (referral.status, referral.interaction.outcome) == ("closed", Outcome.RESOLVED)
    with pytest.raises(ApplicationError, match="already closed"):
        services.referral_close(context=CTX, referral_id=referral.pk, outcome="answered")


def _callback_referral(cro, phone="(312) 555-0199"):
    return services.referral_create(
        context=CTX, referred_by=cro, person_name="Pedro Diaz", topic_code="case-status", mode="callback",
        consent=True, phone=phone, language="en",
    )  # fmt: skip


@pytest.fixture
def office_hours(at_time):
    """Callbacks are offered only in the caller's daytime: a Monday at noon in Chicago."""
    with at_time(datetime(2026, 11, 30, 18, 0, tzinfo=UTC)):
        yield


@pytest.mark.parametrize("outcome", ["withdrawn", "answered"])
def test_closing_a_referral_the_person_no_longer_needs_cancels_its_waiting_callback(make_staff, outcome):
    referral = _callback_referral(make_staff("cro"))
    services.referral_close(context=CTX, referral_id=referral.pk, outcome=outcome)
    callback = WaitingContact.objects.get(pk=referral.callback_id)
    assert (callback.status, callback.ended_at) == (ContactStatus.CANCELLED, CaseReferral.objects.get().closed_at)
    assert AuditEvent.objects.filter(
        target_type="contactcenter.waitingcontact", target_id=callback.pk, summary__startswith="Contact withdrawn"
    ).exists()


def test_a_referral_closed_as_unreachable_leaves_the_callback_to_the_contact_centers_redials(make_staff):
    referral = _callback_referral(make_staff("cro"))
    services.referral_close(context=CTX, referral_id=referral.pk, outcome="unreachable")
    assert WaitingContact.objects.get(pk=referral.callback_id).status == ContactStatus.WAITING


def test_withdrawing_a_callback_offered_to_an_agent_frees_the_agent(make_staff, office_hours):
    csr = make_staff("csr")
    core_services.agent_state_set(context=AuditContext(actor=csr), user=csr, state="available")
    referral = _callback_referral(make_staff("cro"))
    core_services.route_next(queue_name="tier1-en")
    assert WaitingContact.objects.get(pk=referral.callback_id).status == ContactStatus.OFFERED

    services.referral_close(context=CTX, referral_id=referral.pk, outcome="withdrawn", note="Has a lawyer now")

    assert WaitingContact.objects.get(pk=referral.callback_id).status == ContactStatus.CANCELLED
    assert AgentState.objects.get(user=csr).state == AgentStatus.AVAILABLE


def test_a_callback_already_under_way_is_not_withdrawn(make_staff, office_hours):
    csr = make_staff("csr")
    core_services.agent_state_set(context=AuditContext(actor=csr), user=csr, state="available")
    referral = _callback_referral(make_staff("cro"))
    core_services.route_next(queue_name="tier1-en")
    core_services.contact_answer(context=AuditContext(actor=csr), user=csr, contact_id=referral.callback_id)

    services.referral_close(context=CTX, referral_id=referral.pk, outcome="answered")

    assert WaitingContact.objects.get(pk=referral.callback_id).status == ContactStatus.CONNECTED
    assert AgentState.objects.get(user=csr).state == AgentStatus.ON_CALL


def test_case_identifiers_typed_into_a_referral_close_out_note_are_not_kept(client_as):
    client = client_as("cro")
    referral = _callback_referral(client.user)
    note = "Withdrew: case EAC2190000001, A-number A012345678, call 312-555-0142"
    services.referral_close(context=CTX, referral_id=referral.pk, outcome="withdrawn", note=note)
    kept = CaseReferral.objects.get().close_note
    assert "EAC******0001" in kept
    assert kept.startswith("Withdrew: case EAC******0001")
    assert "EAC2190000001" not in kept and "012345678" not in kept and "555-0142" not in kept
    page = client.get(f"/outreach/referrals/{referral.pk}/").content.decode()
    assert "EAC******0001" in page and "EAC2190000001" not in page and "012345678" not in page


def test_inquiry_referral_is_a_ledger_entry_without_a_callback(make_staff):
    referral = services.referral_create(
        context=CTX, referred_by=make_staff("outreach_staff"), person_name="Kim", topic_code="green-card",
        mode="inquiry", consent=True, email="Kim@Example.org",
    )  # fmt: skip
    assert referral.callback is None
    assert (referral.interaction.outcome, referral.email) == (Outcome.REFERRED, "kim@example.org")
    assert referral.interaction.source_url == f"/outreach/referrals/{referral.pk}/"


def test_case_identifiers_typed_into_feedback_are_not_kept(make_staff):
    item = services.feedback_record(
        context=CTX, recorded_by=make_staff("cro"), source="cro", topic_code="case-status",
        summary="Caller with EAC2190000001 waits", detail="A-number A012345678, lives at 12 Main Street",
    )  # fmt: skip
    item.refresh_from_db()
    assert "EAC2190000001" not in item.summary and "EAC******0001" in item.summary
    assert "012345678" not in item.detail and "Main Street" not in item.detail
