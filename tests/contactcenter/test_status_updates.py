"""Case-status updates from the public page (a code first, nothing else until it is entered), by
e-mail with a one-click unsubscribe link, from the console's case page, and on the case's timeline."""

from __future__ import annotations

import re
from datetime import date

import pytest
from celery import current_app
from django.core import mail
from django.test import Client
from django.urls import reverse

from contactcenter import tasks  # noqa: F401 - registers the tasks, which eager mode then runs here
from contactcenter.models import (
    AuditEvent,
    BenefitCase,
    OutboundMessage,
    StatusHeadline,
    StatusNotice,
    StatusSubscription,
)
from contactcenter.staff.roles import Role
from tests.reference_data import seed_reference
from tests.status_updates_helpers import import_status

RECEIPT = "EAC2190000001"
PHONE = "+12025550177"


@pytest.fixture(autouse=True)
def _tasks_run_in_process(monkeypatch, settings):
    """Tasks enqueued after commit run here, as the worker would run them (the real task, in process)."""
    monkeypatch.setitem(current_app.conf, "task_always_eager", True)
    settings.TELEPHONY_BACKEND = "local"


@pytest.fixture
def cases(db):
    """The reference data the IVR reads, cases on file among it."""
    seed_reference(cases=60, surgeons=80)


@pytest.fixture(autouse=True)
def _fresh_limits():
    from django.core.cache import cache

    cache.clear()


def _ask(client: Client, capture, **data) -> object:
    with capture(execute=True):
        return client.post(reverse("status-subscribe"), {"receipt_number": RECEIPT, **data})


def _code(text: str) -> str:
    return re.search(r"\b(\d{6})\b", text).group(1)


def _case_and_new_status() -> tuple[BenefitCase, StatusHeadline]:
    case = BenefitCase.objects.get(receipt_number=RECEIPT)
    return case, StatusHeadline.objects.exclude(pk=case.status_id).get(code="case-was-approved")


def test_the_public_page_sends_only_a_code_until_it_is_entered(
    cases,
    django_capture_on_commit_callbacks,
):
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    page = client.get(reverse("status-subscribe"))
    assert page.status_code == 200 and "Recibir avisos del estado del caso" in page.content.decode()
    # A public page: the agency's name, not the staff system-use notice.
    assert "data-agency-name" in page.content.decode() and "uso autorizado" not in page.content.decode().lower()

    asked = _ask(client, django_capture_on_commit_callbacks, channel="sms", phone="(202) 555-0177")
    assert asked.status_code == 302
    subscription = StatusSubscription.objects.get()
    assert (subscription.status, subscription.language, subscription.to) == ("pending", "es", PHONE)
    [code_text] = OutboundMessage.objects.filter(to_number=PHONE)
    assert code_text.status == "sent" and "su código" in code_text.body

    # A status change before the code is entered sends nothing: the address is not confirmed.
    case, approved = _case_and_new_status()
    with django_capture_on_commit_callbacks(execute=True):
        import_status(case, approved, date(2026, 12, 3))
    assert OutboundMessage.objects.filter(to_number=PHONE).count() == 1 and not StatusNotice.objects.exists()

    confirm_url = asked["Location"]
    page = client.get(confirm_url)
    assert "***0177" in page.content.decode() and "2025550177" not in page.content.decode()
    wrong = "000000" if _code(code_text.body) != "000000" else "111111"
    refused = client.post(confirm_url, {"code": wrong})
    assert refused.status_code == 400 and "No es el código que le enviamos" in refused.content.decode()
    subscription.refresh_from_db()
    assert (subscription.status, subscription.code_tries) == ("pending", 1)

    done = client.post(confirm_url, {"code": _code(code_text.body)})
    assert done.status_code == 200 and "data-confirmed" in done.content.decode()
    subscription.refresh_from_db()
    assert subscription.status == "confirmed"
    assert AuditEvent.objects.filter(
        target_type="contactcenter.statussubscription", summary__contains="confirmed"
    ).exists()

    mailed = StatusHeadline.objects.get(code="card-was-mailed-to-me")
    with django_capture_on_commit_callbacks(execute=True):
        import_status(case, mailed, date(2026, 12, 10))
    notice_text = OutboundMessage.objects.get(purpose__startswith="status-notice:")
    assert notice_text.to_number == PHONE and mailed.headline_es in notice_text.body


def test_five_wrong_codes_use_the_code_up(cases, django_capture_on_commit_callbacks):
    client = Client()
    asked = _ask(client, django_capture_on_commit_callbacks, channel="sms", phone=PHONE)
    code = _code(OutboundMessage.objects.get(to_number=PHONE).body)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        client.post(asked["Location"], {"code": wrong})
    used_up = client.post(asked["Location"], {"code": code})
    assert "can no longer be used" in used_up.content.decode()
    assert StatusSubscription.objects.get().status == "pending"


def test_the_public_page_is_rate_limited_per_address_and_per_phone(cases, settings, django_capture_on_commit_callbacks):
    settings.STATUS_UPDATES_ASKS_PER_HOUR = 4
    client = Client()
    for _ in range(3):
        assert _ask(client, django_capture_on_commit_callbacks, channel="sms", phone=PHONE).status_code == 302
    flooded = _ask(client, django_capture_on_commit_callbacks, channel="sms", phone=PHONE)
    assert flooded.status_code == 429 and "several codes" in flooded.content.decode()
    assert OutboundMessage.objects.filter(to_number=PHONE).count() == 3
    over = _ask(client, django_capture_on_commit_callbacks, channel="sms", phone="+12025550178")
    assert over.status_code == 429 and "Too many requests" in over.content.decode()


def test_an_unknown_receipt_number_is_refused_and_nothing_is_sent(
    cases,
    django_capture_on_commit_callbacks,
):
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        refused = client.post(
            reverse("status-subscribe"), {"receipt_number": "EAC9999999999", "channel": "sms", "phone": PHONE}
        )
    assert refused.status_code == 400 and "No case with this receipt number" in refused.content.decode()
    assert not OutboundMessage.objects.exists() and not StatusSubscription.objects.exists()


def test_an_email_subscriber_gets_the_notice_with_a_one_click_unsubscribe(cases, django_capture_on_commit_callbacks):
    client = Client()
    asked = _ask(client, django_capture_on_commit_callbacks, channel="email", email="Ana@Example.org")
    [code_mail] = mail.outbox
    assert code_mail.to == ["ana@example.org"] and "USCIS case status updates" in code_mail.subject
    client.post(asked["Location"], {"code": _code(code_mail.body)})
    assert StatusSubscription.objects.get().status == "confirmed"

    case, approved = _case_and_new_status()
    with django_capture_on_commit_callbacks(execute=True):
        import_status(case, approved, date(2026, 12, 3))
    assert len(mail.outbox) == 2
    notice = mail.outbox[1]
    assert approved.headline_en in notice.subject and approved.headline_en in notice.body
    link = re.search(r"https://ncsc\.test(/case-updates/unsubscribe/[^/\s]+/)", notice.body).group(1)
    assert notice.extra_headers["List-Unsubscribe"] == f"<https://ncsc.test{link}>"
    assert notice.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # Opening the link only asks; the button (or the mail client's one-click POST) ends it.
    shown = client.get(link)
    assert shown.status_code == 200 and "a***@example.org" in shown.content.decode()
    assert StatusSubscription.objects.get().status == "confirmed"
    ended = Client(enforce_csrf_checks=True).post(link, {"List-Unsubscribe": "One-Click"})
    assert ended.status_code == 200 and "data-ended" in ended.content.decode()
    assert StatusSubscription.objects.get().status == "ended"
    assert client.get(link.replace("/unsubscribe/", "/unsubscribe/x")).status_code == 404

    mailed = StatusHeadline.objects.get(code="card-was-mailed-to-me")
    with django_capture_on_commit_callbacks(execute=True):
        import_status(case, mailed, date(2026, 12, 10))
    assert len(mail.outbox) == 2


def test_a_csr_subscribes_the_caller_from_the_case_page_and_sees_the_notice(
    cases,
    client_as,
    django_capture_on_commit_callbacks,
):
    client = client_as(Role.CSR)
    page = client.get(reverse("case-history", args=[RECEIPT]))
    assert reverse("case-status-subscribe", args=[RECEIPT]) in page.content.decode()
    assert client.get(reverse("case-status-subscribe", args=[RECEIPT])).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            reverse("case-status-subscribe", args=[RECEIPT]),
            {"channel": "sms", "phone": "202-555-0177", "language": "es"},
            follow=True,
        )
    assert "will go to the caller" in done.content.decode()
    subscription = StatusSubscription.objects.get()
    assert (subscription.status, subscription.source, subscription.language) == ("confirmed", "console", "es")
    assert not OutboundMessage.objects.exists()
    audit = AuditEvent.objects.get(target_type="contactcenter.statussubscription")
    assert audit.actor == client.user and "2025550177" not in audit.summary

    case, approved = _case_and_new_status()
    with django_capture_on_commit_callbacks(execute=True):
        import_status(case, approved, date(2026, 12, 3))
    page = client.get(reverse("case-history", args=[RECEIPT])).content.decode()
    assert 'data-timeline-entry="status-notice"' in page and approved.headline_es in page
    assert "***0177" in page


def test_only_console_roles_may_subscribe_from_the_console(cases, client_as):
    client = client_as(Role.CAO_ANALYST)
    page = client.get(reverse("case-history", args=[RECEIPT])).content.decode()
    assert reverse("case-status-subscribe", args=[RECEIPT]) not in page
    refused = client.post(reverse("case-status-subscribe", args=[RECEIPT]), {"channel": "sms", "phone": PHONE})
    assert refused.status_code == 403 and not StatusSubscription.objects.exists()
