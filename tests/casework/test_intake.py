import functools
import mailbox
from email.message import EmailMessage
from io import StringIO
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from casework import services
from casework.models import Inquiry, InquiryActivity, InquiryStatus, Source
from contactcenter.staff.roles import Role
from tests.casework.factories import PDF, make_inquiry

MAIL = Path(__file__).parent / "mail"
pytestmark = pytest.mark.django_db


def _ingest(*paths) -> str:
    out = StringIO()
    call_command("ingest_mail", *[str(p) for p in paths], stdout=out, stderr=StringIO())
    return out.getvalue()


def _message(
    subject: str, message_id: str, body: str, sender="Jane Doe <jane@example.com>", authenticated: str = ""
) -> bytes:
    """A message; `authenticated`: the domain our receiving server's DMARC check passed."""
    m = EmailMessage()
    if authenticated:
        m["Authentication-Results"] = f"mx.uscis.example.gov; dmarc=pass header.from={authenticated}"
    m["From"], m["Subject"], m["Message-ID"] = sender, subject, message_id
    m.set_content(body)
    return bytes(m)


CORRESPONDENT = "Ombudsman Case Assistance <caseassistance@cisomb.dhs.gov>"  # make_inquiry's


def test_ingest_eml_sanitises_html_checks_attachments_and_is_idempotent(seeded_cases):
    assert _ingest(MAIL / "ombudsman.eml").startswith("1 inquiries created")
    inquiry = Inquiry.objects.get()
    assert (inquiry.source, inquiry.status, inquiry.channel) == (Source.CIS_OMBUDSMAN, InquiryStatus.TRIAGED, "email")
    assert inquiry.message_id == "<ombudsman-0001@cisomb.dhs.gov>"
    assert inquiry.receipt_numbers == ["EAC2190000001"]
    assert "<script" not in inquiry.body_html and "onclick" not in inquiry.body_html
    assert "javascript:" not in inquiry.body_html and "<b>EAC2190000001</b>" in inquiry.body_html
    assert [a.filename for a in inquiry.attachments.all()] == ["g-28.pdf"]
    assert "tool.exe: only PDF, JPEG, PNG, TIFF" in inquiry.body
    assert _ingest(MAIL / "ombudsman.eml").startswith("0 inquiries created, 0 replies threaded, 1 already ingested")
    assert Inquiry.objects.count() == 1


def test_reply_with_reference_in_subject_threads_onto_its_inquiry(tmp_path):
    inquiry = make_inquiry()
    reply = tmp_path / "reply.eml"
    reply.write_bytes(
        _message(
            f"RE: We received your inquiry [{inquiry.reference}]",
            "<reply-1@x>",
            "Also see WAC2290000002.",
            sender=CORRESPONDENT,
        )
    )
    assert "1 replies threaded" in _ingest(reply)
    assert "1 already ingested" in _ingest(reply)
    activity = InquiryActivity.objects.get(message_id="<reply-1@x>")
    assert activity.inquiry == inquiry and activity.kind == "reply"
    inquiry.refresh_from_db()
    assert inquiry.receipt_numbers == ["EAC2190000001", "WAC2290000002"]
    assert Inquiry.objects.count() == 1


def test_ingest_mbox(tmp_path):
    box = mailbox.mbox(tmp_path / "inbox.mbox")
    box.add(_message("Question from the public", "<a@x>", "Where is my card?"))
    box.add(
        _message(
            "Letter from the Hill",
            "<b@x>",
            "Constituent case",
            sender="Staffer <s@mail.house.gov>",
            authenticated="mail.house.gov",
        )
    )
    box.flush()
    assert _ingest(tmp_path / "inbox.mbox").startswith("2 inquiries created")
    assert dict(Inquiry.objects.values_list("message_id", "source")) == {"<a@x>": "other", "<b@x>": "congressional"}


def test_public_form_in_spanish_and_english(client):
    assert "Write to the USCIS Customer Assistance Office" in client.get("/casework/write/").text
    spanish = client.get("/casework/write/", HTTP_ACCEPT_LANGUAGE="es").text
    assert "Escriba a la Oficina de Asistencia al Cliente de USCIS" in spanish
    assert 'lang="es"' in spanish


def _form(**overrides):
    data = {
        "name": "Ana Ruiz",
        "email": "ana@example.com",
        "role": "applicant",
        "receipt_number": "eac 219 000 0001",
        "subject": "My card never arrived",
        "message": "I was approved in March and the card never came.",
        "website": "",
    }
    data.update(overrides)
    return data


def test_public_form_shows_the_confirmation_number(client, django_capture_on_commit_callbacks):
    cache.clear()
    data = _form(attachments=[SimpleUploadedFile("notice.pdf", PDF, content_type="application/pdf")])
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post("/casework/write/", data, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 302
    inquiry = Inquiry.objects.get()
    assert (inquiry.channel, inquiry.source, inquiry.language) == ("web_form", "public", "es")
    assert inquiry.receipt_numbers == ["EAC2190000001"]
    assert inquiry.attachments.get().filename == "notice.pdf"
    assert len(callbacks) == 1  # the confirmation e-mail, after commit
    done = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="es").text
    assert inquiry.reference in done and "Su número de confirmación es" in done


def test_confirmation_email_is_sent_once(mailoutbox):
    inquiry = make_inquiry(correspondent_email="ana@example.com", language="es")
    assert services.inquiry_confirm_send(inquiry_id=inquiry.pk) is True
    assert services.inquiry_confirm_send(inquiry_id=inquiry.pk) is False
    assert len(mailoutbox) == 1
    assert inquiry.reference in mailoutbox[0].subject and mailoutbox[0].to == ["ana@example.com"]
    assert "Gracias" in mailoutbox[0].body


@pytest.mark.parametrize(
    ("filename", "content", "error"),
    [
        ("virus.exe", b"MZ\x90", "virus.exe: only PDF, JPEG, PNG, TIFF, Word (.docx) and text files"),
        ("fake.pdf", b"MZ\x90 not a pdf", "fake.pdf is not the kind of file its name says."),
        ("huge.pdf", PDF + b"0" * (10 * 1024 * 1024), "huge.pdf is larger than 10 MB."),
    ],
)
def test_bad_attachment_gives_a_clear_error_and_keeps_the_rest(client, filename, content, error):
    cache.clear()
    response = client.post("/casework/write/", _form(attachments=[SimpleUploadedFile(filename, content)]))
    assert response.status_code == 400
    assert error in response.text
    assert 'value="Ana Ruiz"' in response.text and "the card never came." in response.text
    assert not Inquiry.objects.exists()


def test_validation_error_keeps_everything_typed(client):
    cache.clear()
    response = client.post("/casework/write/", _form(email="not-an-email", receipt_number="XYZ1"))
    assert response.status_code == 400
    assert "A receipt number is 3 letters" in response.text
    assert 'value="not-an-email"' in response.text and 'value="XYZ1"' in response.text
    assert not Inquiry.objects.exists()


def test_honeypot_and_rate_limit_stop_spam(client, settings):
    cache.clear()
    assert client.post("/casework/write/", _form(website="http://spam.example")).status_code == 200
    assert not Inquiry.objects.exists()
    settings.CASEWORK_FORM_PER_HOUR = 2
    codes = [client.post("/casework/write/", _form(subject=f"Card {n}")).status_code for n in range(3)]
    assert codes == [302, 302, 429]
    assert Inquiry.objects.count() == 2


def test_api_intake_and_role_checks(client_as, make_staff):
    client = client_as(Role.CAO_ANALYST)
    payload = {
        "source": "congressional",
        "subject": "Constituent A-number A 123 456 789",
        "body": "Please check on LIN2190000003.",
        "correspondent_name": "Office of Rep. Smith",
    }
    response = client.post("/api/casework/inquiries/", payload, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "triaged" and body["a_numbers"] == ["A123456789"]
    assert body["receipt_numbers"] == ["LIN2190000003"]
    bad = client.post("/api/casework/inquiries/", {**payload, "subject": " "}, content_type="application/json")
    assert bad.status_code == 400
    client.force_login(make_staff(Role.TSA_LIAISON))
    assert client.get("/api/casework/inquiries/").json()["count"] == 0
    assert client.post("/api/casework/inquiries/", payload, content_type="application/json").status_code == 403
    client.force_login(make_staff(Role.CSR))
    assert client.get("/api/casework/inquiries/").status_code == 403


def test_api_review_needs_a_cao_supervisor(client_as, make_staff):
    client = client_as(Role.CAO_ANALYST)
    inquiry = make_inquiry(correspondent_email="ana@example.com", source=Source.CIS_OMBUDSMAN)
    analyst = client.user
    assigned = client.post(f"/api/casework/inquiries/{inquiry.pk}/assign/", {"assignee": analyst.username})
    assert assigned.status_code == 200, assigned.content
    draft = client.post(f"/api/casework/inquiries/{inquiry.pk}/responses/", {"body": "Dear {{ name }}"})
    assert draft.status_code == 201, draft.content
    draft = draft.json()
    assert draft["body"] == "Dear Ombudsman Case Assistance"
    assert client.post(f"/api/casework/responses/{draft['id']}/submit/").status_code == 200
    assert client.post(f"/api/casework/responses/{draft['id']}/review/", {"approve": True}).status_code == 403
    client.force_login(make_staff(Role.CAO_SUPERVISOR))
    approved = client.post(f"/api/casework/responses/{draft['id']}/review/", {"approve": True})
    assert approved.status_code == 200 and approved.json()["status"] == "approved"


def _staff_form(**overrides):
    """A mailed letter referred by the White House, as a CAO analyst records it."""
    return {
        "channel": "mail_scan",
        "source": "white_house",
        "priority": "1",
        "name": "Executive Clerk",
        "organisation": "The White House",
        "role": "office",
        "address": "1600 Pennsylvania Avenue NW, Washington DC",
        "language": "en",
        "subject": "Referral of a letter from Mr. Diaz",
        "body": "Mr. Diaz (A 098 765 432) writes about his card.",
        **overrides,
    }


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


def test_referral_from_an_iso_is_linked_in_the_ledger(client_as):
    from contactcenter import services as core_services
    from contactcenter.audit.context import AuditContext
    from contactcenter.models import Channel

    tier2 = core_services.interaction_record(
        context=AuditContext.system(),
        channel=Channel.TIER2,
        topic_code="case-status",
        source_app="contactcenter",
        source_model="waitingcontact",
        source_id="77",
        receipt_numbers=["EAC2190000001"],
    )
    client = client_as(Role.CAO_ANALYST)
    response = client.post(
        "/api/casework/inquiries/",
        {
            "source": "public",
            "channel": "iso_referral",
            "subject": "Complex case referred by Tier 2",
            "body": "EAC2190000001: applicant needs a written answer.",
            "correspondent_name": "Ana Ruiz",
            "referred_from_interaction_id": tier2.pk,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    inquiry = Inquiry.objects.get()
    assert inquiry.interaction.parent == tier2 and inquiry.channel == "iso_referral"


def test_ingest_from_an_imap_mailbox_marks_stored_mail_read(settings):
    from tests.casework.imap_server import ImapServer, Mailbox

    box = Mailbox([(MAIL / "ombudsman.eml").read_bytes(), _message("Hello", "<imap-2@x>", "Where is my card?")])
    server = ImapServer(box)
    settings.CASEWORK_IMAP_HOST, settings.CASEWORK_IMAP_PORT, settings.CASEWORK_IMAP_SSL = (
        "127.0.0.1",
        server.port,
        False,
    )
    settings.CASEWORK_IMAP_USER, settings.CASEWORK_IMAP_PASSWORD = "cao", "secret"
    try:
        out = StringIO()
        call_command("ingest_mail", "--imap", stdout=out)
        assert out.getvalue().startswith("2 inquiries created")
        assert box.seen == {1, 2} and box.logins == [("cao", "secret")]
        out = StringIO()
        call_command("ingest_mail", "--imap", stdout=out)  # nothing unseen is left
        assert out.getvalue().startswith("0 inquiries created, 0 replies threaded, 0 already ingested")
    finally:
        server.shutdown()
        server.server_close()
    assert set(Inquiry.objects.values_list("message_id", flat=True)) == {
        "<ombudsman-0001@cisomb.dhs.gov>",
        "<imap-2@x>",
    }


def test_a_reply_to_a_closed_inquiry_reopens_it(tmp_path, analyst):
    from contactcenter.audit.context import AuditContext

    inquiry = make_inquiry()
    services.inquiry_assign(context=AuditContext(actor=analyst), inquiry=inquiry, assignee=analyst)
    services.inquiry_close(context=AuditContext(actor=analyst), inquiry=inquiry)
    reply = tmp_path / "reply.eml"
    reply.write_bytes(
        _message(f"Re: Your case [{inquiry.reference}]", "<reply-2@x>", "It still has not moved.", sender=CORRESPONDENT)
    )
    _ingest(reply)
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.ASSIGNED and inquiry.closed_at is None
    assert inquiry.activities.filter(text="Reopened: the correspondent wrote again").exists()


LONG_EMAIL = "a" * 60 + "@" + ".".join(["b" * 60] * 4) + ".gov"  # 308 characters, otherwise valid


@pytest.mark.parametrize(
    ("language", "error"),
    [("en", "Ensure this value has at most 254 characters"), ("es", "Asegúrese de que este valor tenga")],
)
def test_an_overlong_email_is_a_field_error_not_a_server_error(client, language, error):
    cache.clear()
    response = client.post("/casework/write/", _form(email=LONG_EMAIL), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400
    assert 'id="id_email_error"' in response.text and error in response.text
    assert 'value="Ana Ruiz"' in response.text
    assert not Inquiry.objects.exists()


def test_intake_turns_a_model_validation_error_into_a_refusal():
    from django.utils import translation

    from contactcenter.common.errors import ApplicationError

    with translation.override("en"), pytest.raises(ApplicationError, match="could not be recorded") as refused:
        make_inquiry(correspondent_email=LONG_EMAIL)
    assert list(refused.value.fields) == ["correspondent_email"]
    with pytest.raises(ApplicationError) as refused:
        make_inquiry(topic_code="not a slug")
    assert list(refused.value.fields) == ["topic_code"]
    assert not Inquiry.objects.exists()


def test_a_refusal_from_the_model_lands_on_the_public_forms_field(client, monkeypatch):
    """Whatever the form lets through and the model refuses is shown on its field, not a 500."""
    from casework.forms import PublicInquiryForm

    monkeypatch.setattr(PublicInquiryForm.base_fields["email"], "validators", [])
    monkeypatch.setattr(PublicInquiryForm.base_fields["email"], "max_length", None)
    cache.clear()
    response = client.post("/casework/write/", _form(email=LONG_EMAIL))
    assert response.status_code == 400
    assert 'id="id_email_error"' in response.text and "at most 254 characters" in response.text
    assert not Inquiry.objects.exists()


def test_api_refuses_an_overlong_email_with_400(client_as):
    client = client_as(Role.CAO_ANALYST)
    payload = {"source": "public", "subject": "S", "body": "B", "correspondent_name": "N"}
    response = client.post(
        "/api/casework/inquiries/", {**payload, "correspondent_email": LONG_EMAIL}, content_type="application/json"
    )
    assert response.status_code == 400 and not Inquiry.objects.exists()


def test_only_inquiries_actually_sent_count_against_the_hourly_limit(client, settings):
    cache.clear()
    settings.CASEWORK_FORM_PER_HOUR = 2
    refused = [client.post("/casework/write/", _form(subject="")).status_code for _ in range(5)]
    assert refused == [400] * 5
    bad_file = _form(attachments=[SimpleUploadedFile("virus.exe", b"MZ")])
    assert client.post("/casework/write/", bad_file).status_code == 400
    codes = [client.post("/casework/write/", _form(subject=f"Card {n}")).status_code for n in range(3)]
    assert codes == [302, 302, 429]
    assert Inquiry.objects.count() == 2


def test_the_same_public_form_sent_twice_is_one_inquiry(client, django_capture_on_commit_callbacks):
    cache.clear()
    client.get("/casework/write/")
    assert client.post("/casework/write/", _form(subject="")).status_code == 400  # refused
    with django_capture_on_commit_callbacks() as callbacks:
        first = client.post("/casework/write/", _form())
        # Back refetches the page (a new render), the browser restores the text, then Send again
        assert client.get("/casework/write/").status_code == 200
        again = client.post("/casework/write/", _form())
    inquiry = Inquiry.objects.get()
    assert len(inquiry.submission_token) == 64
    assert first.status_code == again.status_code == 302 and again["Location"] == "/casework/write/done/"
    assert inquiry.reference in client.get(again["Location"]).text
    assert len(callbacks) == 1  # one confirmation e-mail
    # Back, the message changed, then Send: a new submission, not dropped as a repeat of the first
    changed = client.post("/casework/write/", _form(message="I forgot: my A-number is on the notice."))
    assert changed.status_code == 302
    assert Inquiry.objects.count() == 2
    assert Inquiry.objects.exclude(pk=inquiry.pk).get().body.startswith("I forgot: my A-number is on the notice.")
    # someone else sending a campaign's same text is their own inquiry
    assert client.post("/casework/write/", _form(name="Luis Paz", email="luis@example.com")).status_code == 302
    assert Inquiry.objects.count() == 3


def test_the_same_text_with_other_files_or_on_another_day_is_a_new_inquiry(client, time_machine):
    cache.clear()
    time_machine.move_to("2026-03-02 23:00:00+00:00", tick=False)
    pdf = functools.partial(SimpleUploadedFile, "notice.pdf", content_type="application/pdf")
    assert client.post("/casework/write/", _form(attachments=[pdf(PDF)])).status_code == 302
    assert client.post("/casework/write/", _form(attachments=[pdf(PDF)])).status_code == 302
    assert Inquiry.objects.count() == 1  # the same text and the same file
    assert client.post("/casework/write/", _form(attachments=[pdf(PDF + b"%more")])).status_code == 302
    assert Inquiry.objects.count() == 2  # another size: another file
    time_machine.move_to("2026-03-03 00:30:00+00:00", tick=False)
    assert client.post("/casework/write/", _form(attachments=[pdf(PDF)])).status_code == 302
    assert Inquiry.objects.count() == 3  # the next UTC day


def test_intake_is_idempotent_on_the_submission_token():
    token = "t" * 32
    first = make_inquiry(submission_token=token)
    assert make_inquiry(submission_token=token, subject="Changed") == first
    assert Inquiry.objects.count() == 1


def test_activity_written_for_a_spanish_form_is_in_english(client):
    cache.clear()
    client.post("/casework/write/", _form(), HTTP_ACCEPT_LANGUAGE="es")
    inquiry = Inquiry.objects.get()
    texts = list(inquiry.activities.values_list("text", flat=True))
    assert texts == ["Received by public web form", "Triaged automatically as General public"]
    assert inquiry.interaction.summary.startswith("General public inquiry ")


def test_activity_log_shows_status_labels_not_codes(client_as):
    inquiry = make_inquiry()
    page = client_as(Role.CAO_ANALYST).get(f"/casework/inquiries/{inquiry.pk}/").text
    assert "(Received → Triaged)" in page and "received → triaged" not in page


def test_the_spanish_file_picker_gets_its_texts_in_spanish(client):
    import html
    import json
    import re

    page = client.get("/casework/write/", HTTP_ACCEPT_LANGUAGE="es").text
    tag = re.search(r"<input[^>]*name=\"attachments\"[^>]*>", page).group(0)
    strings = json.loads(html.unescape(re.search(r'data-file-strings="([^"]*)"', tag).group(1)))
    assert strings["drag"] == "Arrastre los archivos aquí o" and strings["none"] == "No se seleccionó ningún archivo."
    assert strings["refused"].startswith("Error: no se añadió") and "%(names)s" in strings["refused"]
    assert 'data-errormessage="Error: este tipo de archivo no es válido."' in tag
    assert "js/file-input.js" in page


def test_staff_intake_records_who_is_writing(client_as):
    client = client_as(Role.CAO_ANALYST)
    form = client.get("/casework/inquiries/new/").text
    assert '<select name="role"' in form and "Office writing on someone&#x27;s behalf" in form
    client.post("/casework/inquiries/new/", _staff_form(source="congressional", organisation="Office of Rep. Diaz"))
    inquiry = Inquiry.objects.get()
    assert inquiry.correspondent.role == "office"
    page = client.get(f"/casework/inquiries/{inquiry.pk}/").text
    assert "(Office writing on someone&#x27;s behalf)" in page and "(Applicant)" not in page


@pytest.mark.parametrize(
    ("language", "heading", "label"),
    [("en", "Your inquiry was not sent", "E-mail address"), ("es", "Su consulta no se envió", "Correo electrónico")],
)
def test_a_refused_public_form_opens_with_an_error_summary_linking_to_each_field(client, language, heading, label):
    import re

    cache.clear()
    response = client.post("/casework/write/", _form(email="not-an-address", subject=""), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400
    body = response.text
    summary = re.search(r"<div[^>]*data-error-summary>.*?</ul>", body, re.S).group(0)
    assert 'role="alert"' in summary and 'tabindex="-1"' in summary and 'id="form-error-summary"' in summary
    assert heading in summary
    assert f'href="#id_email">{label}:' in summary and 'href="#id_subject">' in summary
    assert 'id="id_email"' in body and 'id="id_subject"' in body
    # static/js/page.js (no inline script under the CSP) focuses the first [data-error-summary].
    assert 'tabindex="-1" id="form-error-summary"' in body and "/static/js/page.js" in body


def test_the_public_error_summary_carries_non_field_errors(client, settings):
    import re

    cache.clear()
    settings.CASEWORK_FORM_PER_HOUR = 0
    body = client.post("/casework/write/", _form()).text
    summary = re.search(r"<div[^>]*data-error-summary>.*?</ul>", body, re.S).group(0)
    assert "<li>Too many inquiries were sent from this connection. Try again in an hour.</li>" in summary


def test_the_confirmation_number_is_shown_once(client):
    cache.clear()
    done = client.post("/casework/write/", _form())["Location"]
    reference = Inquiry.objects.get().reference
    first = client.get(done)
    assert first.status_code == 200 and reference in first.text
    again = client.get(done)
    assert again.status_code == 200 and reference not in again.text and "data-confirmation" not in again.text
    assert "Thank you for writing to us." in again.text and 'href="/casework/write/"' in again.text
