"""The accessibility guard of the browser tests itself (tests/e2e/axe.py): axe checks a document once
the test's navigation has finished waiting, a changed document before the test leaves it, a click's
navigation the test never waited for once it has loaded, and the state an htmx swap settled into
when the test waits for something on it. Each test here breaks a page on purpose, sees the guard
name it, and then clears what it found."""

from __future__ import annotations

import pytest

from contactcenter.staff.roles import Role
from tests.e2e.test_sign_in_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

UNLABELLED_IMAGE = """() => {
  const image = document.createElement("img");
  image.src = "/static/favicon.ico";
  image.id = "unlabelled";
  document.querySelector("main").appendChild(image);
}"""


def test_a_page_that_loads_with_a_violation_is_named_with_the_rule_and_element(browser, axe_watch, live_server):
    page = browser.new_context(locale="en-US").new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    assert axe_watch.checks == 1 and axe_watch.violations == []  # checked when goto returned: clean
    assert page.evaluate("() => typeof window.axe") == "object"  # put in by the check, not before
    page.evaluate(UNLABELLED_IMAGE)
    page.goto(f"{live_server.url}/accounts/login/?again=1")
    # The changed document was checked before the test left it.
    assert any(
        line.startswith("/accounts/login/: image-alt (critical)") and "#unlabelled" in line
        for line in axe_watch.violations
    ), axe_watch.violations
    assert axe_watch.checks == 3
    axe_watch.clear()  # seen: this test is about the guard, not a page


def test_axe_is_put_into_a_document_only_when_it_is_checked(browser, axe_watch, live_server, make_staff):
    make_staff(Role.CSR, username="lazy")
    page = browser.new_context(locale="en-US").new_page()
    sign_in(page, live_server, "lazy")
    page.wait_for_function("() => location.pathname === '/console/' && document.readyState === 'complete'")
    assert page.evaluate("() => typeof window.axe") == "undefined"  # loaded, not yet checked
    checks = axe_watch.checks
    page.wait_for_load_state()  # the test waited for the click's navigation: checked now
    assert axe_watch.checks == checks + 1
    assert page.evaluate("() => typeof window.axe") == "object"


def test_a_click_navigation_never_waited_for_is_checked_once_loaded(browser, axe_watch, live_server, make_staff):
    make_staff(Role.CSR, username="hasty")
    page = browser.new_context(locale="en-US").new_page()
    sign_in(page, live_server, "hasty")  # the click's navigation to the console is still under way
    visits = [f"/console/?visit={n}" for n in range(3)]
    for path in visits:
        page.goto(f"{live_server.url}{path}")  # and on at once
    page.context.close()
    # The console the click led to was checked (once loaded) before the first goto left it, and so
    # was every visit.
    assert axe_watch.unchecked == [], axe_watch.unchecked
    checked = {n["url"].removeprefix(live_server.url) for t in axe_watch._pages.values() for n in t.navigations}
    assert {"/console/", *visits} <= checked and any(url.startswith("/accounts/login/") for url in checked)
    assert axe_watch.errors == [] and axe_watch.violations == []


def test_an_htmx_swap_is_checked_when_the_test_waits_on_it(browser, axe_watch, live_server, make_staff):
    make_staff(Role.SUPERVISOR, username="swap-watcher")
    page = browser.new_context(locale="en-US").new_page()
    sign_in(page, live_server, "swap-watcher")
    page.goto(f"{live_server.url}/wallboard/")
    page.evaluate(UNLABELLED_IMAGE)  # outside the polled region, which the next swap redraws
    page.locator("#wallboard-live").wait_for()
    assert axe_watch.violations == []  # no swap since the load's check: waiting checks nothing
    page.wait_for_function(  # the polled region's next refresh (htmx, every 5 s)
        "() => new Promise(r => document.body.addEventListener('htmx:afterSettle', () => r(true), {once: true}))",
        timeout=15_000,
    )
    checks = axe_watch.checks
    page.locator("#wallboard-live").wait_for()  # the test looks at what the swap drew: checked now
    assert axe_watch.checks == checks + 1
    found = [line for line in axe_watch.violations if line.startswith("/wallboard/: image-alt")]
    assert found and "#unlabelled" in found[0], axe_watch.violations
    axe_watch.clear()
