"""The CSP guard of the browser tests itself: a refused inline script fails the test, and the
policy's own pages (sign-in, API docs) run without one."""

from __future__ import annotations

import pytest

from contactcenter.staff.roles import Role
from tests.e2e.test_sign_in_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_guard_sees_a_refused_inline_script(browser, csp_violations, live_server):
    page = browser.new_context().new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1';"
        " document.body.appendChild(s); }"
    )
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.ran") is None
    assert any("Content Security Policy" in line or "Refused to" in line for line in csp_violations)
    csp_violations.clear()  # seen: this test is about the guard, not a page


@pytest.mark.axe_allow(
    "nested-interactive",
    page="/api/docs/",
    reason="Swagger UI (drf-spectacular-sidecar, not our markup) puts each operation's deep link inside its "
    "summary button; its colours and the page's language are fixed in templates/ and static/css/",
)
def test_the_api_docs_render_under_the_policy(page, live_server, make_staff):
    make_staff(Role.CSR, username="docs-reader")
    sign_in(page, live_server, "docs-reader")
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .opblock", timeout=20_000)
    assert page.locator(".swagger-ui .opblock").count() > 10


@pytest.mark.axe_allow(
    "label",
    page="/admin/",
    reason="Django's admin template admin/widgets/split_datetime.html gives the date and time inputs no label",
)
@pytest.mark.axe_allow(
    "aria-prohibited-attr",
    page="/admin/",
    reason="Django's admin SelectFilter2.js puts aria-label on a bare <span> (the filter box's help icon)",
)
def test_the_admin_works_under_the_policy(page, live_server, make_staff):
    admin = make_staff(Role.ADMINISTRATOR, username="csp-admin")
    sign_in(page, live_server, "csp-admin")
    pages = ("/admin/", "/admin/auth/user/", f"/admin/auth/user/{admin.pk}/change/", "/admin/contactcenter/auditevent/")
    for path in pages:
        page.goto(f"{live_server.url}{path}")
        assert page.locator("#content").count() == 1, path
    # The user form's group picker is built by the admin's JavaScript (SelectFilter2).
    page.goto(f"{live_server.url}/admin/auth/user/{admin.pk}/change/")
    page.wait_for_selector(".selector-available", timeout=10_000)


def test_a_wallboard_alert_is_announced_once_not_at_every_refresh(page, live_server, make_staff):
    """The polled region is redrawn every 5 seconds; the alert it carries is read out once, through
    the page's one live region, and a redraw does not announce it again."""
    from ivr import services as ivr_services

    make_staff(Role.SUPERVISOR, username="alert-watcher")
    ivr_services.lookup_alert_raise(not_found_count=250, limit=200, window_seconds=3600)
    sign_in(page, live_server, "alert-watcher")
    page.goto(f"{live_server.url}/wallboard/")
    announcer = page.locator("[data-alert-announcer]")
    assert announcer.get_attribute("role") == "alert"
    page.wait_for_function("() => document.querySelector('[data-alert-announcer]').textContent.length > 0")
    assert "250" in announcer.text_content()
    assert page.locator("#wallboard-live [role=alert]").count() == 0
    page.evaluate("() => { document.querySelector('[data-alert-announcer]').textContent = ''; }")
    page.wait_for_function(  # a refresh of the polled region (htmx, every 5 s)
        "() => new Promise(r => document.body.addEventListener('htmx:afterSettle', () => r(true), {once: true}))",
        timeout=15_000,
    )
    assert page.locator("#wallboard-live [data-alert]").count() == 1
    assert announcer.text_content() == ""


def test_htmx_adds_no_style_of_its_own(page, live_server):
    """htmx would put its indicator rules in a <style> the policy refuses; the page's htmx-config
    turns that off (scripts/lint_templates.py keeps the meta tag there)."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.wait_for_function("() => typeof window.htmx === 'object' && document.readyState === 'complete'")
    assert page.evaluate("() => htmx.config.includeIndicatorStyles") is False
    assert page.locator("style").count() == 0
