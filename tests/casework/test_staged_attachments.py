"""Files attached to a form that came back with errors are kept for the next try."""

import os
import time
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from casework import staging
from casework.models import Inquiry
from casework.tasks import sweep
from contactcenter.staff.roles import Role
from tests.casework.factories import PDF
from tests.casework.intake.form_data import _form, _staff_form

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    cache.clear()  # the public form's rate limit
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def staged_on_disk(media: Path) -> list[str]:
    folder = media / staging.FOLDER
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def kept_tokens(page) -> list[str]:
    return [file.token for file in page.context["staged"]]


def test_a_public_form_sent_again_after_an_error_carries_the_files_chosen_the_first_time(client, media):
    first = opened(client).post(
        "/casework/write/",
        _form(email="not-an-email", attachments=[SimpleUploadedFile("notice.pdf", PDF)]),
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assert first.status_code == 400
    assert "Archivos guardados de su intento anterior" in first.text
    assert "notice.pdf" in first.text and 'name="keep_attachment"' in first.text and "checked" in first.text
    assert len(staged_on_disk(media)) == 1 and not Inquiry.objects.exists()

    second = client.post("/casework/write/", {**_form(), "keep_attachment": kept_tokens(first)})

    assert second.status_code == 302
    attachment = Inquiry.objects.get().attachments.get()
    assert attachment.filename == "notice.pdf"
    assert attachment.file.read() == PDF
    assert staged_on_disk(media) == []
    assert staging.staged_files(second.wsgi_request, form="public") == []


def test_an_unchecked_file_is_left_out_and_deleted_and_new_files_join_the_kept_ones(client, media):
    first = opened(client).post(
        "/casework/write/",
        _form(
            email="not-an-email",
            attachments=[SimpleUploadedFile("notice.pdf", PDF), SimpleUploadedFile("photo.png", PNG)],
        ),
    )
    notice, photo = first.context["staged"]
    assert (notice.filename, photo.filename) == ("notice.pdf", "photo.png")

    # Still an error (no message); the photo unchecked, a letter added.
    second = client.post(
        "/casework/write/",
        {
            **_form(message=""),
            "keep_attachment": [notice.token],
            "attachments": [SimpleUploadedFile("letter.txt", b"Dear USCIS")],
        },
    )
    assert second.status_code == 400
    assert [file.filename for file in second.context["staged"]] == ["notice.pdf", "letter.txt"]
    assert photo.token not in staged_on_disk(media) and len(staged_on_disk(media)) == 2

    third = client.post("/casework/write/", {**_form(), "keep_attachment": kept_tokens(second)})
    assert third.status_code == 302
    names = sorted(Inquiry.objects.get().attachments.values_list("filename", flat=True))
    assert names == ["letter.txt", "notice.pdf"]
    assert staged_on_disk(media) == []


def test_a_good_file_beside_a_refused_one_is_kept_and_only_the_refused_one_reported(client, media):
    page = opened(client).post(
        "/casework/write/",
        _form(attachments=[SimpleUploadedFile("notice.pdf", PDF), SimpleUploadedFile("virus.exe", b"MZ\x90")]),
    )
    assert page.status_code == 400
    assert "virus.exe: only PDF" in page.text
    assert [file.filename for file in page.context["staged"]] == ["notice.pdf"]


def test_another_session_cannot_send_a_kept_file(client, media):
    first = opened(client).post(
        "/casework/write/", _form(email="not-an-email", attachments=[SimpleUploadedFile("notice.pdf", PDF)])
    )
    stranger = Client()
    response = stranger.post("/casework/write/", {**_form(), "keep_attachment": kept_tokens(first)})
    assert response.status_code == 302
    assert not Inquiry.objects.get().attachments.exists()
    assert len(staged_on_disk(media)) == 1  # still the first sender's, for their next try


def test_staff_recording_a_mailed_letter_keeps_the_scans_across_an_error(client_as, media):
    client = client_as(Role.CAO_ANALYST)
    data = _staff_form(subject="")
    first = client.post("/casework/inquiries/new/", {**data, "attachments": [SimpleUploadedFile("scan.pdf", PDF)]})
    assert first.status_code == 400 and "Files kept from your last try" in first.text

    again = client.get("/casework/inquiries/new/")  # the kept files are offered until used
    assert [file.filename for file in again.context["staged"]] == ["scan.pdf"]

    second = client.post(
        "/casework/inquiries/new/",
        {**data, "subject": "Referral of a letter from Mr. Diaz", "keep_attachment": kept_tokens(first)},
    )
    assert second.status_code == 302
    assert Inquiry.objects.get().attachments.get().filename == "scan.pdf"
    assert staged_on_disk(media) == []


def test_the_casework_sweep_deletes_kept_files_nobody_came_back_for(client, media):
    opened(client).post("/casework/write/", _form(email="x", attachments=[SimpleUploadedFile("old.pdf", PDF)]))
    opened(Client()).post("/casework/write/", _form(email="y", attachments=[SimpleUploadedFile("new.pdf", PDF)]))
    old, new = sorted((media / staging.FOLDER).iterdir(), key=lambda path: path.stat().st_mtime)
    a_day_ago = time.time() - staging.KEEP_FOR.total_seconds() - 60
    os.utime(old, (a_day_ago, a_day_ago))

    result = sweep.apply().get()

    assert result["staged_files_removed"] == 1
    assert staged_on_disk(media) == [new.name]


def opened(client: Client) -> Client:
    """A visitor who opened the form first (as people do): their session has a cookie."""
    assert client.get("/casework/write/").status_code == 200
    return client


def test_nothing_is_staged_for_a_rate_limited_form(client, media, settings):
    settings.CASEWORK_FORM_PER_HOUR = 0
    response = opened(client).post(
        "/casework/write/", _form(email="not-an-email", attachments=[SimpleUploadedFile("notice.pdf", PDF)])
    )
    assert response.status_code == 429
    assert staged_on_disk(media) == [] and response.context["staged"] == []


def test_a_post_without_the_forms_session_stages_nothing(media):
    response = Client().post(
        "/casework/write/", _form(email="not-an-email", attachments=[SimpleUploadedFile("notice.pdf", PDF)])
    )
    assert response.status_code == 400
    assert staged_on_disk(media) == []
    assert "Attach your files again" in response.text


def test_files_staged_from_one_address_are_capped_per_hour(media, settings):
    settings.CASEWORK_STAGED_FILES_PER_ADDRESS_PER_HOUR = 3
    for _ in range(3):  # a fresh session each time, as a script would
        opened(Client()).post(
            "/casework/write/",
            _form(
                email="not-an-email",
                attachments=[SimpleUploadedFile("a.pdf", PDF), SimpleUploadedFile("b.pdf", PDF)],
            ),
        )
    assert len(staged_on_disk(media)) == 3
    elsewhere = opened(Client(REMOTE_ADDR="203.0.113.40")).post(
        "/casework/write/", _form(email="not-an-email", attachments=[SimpleUploadedFile("c.pdf", PDF)])
    )
    assert [file.filename for file in elsewhere.context["staged"]] == ["c.pdf"]


def test_an_oversized_upload_is_refused_by_its_size_without_being_read(settings):
    from casework.forms import PublicInquiryForm

    settings.CASEWORK_ATTACHMENT_MAX_BYTES = 1024 * 1024

    class Unreadable(SimpleUploadedFile):
        def read(self, *args, **kwargs):
            raise AssertionError("read before its size was checked")

    upload = Unreadable("huge.pdf", PDF)
    upload.size = 2 * 1024 * 1024
    form = PublicInquiryForm(_form(), {"attachments": [upload]})
    assert not form.is_valid()
    assert form.errors["attachments"] == ["huge.pdf is larger than 1 MB."]


@pytest.mark.parametrize(
    ("language", "message"),
    [("en", "The files you sent are too large"), ("es", "Los archivos que envió son demasiado grandes")],
)
def test_a_request_larger_than_every_allowed_file_together_is_refused_with_413(media, settings, language, message):
    settings.UPLOAD_REQUEST_MAX_BYTES = 50_000
    client = opened(Client())
    response = client.post(
        "/casework/write/",
        _form(email="not-an-email", attachments=[SimpleUploadedFile("big.pdf", PDF + b"0" * 60_000)]),
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 413
    assert message in response.text
    assert staged_on_disk(media) == [] and not Inquiry.objects.exists()
    small = client.post("/casework/write/", _form(attachments=[SimpleUploadedFile("n.pdf", PDF)]))
    assert small.status_code == 302
