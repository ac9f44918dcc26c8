"""Inquiries CAO staff record on the console (a scanned letter, who is writing) and the activity log
they read."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from casework.models import Inquiry
from contactcenter.staff.roles import Role
from tests.casework.factories import PDF, make_inquiry
from tests.casework.intake.form_data import _staff_form

pytestmark = pytest.mark.django_db


def test_mail_scan_upload_by_staff_keeps_the_form_on_a_bad_file(client_as):
    client = client_as(Role.CAO_ANALYST)
    data = _staff_form()
    bad = client.post("/casework/inquiries/new/", {**data, "attachments": [SimpleUploadedFile("scan.gif", b"GIF89a")]})
    assert bad.status_code == 400 and "scan.gif: only PDF" in bad.text and "Referral of a letter" in bad.text
    assert not Inquiry.objects.exists()
    response = client.post("/casework/inquiries/new/", {**data, "attachments": [SimpleUploadedFile("scan.pdf", PDF)]})
    inquiry = Inquiry.objects.get()
    assert response["Location"] == f"/casework/inquiries/{inquiry.pk}/"
    assert (inquiry.channel, inquiry.source, inquiry.priority, inquiry.status) == (
        "mail_scan",
        "white_house",
        1,
        "triaged",
    )
    assert inquiry.a_numbers == ["A098765432"] and inquiry.attachments.get().filename == "scan.pdf"


def test_activity_log_shows_status_labels_not_codes(client_as):
    inquiry = make_inquiry()
    page = client_as(Role.CAO_ANALYST).get(f"/casework/inquiries/{inquiry.pk}/").text
    assert "(Received → Triaged)" in page and "received → triaged" not in page


def test_staff_intake_records_who_is_writing(client_as):
    client = client_as(Role.CAO_ANALYST)
    form = client.get("/casework/inquiries/new/").text
    assert '<select name="role"' in form and "Office writing on someone&#x27;s behalf" in form
    client.post("/casework/inquiries/new/", _staff_form(source="congressional", organisation="Office of Rep. Diaz"))
    inquiry = Inquiry.objects.get()
    assert inquiry.correspondent.role == "office"
    page = client.get(f"/casework/inquiries/{inquiry.pk}/").text
    assert "(Office writing on someone&#x27;s behalf)" in page and "(Applicant)" not in page
