"""A field office worker, in headless Chromium: from the queue to a request they claim, ask the
requester about and resolve; the history grows with each step. Axe-clean."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from contactcenter import services
from contactcenter.audit.context import AuditContext
from contactcenter.models import OfficeMembership, ServiceRequest
from contactcenter.staff.roles import Role
from tests.e2e.test_sign_in_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_office_worker_claims_asks_and_resolves(browser, live_server, make_staff, seeded_cases):
    cache.clear()
    csr = make_staff(Role.CSR)
    request = services.service_request_create(
        context=AuditContext(actor=csr),
        user=csr,
        kind="card_not_received",
        receipt_number=seeded_cases.receipt_number,
        date_of_birth=seeded_cases.date_of_birth,
        requester_role="applicant",
        contact_email="ana@example.com",
    )
    worker = make_staff(Role.OFFICE_STAFF)
    OfficeMembership.objects.create(user=worker, office=seeded_cases.office)

    page = browser.new_context(locale="en-US", base_url=live_server.url).new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server, worker.username)
    page.get_by_role("heading", level=1, name="Service requests at my office").wait_for()
    page.get_by_role("link", name=request.reference).click()

    page.get_by_role("button", name="Claim (assign to me)").click()
    page.get_by_text("Saved.").wait_for()
    page.get_by_label("Question for the requester").fill("Which card did you expect?")
    page.get_by_role("button", name="Send the question").click()
    page.locator("[data-history] li[data-event='asked']").wait_for()
    page.get_by_label("Resolution").fill("A new card was mailed on 1 December.")
    page.get_by_role("button", name="Resolve and tell the requester").click()
    page.locator("[data-history] li[data-event='resolved']").wait_for()

    assert page.locator("[data-status]").inner_text().strip() == "Resolved"
    kinds = page.locator("[data-history] li").evaluate_all("items => items.map(i => i.dataset.event)")
    assert kinds == ["created", "notice", "claimed", "asked", "resolved"]
    assert page.locator("button[data-action]").evaluate_all("b => b.map(x => x.dataset.action)") == ["note"]
    request.refresh_from_db()
    assert (request.status, request.assigned_to_id) == ("resolved", worker.pk)
    assert ServiceRequest.objects.get().resolution == "A new card was mailed on 1 December."
