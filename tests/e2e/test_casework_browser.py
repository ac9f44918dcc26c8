"""The issue's "done means" in the browser: a CIS Ombudsman e-mail about a receipt number is
ingested, shows triaged with its due date, is assigned, drafted, reviewed by a CAO supervisor and
sent by a real Celery worker, and the receipt number's case view shows it beside the caller's
phone contacts."""

from importlib import import_module
from io import StringIO
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command

from casework.models import Inquiry, Response, ResponseTemplate
from contactcenter import services as core_services
from contactcenter.audit.context import AuditContext
from contactcenter.models import Channel
from contactcenter.staff.roles import Role
from tests.casework.conftest import casework_worker  # noqa: F401
from tests.e2e.test_sign_in_browser import sign_in
from tests.waiting import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]
EML = Path(__file__).resolve().parents[1] / "casework" / "mail" / "ombudsman.eml"


def test_ombudsman_email_to_sent_response_and_case_view(
    browser,
    live_server,
    make_staff,
    casework_worker,  # noqa: F811
    seeded_cases,
):
    cache.clear()
    # Transactional tests flush the data migration's rows: put the default templates back.
    defaults = import_module("casework.migrations.0002_search_trigger_and_defaults").TEMPLATES
    for code, language, title, subject, body in defaults:
        ResponseTemplate.objects.get_or_create(
            code=code, language=language, defaults={"title": title, "subject": subject, "body": body}
        )
    worker = casework_worker.start(name="e2e")
    # The caller phoned the IVR about the same receipt number.
    core_services.interaction_record(
        context=AuditContext.system(),
        channel=Channel.IVR,
        topic_code="case-status",
        source_app="ivr",
        source_model="call",
        source_id="CA00000000000000000000000000000001",
        receipt_numbers=["EAC2190000001"],
        contact_phone="+12135550142",
        summary="Case status heard in English",
    )
    call_command("ingest_mail", str(EML), stdout=StringIO())
    inquiry = Inquiry.objects.get()
    analyst = make_staff(Role.CAO_ANALYST, first_name="Alma", last_name="Reyes")
    supervisor = make_staff(Role.CAO_SUPERVISOR)
    pages = {}
    for user in (analyst, supervisor):
        context = browser.new_context(locale="en-US")
        pages[user] = context.new_page()
        pages[user].set_default_timeout(15_000)

    page = pages[analyst]
    sign_in(page, live_server, analyst.username)
    page.get_by_role("heading", name="CAO casework").wait_for()
    row = page.locator(f"tr[data-reference='{inquiry.reference}']")
    assert "Triaged" in row.inner_text() and "CIS Ombudsman" in row.inner_text()
    row.get_by_role("link", name=inquiry.reference).click()
    assert page.locator("[data-due]").get_attribute("data-due") == "2026-12-17"  # 15 business days
    page.get_by_label("Assign to").select_option(label="Alma Reyes")  # full names, not usernames
    page.get_by_role("button", name="Assign", exact=True).click()
    assert page.locator("[data-status]").get_attribute("data-status") == "assigned"
    page.get_by_label("Template").select_option(label="Case status reply (en)")
    page.get_by_role("button", name="Start draft").click()
    body = page.get_by_role("textbox", name="Text")
    assert "Dear Ombudsman Case Assistance" in body.input_value()
    assert "EAC2190000001" in body.input_value() and "Alma Reyes" in body.input_value()
    page.get_by_role("button", name="Send for review").click()
    assert page.locator("[data-status]").get_attribute("data-status") == "in_review"

    page = pages[supervisor]
    sign_in(page, live_server, supervisor.username)
    review = page.get_by_role("region", name="Responses awaiting your review")
    review.get_by_role("link", name=inquiry.reference, exact=False).click()
    assert page.get_by_role("group", name="Decision").locator("input:checked").count() == 0  # nothing chosen
    # USWDS draws the radio on its label (the input itself sits off-screen): the label is what is clicked.
    page.locator("label.usa-radio__label", has_text="Approve and send").click()
    assert page.get_by_label("Approve and send").is_checked()
    page.get_by_role("button", name="Record review").click()
    page.locator("[data-status]").wait_for()

    response = Response.objects.get(inquiry=inquiry)
    assert wait_for(lambda: Response.objects.filter(pk=response.pk, status="sent").exists()), worker.log.read_text()[
        -3000:
    ]
    mails = casework_worker.messages("cao-response-")
    assert len(mails) == 1 and "To: caseassistance@cisomb.dhs.gov" in mails[0]
    assert f"[{inquiry.reference}]" in mails[0]

    page = pages[analyst]
    page.goto(f"{live_server.url}/casework/inquiries/{inquiry.pk}/")
    assert page.locator("[data-status]").get_attribute("data-status") == "sent"
    page.get_by_role("link", name="EAC2190000001", exact=True).click()
    contacts = page.get_by_role(
        "table", name="Contacts, service requests and escalations about this receipt number"
    ).inner_text()
    assert "IVR self-service" in contacts and "Written correspondence (CAO)" in contacts
    assert inquiry.reference in contacts and "Resolved" in contacts
    assert page.locator("[data-case-status]").inner_text().strip() != ""
    for open_page in pages.values():
        open_page.context.close()
