"""Issue 16's walk, whole, as its users see it: a caller in the Spanish IVR asks for a text when their
case's status changes and gets one Spanish text when an import moves it; outreach staff mail the tribal
governments of one region in English and Spanish over a real SMTP server, and one of them unsubscribes;
a CAO analyst logs a call from the Director's office, marks it sensitive, answers it from the knowledge
library, a supervisor approves it and the analyst downloads the letter; the caller checks the status on
the public page with the number the confirmation e-mail gave. Everything through HTTP: signed IVR
webhooks, console and public pages; the setup through factories; tasks run in process as the worker
runs them."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import date

import pytest
from celery import current_app
from django.core.management import call_command
from django.test import Client

from casework import tasks as _casework_tasks  # noqa: F401 - registers the tasks an eager enqueue runs by name
from casework.models import Inquiry, InquiryStatus, Response, ResponseStatus
from contactcenter import tasks as _core_tasks  # noqa: F401 - registers the notice tasks eager mode runs here
from contactcenter.models import BenefitCase, KnowledgeArticle, OutboundMessage, StatusHeadline, Topic
from contactcenter.staff.roles import Role
from ivr.simulator import SimulatedCall
from outreach import tasks as _outreach_tasks  # noqa: F401 - registers the tasks an eager enqueue runs by name
from outreach.models import Mailing, MailingRecipient, MailingSegment, RecipientStatus
from tests.ivr.conftest import WEEKDAY_7PM_EASTERN, reference  # noqa: F401 - the fixture: the cases on file
from tests.outreach.test_mailings import _world, smtp_server  # noqa: F401 - the fixture: a real SMTP server
from tests.pdf_text import pdf_text
from tests.status_updates_helpers import case_row

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

CALLER = "+12135550142"
RECEIPT = "EAC2190000001"
RECEIPT_KEYS = "3222190000001"  # E A C on the keypad, then the digits
DIRECTORS_CALL = {
    "name": "Dana Whitfield",
    "phone": "+1 202 555 0142",
    "email": "dana.whitfield@example.org",
    "source": "director",
    "receipt_number": RECEIPT,
    "asked": "Calling for the Director's office: the applicant moved and asks how to change the address.",
    "language": "en",
}
ANSWER = "Please file Form AR-11 online within 10 days of your move."


def _text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _redirected(response, to: str | None = None) -> str:
    """Saved, and sent on (to the page named, if named), not to the sign-in page."""
    assert response.status_code == 302, response.content[:800]
    assert not response["Location"].startswith("/accounts/"), response["Location"]
    if to is not None:
        assert response["Location"] == to
    return response["Location"]


def _delivered(smtp) -> list[str]:
    return sorted(rcpt for _sender, rcpts, _content in smtp.messages for rcpt in rcpts)


@pytest.fixture
def tasks_run_in_process(monkeypatch):
    """Tasks enqueued after commit run here, as the worker would run them (the real task, in process)."""
    monkeypatch.setitem(current_app.conf, "task_always_eager", True)


@pytest.fixture
def plain_pdfs(settings):
    # Uncompressed content streams, so the test reads the letter's text back (tests/pdf_text.py).
    settings.CASEWORK_LETTER_PDF_COMPRESS = False


def test_issue_16_walk_from_the_callers_spanish_text_to_the_directors_letter(
    reference,  # noqa: F811
    make_staff,
    at_time,
    fake_twilio,
    smtp_server,  # noqa: F811
    tasks_run_in_process,
    plain_pdfs,
    django_capture_on_commit_callbacks,
    tmp_path,
):
    # --- A Spanish caller asks for a text when the case's status changes; an import moves it. -----
    case = BenefitCase.objects.get(receipt_number=RECEIPT)
    with at_time(WEEKDAY_7PM_EASTERN):
        call = SimulatedCall(from_number=CALLER)
        call.start()
        call.press("2")  # español
        call.press("1")  # el estado de un caso
        call.press(RECEIPT_KEYS)
        status = call.press("1")  # sí, ese es el número
        subscribed = call.press("4")
    assert "Un mensaje de texto cuando cambie el estado de este caso, 4." in status.text
    assert "le enviaremos un mensaje de texto en español al teléfono desde el que llama" in subscribed.text
    assert fake_twilio.texts == []  # nothing until the status changes

    approved = StatusHeadline.objects.exclude(pk=case.status_id).get(code="case-was-approved")
    with (tmp_path / "cases.csv").open("w", newline="") as file:
        row = case_row(case, approved, date(2026, 12, 3))
        writer = csv.DictWriter(file, fieldnames=list(row))
        writer.writeheader()
        writer.writerow(row)
    imported = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_reference", "cases", str(tmp_path / "cases.csv"), stdout=imported)
    assert "cases: 1 rows read, 0 created, 1 updated" in imported.getvalue()
    (text,) = fake_twilio.texts  # exactly one, to the caller, in Spanish
    assert text["to"] == CALLER
    assert approved.headline_es in text["body"] and RECEIPT in text["body"] and "PARAR" in text["body"]
    assert approved.headline_en not in text["body"]
    (sent,) = OutboundMessage.objects.filter(to_number=CALLER, purpose__startswith="status-notice:")
    assert sent.body == text["body"]

    # --- Outreach: tribal governments in the Southwest, mailed in their language. ------------------
    people = _world()
    outreach = _signed_in(make_staff(Role.OUTREACH_STAFF, email="sender@ncsc.example.gov"))
    created = outreach.post(
        "/outreach/mailings/segments/",
        {"name": "Tribal governments in the Southwest", "kinds": ["tribal"], "region": "Southwest"},
    )
    segment = MailingSegment.objects.get()
    _redirected(created, f"/outreach/mailings/segments/{segment.pk}/")
    # Ana, Ben, Dora (regional) and Fay (a district office) consent; Carl does not; Eve and Gus are
    # outside the segment (another region, a community organisation).
    assert "Matching contacts: 5. May be e-mailed: 4" in _text(outreach.get(created["Location"]))

    def mail(n: int) -> Mailing:
        drafted = outreach.post(
            "/outreach/mailings/",
            {
                "segment": segment.pk,
                "subject_en": f"Listening session {n} for tribal governments",
                "body_en": "Join us to talk about naturalization.",
                "subject_es": f"Sesión de escucha {n} para gobiernos tribales",
                "body_es": "Acompáñenos para hablar de la naturalización.",
            },
        )
        mailing = Mailing.objects.latest("pk")
        _redirected(drafted, f"/outreach/mailings/{mailing.pk}/")
        with django_capture_on_commit_callbacks(execute=True):
            _redirected(outreach.post(f"/outreach/mailings/{mailing.pk}/send/"))
        return mailing

    first = mail(1)
    everyone = ["ana@tribe.example.org", "ben@tribe.example.org", "dora@tribe.example.org", "fay@tribe.example.org"]
    assert _delivered(smtp_server) == everyone
    subjects = {address: str(smtp_server.to(address)[0]["Subject"]).strip() for address in everyone}
    assert subjects == {
        "ana@tribe.example.org": "Sesión de escucha 1 para gobiernos tribales",
        "ben@tribe.example.org": "Listening session 1 for tribal governments",
        "dora@tribe.example.org": "Listening session 1 for tribal governments",
        "fay@tribe.example.org": "Listening session 1 for tribal governments",
    }
    (to_ana,) = smtp_server.to("ana@tribe.example.org")
    assert "Acompáñenos para hablar de la naturalización." in to_ana.get_body(("plain",)).get_content()
    assert "Join us" not in to_ana.get_body(("plain",)).get_content()
    assert set(first.recipients.values_list("status", flat=True)) == {RecipientStatus.SENT}

    # Ben follows the unsubscribe link in his e-mail and confirms.
    (to_ben,) = smtp_server.to("ben@tribe.example.org")
    link = re.findall(r"<([^>]+)>", to_ben["List-Unsubscribe"])[0].removeprefix("https://ncsc.test")
    visitor = Client()
    asked = visitor.get(link)
    assert "Stop all USCIS Public Engagement mailings to b•••@tribe.example.org?" in _text(asked)
    action = html.unescape(re.search(r'<form method="post" action="([^"]*)"', asked.content.decode()).group(1))
    confirmed = _text(visitor.post(link + action))  # "Yes, unsubscribe me"
    assert "You are unsubscribed" in confirmed
    assert "We will not send b•••@tribe.example.org any more USCIS Public Engagement mailings." in confirmed
    people["ben"].refresh_from_db()
    assert people["ben"].mail_unsubscribed_at is not None and people["ben"].consent_email is False

    smtp_server.messages.clear()
    second = mail(2)
    assert _delivered(smtp_server) == [a for a in everyone if a != "ben@tribe.example.org"]
    assert not MailingRecipient.objects.filter(mailing=second, contact=people["ben"]).exists()
    smtp_server.messages.clear()

    # --- CAO: the Director's office calls; the analyst logs it and marks it sensitive. -------------
    analyst_user, supervisor_user = make_staff(Role.CAO_ANALYST), make_staff(Role.CAO_SUPERVISOR)
    analyst, supervisor = _signed_in(analyst_user), _signed_in(supervisor_user)

    # The approved answer, written and published by a CAO supervisor in the knowledge library.
    written = supervisor.post(
        "/knowledge/new/",
        {
            "title": "Change of address",
            "kind": "answer",
            "topic": Topic.objects.get(code="address-change").pk,
            "language": "en",
            "source": "8 CFR 265.1",
            "body": ANSWER,
        },
    )
    article = KnowledgeArticle.objects.get(title="Change of address")
    _redirected(written, f"/knowledge/{article.pk}/")
    _redirected(supervisor.post(f"/knowledge/{article.pk}/publish/"), f"/knowledge/{article.pk}/")

    with django_capture_on_commit_callbacks(execute=True):
        logged = analyst.post("/casework/inquiries/new/telephone/", DIRECTORS_CALL)
    inquiry = Inquiry.objects.get(correspondent__email=DIRECTORS_CALL["email"])
    page = f"/casework/inquiries/{inquiry.pk}/"
    _redirected(logged, page)
    # The caller's confirmation e-mail, over SMTP, names the number and the public status page.
    (confirmation,) = smtp_server.to(DIRECTORS_CALL["email"])
    confirmation_text = confirmation.get_body(("plain",)).get_content()
    number = re.search(r"\bCAO-[0-9A-Z]{8}\b", confirmation_text).group(0)
    assert number == inquiry.reference and "/casework/status/" in confirmation_text

    _redirected(analyst.post(f"{page}assign-me/"))
    _redirected(analyst.post(f"{page}sensitive/", {"sensitive": "on"}))
    shown = analyst.get(page)
    assert "Telephone call" in _text(shown) and "Office of the Director" in _text(shown)
    assert ">Sensitive</span>" in shown.content.decode()
    assert _signed_in(make_staff(Role.CAO_ANALYST)).get(page).status_code == 404  # another analyst

    # --- A letter from the library's approved answer, approved by the supervisor, as a PDF. --------
    drafted = analyst.post(f"{page}draft/", {"kind": "letter", "body": "Dear {{ name }}:"})
    response = Response.objects.get(inquiry=inquiry)
    response_page = f"/casework/responses/{response.pk}/"
    _redirected(drafted, response_page)
    found = analyst.get(response_page, {"library-q": "change of address"}).content.decode()
    assert f'data-answer="{article.pk}"' in found and "Insert “Change of address” into draft" in found
    _redirected(
        analyst.post(
            f"{response_page}insert/",
            {"subject": "Your inquiry", "body": "Dear Dana Whitfield:", "article": article.pk},
        ),
        f"{response_page}#id_body",  # back to the draft, where the answer now is
    )
    response.refresh_from_db()
    assert response.body == f"Dear Dana Whitfield:\n\n{ANSWER}"
    _redirected(analyst.post(response_page, {"subject": "Your inquiry", "body": response.body, "submit": "review"}))
    assert Inquiry.objects.get(pk=inquiry.pk).status == InquiryStatus.IN_REVIEW
    with django_capture_on_commit_callbacks(execute=True):
        _redirected(supervisor.post(f"{response_page}review/", {"decision": "approve"}))
    response.refresh_from_db()
    assert response.status == ResponseStatus.SENT

    pdf = analyst.get(f"{response_page}letter.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    letter = " ".join(pdf_text(pdf.content).split())
    assert "U.S. Citizenship and Immigration Services" in letter and "Customer Assistance Office" in letter
    assert f"Confirmation number: {number}" in letter
    assert f"Dear Dana Whitfield: {ANSWER}" in letter
    assert "Draft" not in letter

    # --- The caller checks the status with the number and the e-mail address. --------------------
    checked = Client().post("/casework/status/", {"reference": number, "email": DIRECTORS_CALL["email"]})
    assert checked.status_code == 200
    status = _text(checked)
    assert "We sent our reply." in status and number in status
    assert "data-answered" in checked.content.decode()
    for secret in ("Dana Whitfield", "Director", "AR-11", "EAC2190000001", "Sensitive"):
        assert secret not in status, secret
