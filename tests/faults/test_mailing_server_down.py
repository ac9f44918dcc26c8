"""An outreach mailing sent while the mail server is down: a real worker retries each batch with
backoff, and once the server (aiosmtpd) is back every consenting recipient gets exactly one copy,
and the address it refuses for good is marked bounced with its reply."""

from __future__ import annotations

import re

import pytest
from aiosmtpd.controller import Controller
from django.test import Client

from contactcenter.staff.roles import Role
from outreach.models import (
    Mailing,
    MailingRecipient,
    MailingSegment,
    MailingStatus,
    Membership,
    OrganisationLevel,
    OrganisationType,
    RecipientStatus,
)
from tests.outreach.factories import ContactFactory, OrganisationFactory
from tests.outreach.smtp_server import Collector, free_port
from tests.waiting import wait_for

REFUSAL = "550 5.1.1 <dora@tribe.example.org>: Recipient address rejected: User unknown"


@pytest.mark.celery_worker
def test_a_mailing_sent_while_the_mail_server_is_down_reaches_each_recipient_once_when_it_returns(
    fault_stack, make_staff, settings
):
    settings.OUTREACH_MAILING_BATCH_SIZE = 2  # three recipients: two batches, two retry chains
    port = free_port()
    worker = fault_stack.worker(
        "mailing", TEST_EMAIL_PORT=str(port), TEST_MAIL_SEND_MAX_RETRIES="6",
        TEST_MAIL_RETRY_BACKOFF_SECONDS="1", TEST_EMAIL_TIMEOUT="5",
    )  # fmt: skip
    council = OrganisationFactory(
        name="Pueblo Council", kind=OrganisationType.TRIBAL, level=OrganisationLevel.REGIONAL, region="Southwest"
    )
    for name, language in (("ana", "es"), ("ben", "en"), ("dora", "en")):
        contact = ContactFactory(
            first_name=name.title(), email=f"{name}@tribe.example.org", consent_email=True, preferred_language=language
        )
        Membership.objects.create(contact=contact, organisation=council)
    staff = make_staff(Role.OUTREACH_STAFF)
    segment = MailingSegment.objects.create(name="Southwest tribes", kinds=["tribal"], region="Southwest",
                                            created_by=staff)  # fmt: skip
    mailing = Mailing.objects.create(
        segment=segment, subject_en="Listening session", body_en="Join us.", subject_es="Sesión de escucha",
        body_es="Acompáñenos.", created_by=staff,
    )  # fmt: skip
    client = Client()
    client.force_login(staff)
    assert client.post(f"/outreach/mailings/{mailing.pk}/send/").status_code == 302

    # Nothing listens: both batches are retried with backoff, nothing is marked sent.
    assert wait_for(lambda: len(re.findall(r"outreach\.mailing_batch_send\[[^\]]+\] retry", worker.text())) >= 2,
                    timeout=60), worker.text()[-3000:]  # fmt: skip
    assert set(MailingRecipient.objects.values_list("status", flat=True)) == {RecipientStatus.QUEUED}

    handler = Collector()
    handler.refuse["dora@tribe.example.org"] = REFUSAL
    server = Controller(handler, hostname="127.0.0.1", port=port)
    server.start()
    try:
        assert wait_for(lambda: Mailing.objects.get(pk=mailing.pk).status == MailingStatus.SENT, timeout=60), (
            worker.text()[-3000:]
        )
        assert wait_for(fault_stack.idle, timeout=30)
    finally:
        server.stop()
    received = sorted(rcpt for _sender, rcpts, _content in handler.messages for rcpt in rcpts)
    assert received == ["ana@tribe.example.org", "ben@tribe.example.org"]
    assert [str(m["Subject"]).strip() for m in handler.to("ana@tribe.example.org")] == ["Sesión de escucha"]
    dora = MailingRecipient.objects.get(email="dora@tribe.example.org")
    assert dora.status == RecipientStatus.BOUNCED and dora.detail.startswith("550 5.1.1")
    page = client.get(f"/outreach/mailings/{mailing.pk}/").content.decode()
    assert "User unknown" in page and "Bounced" in page
