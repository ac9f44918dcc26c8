"""The CSP guard of the browser tests itself: a refused inline script fails the test, and the
policy's own pages (sign-in, API docs) run without one."""

from __future__ import annotations

import pytest

from contactcenter.roles import Role
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


def test_the_api_docs_render_under_the_policy(page, live_server, make_staff):
    make_staff(Role.CSR, username="docs-reader")
    sign_in(page, live_server, "docs-reader")
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .opblock", timeout=20_000)
    assert page.locator(".swagger-ui .opblock").count() > 10


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
