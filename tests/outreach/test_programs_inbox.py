"""Issue 16 in PED outreach: the partner types staff pick, programs that group engagements, the
owning office's feedback inbox, and feedback reported back to partners — walked through the pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from contactcenter.models import AuditEvent
from contactcenter.staff.roles import Role
from outreach import services, tasks
from outreach.models import (
    AgencyOfficeMembership,
    Engagement,
    FeedbackItem,
    FeedbackStatus,
    Membership,
    Organisation,
    PartnerReportBack,
    PartnerReportBackDelivery,
    Program,
)
from tests.outreach.factories import CTX, ContactFactory, EngagementFactory, OrganisationFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def eager(monkeypatch):
    """Tasks queued after commit run in this process, as a worker would run them."""
    from celery import current_app

    monkeypatch.setitem(current_app.conf, "task_always_eager", True)


# --- partner types -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kind", "label"),
    [
        ("dhs_component", "DHS component"),
        ("federal_agency", "Other federal agency"),
        ("association", "Association"),
        ("governors_office", "Intergovernmental: governor&#x27;s office"),
        ("state_legislature", "Intergovernmental: state legislature"),
        ("mayors_office", "Intergovernmental: mayor&#x27;s office"),
    ],
)
def test_the_new_partner_types_are_added_filtered_and_reported(client_as, kind, label):
    client = client_as(Role.OUTREACH_STAFF)
    OrganisationFactory(name="Existing community partner")  # a row from before keeps its type
    response = client.post(
        "/outreach/organisations/", {"name": f"Partner of type {kind}", "kind": kind, "level": "hq", "languages": "en"}
    )
    assert response.status_code == 302
    assert Organisation.objects.get(name=f"Partner of type {kind}").kind == kind
    assert Organisation.objects.get(name="Existing community partner").kind == "community"
    listing = client.get(f"/outreach/organisations/?kind={kind}").content.decode()
    assert f"Partner of type {kind}" in listing and "Existing community partner" not in listing
    assert f'<option value="{kind}"' in listing
    dashboards = client.get("/outreach/dashboards/").content.decode()
    assert label in dashboards
    csv_rows = client.get(f"/outreach/segments.csv?kind={kind}").content.decode()
    assert csv_rows.count("\n") == 1  # the header: the new partner has no contacts yet


def test_the_api_accepts_and_filters_the_new_partner_types(client_as):
    client = client_as(Role.CRO)
    created = client.post(
        "/api/outreach/organisations/",
        {"name": "Office of the Mayor of Chicago", "kind": "mayors_office", "level": "district", "district": "Chicago"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    OrganisationFactory(name="U.S. Customs and Border Protection", kind="dhs_component", level="hq")
    names = [row["name"] for row in client.get("/api/outreach/organisations/?kind=dhs_component").json()["results"]]
    assert names == ["U.S. Customs and Border Protection"]


# --- programs ----------------------------------------------------------------------------------------
def test_a_program_groups_engagements_with_their_totals_and_feedback(client_as):
    client = client_as(Role.CRO)
    refused = client.post("/outreach/programs/", {"name": "", "kind": "campaign", "starts_on": "2026-01-01"})
    assert refused.status_code == 400 and 'aria-invalid="true"' in refused.content.decode()
    response = client.post(
        "/outreach/programs/",
        {"name": "Citizenship Day 2026", "kind": "campaign", "goal": "More N-400s filed correctly",
         "audience": "Lawful permanent residents", "starts_on": "2026-09-01", "ends_on": "2026-09-30",
         "owner": client.user.pk, "results": "", "people_reached": "", "materials_distributed": ""},
    )  # fmt: skip
    program = Program.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/outreach/programs/{program.pk}/"
    assert program.owner == client.user and program.kind == "campaign"

    past = EngagementFactory(capacity=5, starts_at=timezone.now() - timedelta(days=2), title="Past session")
    RegistrationFactory(engagement=past, attended=True)
    RegistrationFactory(engagement=past, attended=False)
    services.feedback_record(
        context=CTX, recorded_by=client.user, source="engagement", engagement_id=past.pk,
        topic_code="naturalization", summary="The fee calculator is confusing",
    )  # fmt: skip
    other = EngagementFactory(title="Unrelated webinar")
    added = client.post(f"/outreach/programs/{program.pk}/", {"action": "add", "engagement-engagement": past.pk})
    assert added.status_code == 302
    page = client.get(f"/outreach/programs/{program.pk}/").content.decode()
    assert (
        "Past session" in page
        and "Unrelated webinar" not in page.split("data-program-engagements")[1].split("</table>")[0]
    )
    assert "data-total-registered>2<" in page and "data-total-attended>1<" in page
    assert "data-total-feedback>1 (" in page and "data-feedback-new>1<" in page

    listing = client.get("/outreach/programs/").content.decode()
    assert "Citizenship Day 2026" in listing

    edited = client.post(
        f"/outreach/programs/{program.pk}/edit/",
        {"name": "Citizenship Day 2026", "kind": "campaign", "starts_on": "2026-09-01", "ends_on": "2026-09-30",
         "owner": client.user.pk, "results": "1,200 people reached at 14 events", "people_reached": "1200"},
    )  # fmt: skip
    assert edited.status_code == 302
    program.refresh_from_db()
    assert program.people_reached == 1200 and "14 events" in program.results
    bad_dates = client.post(
        f"/outreach/programs/{program.pk}/edit/",
        {"name": "Citizenship Day 2026", "kind": "campaign", "starts_on": "2026-09-30", "ends_on": "2026-09-01",
         "owner": client.user.pk},
    )  # fmt: skip
    assert bad_dates.status_code == 400

    removed = client.post(f"/outreach/programs/{program.pk}/", {"action": "remove", "engagement": past.pk})
    assert removed.status_code == 302 and Engagement.objects.get(pk=past.pk).program is None
    assert Engagement.objects.get(pk=other.pk).program is None
    summaries = list(
        AuditEvent.objects.filter(target_type="outreach.program", target_id=str(program.pk)).values_list(
            "summary", flat=True
        )
    )
    assert any("created" in s for s in summaries) and any("added to" in s for s in summaries)
    assert any("taken out of" in s for s in summaries) and any("changed" in s for s in summaries)


def test_programs_are_for_outreach_roles_only(client_as):
    assert client_as(Role.CSR).get("/outreach/programs/").status_code == 403
    assert client_as(Role.OFFICE_STAFF).get("/outreach/programs/").status_code == 403


# --- the owning office's inbox -------------------------------------------------------------------------
def test_routing_feedback_notifies_the_office_whose_member_answers_it_in_the_inbox(
    client_as, make_staff, django_capture_on_commit_callbacks, eager
):
    responder = make_staff(Role.OFFICE_STAFF, email="fod.responder@uscis.example.gov")
    AgencyOfficeMembership.objects.create(user=responder, office="fod")
    other_office = make_staff(Role.OFFICE_STAFF, email="scops@uscis.example.gov")
    AgencyOfficeMembership.objects.create(user=other_office, office="scops")
    cro = client_as(Role.CRO)
    organisation = OrganisationFactory(name="Casa Latina")
    item = services.feedback_record(
        context=CTX, recorded_by=cro.user, source="partner", organisation_id=organisation.pk,
        topic_code="naturalization", summary="Interview notices arrive after the interview date",
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        routed = cro.post(f"/outreach/feedback/{item.pk}/", {"action": "route", "route-owning_office": "fod"})
    assert routed.status_code == 302 and len(callbacks) == 1
    assert len(mail.outbox) == 1
    notice = mail.outbox[0]
    assert notice.to == ["fod.responder@uscis.example.gov"]
    assert "Field Operations Directorate" in notice.subject
    assert f"/outreach/inbox/{item.pk}/" in notice.body and "Interview notices arrive" in notice.body
    # The task again (a retry, the sweep): nothing sent twice.
    assert tasks.feedback_routed_notice_send.apply(kwargs={"feedback_id": item.pk}).result is False
    assert len(mail.outbox) == 1

    office = Client()
    office.force_login(responder)
    inbox = office.get("/outreach/inbox/").content.decode()
    assert 'data-unread="1"' in inbox and "Interview notices arrive" in inbox
    stranger = Client()
    stranger.force_login(other_office)
    assert "Interview notices arrive" not in stranger.get("/outreach/inbox/").content.decode()
    assert stranger.get(f"/outreach/inbox/{item.pk}/").status_code == 404
    assert stranger.post(f"/outreach/inbox/{item.pk}/", {"response": "Not ours"}).status_code == 404

    page = office.get(f"/outreach/inbox/{item.pk}/").content.decode()
    assert "Your office's answer" in page and 'data-feedback-status="under_review"' in page
    assert 'data-unread="0"' in office.get("/outreach/inbox/").content.decode()
    assert office.post(f"/outreach/inbox/{item.pk}/", {"response": ""}).status_code == 400
    answered = office.post(f"/outreach/inbox/{item.pk}/", {"response": "Field offices now send notices 30 days ahead."})
    assert answered.status_code == 302
    item.refresh_from_db()
    assert item.status == FeedbackStatus.RESPONSE_DRAFTED
    assert item.responded_by == responder and item.responded_at is not None
    assert AuditEvent.objects.filter(
        target_type="outreach.feedbackitem", target_id=str(item.pk), actor=responder, summary__contains="response"
    ).exists()
    # The office staff role reaches only the inbox, not the rest of the outreach console.
    assert office.get("/outreach/feedback/").status_code == 403
    assert office.get("/outreach/contacts/").status_code == 403


def test_a_member_of_another_office_cannot_answer_through_the_service(make_staff):
    cro = make_staff(Role.CRO)
    outsider = make_staff(Role.OFFICE_STAFF)
    AgencyOfficeMembership.objects.create(user=outsider, office="scops")
    item = services.feedback_record(
        context=CTX, recorded_by=cro, source="cro", topic_code="naturalization", summary="Long lines"
    )
    services.feedback_route(context=CTX, feedback_id=item.pk, owning_office="fod")
    from contactcenter.audit.context import AuditContext
    from contactcenter.common.errors import ApplicationError

    with pytest.raises(ApplicationError, match="Only the owning office"):
        services.feedback_respond(context=AuditContext(actor=outsider), feedback_id=item.pk, response="x")


# --- report back to partners -----------------------------------------------------------------------------
def test_a_cro_reports_back_to_an_organisation_and_each_contact_gets_one_e_mail(
    client_as, make_staff, django_capture_on_commit_callbacks, eager
):
    cro = client_as(Role.CRO)
    organisation = OrganisationFactory(name="Chicago Association of Immigrant Services", kind="association")
    contact = ContactFactory(email="director@cais.example.org", consent_email=True, preferred_language="es")
    no_consent = ContactFactory(email="nomail@cais.example.org", consent_email=False)
    for person in (contact, no_consent):
        Membership.objects.create(contact=person, organisation=organisation)
    elsewhere = OrganisationFactory(name="Another partner")
    # The same person in a second organisation the report does not cover.
    Membership.objects.create(contact=ContactFactory(email="other@partner.example.org", consent_email=True),
                              organisation=elsewhere)  # fmt: skip

    answered = services.feedback_record(
        context=CTX, recorded_by=cro.user, source="partner", organisation_id=organisation.pk,
        topic_code="naturalization", summary="Spanish N-400 guides are out of print",
    )  # fmt: skip
    services.feedback_route(context=CTX, feedback_id=answered.pk, owning_office="oc")
    reply = "The Office of Citizenship reprinted them."
    services.feedback_respond(context=CTX, feedback_id=answered.pk, response=reply)
    waiting = services.feedback_record(
        context=CTX, recorded_by=cro.user, source="partner", organisation_id=organisation.pk,
        topic_code="naturalization", summary="Still under review item",
    )  # fmt: skip

    nothing = cro.post("/outreach/partner-reports/", {"introduction": "x"})
    assert nothing.status_code == 400 and "Choose an organization" in nothing.content.decode()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        published = cro.post(
            "/outreach/partner-reports/", {"organisation": organisation.pk, "introduction": "Gracias por su ayuda."}
        )
    assert published.status_code == 302 and len(callbacks) == 1
    report = PartnerReportBack.objects.get()
    assert published["Location"] == f"/outreach/partner-reports/{report.pk}/"
    assert list(report.items.all()) == [answered]
    answered.refresh_from_db()
    waiting.refresh_from_db()
    assert answered.status == FeedbackStatus.REPORTED_BACK and waiting.status == FeedbackStatus.NEW

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["director@cais.example.org"]
    assert "The Office of Citizenship reprinted them." in message.body
    assert "Spanish N-400 guides are out of print" in message.body and "Still under review" not in message.body
    assert "Gracias por su comentario." in message.body  # the contact's preferred language
    delivery = PartnerReportBackDelivery.objects.get()
    assert tasks.partner_report_back_delivery_send.apply(kwargs={"delivery_id": delivery.pk}).result is False
    assert len(mail.outbox) == 1

    before = AuditEvent.objects.filter(target_type="outreach.partnerreportbackdelivery_list").count()
    detail = cro.get(f"/outreach/partner-reports/{report.pk}/").content.decode()
    assert "director@cais.example.org" in detail and "The Office of Citizenship reprinted them." in detail
    assert AuditEvent.objects.filter(target_type="outreach.partnerreportbackdelivery_list").count() == before + 1
    assert "Chicago Association of Immigrant Services" in cro.get("/outreach/partner-reports/").content.decode()


def test_a_period_report_back_reaches_every_partner_with_feedback_once(
    client_as, django_capture_on_commit_callbacks, eager
):
    cro = client_as(Role.OUTREACH_STAFF)
    shared = ContactFactory(email="shared@coalition.example.org", consent_email=True)
    first, second = OrganisationFactory(), OrganisationFactory()
    Membership.objects.create(contact=shared, organisation=first)
    Membership.objects.create(contact=shared, organisation=second)
    for organisation, summary in ((first, "Biometrics sites too far"), (second, "Phone wait times long")):
        item = services.feedback_record(
            context=CTX, recorded_by=cro.user, source="partner", organisation_id=organisation.pk,
            topic_code="naturalization", summary=summary,
        )  # fmt: skip
        services.feedback_route(context=CTX, feedback_id=item.pk, owning_office="csped")
        services.feedback_respond(context=CTX, feedback_id=item.pk, response=f"Answer to {summary}")
    FeedbackItem.objects.filter(summary="Phone wait times long").update(received_at=timezone.now() - timedelta(days=60))
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        published = cro.post(
            "/outreach/partner-reports/",
            {"period_start": (today - timedelta(days=90)).isoformat(), "period_end": today.isoformat()},
        )
    assert published.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["shared@coalition.example.org"]
    body = mail.outbox[0].body
    assert "Answer to Biometrics sites too far" in body and "Answer to Phone wait times long" in body
    half = cro.post("/outreach/partner-reports/", {"period_start": today.isoformat(), "period_end": ""})
    assert half.status_code == 400 and "both ends of the period" in half.content.decode()


def test_a_notice_the_broker_never_got_is_swept_and_a_re_routing_tells_the_new_office(
    make_staff, django_capture_on_commit_callbacks
):
    fod, scops = make_staff(Role.OFFICE_STAFF), make_staff(Role.OFFICE_STAFF)
    AgencyOfficeMembership.objects.create(user=fod, office="fod")
    AgencyOfficeMembership.objects.create(user=scops, office="scops")
    cro = make_staff(Role.CRO)
    item = services.feedback_record(
        context=CTX, recorded_by=cro, source="cro", topic_code="naturalization", summary="Notices arrive late"
    )
    with django_capture_on_commit_callbacks(execute=False):  # the broker never hears of it
        services.feedback_route(context=CTX, feedback_id=item.pk, owning_office="fod")
    assert services.feedback_routed_notices_pending(older_than_seconds=0) == [item.pk]
    assert services.feedback_routed_notice_send(feedback_id=item.pk) is True
    assert services.feedback_routed_notices_pending(older_than_seconds=0) == []
    services.feedback_office_open(context=CTX, feedback_id=item.pk)

    with django_capture_on_commit_callbacks(execute=False):
        services.feedback_route(context=CTX, feedback_id=item.pk, owning_office="scops")
    item.refresh_from_db()
    assert item.office_opened_at is None  # unread again, in the new office's inbox
    assert services.feedback_routed_notice_send(feedback_id=item.pk) is True
    assert [message.to for message in mail.outbox] == [[fod.email], [scops.email]]
    assert "Service Center Operations" in mail.outbox[1].subject


def test_an_inbox_says_which_offices_its_user_answers_for(client_as):
    client = client_as(Role.OUTREACH_STAFF)
    assert "You answer for no office of the agency yet" in client.get("/outreach/inbox/").content.decode()
    AgencyOfficeMembership.objects.create(user=client.user, office="csped")
    page = client.get("/outreach/inbox/").content.decode()
    assert "Customer Service and Public Engagement" in page.split("data-offices>")[1].split("</p>")[0]
