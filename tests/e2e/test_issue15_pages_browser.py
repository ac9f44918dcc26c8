"""Issue 15's supervisor pages that no other browser walk opens — the agent and contact-rate reports,
closures, announcements and hold-message wordings — each axe-clean, with its first control reached by
the keyboard from the skip link."""

from __future__ import annotations

import pytest

from contactcenter.staff.roles import Role
from tests.e2e.axe import axe_violations
from tests.e2e.test_sign_in_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = [
    "/reports/agents/",
    "/reports/contact-rates/",
    "/supervisor/closures/",
    "/supervisor/closures/new/",
    "/ivr/supervisor/announcements/",
    "/ivr/supervisor/announcements/new/",
    "/ivr/supervisor/prompts/",
    "/ivr/supervisor/prompts/on_hold/",
]


def test_the_new_supervisor_pages_are_axe_clean_and_reached_by_keyboard(browser, live_server, make_staff):
    page = browser.new_context(locale="en-US", base_url=live_server.url).new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server, make_staff(Role.SUPERVISOR).username)
    for url in PAGES:
        response = page.goto(url)
        assert response.status == 200, url
        assert axe_violations(page) == [], url
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.classList.contains('usa-skipnav')"), url
        page.keyboard.press("Enter")
        page.keyboard.press("Tab")
        focused = page.evaluate("[document.activeElement.tagName, document.activeElement.closest('main') !== null]")
        assert focused[0] in {"A", "BUTTON", "INPUT", "SELECT", "TEXTAREA"} and focused[1], (url, focused)
