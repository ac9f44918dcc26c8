"""Issue 16 (CAO): a phone call from the Office of the Director logged as an inquiry, marked
sensitive so only a named analyst (and CAO supervisors) see it, and its status checked by the
caller on the public page with the confirmation number and their e-mail address."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import timezone

from casework import selectors, services
from casework.models import Inquiry, InquiryChannel, InquiryStatus, Source
from casework.sla import add_business_days
from contactcenter.models import AuditEvent
from contactcenter.staff.roles import Role

pytestmark = pytest.mark.django_db

CALL = {
    "name": "Dana Whitfield",
    "phone": "+1 202 555 0142",
    "email": "dana.whitfield@example.org",
    "source": "director",
    "receipt_number": "EAC2190000001",
    "a_number": "A12345678",
    "asked": "Calling for the Director's office about the delay on the applicant's card.\nPlease call back.",
    "language": "en",
}


def _signed_in(make_staff, role):
    user = make_staff(role)
    client = Client()
    client.force_login(user)
    client.user = user
    return client


def _log_call(client, django_capture_on_commit_callbacks, **changes) -> Inquiry:
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post("/casework/inquiries/new/telephone/", {**CALL, **changes})
    assert response.status_code == 302, response.content
    inquiry = Inquiry.objects.get(correspondent__phone=changes.get("phone", CALL["phone"]))
    assert response["Location"] == f"/casework/inquiries/{inquiry.pk}/"
    assert len(callbacks) == 1  # the confirmation e-mail, queued after commit as for any inquiry
    return inquiry


def _status(client, reference: str, email: str, **headers):
    return client.post("/casework/status/", {"reference": reference, "email": email}, **headers)


def _alert(page: str) -> str:
    return re.search(r"data-not-found>(.*?)</div>\s*</div>", page, re.S).group(1)


def test_done_means_a_directors_office_call_made_sensitive_and_checked_by_the_caller(
    make_staff, seeded_cases, django_capture_on_commit_callbacks, mailoutbox, settings
):
    analyst = _signed_in(make_staff, Role.CAO_ANALYST)
    named = _signed_in(make_staff, Role.CAO_ANALYST)
    other = _signed_in(make_staff, Role.CAO_ANALYST)
    supervisor = _signed_in(make_staff, Role.CAO_SUPERVISOR)

    console = analyst.get("/casework/").text
    assert 'href="/casework/inquiries/new/telephone/" data-log-phone>Log a phone inquiry<' in console
    form = analyst.get("/casework/inquiries/new/telephone/")
    assert form.status_code == 200 and "Office of the Director" in form.text

    # The call: telephone channel, Office of the Director, its SLA clock from the source's target.
    inquiry = _log_call(analyst, django_capture_on_commit_callbacks)
    assert inquiry.channel == InquiryChannel.TELEPHONE and inquiry.source == Source.DIRECTOR
    assert inquiry.due_on == add_business_days(timezone.localdate(inquiry.received_at), 10)
    assert inquiry.status == InquiryStatus.TRIAGED  # a known source is triaged at intake, as mail is
    assert inquiry.receipt_numbers == ["EAC2190000001"] and inquiry.a_numbers == ["A012345678"]
    assert list(inquiry.cases.values_list("receipt_number", flat=True)) == ["EAC2190000001"]
    assert inquiry.subject == "Calling for the Director's office about the delay on the applicant's card."
    page = analyst.get(f"/casework/inquiries/{inquiry.pk}/").text
    assert "Telephone call" in page and "Office of the Director" in page

    # The confirmation e-mail names the public status page.
    assert services.inquiry_confirm_send(inquiry_id=inquiry.pk) is True
    assert f"{settings.PUBLIC_BASE_URL}/casework/status/ with this number" in mailoutbox[0].body

    # The analyst takes it and marks it sensitive, naming one colleague.
    assert analyst.post(f"/casework/inquiries/{inquiry.pk}/assign-me/").status_code == 302
    done = analyst.post(f"/casework/inquiries/{inquiry.pk}/sensitive/", {"sensitive": "on", "readers": [named.user.pk]})
    assert done.status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.sensitive
    assert set(inquiry.sensitive_readers.all()) == {named.user, analyst.user}
    marked = AuditEvent.objects.get(target_type="casework.inquiry", summary__contains="marked sensitive")
    assert marked.actor == analyst.user

    # Another analyst: 404 on the page, its files, the API; absent from the queue, search and case view.
    assert other.get(f"/casework/inquiries/{inquiry.pk}/").status_code == 404
    assert other.post(f"/casework/inquiries/{inquiry.pk}/note/", {"text": "hi"}).status_code == 404
    assert other.get(f"/api/casework/inquiries/{inquiry.pk}/").status_code == 404
    assert inquiry.reference not in other.get("/casework/").text
    searched = other.get("/casework/", {"q": inquiry.reference}).text
    assert f'data-reference="{inquiry.reference}"' not in searched and "0 inquiries" in searched
    listed = other.get("/api/casework/inquiries/").json()
    assert inquiry.reference not in str(listed)
    assert inquiry.reference not in other.get("/casework/cases/EAC2190000001/").text
    assert selectors.inquiry_queue(user=other.user).count() == 0
    # Nor can its id, posted blind to the queue's bulk assignment, reach it.
    other.post("/casework/assign/", {"inquiry": [inquiry.pk], "assignee": other.user.pk})
    inquiry.refresh_from_db()
    assert inquiry.assignee == analyst.user and not inquiry.sensitive_readers.filter(pk=other.user.pk).exists()
    assert inquiry.reference in analyst.get("/casework/cases/EAC2190000001/").text

    # The named analyst sees it, tagged, and the view is audited as a sensitive one.
    before = AuditEvent.objects.filter(target_type="casework.sensitive_inquiry").count()
    page = named.get(f"/casework/inquiries/{inquiry.pk}/")
    assert page.status_code == 200
    assert "data-sensitive" in page.text and ">Sensitive</span>" in page.text
    viewed = AuditEvent.objects.filter(target_type="casework.sensitive_inquiry").order_by("-id")
    assert viewed.count() == before + 1
    assert viewed[0].actor == named.user and viewed[0].target_id == str(inquiry.pk)
    assert viewed[0].summary == f"Sensitive inquiry viewed: {inquiry.reference}"
    assert inquiry.reference in named.get("/casework/").text
    assert supervisor.get(f"/casework/inquiries/{inquiry.pk}/").status_code == 200

    # The caller checks the status: the status in plain words and the dates, nothing else.
    public = Client()
    shown = _status(public, inquiry.reference.lower(), CALL["email"].upper())
    assert shown.status_code == 200
    text = shown.text
    assert "An analyst is working on your inquiry." in text
    assert f'datetime="{timezone.localdate(inquiry.received_at):%Y-%m-%d}" data-received' in text
    assert f'datetime="{inquiry.due_on:%Y-%m-%d}" data-target' in text
    assert "data-updated" in text
    for secret in (
        CALL["name"],
        "Director",
        "delay on the applicant",
        analyst.user.last_name,
        named.user.last_name,
        "EAC2190000001",
        "Sensitive",
    ):
        assert secret not in text, secret
    checked = AuditEvent.objects.filter(target_type="casework.inquiry_status").order_by("-id")[0]
    assert checked.target_id == str(inquiry.pk) and checked.detail["outcome"] == "shown"

    # A wrong e-mail and a wrong number get the one same answer.
    wrong_email = _status(public, inquiry.reference, "someone.else@example.org")
    wrong_number = _status(public, "CAO-22222222", CALL["email"])
    assert wrong_email.status_code == wrong_number.status_code == 404
    assert _alert(wrong_email.text) == _alert(wrong_number.text)
    assert "An analyst is working" not in wrong_email.text
    assert AuditEvent.objects.filter(target_type="casework.inquiry_status", detail__outcome="not_found").count() == 2

    # Spanish.
    spanish = _status(public, inquiry.reference, CALL["email"], HTTP_ACCEPT_LANGUAGE="es")
    assert spanish.status_code == 200 and "Un analista está trabajando en su consulta." in spanish.text

    # The limit per confirmation number trips (from any address): refused, and audited.
    tries = [_status(public, inquiry.reference, f"guess{n}@example.org").status_code for n in range(3)]
    assert tries == [404, 404, 429]  # 5 per hour: 2 above, the third here is the sixth
    assert "Too many status checks" in _status(public, inquiry.reference, CALL["email"]).text
    assert AuditEvent.objects.filter(target_type="casework.inquiry_status", detail__outcome="rate_limited").exists()


def test_the_limit_per_address_trips_across_confirmation_numbers(settings):
    settings.CASEWORK_STATUS_PER_ADDRESS_PER_HOUR = 3
    public = Client()
    codes = [_status(public, f"CAO-2222222{n}", "a@example.org").status_code for n in range(2, 6)]
    assert codes == [404, 404, 404, 429]


def test_the_status_page_and_confirmation_link_are_public_in_both_languages(client):
    english = client.get("/casework/status/")
    assert english.status_code == 200 and "Confirmation number" in english.text
    spanish = client.get("/casework/status/", HTTP_ACCEPT_LANGUAGE="es").text
    assert "Consulte el estado de su consulta" in spanish and "Número de confirmación" in spanish
    session = client.session
    session["casework_reference"] = "CAO-7K3M9QX2"
    session.save()
    done = client.get("/casework/write/done/").text
    assert 'href="/casework/status/" data-status-link' in done


def test_a_sensitive_inquiry_is_marked_only_by_a_supervisor_or_its_assignee(
    make_staff, django_capture_on_commit_callbacks
):
    assigned = _signed_in(make_staff, Role.CAO_ANALYST)
    bystander = _signed_in(make_staff, Role.CAO_ANALYST)
    supervisor = _signed_in(make_staff, Role.CAO_SUPERVISOR)
    inquiry = _log_call(assigned, django_capture_on_commit_callbacks)
    assigned.post(f"/casework/inquiries/{inquiry.pk}/assign-me/")

    page = bystander.get(f"/casework/inquiries/{inquiry.pk}/").text
    assert 'data-action-form="sensitive"' not in page
    refused = bystander.post(f"/casework/inquiries/{inquiry.pk}/sensitive/", {"sensitive": "on"})
    assert refused.status_code == 400
    assert "Only a CAO supervisor or the assigned analyst" in refused.text
    inquiry.refresh_from_db()
    assert not inquiry.sensitive

    # A supervisor marks it naming no one: the assignee still sees it, the bystander no longer does.
    assert 'data-action-form="sensitive"' in supervisor.get(f"/casework/inquiries/{inquiry.pk}/").text
    supervisor.post(f"/casework/inquiries/{inquiry.pk}/sensitive/", {"sensitive": "on"})
    assert assigned.get(f"/casework/inquiries/{inquiry.pk}/").status_code == 200
    assert bystander.get(f"/casework/inquiries/{inquiry.pk}/").status_code == 404
    # The ledger entry every reader of the case sees does not say what the inquiry is about.
    inquiry.refresh_from_db()
    assert inquiry.interaction.summary == f"Sensitive CAO inquiry {inquiry.reference}"
    assert inquiry.interaction.confidential
    # In the ledger only a CAO supervisor reads it whole; an analyst it doesn't name sees it exists.
    assert _ledger_entry(supervisor, inquiry)["summary"] == f"Sensitive CAO inquiry {inquiry.reference}"
    hidden = _ledger_entry(bystander, inquiry)
    assert (hidden["summary"], hidden["source_url"], hidden["handled_by"]) == ("", "", None)

    # Unmarked: everyone in CAO sees it again.
    supervisor.post(f"/casework/inquiries/{inquiry.pk}/sensitive/", {})
    assert bystander.get(f"/casework/inquiries/{inquiry.pk}/").status_code == 200
    assert "No longer sensitive" in bystander.get(f"/casework/inquiries/{inquiry.pk}/").text
    assert inquiry.reference in _ledger_entry(bystander, inquiry)["summary"]


def _ledger_entry(client, inquiry) -> dict:
    rows = client.get("/api/interactions/by-receipt/EAC2190000001/").json()
    rows = rows["results"] if isinstance(rows, dict) else rows
    [entry] = [row for row in rows if row["channel"] == "written" and row["occurred_at"]]
    return entry


def test_the_api_hides_a_sensitive_inquirys_responses_and_audits_its_reads(
    make_staff, django_capture_on_commit_callbacks
):
    assigned = _signed_in(make_staff, Role.CAO_ANALYST)
    bystander = _signed_in(make_staff, Role.CAO_ANALYST)
    inquiry = _log_call(assigned, django_capture_on_commit_callbacks)
    assigned.post(f"/casework/inquiries/{inquiry.pk}/assign-me/")
    marked = assigned.post(
        f"/api/casework/inquiries/{inquiry.pk}/sensitivity/", {"sensitive": True}, content_type="application/json"
    )
    assert marked.status_code == 200 and marked.json()["sensitive"] is True
    draft = assigned.post(f"/casework/inquiries/{inquiry.pk}/draft/", {"kind": "email", "body": "Dear caller"})
    assert draft.status_code == 302
    response_pk = int(draft["Location"].rstrip("/").rsplit("/", 1)[-1])
    assert assigned.get(f"/casework/responses/{response_pk}/").status_code == 200
    seen = AuditEvent.objects.filter(target_type="casework.sensitive_inquiry", actor=assigned.user, channel="web")
    assert seen.filter(target_id=str(inquiry.pk)).exists()  # the response page shows the inquiry too
    assert bystander.get(f"/casework/responses/{response_pk}/").status_code == 404
    assert bystander.get(f"/api/casework/responses/{response_pk}/").status_code == 404
    assert bystander.get("/api/casework/responses/").json()["count"] == 0
    assigned.get("/api/casework/inquiries/")
    api_rows = AuditEvent.objects.filter(target_type="casework.sensitive_inquiry", channel="api")
    assert api_rows.filter(actor=assigned.user, target_id=str(inquiry.pk)).exists()


def test_a_phone_inquiry_with_a_bad_receipt_number_is_refused_with_everything_typed(client_as):
    client = client_as(Role.CAO_ANALYST)
    response = client.post("/casework/inquiries/new/telephone/", {**CALL, "receipt_number": "XYZ12"})
    assert response.status_code == 400
    assert 'value="Dana Whitfield"' in response.text and not Inquiry.objects.exists()
