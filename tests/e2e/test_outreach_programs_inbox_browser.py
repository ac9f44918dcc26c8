"""Issue 16 in the browser (each page axe-checked as it loads): a CRO starts a campaign and puts an
engagement under it, a member of the owning office answers routed feedback from the inbox, and the
CRO reports it back to the partner's contacts."""

from __future__ import annotations

import pytest

from contactcenter.audit.context import AuditContext
from contactcenter.staff.roles import Role
from outreach import services
from outreach.models import AgencyOfficeMembership, FeedbackItem, Membership, PartnerReportBackDelivery, Program
from tests.e2e.test_sign_in_browser import sign_in
from tests.outreach.factories import ContactFactory, EngagementFactory, OrganisationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_campaign_inbox_answer_and_report_back_to_a_partner(browser, live_server, make_staff):
    cro = make_staff(Role.CRO, username="carmen", first_name="Carmen", last_name="Vega")
    responder = make_staff(Role.OFFICE_STAFF, username="fod-answers", first_name="Grace", last_name="Kim")
    AgencyOfficeMembership.objects.create(user=responder, office="fod")
    EngagementFactory(title="Oath ceremony information night", organiser=cro)
    partner = OrganisationFactory(name="Illinois Coalition for Immigrant Rights", kind="association")
    Membership.objects.create(
        contact=ContactFactory(email="policy@icirr.example.org", consent_email=True), organisation=partner
    )
    item = services.feedback_record(
        context=AuditContext.system(), recorded_by=cro, source="partner", organisation_id=partner.pk,
        topic_code="naturalization", summary="Oath ceremonies are scheduled months after approval",
    )  # fmt: skip
    services.feedback_route(context=AuditContext.system(), feedback_id=item.pk, owning_office="fod")

    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server, "carmen")
    page.goto(f"{live_server.url}/outreach/programs/")
    page.get_by_label("Name").fill("Citizenship Day 2026")
    page.get_by_label("Kind").select_option("campaign")
    page.get_by_label("Starts").fill("2026-09-01")
    page.get_by_role("button", name="Add the program").click()
    page.get_by_role("heading", name="Citizenship Day 2026", level=1).wait_for()
    page.get_by_role("combobox", name="Engagement").select_option(label="Oath ceremony information night")
    page.get_by_role("button", name="Add the engagement").click()
    page.get_by_text("Saved.").wait_for()
    assert "Oath ceremony information night" in page.locator("[data-program-engagements]").inner_text()
    assert Program.objects.get().engagements.count() == 1
    context.close()

    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server, "fod-answers")
    page.goto(f"{live_server.url}/outreach/inbox/")
    assert page.locator("[data-unread]").text_content() == "1 unread"
    page.get_by_role("link", name="Oath ceremonies are scheduled months after approval").click()
    page.get_by_role("textbox", name="Agency response").fill("Field offices now schedule oaths within 30 days.")
    page.get_by_role("button", name="Save the answer").click()
    page.get_by_text("Your office's answer is recorded.").wait_for()
    assert page.locator("[data-unread]").text_content() == "0 unread"
    assert FeedbackItem.objects.get().responded_by == responder
    context.close()

    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server, "carmen")
    page.goto(f"{live_server.url}/outreach/organisations/{partner.pk}/")
    page.get_by_role("link", name="Report this organization's answered feedback back to its contacts").click()
    page.get_by_role("button", name="Publish and e-mail").click()
    page.get_by_text("Report back published").wait_for()
    assert "policy@icirr.example.org" in page.locator("[data-deliveries]").inner_text()
    assert "Field offices now schedule oaths within 30 days." in page.inner_text("main")
    assert PartnerReportBackDelivery.objects.get().email == "policy@icirr.example.org"
    context.close()
