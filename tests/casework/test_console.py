import csv
import io
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from casework import services
from casework.models import Inquiry, InquiryStatus, Source, TripRedress, TripStatus
from contactcenter import services as core_services
from contactcenter.audit.context import AuditContext
from contactcenter.models import AuditEvent, Channel
from contactcenter.staff.roles import Role
from tests.casework.factories import make_inquiry

pytestmark = pytest.mark.django_db
EASTERN = ZoneInfo("America/New_York")


def test_queue_is_ordered_by_due_date_then_priority_with_sla_badges(client_as, at_time):
    today = timezone.localdate()
    with at_time(timezone.now() - timedelta(days=60)):
        late = make_inquiry(subject="Late one")
    soon_low = make_inquiry(subject="Soon low", priority=4)
    soon_urgent = make_inquiry(subject="Soon urgent", priority=1)
    Inquiry.objects.filter(pk__in=[soon_low.pk, soon_urgent.pk]).update(due_on=today + timedelta(days=1))
    later = make_inquiry(subject="Later", source=Source.PUBLIC)
    page = client_as(Role.CAO_ANALYST).get("/casework/").text
    order = [page.index(inquiry.reference) for inquiry in (late, soon_urgent, soon_low, later)]
    assert order == sorted(order)
    assert page.count('data-sla="overdue"') == 1 and page.count('data-sla="due_soon"') == 2


def test_filters_and_full_text_search(client_as):
    make_inquiry(subject="Naturalization interview delayed", body="N-400 interview never scheduled.")
    make_inquiry(subject="Card problem", body="My green card has a typo.", correspondent_name="Rosa Parkinson")
    make_inquiry(subject="Other matter", body="Nothing relevant", correspondent_email="x@example.com")
    client = client_as(Role.CAO_ANALYST)
    page = client.get("/casework/", {"q": "interviews"}).text  # stemmed: interview(s)
    assert "Naturalization interview delayed" in page and "Card problem" not in page
    page = client.get("/casework/", {"q": "Parkinson"}).text  # correspondent
    assert "Card problem" in page and "Naturalization" not in page
    page = client.get("/casework/", {"status": "received"}).text
    assert "Other matter" in page and "Card problem" not in page
    page = client.get("/casework/", {"unassigned": "on", "source": "cis_ombudsman"}).text
    assert "Card problem" in page and "Other matter" not in page


def test_a_refused_filter_is_reported_and_the_others_still_apply(client_as):
    wanted = make_inquiry(subject="Walk2 campaign letter", correspondent_email="a@example.com", source=Source.PUBLIC)
    congress = make_inquiry(subject="Walk2 campaign letter", source=Source.CONGRESSIONAL)
    unrelated = make_inquiry(subject="Other matter", correspondent_email="b@example.com", source=Source.PUBLIC)
    client = client_as(Role.CAO_ANALYST)
    response = client.get("/casework/", {"source": "public", "q": "walk2", "sla": "bogus"})
    assert response.status_code == 400
    page = response.text
    assert wanted.reference in page
    assert congress.reference not in page and unrelated.reference not in page
    sla_group = re.search(r'<div class="usa-form-group usa-form-group--error">.*?</div>', page, re.S).group(0)
    assert 'for="id_sla"' in sla_group and "usa-error-message" in sla_group
    for state in ("overdue", "due_soon", "on_track", "paused"):
        assert client.get("/casework/", {"sla": state}).status_code == 200, state


def test_bulk_assign(client_as, make_staff):
    first, second = make_inquiry(), make_inquiry()
    received = make_inquiry(correspondent_email="x@example.com")
    analyst = make_staff(Role.CAO_ANALYST)
    client = client_as(Role.CAO_SUPERVISOR)
    response = client.post("/casework/assign/", {"inquiry": [first.pk, second.pk], "assignee": analyst.pk})
    assert response.status_code == 302
    assert set(Inquiry.objects.filter(assignee=analyst).values_list("status", flat=True)) == {"assigned"}
    # one refusal (not triaged) assigns none of them
    third = make_inquiry()
    client.post("/casework/assign/", {"inquiry": [third.pk, received.pk], "assignee": analyst.pk})
    assert Inquiry.objects.filter(assignee=analyst).count() == 2


def test_bulk_assign_says_one_inquiry_or_many_in_english_and_spanish(client_as, make_staff):
    one, two, three = make_inquiry(), make_inquiry(), make_inquiry()
    analyst = make_staff(Role.CAO_ANALYST)
    client = client_as(Role.CAO_SUPERVISOR)
    sent = client.post("/casework/assign/", {"inquiry": [one.pk], "assignee": analyst.pk}, follow=True)
    assert "1 inquiry assigned." in sent.text
    data = {"inquiry": [one.pk], "assignee": analyst.pk}
    sent = client.post("/casework/assign/", data, follow=True, HTTP_ACCEPT_LANGUAGE="es")
    assert "1 consulta asignada." in sent.text
    data = {"inquiry": [two.pk, three.pk], "assignee": analyst.pk}
    sent = client.post("/casework/assign/", data, follow=True, HTTP_ACCEPT_LANGUAGE="es")
    assert "2 consultas asignadas." in sent.text


def test_inquiry_page_actions_and_activity_log(client_as):
    inquiry = make_inquiry()
    client = client_as(Role.CAO_ANALYST)
    client.post(f"/casework/inquiries/{inquiry.pk}/assign/", {"assignee": client.user.pk})
    client.post(f"/casework/inquiries/{inquiry.pk}/note/", {"text": "Called the NBC."})
    client.post(f"/casework/inquiries/{inquiry.pk}/hold/", {"reason": "Waiting for the A-file"})
    page = client.get(f"/casework/inquiries/{inquiry.pk}/").text
    assert 'data-status="on_hold"' in page and "Called the NBC." in page and 'data-sla="paused"' in page
    client.post(f"/casework/inquiries/{inquiry.pk}/resume/")
    response = client.post(f"/casework/inquiries/{inquiry.pk}/draft/", {"kind": "letter", "body": "Dear {{ name }}"})
    draft_url = response["Location"]
    client.post(draft_url, {"subject": "Your case", "body": "Dear Ombudsman", "submit": "review"})
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.IN_REVIEW
    assert AuditEvent.objects.filter(action="view", target_type="casework.inquiry").exists()
    assert "Draft: not yet approved" in client.get(draft_url + "letter/").text


def test_case_view_shows_the_receipt_status_and_every_channel(client_as, seeded_cases):
    core_services.interaction_record(
        context=AuditContext.system(),
        channel=Channel.IVR,
        topic_code="case-status",
        source_app="ivr",
        source_model="call",
        source_id="CA0001",
        receipt_numbers=["EAC2190000001"],
        summary="Caller checked case status",
    )
    inquiry = make_inquiry()
    page = client_as(Role.CAO_ANALYST).get("/casework/cases/eac2190000001/").text
    assert "IVR self-service" in page and "Written correspondence (CAO)" in page
    assert inquiry.reference in page and "data-case-status" in page
    assert client_as(Role.CAO_ANALYST).get("/casework/cases/XYZ/").status_code == 400


def test_a_call_an_iso_referred_to_cao_is_taken_up_as_an_inquiry_linked_in_the_ledger(client_as):
    from contactcenter.models import Outcome

    referral = core_services.interaction_record(
        context=AuditContext.system(),
        channel=Channel.TIER2,
        topic_code="case-status",
        source_app="contactcenter",
        source_model="waitingcontact",
        source_id="77",
        outcome=Outcome.REFERRED,
        receipt_numbers=["EAC2190000001"],
        contact_phone="+12135550142",
        language="es",
        summary="Needs a written answer about a lost interview notice.",
    )
    analyst = client_as(Role.CAO_ANALYST)
    console = analyst.get("/casework/").text
    assert f'data-referral="{referral.pk}"' in console
    assert "Needs a written answer about a lost interview notice." in console

    form = analyst.get(f"/casework/inquiries/new/?referral={referral.pk}").text
    assert 'value="iso_referral" selected' in form and "+12135550142" in form
    assert "Receipt numbers: EAC2190000001" in form

    response = analyst.post(
        "/casework/inquiries/new/",
        {
            "referral": referral.pk,
            "channel": "iso_referral",
            "source": "public",
            "priority": 3,
            "name": "María López",
            "role": "applicant",
            "phone": "+12135550142",
            "language": "es",
            "subject": "Referred by the contact center: interview notice",
            "body": "Needs a written answer about a lost interview notice. Receipt numbers: EAC2190000001",
        },
    )
    inquiry = Inquiry.objects.get()
    assert response.status_code == 302 and response.url == f"/casework/inquiries/{inquiry.pk}/"
    assert inquiry.channel == "iso_referral" and inquiry.receipt_numbers == ["EAC2190000001"]
    assert inquiry.interaction.parent == referral
    assert f'data-referral="{referral.pk}"' not in analyst.get("/casework/").text
    again = analyst.get(f"/casework/inquiries/new/?referral={referral.pk}")
    assert again.status_code == 302 and again.url == "/casework/"


def test_tsa_liaison_sees_trip_items_only(client_as, make_staff):
    general = make_inquiry(subject="General question")
    trip_inquiry = make_inquiry(
        subject="Repeated secondary screening", correspondent_email="liaison@tsa.dhs.gov", body="Screened at IAD"
    )
    assert trip_inquiry.source == Source.TSA_TRIP
    analyst = make_staff(Role.CAO_ANALYST)
    trip = services.trip_redress_open(
        context=AuditContext(actor=analyst),
        inquiry=trip_inquiry,
        redress_control_number="2026123456",
        traveller_name="Ali Khan",
    )
    client = client_as(Role.TSA_LIAISON)
    assert client.get(f"/casework/inquiries/{general.pk}/").status_code == 404
    trip_page = client.get(f"/casework/inquiries/{trip_inquiry.pk}/")
    assert trip_page.status_code == 200 and "Save triage" not in trip_page.text
    assert client.post(f"/casework/inquiries/{trip_inquiry.pk}/note/", {"text": "x"}).status_code == 403
    assert client.get("/casework/").status_code == 403
    api = client.get("/api/casework/inquiries/", {"q": "screening"}).json()
    assert [row["reference"] for row in api["results"]] == [trip_inquiry.reference]
    assert client.get("/api/casework/inquiries/", {"q": "question"}).json()["count"] == 0
    assert client.get(f"/api/casework/inquiries/{general.pk}/").status_code == 404
    page = client.get("/casework/trip/", {"q": "screening"}).text
    assert "2026123456" in page
    response = client.post(
        f"/casework/trip/{trip.pk}/",
        {"documents_received": ["form_591"], "status": "completed", "determination_letter": "x"},
    )
    assert response.status_code == 400 and "photo ID" in response.text
    client.post(
        f"/casework/trip/{trip.pk}/",
        {"documents_received": ["form_591", "passport"], "status": "completed", "determination_letter": "Cleared."},
    )
    trip.refresh_from_db()
    assert trip.status == TripStatus.COMPLETED and trip.determined_at is not None
    assert "Cleared." in client.get(f"/casework/trip/{trip.pk}/letter/").text


def test_reports_figures_and_csv(client_as, analyst, at_time):
    context = AuditContext(actor=analyst)
    with at_time(datetime(2026, 10, 5, 9, 0, tzinfo=EASTERN)):  # Monday
        on_time = services.inquiry_assign(context=context, inquiry=make_inquiry(), assignee=analyst)
        late = services.inquiry_assign(context=context, inquiry=make_inquiry(), assignee=analyst)
        make_inquiry(source=Source.PUBLIC)
    with at_time(datetime(2026, 10, 9, 9, 0, tzinfo=EASTERN)):  # 4 business days
        services.response_telephone_log(context=context, inquiry=on_time, outcome="answered", notes="ok")
    with at_time(datetime(2026, 11, 30, 9, 0, tzinfo=EASTERN)):  # after the 15-day target
        services.response_telephone_log(context=context, inquiry=late, outcome="answered", notes="late")
    with at_time(datetime(2026, 12, 1, 9, 0, tzinfo=EASTERN)):
        client = client_as(Role.CAO_SUPERVISOR)
        page = client.get("/casework/reports/", {"start": "2026-10-01", "end": "2026-10-31"}).text
        assert '<dd data-figure="on-time">50.0%' in page
        export = client.get("/casework/reports/", {"start": "2026-10-01", "end": "2026-10-31", "format": "csv"})
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert ["volume", "2026-10", "cis_ombudsman", "2"] in rows and ["volume", "2026-10", "public", "1"] in rows
    assert ["on_time_percent", "", "", "50.0"] in rows
    assert ["median_business_days_to_respond", "", "", "20.5"] in rows  # median of 4 and 37
    assert ["backlog_age_business_days", "", "31+", "1"] in rows
    assert date(2026, 10, 5) <= on_time.received_at.date()


def test_seed_casework_fills_the_queue_once():
    from io import StringIO

    from django.core.management import call_command

    from casework.models import TripRedress

    call_command("seed_casework", count=12, stdout=StringIO())
    call_command("seed_casework", count=12, stdout=StringIO())
    assert Inquiry.objects.count() == 12
    assert TripRedress.objects.count() == Inquiry.objects.filter(source=Source.TSA_TRIP).count()
    assert all(i.interaction_id for i in Inquiry.objects.all())


def _draft(client, inquiry) -> str:
    client.post(f"/casework/inquiries/{inquiry.pk}/assign/", {"assignee": client.user.pk})
    created = client.post(f"/casework/inquiries/{inquiry.pk}/draft/", {"kind": "letter", "body": "Old text"})
    return created["Location"]


def test_send_for_review_sends_the_text_in_the_form_not_the_last_saved_one(client_as):
    from casework.models import Response, ResponseStatus

    inquiry = make_inquiry()
    client = client_as(Role.CAO_ANALYST)
    draft_url = _draft(client, inquiry)
    sent = client.post(draft_url, {"subject": "New subject", "body": "New text, never saved", "submit": "review"})
    assert sent.status_code == 302 and sent["Location"] == f"/casework/inquiries/{inquiry.pk}/"
    response = Response.objects.get(inquiry=inquiry)
    assert (response.subject, response.body) == ("New subject", "New text, never saved")
    assert response.status == ResponseStatus.IN_REVIEW
    assert list(response.edited_by.all()) == [client.user]
    assert AuditEvent.objects.filter(summary=f"Response {response.pk} edited", actor=client.user).count() == 1


def test_send_for_review_with_an_invalid_edit_sends_nothing_and_keeps_the_text(client_as):
    from casework.models import Response, ResponseStatus

    inquiry = make_inquiry()
    client = client_as(Role.CAO_ANALYST)
    draft_url = _draft(client, inquiry)
    page = client.post(draft_url, {"subject": "", "body": "Typed but not sent", "submit": "review"})
    assert page.status_code == 400
    assert "Typed but not sent" in page.text and "usa-error-message" in page.text
    response = Response.objects.get(inquiry=inquiry)
    assert response.status == ResponseStatus.DRAFT and response.body == "Old text"
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.DRAFTING


def test_send_for_review_refused_by_the_workflow_saves_nothing(client_as):
    from casework.models import Response, ResponseStatus

    inquiry = make_inquiry()
    client = client_as(Role.CAO_ANALYST)
    draft_url = _draft(client, inquiry)
    client.post(f"/casework/inquiries/{inquiry.pk}/hold/", {"reason": "Waiting for the A-file"})
    page = client.post(draft_url, {"subject": "Subject", "body": "Edited while on hold", "submit": "review"})
    assert page.status_code == 400
    assert "Edited while on hold" in page.text and "cannot become in review" in page.text
    response = Response.objects.get(inquiry=inquiry)
    assert response.status == ResponseStatus.DRAFT and response.body == "Old text"
    assert not response.edited_by.exists()


def test_staff_download_an_attachment_audited_and_scoped_like_its_inquiry(client_as, make_staff):
    from tests.casework.factories import PDF, AttachmentFactory

    general = make_inquiry(attachments=[AttachmentFactory(filename="notice.pdf")])
    attachment = general.attachments.get()
    url = f"/casework/inquiries/{general.pk}/attachments/{attachment.pk}/"
    analyst = client_as(Role.CAO_ANALYST)
    page = analyst.get(f"/casework/inquiries/{general.pk}/").text
    assert f'href="{url}"' in page and ">notice.pdf</a>" in page and "(application/pdf, " in page

    download = analyst.get(url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == 'attachment; filename="notice.pdf"'
    assert download["X-Content-Type-Options"] == "nosniff"
    event = AuditEvent.objects.get(target_type="casework.attachment", target_id=str(attachment.pk))
    assert event.action == "view" and event.actor == analyst.user
    assert event.detail == {"inquiry": str(general.pk), "filename": "notice.pdf"}

    analyst.force_login(make_staff(Role.CSR))
    assert analyst.get(url).status_code == 403
    analyst.force_login(make_staff(Role.TSA_LIAISON))
    assert analyst.get(url).status_code == 404
    trip = make_inquiry(correspondent_email="liaison@tsa.dhs.gov", attachments=[AttachmentFactory()])
    trip_file = trip.attachments.get()
    assert analyst.get(f"/casework/inquiries/{trip.pk}/attachments/{trip_file.pk}/").status_code == 200
    # an attachment is only found under its own inquiry
    assert analyst.get(f"/casework/inquiries/{trip.pk}/attachments/{attachment.pk}/").status_code == 404
    assert AuditEvent.objects.filter(target_type="casework.attachment").count() == 2


def test_a_refused_action_shows_the_page_again_with_the_text_typed(client_as):
    from casework.models import Response

    inquiry = make_inquiry()  # triaged, nobody assigned yet
    client = client_as(Role.CAO_ANALYST)
    refused = client.post(
        f"/casework/inquiries/{inquiry.pk}/draft/", {"kind": "letter", "body": "Dear Ombudsman, a careful answer"}
    )
    assert refused.status_code == 400
    assert "Assign the inquiry before drafting its response." in refused.text
    assert "Dear Ombudsman, a careful answer</textarea>" in refused.text
    assert 'value="letter" selected' in refused.text
    assert not Response.objects.exists()
    invalid = client.post(f"/casework/inquiries/{inquiry.pk}/telephone/", {"outcome": "nonsense", "notes": "Rang at 9"})
    assert invalid.status_code == 400 and "Rang at 9</textarea>" in invalid.text


def test_queue_search_finds_a_confirmation_number_typed_any_way(client_as):
    wanted, other = make_inquiry(subject="Card problem"), make_inquiry(subject="Other matter")
    client = client_as(Role.CAO_ANALYST)
    code = wanted.reference.removeprefix("CAO-")
    for typed in (wanted.reference, wanted.reference.lower(), f"cao{code}", f" CAO{code.lower()} "):
        page = client.get("/casework/", {"q": typed}).text
        assert wanted.reference in page and other.reference not in page, typed


def test_queue_search_finds_the_inquiries_linked_to_a_receipt_number_in_any_format(client_as):
    linked = make_inquiry(subject="Card problem", body="About case eac-219-000-0001.")
    other = make_inquiry(subject="Other matter", body="About case WAC2190000002.")
    client = client_as(Role.CAO_ANALYST)
    for typed in ("EAC2190000001", "eac 219 000 0001", "EAC-219-000-0001", "eac.219.000.0001"):
        page = client.get("/casework/", {"q": typed}).text
        assert linked.reference in page and other.reference not in page, typed


@pytest.mark.postgres
def test_queue_search_ignores_accents(client_as):
    maria = make_inquiry(subject="Tarjeta", body="Mi tarjeta tiene un error.", correspondent_name="María Núñez")
    other = make_inquiry(subject="Other matter", correspondent_name="Mario Nunn")
    client = client_as(Role.CAO_ANALYST)
    for typed in ("maria", "María", "nunez"):
        page = client.get("/casework/", {"q": typed}).text
        assert maria.reference in page and other.reference not in page, typed


def test_queue_search_finds_the_correspondents_email_address(client_as):
    wanted = make_inquiry(subject="Tarjeta", correspondent_email="ana.ruiz@example.org")
    other = make_inquiry(subject="Other matter", correspondent_email="luis@example.net")
    client = client_as(Role.CAO_ANALYST)
    for typed in ("ana.ruiz@example.org", "ANA.RUIZ@example.org", "@example.org"):
        page = client.get("/casework/", {"q": typed}).text
        assert wanted.reference in page and other.reference not in page, typed


def test_the_trip_list_filters_by_status_from_a_labelled_select(client_as, make_staff):
    analyst = make_staff(Role.CAO_ANALYST)
    trips = []
    for number, name in (("2026000001", "Ali Khan"), ("2026000002", "Bea Lund")):
        inquiry = make_inquiry(correspondent_email="liaison@tsa.dhs.gov")
        trips.append(
            services.trip_redress_open(
                context=AuditContext(actor=analyst), inquiry=inquiry, redress_control_number=number, traveller_name=name
            )
        )
    TripRedress.objects.filter(pk=trips[1].pk).update(status=TripStatus.PENDING_PAPERWORK)
    client = client_as(Role.TSA_LIAISON)
    page = client.get("/casework/trip/", {"status": "pending_paperwork"}).text
    assert '<label class="usa-label" for="trip-status">Status</label>' in page
    assert '<option value="pending_paperwork" selected>Pending paperwork</option>' in page
    assert "2026000002" in page and "2026000001" not in page
    assert "2026000001" in client.get("/casework/trip/").text


def test_the_assign_dropdowns_show_full_names(client_as, make_staff):
    make_staff(Role.CAO_ANALYST, username="jdoe7", first_name="Jane", last_name="Doe")
    inquiry = make_inquiry()
    client = client_as(Role.CAO_SUPERVISOR)
    for url in ("/casework/", f"/casework/inquiries/{inquiry.pk}/"):
        page = client.get(url).text
        assert ">Jane Doe</option>" in page and ">jdoe7</option>" not in page, url


def test_the_report_csv_starts_with_a_byte_order_mark_for_excel(client_as):
    make_inquiry()
    export = client_as(Role.CAO_SUPERVISOR).get(
        "/casework/reports/", {"start": "2026-01-01", "end": "2026-12-31", "format": "csv"}
    )
    assert export.content.startswith(b"\xef\xbb\xbfsection,month,source,value")
    assert "0–5".encode() in export.content


def test_the_report_csv_without_dates_is_csv_over_the_pages_default_period(client_as):
    make_inquiry()  # received today
    client = client_as(Role.CAO_SUPERVISOR)
    export = client.get("/casework/reports/", {"format": "csv"})
    assert export.status_code == 200 and export["Content-Type"].startswith("text/csv")
    month = timezone.localdate().strftime("%Y-%m")
    assert f"volume,{month},cis_ombudsman,1" in export.content.decode("utf-8-sig")
    only_start = client.get("/casework/reports/", {"start": "2020-01-01", "format": "csv"})
    assert only_start["Content-Type"].startswith("text/csv")
    refused = client.get("/casework/reports/", {"start": "not a date", "format": "csv"})
    assert refused.status_code == 400 and refused["Content-Type"].startswith("text/html")


def test_bulk_assign_goes_back_to_the_queue_as_it_was_filtered(client_as, make_staff):
    first = make_inquiry()
    analyst = make_staff(Role.CAO_ANALYST)
    client = client_as(Role.CAO_SUPERVISOR)
    page = client.get("/casework/", {"source": "cis_ombudsman", "q": "delay"}).text
    assert 'name="filters" value="source=cis_ombudsman&amp;q=delay"' in page
    response = client.post(
        "/casework/assign/",
        {"inquiry": [first.pk], "assignee": analyst.pk, "filters": "q=delay&source=cis_ombudsman&evil=1"},
    )
    assert response["Location"] == "/casework/?q=delay&source=cis_ombudsman"
    refused = client.post("/casework/assign/", {"assignee": analyst.pk, "filters": "status=triaged"})
    assert refused["Location"] == "/casework/?status=triaged"


def test_queue_row_checkboxes_and_the_responses_table_are_labelled(client_as):
    inquiry = make_inquiry()
    client = client_as(Role.CAO_ANALYST)
    page = client.get("/casework/").text
    label = re.search(rf'<label[^>]*for="select-{inquiry.pk}">(.*?)</label>', page).group(0)
    assert "ncsc-checkbox-label--hidden-text" in label and f"Select {inquiry.reference}" in label
    detail = client.get(f"/casework/inquiries/{inquiry.pk}/").text
    assert '<caption class="usa-sr-only">Every response to this inquiry, oldest first</caption>' in detail


def test_a_refused_review_shows_the_page_again_with_the_supervisors_note(client_as):
    from casework.models import ResponseStatus

    client = client_as(Role.CAO_SUPERVISOR)
    context = AuditContext(actor=client.user)
    inquiry = services.inquiry_assign(context=context, inquiry=make_inquiry(), assignee=client.user)
    response = services.response_draft(context=context, inquiry=inquiry, body="Dear {{ name }}.")
    response = services.response_submit(context=context, response=response)
    url = f"/casework/responses/{response.pk}/review/"
    own = client.post(url, {"decision": "approve", "note": "Checked the A-file twice"})
    assert own.status_code == 400
    assert "cannot approve a response they drafted" in own.text
    assert "Checked the A-file twice</textarea>" in own.text or 'value="Checked the A-file twice"' in own.text
    undecided = client.post(url, {"note": "Still thinking"})
    assert undecided.status_code == 400 and "Still thinking" in undecided.text
    response.refresh_from_db()
    assert response.status == ResponseStatus.IN_REVIEW
