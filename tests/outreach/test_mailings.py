"""Outreach mailings, walked as outreach staff would through the console, sent to a real SMTP server
on localhost (aiosmtpd), with the tasks run in process as the worker runs them."""

from __future__ import annotations

import re

import pytest
from aiosmtpd.controller import Controller
from celery import current_app
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone

from contactcenter.models import AuditEvent
from contactcenter.staff.roles import Role
from outreach import mailings
from outreach import tasks as _tasks  # noqa: F401 - registers the tasks an eager enqueue runs by name
from outreach.models import (
    Contact,
    Mailing,
    MailingRecipient,
    MailingSegment,
    MailingStatus,
    Membership,
    OrganisationLevel,
    OrganisationType,
    Program,
    RecipientStatus,
)
from tests.outreach.factories import ContactFactory, OrganisationFactory
from tests.outreach.smtp_server import Collector, free_port

pytestmark = pytest.mark.django_db

REFUSAL = "550 5.1.1 <dora@tribe.example.org>: Recipient address rejected: User unknown"


@pytest.fixture
def smtp_server():
    handler = Collector()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=port,
            EMAIL_USE_TLS=False,
            EMAIL_USE_SSL=False,
            EMAIL_TIMEOUT=10,
            DEFAULT_FROM_EMAIL="engagement@ncsc.example.gov",
        ):
            yield handler
    finally:
        controller.stop()


@pytest.fixture
def tasks_run_in_process(monkeypatch):
    """Tasks enqueued after commit run here, as the worker would run them (the real task, in process)."""
    monkeypatch.setitem(current_app.conf, "task_always_eager", True)


def _member(org, **kwargs) -> Contact:
    contact = ContactFactory(**kwargs)
    Membership.objects.create(contact=contact, organisation=org)
    return contact


def _world():
    region = OrganisationFactory(
        name="Pueblo Council", kind=OrganisationType.TRIBAL, level=OrganisationLevel.REGIONAL, region="Southwest"
    )
    elsewhere = OrganisationFactory(
        name="Lakes Band", kind=OrganisationType.TRIBAL, level=OrganisationLevel.REGIONAL, region="Great Lakes"
    )
    district = OrganisationFactory(
        name="Pueblo District Office", kind=OrganisationType.TRIBAL, level=OrganisationLevel.DISTRICT,
        region="Southwest", district="Albuquerque",
    )  # fmt: skip
    community = OrganisationFactory(
        name="Casa Southwest", kind=OrganisationType.COMMUNITY, level=OrganisationLevel.REGIONAL, region="Southwest"
    )
    return {
        "ana": _member(region, first_name="Ana", email="ana@tribe.example.org", consent_email=True,
                       preferred_language="es"),
        "ben": _member(region, first_name="Ben", email="ben@tribe.example.org", consent_email=True),
        "carl": _member(region, first_name="Carl", email="carl@tribe.example.org", consent_email=False),
        "dora": _member(region, first_name="Dora", email="dora@tribe.example.org", consent_email=True),
        "eve": _member(elsewhere, first_name="Eve", email="eve@lakes.example.org", consent_email=True),
        "fay": _member(district, first_name="Fay", email="fay@tribe.example.org", consent_email=True),
        "gus": _member(community, first_name="Gus", email="gus@casa.example.org", consent_email=True),
    }  # fmt: skip


def _draft(client, segment: MailingSegment, n: int, **files) -> Mailing:
    response = client.post(
        "/outreach/mailings/",
        {
            "segment": segment.pk,
            "subject_en": f"Listening session {n} for tribal governments",
            "body_en": "Join us to talk about naturalization.\nDetails: https://www.uscis.gov/outreach",
            "subject_es": f"Sesión de escucha {n} para gobiernos tribales",
            "body_es": "Acompáñenos para hablar de la naturalización.",
            **files,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    mailing = Mailing.objects.latest("pk")
    assert response["Location"] == f"/outreach/mailings/{mailing.pk}/"
    return mailing


def test_a_bilingual_mailing_to_tribal_governments_in_one_region(
    client_as, smtp_server, tasks_run_in_process, django_capture_on_commit_callbacks
):
    people = _world()
    smtp_server.refuse["dora@tribe.example.org"] = REFUSAL
    staff = client_as(Role.OUTREACH_STAFF, email="sender@ncsc.example.gov")

    # The segment: tribal organisations, regional level, one region; its preview counts and samples.
    response = staff.post(
        "/outreach/mailings/segments/",
        {"name": "Tribal governments in the Southwest", "kinds": ["tribal"], "levels": ["regional"],
         "region": "Southwest"},
    )  # fmt: skip
    segment = MailingSegment.objects.get()
    assert response["Location"] == f"/outreach/mailings/segments/{segment.pk}/"
    page = staff.get(response["Location"]).content.decode()
    assert "Matching contacts: 4. May be e-mailed: 3" in page
    for name in ("Ana", "Ben", "Dora"):
        assert f"{name} {people[name.lower()].last_name}" in page
    for name in ("carl", "eve", "fay", "gus"):
        assert people[name].email not in page

    # A draft in English and Spanish, with a PDF; a file that is not what its name says is refused.
    refused = staff.post(
        "/outreach/mailings/",
        {"segment": segment.pk, "subject_en": "S", "body_en": "B", "subject_es": "S", "body_es": "B",
         "attachments": SimpleUploadedFile("agenda.pdf", b"MZ\x90\x00 not a pdf")},
    )  # fmt: skip
    assert refused.status_code == 400
    assert "agenda.pdf is not the kind of file its name says." in refused.content.decode()
    pdf = SimpleUploadedFile("agenda.pdf", b"%PDF-1.4\n% agenda\n", content_type="application/pdf")
    mailing = _draft(staff, segment, 1, attachments=pdf)
    assert mailing.status == MailingStatus.DRAFT and mailing.attachments.get().filename == "agenda.pdf"

    english = staff.get(f"/outreach/mailings/{mailing.pk}/preview/en/").content.decode()
    spanish = staff.get(f"/outreach/mailings/{mailing.pk}/preview/es/").content.decode()
    assert "Join us to talk about naturalization." in english and "Acompáñenos" not in english
    assert '<a href="https://www.uscis.gov/outreach" rel="nofollow">' in english
    assert "Acompáñenos para hablar de la naturalización." in spanish and 'lang="es"' in spanish

    # A test to the sender's own address, in both languages; no one else is written to.
    with django_capture_on_commit_callbacks(execute=True):
        assert staff.post(f"/outreach/mailings/{mailing.pk}/test/").status_code == 302
    tests = smtp_server.to("sender@ncsc.example.gov")
    assert sorted(str(m["Subject"]).strip() for m in tests) == [
        "[TEST] Listening session 1 for tribal governments",
        "[TEST] Sesión de escucha 1 para gobiernos tribales",
    ]
    assert [rcpt for _s, rcpts, _c in smtp_server.messages for rcpt in rcpts] == ["sender@ncsc.example.gov"] * 2
    smtp_server.messages.clear()

    # Send; a second click sends nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        assert staff.post(f"/outreach/mailings/{mailing.pk}/send/").status_code == 302
    with django_capture_on_commit_callbacks(execute=True) as again:
        followed = staff.post(f"/outreach/mailings/{mailing.pk}/send/", follow=True)
    assert again == [] and "This mailing has been sent already." in followed.content.decode()

    received = sorted(rcpt for _s, rcpts, _c in smtp_server.messages for rcpt in rcpts)
    assert received == ["ana@tribe.example.org", "ben@tribe.example.org"]
    (to_ana,) = smtp_server.to("ana@tribe.example.org")
    (to_ben,) = smtp_server.to("ben@tribe.example.org")
    assert str(to_ana["Subject"]).strip() == "Sesión de escucha 1 para gobiernos tribales"
    assert str(to_ben["Subject"]).strip() == "Listening session 1 for tribal governments"
    assert "Acompáñenos" in to_ana.get_body(("plain",)).get_content()
    assert "Join us" in to_ben.get_body(("html",)).get_content()
    assert [part.get_filename() for part in to_ana.iter_attachments()] == ["agenda.pdf"]
    for message, person in ((to_ana, people["ana"]), (to_ben, people["ben"])):
        recipient = MailingRecipient.objects.get(mailing=mailing, contact=person)
        assert str(message["From"]) == "engagement@ncsc.example.gov"
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        links = re.findall(r"<([^>]+)>", message["List-Unsubscribe"])
        assert links[0].startswith("https://ncsc.test/outreach/unsubscribe/")
        assert links[1].startswith("mailto:unsubscribe@ncsc.example.gov?subject=unsubscribe%20")
        # VERP: bounces come back to an address naming this recipient.
        assert smtp_server.envelope_senders(person.email) == [
            f"bounces+{mailings.bounce_tag(recipient.pk)}@ncsc.example.gov"
        ]

    # Each recipient's delivery on the mailing's page; the refused one bounced with the server's reply.
    statuses = dict(MailingRecipient.objects.filter(mailing=mailing).values_list("contact__first_name", "status"))
    assert statuses == {"Ana": "sent", "Ben": "sent", "Dora": "bounced"}
    dora = MailingRecipient.objects.get(mailing=mailing, contact=people["dora"])
    page = staff.get(f"/outreach/mailings/{mailing.pk}/").content.decode()
    row = page[page.index(f'id="recipient-{dora.pk}"') :].split("</tr>")[0]
    assert "Bounced" in row and "550 5.1.1" in row and "User unknown" in row
    assert '<dd id="mailing-status">Sent</dd>' in page
    assert "Send me a test" not in page
    people["dora"].refresh_from_db()
    assert people["dora"].email_bounced_at is not None and "550 5.1.1" in people["dora"].email_bounce_reason

    # Ana follows her link: the page is in Spanish, and one click unsubscribes her.
    link = re.findall(r"<([^>]+)>", to_ana["List-Unsubscribe"])[0].removeprefix("https://ncsc.test")
    visitor = Client()
    confirm = visitor.get(link).content.decode()
    assert "¿Dejar de recibir los envíos de Participación Pública de USCIS en a•••@tribe.example.org?" in confirm
    done = visitor.post(link).content.decode()
    assert "Se canceló su suscripción" in done
    people["ana"].refresh_from_db()
    assert people["ana"].mail_unsubscribed_at is not None and people["ana"].consent_email is False
    assert AuditEvent.objects.filter(
        target_type="outreach.contact", target_id=str(people["ana"].pk), summary__contains="unsubscribed"
    ).exists()

    # The next mailing to the same segment reaches neither Ana (unsubscribed) nor Dora (bounced).
    smtp_server.messages.clear()
    second = _draft(staff, segment, 2)
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(f"/outreach/mailings/{second.pk}/send/")
    assert [rcpt for _s, rcpts, _c in smtp_server.messages for rcpt in rcpts] == ["ben@tribe.example.org"]
    assert list(second.recipients.values_list("email", "status")) == [("ben@tribe.example.org", "sent")]


def test_a_mailing_drafted_for_a_program_is_listed_on_the_program_page(
    client_as, smtp_server, tasks_run_in_process, django_capture_on_commit_callbacks
):
    _world()
    staff = client_as(Role.OUTREACH_STAFF, email="sender@ncsc.example.gov")
    staff.post(
        "/outreach/programs/",
        {"name": "Citizenship Day 2026", "kind": "campaign", "starts_on": "2026-09-01", "owner": staff.user.pk},
    )
    program = Program.objects.get()
    staff.post("/outreach/mailings/segments/", {"name": "Southwest tribes", "kinds": ["tribal"], "region": "Southwest"})
    segment = MailingSegment.objects.get()
    form = staff.get("/outreach/mailings/").content.decode()
    assert 'name="program"' in form and f'<option value="{program.pk}">Citizenship Day 2026</option>' in form

    mailing = _draft(staff, segment, 1, program=program.pk)
    unrelated = _draft(staff, segment, 2)
    assert mailing.program == program and unrelated.program is None
    detail = staff.get(f"/outreach/mailings/{mailing.pk}/").content.decode()
    assert f'href="/outreach/programs/{program.pk}/">Citizenship Day 2026</a>' in detail

    page = staff.get(f"/outreach/programs/{program.pk}/").content.decode()
    table = page.split("data-program-mailings")[1].split("</table>")[0]
    row = table.split("<tbody>")[1].split("</tr>")[0]
    assert f'href="/outreach/mailings/{mailing.pk}/">Listening session 1 for tribal governments</a>' in row
    assert "<td>Draft</td><td>—</td>" in row and row.endswith('<td class="text-right">0</td>')
    assert "Listening session 2" not in table

    with django_capture_on_commit_callbacks(execute=True):
        assert staff.post(f"/outreach/mailings/{mailing.pk}/send/").status_code == 302
    mailing.refresh_from_db()
    row = staff.get(f"/outreach/programs/{program.pk}/").content.decode().split("data-program-mailings")[1]
    row = row.split("<tbody>")[1].split("</tr>")[0]
    # The Southwest tribes' contacts who consented: Ana, Ben, Dora and Fay (Carl did not).
    assert f"<td>Sent</td><td>{mailing.sent_at:%Y-%m-%d}</td>" in row
    assert row.endswith('<td class="text-right">4</td>')

    # Taken out of the program while a draft: the program no longer lists it.
    staff.post(
        f"/outreach/mailings/{unrelated.pk}/",
        {"segment": segment.pk, "program": program.pk, "subject_en": "Office hours", "body_en": "B",
         "subject_es": "Horario de atención", "body_es": "B"},
    )  # fmt: skip
    assert "Office hours" in staff.get(f"/outreach/programs/{program.pk}/").content.decode()
    staff.post(
        f"/outreach/mailings/{unrelated.pk}/",
        {"segment": segment.pk, "program": "", "subject_en": "Office hours", "body_en": "B",
         "subject_es": "Horario de atención", "body_es": "B"},
    )  # fmt: skip
    assert Mailing.objects.get(pk=unrelated.pk).program is None
    assert "Office hours" not in staff.get(f"/outreach/programs/{program.pk}/").content.decode()


def test_mail_programs_unsubscribe_with_one_click_and_no_csrf_token(smtp_server, tasks_run_in_process, make_staff):
    people = _world()
    recipient = _sent_to(people["ben"], make_staff)
    token = mailings.unsubscribe_token(recipient.pk)
    response = Client(enforce_csrf_checks=True).post(
        f"/outreach/unsubscribe/{token}/", "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 200 and "You are unsubscribed" in page
    # A public page: the agency's name, not the staff system-use notice.
    assert "Authorized use only" not in page
    assert "data-agency-name>U.S. Citizenship and Immigration Services</a>" in page
    people["ben"].refresh_from_db()
    assert people["ben"].mail_unsubscribed_at is not None
    assert Client().get(f"/outreach/unsubscribe/{token[:-2]}xx/").status_code == 404


def _sent_to(contact: Contact, make_staff) -> MailingRecipient:
    staff = make_staff(Role.OUTREACH_STAFF)
    segment = MailingSegment.objects.create(name=f"Everyone {contact.pk}", created_by=staff)
    mailing = Mailing.objects.create(
        segment=segment, subject_en="Hello", body_en="Hi", subject_es="Hola", body_es="Hola",
        created_by=staff, status=MailingStatus.SENT,
    )  # fmt: skip
    return MailingRecipient.objects.create(
        mailing=mailing, contact=contact, email=contact.email, status=RecipientStatus.SENT
    )


DSN = """\
From: Mail Delivery System <MAILER-DAEMON@mx.lakes.example.org>
To: {verp}
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

Your message could not be delivered.

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.lakes.example.org

Final-Recipient: rfc822; eve@lakes.example.org
Action: {action}
Status: {status}
Diagnostic-Code: smtp; 550 5.2.1 <eve@lakes.example.org>: mailbox disabled

--B
Content-Type: text/rfc822-headers

From: engagement@ncsc.example.gov
To: eve@lakes.example.org
Subject: Listening session

--B--
"""


def test_an_asynchronous_bounce_marks_the_recipient_and_the_address(tmp_path, make_staff, capsys):
    people = _world()
    recipient = _sent_to(people["eve"], make_staff)
    verp = mailings.bounce_address(recipient.pk)
    delayed = tmp_path / "delayed.eml"
    delayed.write_text(DSN.format(verp=verp, action="delayed", status="4.2.2"))
    call_command("mailing_bounces_import", str(delayed))
    recipient.refresh_from_db()
    assert recipient.status == RecipientStatus.SENT  # a delay is not a bounce

    forged = tmp_path / "forged.eml"
    forged.write_text(DSN.format(verp=verp.replace(verp[-24:-20], "0000"), action="failed", status="5.2.1"))
    mbox = tmp_path / "bounces.mbox"
    mbox.write_text(
        "From MAILER-DAEMON Sun Dec  6 10:00:00 2026\n"
        + DSN.format(verp=verp, action="failed", status="5.2.1")
        + "\nFrom MAILER-DAEMON Sun Dec  6 10:01:00 2026\n"
        + DSN.format(verp=verp, action="failed", status="5.2.1")
    )
    call_command("mailing_bounces_import", str(forged), str(mbox))
    out = capsys.readouterr().out
    assert "bounced: 1" in out and "already: 1" in out and "unmatched: 1" in out
    recipient.refresh_from_db()
    assert recipient.status == RecipientStatus.BOUNCED
    assert recipient.detail == "5.2.1 smtp; 550 5.2.1 <eve@lakes.example.org>: mailbox disabled"
    people["eve"].refresh_from_db()
    assert people["eve"].email_bounced_at is not None
    segment = MailingSegment.objects.create(name="Lakes", region="Great Lakes", created_by=make_staff())
    from outreach import mailing_selectors

    assert list(mailing_selectors.segment_recipients(segment=segment)) == []


def test_a_retried_batch_never_sends_twice_and_a_closed_port_is_retried(
    smtp_server, make_staff, settings, django_capture_on_commit_callbacks
):
    from contactcenter.audit.context import AuditContext

    people = _world()
    staff = make_staff(Role.OUTREACH_STAFF)
    segment = mailings.segment_save(context=AuditContext(actor=staff), name="Lakes", region="Great Lakes")
    mailing = mailings.mailing_create(
        context=AuditContext(actor=staff), segment_id=segment.pk, subject_en="Hi", body_en="Hello",
        subject_es="Hola", body_es="Hola",
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=False):
        assert mailings.mailing_send(context=AuditContext(actor=staff), mailing_id=mailing.pk) == 1
    (recipient,) = mailing.recipients.all()
    port, settings.EMAIL_PORT = settings.EMAIL_PORT, free_port()  # nothing listens there
    with pytest.raises(OSError):
        mailings.mailing_batch_send(mailing_id=mailing.pk, recipient_ids=[recipient.pk])
    recipient.refresh_from_db()
    assert recipient.status == RecipientStatus.QUEUED
    settings.EMAIL_PORT = port
    assert mailings.mailing_batch_send(mailing_id=mailing.pk, recipient_ids=[recipient.pk]) == 1
    assert mailings.mailing_batch_send(mailing_id=mailing.pk, recipient_ids=[recipient.pk]) == 0
    assert [rcpts for _s, rcpts, _c in smtp_server.messages] == [[people["eve"].email]]
    mailing.refresh_from_db()
    assert mailing.status == MailingStatus.SENT


def test_a_batch_still_failing_after_its_last_try_marks_its_recipients_failed(
    smtp_server, make_staff, settings, django_capture_on_commit_callbacks
):
    from contactcenter.audit.context import AuditContext
    from outreach.tasks import mailing_batch_send, mailings_sweep

    people = _world()
    staff = make_staff(Role.OUTREACH_STAFF)
    segment = mailings.segment_save(context=AuditContext(actor=staff), name="Lakes", region="Great Lakes")
    mailing = mailings.mailing_create(
        context=AuditContext(actor=staff), segment_id=segment.pk, subject_en="Hi", body_en="Hello",
        subject_es="Hola", body_es="Hola",
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        mailings.mailing_send(context=AuditContext(actor=staff), mailing_id=mailing.pk)
    assert len(callbacks) == 1  # one batch, enqueued after commit
    (recipient,) = mailing.recipients.all()
    # The broker lost the task: the sweep finds the recipient once its mailing has waited long enough.
    assert mailings.mailing_recipients_pending() == {}
    assert mailings.mailing_recipients_pending(older_than_seconds=-60) == {mailing.pk: [recipient.pk]}
    assert mailings_sweep() == 0

    settings.EMAIL_PORT, settings.MAIL_SEND_MAX_RETRIES = free_port(), 0  # nothing listens; no tries left
    mailing_batch_send.apply(kwargs={"mailing_id": mailing.pk, "recipient_ids": [recipient.pk]})
    recipient.refresh_from_db()
    assert recipient.status == RecipientStatus.FAILED
    assert recipient.detail.startswith("ConnectionRefusedError")
    mailing.refresh_from_db()
    assert mailing.status == MailingStatus.SENT and people["eve"].email == recipient.email
    assert smtp_server.messages == []


def test_an_unsubscribe_mailed_to_the_list_unsubscribe_address(make_staff, capsys, tmp_path):
    people = _world()
    recipient = _sent_to(people["gus"], make_staff)
    request = tmp_path / "unsubscribe.eml"
    request.write_text(
        "From: gus@casa.example.org\nTo: unsubscribe@ncsc.example.gov\n"
        f"Subject: unsubscribe {mailings.unsubscribe_token(recipient.pk)}\n\n"
    )
    call_command("mailing_bounces_import", str(request))
    assert capsys.readouterr().out.strip() == "unsubscribed: 1"
    people["gus"].refresh_from_db()
    assert people["gus"].mail_unsubscribed_at is not None


def test_an_unsubscribe_on_a_duplicate_stays_with_the_person_it_is_merged_into(client_as, make_staff):
    from outreach import mailing_selectors

    people = _world()
    duplicate = _member(
        people["ben"].memberships.get().organisation, first_name="Benjamin", email="benjamin@tribe.example.org",
        consent_email=True,
    )  # fmt: skip
    recipient = _sent_to(duplicate, make_staff)
    assert Client().post(f"/outreach/unsubscribe/{mailings.unsubscribe_token(recipient.pk)}/").status_code == 200
    staff = client_as(Role.OUTREACH_STAFF)
    assert staff.post(f"/outreach/contacts/{people['ben'].pk}/merge/", {"merge_id": duplicate.pk}).status_code == 302
    people["ben"].refresh_from_db()
    assert people["ben"].mail_unsubscribed_at is not None and people["ben"].consent_email is False
    segment = MailingSegment.objects.create(name="Southwest", region="Southwest", created_by=staff.user)
    assert people["ben"] not in mailing_selectors.segment_recipients(segment=segment)
    page = staff.get(f"/outreach/contacts/{people['ben'].pk}/").content.decode()
    shown = page[page.index('<dd id="contact-unsubscribed">') :].split("</dd>")[0]
    assert timezone.localtime(people["ben"].mail_unsubscribed_at).strftime("%Y-%m-%d %H:%M") in shown
