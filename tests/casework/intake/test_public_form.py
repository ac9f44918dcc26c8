"""The public web form (/casework/write/): in English and Spanish, refusals shown on their fields with
everything typed kept, spam and repeats stopped, and the confirmation number shown once."""

import functools

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import formats, translation

from casework.models import Inquiry
from contactcenter.staff.roles import Role
from tests.casework.factories import PDF
from tests.casework.intake.form_data import LONG_EMAIL, _form

pytestmark = pytest.mark.django_db


def test_public_form_in_spanish_and_english(client):
    assert "Write to the USCIS Customer Assistance Office" in client.get("/casework/write/").text
    spanish = client.get("/casework/write/", HTTP_ACCEPT_LANGUAGE="es").text
    assert "Escriba a la Oficina de Asistencia al Cliente de USCIS" in spanish
    assert 'lang="es"' in spanish


def _spanish_day(day) -> str:
    with translation.override("es"):
        return formats.date_format(day, "DATE_FORMAT")


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
    # When to expect the answer: the inquiry's own due date (its source's business days), in words.
    assert inquiry.due_on is not None
    assert f"Procuramos responderle a más tardar el {_spanish_day(inquiry.due_on)}." in done


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


def test_activity_written_for_a_spanish_form_is_in_english(client):
    cache.clear()
    client.post("/casework/write/", _form(), HTTP_ACCEPT_LANGUAGE="es")
    inquiry = Inquiry.objects.get()
    texts = list(inquiry.activities.values_list("text", flat=True))
    assert texts == ["Received by public web form", "Triaged automatically as General public"]
    assert inquiry.interaction.summary.startswith("General public inquiry ")


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


def test_public_pages_name_the_agency_without_the_staff_notice(client_as, settings):
    public = Client()
    session = public.session
    session["casework_reference"] = "CAO-7K3M9QX2"
    session.save()
    for path in ("/casework/write/", "/casework/write/done/", "/casework/status/"):
        page = public.get(path).text
        assert "Authorized use only" not in page, path
        assert 'href="/casework/write/" data-agency-name>U.S. Citizenship and Immigration Services</a>' in page, path
        assert "NCSC Contact Center</a>" not in page, path
        assert "U.S. Citizenship and Immigration Services · Customer Assistance Office</p>" in page, path
    spanish = Client(HTTP_ACCEPT_LANGUAGE="es").get("/casework/status/").text
    assert "data-agency-name>Servicio de Ciudadanía e Inmigración de los Estados Unidos</a>" in spanish
    assert "Oficina de Asistencia al Cliente</p>" in spanish and "uso autorizado" not in spanish
    settings.AGENCY_PUBLIC_NAME = "Example State Immigration Office"
    assert "data-agency-name>Example State Immigration Office</a>" in public.get("/casework/write/").text
    # Staff pages keep the system-use notice and the console's name.
    staff = client_as(Role.CAO_ANALYST).get("/casework/").text
    assert "Authorized use only" in staff and "data-agency-name" not in staff
