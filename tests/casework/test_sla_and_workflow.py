from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from casework import selectors, services
from casework.models import Inquiry, InquiryStatus, Response, ResponseStatus, SlaTarget, Source
from casework.sla import add_business_days, business_days_between
from contactcenter.audit.context import AuditContext
from contactcenter.common.errors import ApplicationError
from contactcenter.models import AuditEvent, Channel, Interaction
from contactcenter.staff.roles import Role
from tests.casework.factories import make_inquiry

EASTERN = ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (date(2026, 11, 20), 1, date(2026, 11, 23)),  # Friday + 1 → Monday
        (date(2026, 11, 21), 1, date(2026, 11, 23)),  # received on a Saturday
        (date(2026, 11, 25), 3, date(2026, 12, 1)),  # Thanksgiving (Thu 26) skipped
        (date(2026, 12, 23), 2, date(2026, 12, 28)),  # Christmas (Fri 25) and the weekend skipped
        (date(2026, 12, 31), 1, date(2027, 1, 4)),  # New Year's Day (Fri) skipped
        (date(2027, 1, 15), 1, date(2027, 1, 19)),  # Martin Luther King Jr. Day (Mon 18) skipped
        (date(2026, 11, 2), 10, date(2026, 11, 17)),  # Veterans Day (Wed 11) skipped
    ],
)
def test_business_days_skip_weekends_and_federal_holidays(start, days, due):
    assert add_business_days(start, days) == due
    assert business_days_between(start, due) == days


@pytest.mark.django_db
def test_ombudsman_email_is_triaged_with_its_due_date_cases_and_ledger_entry(seeded_cases):
    received = datetime(2026, 11, 25, 10, 0, tzinfo=EASTERN)  # the day before Thanksgiving
    inquiry = make_inquiry(received_at=received, body="About EAC-219-000-0001 and A12345678, nothing else.")
    assert inquiry.source == Source.CIS_OMBUDSMAN
    assert inquiry.status == InquiryStatus.TRIAGED
    # 15 business days from Wed 25 Nov 2026, Thanksgiving skipped → Thu 17 Dec 2026.
    assert inquiry.due_on == date(2026, 12, 17)
    assert inquiry.receipt_numbers == ["EAC2190000001"]
    assert inquiry.a_numbers == ["A012345678"]
    assert list(inquiry.cases.values_list("receipt_number", flat=True)) == ["EAC2190000001"]
    interaction = Interaction.objects.get(source_app="casework", source_model="inquiry", source_id=str(inquiry.pk))
    assert interaction == inquiry.interaction
    assert interaction.channel == Channel.WRITTEN
    assert sorted(interaction.identifiers.values_list("value", flat=True)) == ["A012345678", "EAC2190000001"]
    assert inquiry.reference.startswith("CAO-") and len(inquiry.reference) == 12
    assert [a.to_status for a in inquiry.activities.all()] == ["received", "triaged"]
    assert AuditEvent.objects.filter(target_type="casework.inquiry", target_id=str(inquiry.pk)).count() == 2


@pytest.mark.django_db
def test_sla_target_is_configurable_per_source():
    SlaTarget.objects.update_or_create(source=Source.CIS_OMBUDSMAN, defaults={"business_days": 5})
    inquiry = make_inquiry(received_at=datetime(2026, 11, 20, 9, 0, tzinfo=EASTERN))
    assert inquiry.due_on == date(2026, 11, 30)  # Fri + 5 business days, Thanksgiving skipped


@pytest.mark.django_db
def test_unknown_sender_waits_in_received_until_triaged(analyst):
    inquiry = make_inquiry(correspondent_email="someone@example.com")
    assert (inquiry.source, inquiry.status) == (Source.OTHER, InquiryStatus.RECEIVED)
    context = AuditContext(actor=analyst)
    with pytest.raises(ApplicationError, match="Triage"):
        services.inquiry_assign(context=context, inquiry=inquiry, assignee=analyst)
    inquiry = services.inquiry_triage(context=context, inquiry=inquiry, source=Source.WHITE_HOUSE, priority=1)
    assert inquiry.status == InquiryStatus.TRIAGED
    assert inquiry.due_on == add_business_days(inquiry.received_at.astimezone(EASTERN).date(), 10)


@pytest.mark.django_db
def test_hold_pauses_the_clock_and_extends_the_due_date(at_time, analyst):
    with at_time(datetime(2026, 11, 16, 9, 0, tzinfo=EASTERN)):  # Monday
        inquiry = make_inquiry()
        assert inquiry.due_on == date(2026, 12, 8)
        services.inquiry_hold(context=AuditContext(actor=analyst), inquiry=inquiry, reason="Waiting for the A-file")
        inquiry.refresh_from_db()
        assert selectors.sla_state(inquiry=inquiry) == "paused"
    with at_time(datetime(2026, 11, 23, 9, 0, tzinfo=EASTERN)):  # next Monday: 5 business days held
        inquiry = services.inquiry_resume(context=AuditContext(actor=analyst), inquiry=inquiry)
    assert inquiry.status == InquiryStatus.TRIAGED
    assert inquiry.hold_business_days == 5
    assert inquiry.due_on == date(2026, 12, 15)  # 8 Dec + 5 business days
    assert inquiry.activities.filter(to_status="on_hold", text="Waiting for the A-file").exists()


@pytest.mark.django_db
def test_sla_states(at_time):
    with at_time(datetime(2026, 11, 16, 9, 0, tzinfo=EASTERN)):
        inquiry = make_inquiry()
    assert selectors.sla_state(inquiry=inquiry, today=date(2026, 11, 20)) == "on_track"
    assert selectors.sla_state(inquiry=inquiry, today=date(2026, 12, 4)) == "due_soon"
    assert selectors.sla_state(inquiry=inquiry, today=date(2026, 12, 8)) == "due_soon"
    assert selectors.sla_state(inquiry=inquiry, today=date(2026, 12, 9)) == "overdue"


@pytest.mark.django_db
def test_workflow_to_sent_needs_supervisor_review(analyst, supervisor, make_staff):
    inquiry = make_inquiry()
    context = AuditContext(actor=analyst)
    inquiry = services.inquiry_assign(context=context, inquiry=inquiry, assignee=analyst)
    assert inquiry.status == InquiryStatus.ASSIGNED
    response = services.response_draft(context=context, inquiry=inquiry, body="Dear {{ name }}, re {{ reference }}.")
    assert response.body == f"Dear Ombudsman Case Assistance, re {inquiry.reference}."
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.DRAFTING
    response = services.response_submit(context=context, response=response)
    with pytest.raises(ApplicationError, match="Only a CAO supervisor"):
        services.response_review(context=context, response=response, approve=True)
    second_supervisor_draft = services.response_review(
        context=AuditContext(actor=supervisor), response=response, approve=False, note="Cite the case status."
    )
    assert second_supervisor_draft.status == ResponseStatus.DRAFT
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.DRAFTING
    services.response_submit(context=context, response=response)
    services.response_review(context=AuditContext(actor=supervisor), response=response, approve=True)
    response.refresh_from_db()
    assert response.status == ResponseStatus.APPROVED and response.send_key
    assert services.response_send(response_id=response.pk) is True
    assert services.response_send(response_id=response.pk) is False  # redelivery sends nothing
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.SENT and inquiry.responded_at is not None
    assert Response.objects.get(pk=response.pk).status == ResponseStatus.SENT
    assert inquiry.interaction.outcome == "resolved"
    services.inquiry_close(context=context, inquiry=inquiry)
    inquiry = services.inquiry_reopen(context=context, inquiry=inquiry, reason="Correspondent wrote back")
    assert inquiry.status == InquiryStatus.ASSIGNED
    statuses = [a.to_status for a in inquiry.activities.exclude(to_status="")]
    assert statuses == [
        "received",
        "triaged",
        "assigned",
        "drafting",
        "in_review",
        "drafting",
        "in_review",
        "sent",
        "closed",
        "assigned",
    ]


@pytest.mark.django_db
def test_a_supervisor_cannot_approve_their_own_draft(supervisor):
    context = AuditContext(actor=supervisor)
    inquiry = services.inquiry_assign(context=context, inquiry=make_inquiry(), assignee=supervisor)
    response = services.response_draft(context=context, inquiry=inquiry, body="Text")
    services.response_submit(context=context, response=response)
    with pytest.raises(ApplicationError, match="they drafted"):
        services.response_review(context=context, response=response, approve=True)


@pytest.mark.django_db
def test_illegal_transitions_are_refused(analyst):
    inquiry = make_inquiry()
    context = AuditContext(actor=analyst)
    with pytest.raises(ApplicationError):
        services.inquiry_reopen(context=context, inquiry=inquiry, reason="no")
    with pytest.raises(ApplicationError, match="Assign"):
        services.response_draft(context=context, inquiry=inquiry, body="x")
    with pytest.raises(ApplicationError, match="why"):
        services.inquiry_hold(context=context, inquiry=inquiry, reason=" ")
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.TRIAGED


@pytest.mark.django_db
def test_telephone_response_is_kept_and_answers_the_inquiry(analyst):
    context = AuditContext(actor=analyst)
    inquiry = services.inquiry_assign(context=context, inquiry=make_inquiry(), assignee=analyst)
    services.response_telephone_log(context=context, inquiry=inquiry, outcome="no_answer", notes="Rang twice")
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.ASSIGNED
    services.response_telephone_log(context=context, inquiry=inquiry, outcome="answered", notes="Explained RFE")
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.SENT
    assert list(inquiry.responses.values_list("telephone_outcome", flat=True)) == ["no_answer", "answered"]


@pytest.mark.django_db
def test_sla_sweep_reminds_once_a_day_and_escalates_overdue_once(mailoutbox, analyst, supervisor, at_time):
    with at_time(datetime(2026, 11, 16, 9, 0, tzinfo=EASTERN)):
        due_soon = make_inquiry(subject="Soon")
        services.inquiry_assign(context=AuditContext(actor=analyst), inquiry=due_soon, assignee=analyst)
    with at_time(datetime(2026, 10, 1, 9, 0, tzinfo=EASTERN)):
        overdue = make_inquiry(subject="Late")
    mailoutbox.clear()
    with at_time(datetime(2026, 12, 7, 9, 0, tzinfo=EASTERN)):
        assert services.sla_sweep() == {"reminded": 1, "escalated": 1}
        assert services.sla_sweep() == {"reminded": 0, "escalated": 0}
    assert {tuple(m.to) for m in mailoutbox} == {(analyst.email,), (supervisor.email,)}
    overdue.refresh_from_db()
    assert overdue.escalated_at is not None
    assert overdue.activities.filter(kind="sla").count() == 1


@pytest.mark.django_db
def test_a_supervisor_who_edited_the_text_cannot_approve_it(analyst, supervisor, make_staff):
    from contactcenter.staff.roles import Role

    drafting = AuditContext(actor=analyst)
    inquiry = services.inquiry_assign(context=drafting, inquiry=make_inquiry(), assignee=analyst)
    response = services.response_draft(context=drafting, inquiry=inquiry, body="Analyst's text")
    services.response_submit(context=drafting, response=response)
    editing = AuditContext(actor=supervisor)
    services.response_review(context=editing, response=response, approve=False, note="Shorter, please")
    services.response_update(context=editing, response=response, subject=response.subject, body="Supervisor's text")
    services.response_submit(context=editing, response=response)
    with pytest.raises(ApplicationError, match="whose text they edited"):
        services.response_review(context=editing, response=response, approve=True)
    response.refresh_from_db()
    assert response.status == ResponseStatus.IN_REVIEW and response.approved_at is None
    assert list(response.edited_by.all()) == [supervisor]
    edit = AuditEvent.objects.get(summary=f"Response {response.pk} edited")
    assert edit.actor == supervisor and edit.detail["editor"] == supervisor.username
    assert edit.detail["changed"] == "body"
    other = make_staff(Role.CAO_SUPERVISOR)
    approved = services.response_review(context=AuditContext(actor=other), response=response, approve=True)
    assert approved.status == ResponseStatus.APPROVED and approved.reviewed_by == other


@pytest.mark.django_db
def test_saving_a_draft_unchanged_does_not_make_an_editor(analyst, supervisor):
    context = AuditContext(actor=analyst)
    inquiry = services.inquiry_assign(context=context, inquiry=make_inquiry(), assignee=analyst)
    response = services.response_draft(context=context, inquiry=inquiry, body="Text")
    services.response_update(
        context=AuditContext(actor=supervisor), response=response, subject=response.subject, body="Text"
    )
    assert not response.edited_by.exists()


def test_the_admin_shows_a_response_text_but_cannot_change_it(client_as, analyst):
    from contactcenter.staff.roles import Role

    context = AuditContext(actor=analyst)
    inquiry = services.inquiry_assign(context=context, inquiry=make_inquiry(), assignee=analyst)
    response = services.response_draft(context=context, inquiry=inquiry, kind="email", body="Dear Ombudsman")
    client = client_as(Role.ADMINISTRATOR)
    url = f"/admin/casework/response/{response.pk}/change/"
    page = client.get(url).text
    assert "Dear Ombudsman" in page and 'name="body"' not in page and 'name="subject"' not in page
    client.post(url, {"inquiry": inquiry.pk, "kind": "email", "language": "en", "status": "sent", "body": "Changed"})
    response.refresh_from_db()
    assert (response.body, response.status) == ("Dear Ombudsman", "draft")  # no review skipped in the admin
    assert client.get("/admin/casework/response/add/").status_code == 403


@pytest.mark.parametrize("today", ["2026-07-01", "2026-07-02", "2026-12-24"])  # before a holiday, a weekend
def test_the_queues_sla_filter_agrees_with_the_badges(make_staff, at_time, today):
    SlaTarget.objects.update_or_create(source=Source.CONGRESSIONAL, defaults={"business_days": 15, "due_soon_days": 5})
    analyst = make_staff(Role.CAO_ANALYST)
    start = date.fromisoformat(today)
    with at_time(f"{today} 15:00:00+00:00"):
        for source in (Source.PUBLIC, Source.CONGRESSIONAL):
            for offset in range(-2, 14):
                inquiry = make_inquiry(subject=f"{source} {offset}", source=source)
                Inquiry.objects.filter(pk=inquiry.pk).update(due_on=start + timedelta(days=offset))
        badges = {i.pk: selectors.sla_state(inquiry=i) for i in selectors.inquiry_queue(user=analyst)}
        for state in ("overdue", "due_soon", "on_track"):
            filtered = set(selectors.inquiry_queue(user=analyst, sla=state).values_list("pk", flat=True))
            assert filtered == {pk for pk, badge in badges.items() if badge == state}, state
            assert filtered, state
