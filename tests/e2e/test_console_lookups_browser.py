"""The console's look-ups by keyboard in headless Chromium: a CSR finds a form and orders it by mail for
the caller, checks a case's processing time and reads the Visa Bulletin — each answer shown in the
console's results region (htmx), the console page never left. Axe-clean."""

from __future__ import annotations

import re

import pytest

from contactcenter.models import FormOrder, FormOrderStatus
from contactcenter.staff.roles import Role
from tests.e2e.axe import axe_violations
from tests.e2e.test_sign_in_browser import sign_in
from tests.reference_data import seed_reference

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_csr_uses_the_lookups_without_leaving_the_console(browser, live_server, make_staff):
    seed_reference(cases=20, surgeons=20)
    csr = make_staff(Role.CSR)
    page = browser.new_context(locale="en-US", base_url=live_server.url).new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server, csr.username)
    page.goto("/console/")
    results = page.locator("#lookup-results")

    query = page.get_by_label("Form number or title")
    query.fill("485")
    query.press("Enter")
    results.locator("tr[data-form='I-485']").wait_for()
    assert "$1,440.00" in results.inner_text()
    assert page.url.endswith("/console/")
    assert axe_violations(page) == []

    order = results.get_by_role("link", name="Order I-485 for the caller")
    order.focus()
    page.keyboard.press("Enter")
    results.get_by_role("heading", name="Order Form I-485 for the caller").wait_for()
    results.get_by_label("Send it by").select_option("mail")
    receipt = results.get_by_label("Receipt number of the caller's case")
    receipt.fill("EAC2190000001")
    receipt.press("Enter")
    results.get_by_text("is queued for mailing").wait_for()
    assert page.url.endswith("/console/")
    order = FormOrder.objects.get()
    assert (order.channel, order.case.receipt_number) == ("mail", "EAC2190000001")
    assert order.status in (FormOrderStatus.PENDING, FormOrderStatus.QUEUED)  # the worker may have run
    assert axe_violations(page) == []

    case = page.locator("#lookup-case-receipt_number")
    case.fill("EAC2190000001")
    case.press("Enter")
    results.locator("[data-verdict]").wait_for()
    assert "Outside normal processing time" in results.locator("[data-verdict]").inner_text()

    page.locator("#lookup-vb-category").select_option("F3")
    page.locator("#lookup-vb-chargeability").select_option("PHILIPPINES")
    page.get_by_role("button", name="Show priority dates").press("Enter")
    results.get_by_role("heading", name="Visa Bulletin priority dates").wait_for()
    rows = results.locator("tbody tr")
    assert rows.count() == 1 and rows.first.inner_text().startswith("Philippines")
    assert page.url.endswith("/console/")
    assert axe_violations(page) == []


def test_a_supervisor_makes_and_confirms_the_days_mailing_batch_by_keyboard(browser, live_server, make_staff):
    from tests.contactcenter.test_mailing_batches import NAMES, _cases, _form, _queued_orders

    _form()
    orders = _queued_orders(_cases(NAMES))
    page = browser.new_context(locale="en-US", base_url=live_server.url).new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server, make_staff(Role.SUPERVISOR).username)
    page.goto("/supervisor/mailing-batches/")
    assert "3 form orders are queued for mailing." in page.locator("[data-queued-count]").inner_text()
    assert axe_violations(page) == []

    page.get_by_role("button", name="Make today's batch").press("Enter")
    page.get_by_text("is made: print its labels").wait_for()
    row = page.locator("tr[data-batch]")
    assert row.count() == 1 and "Made, awaiting printing" in row.inner_text()
    with page.expect_download() as download:
        row.get_by_role("link", name=re.compile(r"Address labels of batch \d+ \(PDF\)")).click()
    assert download.value.suggested_filename.endswith("-labels.pdf")
    assert axe_violations(page) == []

    row.get_by_role("button", name=re.compile(r"Confirm batch \d+ printed and mailed")).press("Enter")
    page.get_by_text("its forms are mailed").wait_for()
    assert "Printed and mailed" in page.locator("tr[data-batch]").inner_text()
    assert page.get_by_role("button", name=re.compile("Confirm batch")).count() == 0
    assert {o.status for o in FormOrder.objects.filter(pk__in=[o.pk for o in orders])} == {FormOrderStatus.MAILED}
    assert axe_violations(page) == []
