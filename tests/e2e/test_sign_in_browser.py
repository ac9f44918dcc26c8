"""Staff sign in through the real login page in headless Chromium and land on their consoles."""

import re

import pytest
from django.core.cache import cache

from contactcenter import services
from contactcenter.audit.context import AuditContext
from contactcenter.staff.roles import Role
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADINGS = {
    Role.CSR: "CSR console (Tier 1)",
    Role.ISO: "ISO console (Tier 2)",
    Role.SUPERVISOR: "Supervisor wallboard",
    Role.CAO_ANALYST: "CAO casework",
    Role.CAO_SUPERVISOR: "CAO casework",
    Role.TSA_LIAISON: "DHS TRIP redress",
    Role.OUTREACH_STAFF: "Public engagement",
    Role.CRO: "Public engagement",
    Role.OFFICE_STAFF: "Service requests at my office",
    Role.ADMINISTRATOR: "Administration",
}


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/")
    assert page.url.endswith("/accounts/login/?next=/") or "/accounts/login/" in page.url
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_every_role_signs_in_and_lands_on_its_console(role, page, live_server, make_staff):
    cache.clear()
    user = make_staff(role)
    sign_in(page, live_server, user.username)
    heading = page.get_by_role("heading", level=1)
    assert HEADINGS[role] in heading.inner_text()
    if role == Role.ADMINISTRATOR:
        return  # Django's admin keeps its own look
    # USWDS is served locally: the stylesheet loaded and styled the page.
    assert page.evaluate("getComputedStyle(document.querySelector('.usa-banner')).display") != "inline"
    css = page.evaluate("[...document.styleSheets].map(s => s.href).filter(Boolean)")
    assert any(href.endswith("uswds.min.css") and href.startswith(live_server.url) for href in css)


def test_keyboard_user_skips_to_content_and_switches_to_spanish(page, live_server, make_staff):
    cache.clear()
    user = make_staff(Role.CSR)
    sign_in(page, live_server, user.username)
    page.wait_for_load_state("load")
    page.bring_to_front()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"

    page.get_by_role("button", name="Español").click()
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.get_by_role("link", name=re.compile("Saltar al contenido principal")).count() == 1
    page.get_by_role("button", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"


def test_agent_finds_a_case_history_and_is_refused_the_wallboard(page, live_server, make_staff):
    cache.clear()
    services.interaction_record(
        context=AuditContext.system(),
        channel="ivr",
        topic_code="case-status",
        source_app="test",
        source_model="call",
        source_id="CA-e2e",
        receipt_numbers=["IOE0912345678"],
        outcome="self_served",
        summary="Checked status by phone",
    )
    user = make_staff(Role.CSR)
    sign_in(page, live_server, user.username)
    page.get_by_label("Receipt number", exact=True).fill("ioe-091-234-5678")
    page.get_by_label("Receipt number", exact=True).press("Enter")
    # The console opens the case in its side panel: the agent (and a browser phone) stays on the page.
    panel = page.get_by_role("complementary", name="Case IOE0912345678")
    panel.get_by_role("cell", name="Checked status by phone").wait_for()
    assert panel.get_by_role("cell", name="Checked status by phone").count() == 1
    assert page.url.endswith("/console/")
    response = page.goto(f"{live_server.url}/wallboard/")
    assert response.status == 403
    assert page.get_by_role("heading", level=1).inner_text() == "Access denied"
