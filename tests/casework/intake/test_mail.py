"""Inquiries that arrive by e-mail (ingest_mail: .eml files, an mbox, an IMAP mailbox): sanitised,
threaded onto their inquiry by reference, and ingested once."""

import mailbox
from email.message import EmailMessage
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from casework import services
from casework.models import Inquiry, InquiryActivity, InquiryStatus, Source
from tests.casework.factories import make_inquiry

pytestmark = pytest.mark.django_db

MAIL = Path(__file__).parent.parent / "mail"


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
