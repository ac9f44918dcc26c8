"""The accessibility guard of the browser tests itself (tests/e2e/axe.py): axe checks a document when
it loads, when a script changed it before it is left, after an htmx swap and when the test ends, and
a document left at once is still checked. Each test here breaks a page on purpose, sees the guard
name it, and then clears what it found."""

from __future__ import annotations

import time

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


SLOW_AXE = """if (window.axe) {
  const run = window.axe.run.bind(window.axe);
  window.axe.run = (...args) => new Promise(resolve => setTimeout(resolve, 1000)).then(() => run(...args));
}"""


def _found(axe_watch, page, rule: str, seconds: float = 15) -> list[str]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = [line for line in axe_watch.violations if f": {rule} (" in line]
        if found:
            return found
        page.wait_for_timeout(50)  # the page's reports arrive meanwhile
    return []


def test_a_page_that_loads_with_a_violation_is_named_with_the_rule_and_element(browser, axe_watch, live_server):
    page = browser.new_context(locale="en-US").new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.wait_for_function("() => window.__axeWatch.queue")
    page.evaluate("() => window.__axeWatch.queue")  # the check the load started has reported
    page.wait_for_timeout(100)
    assert axe_watch.checks == 1 and axe_watch.violations == []  # the sign-in page loaded clean
    page.evaluate(UNLABELLED_IMAGE)
    page.goto(f"{live_server.url}/accounts/login/?again=1")
    # The navigation waited for the check of the changed document it left.
    assert any(
        line.startswith("/accounts/login/: image-alt (critical)") and "#unlabelled" in line
        for line in axe_watch.violations
    ), axe_watch.violations
    axe_watch.clear()  # seen: this test is about the guard, not a page


def test_a_document_left_at_once_is_still_checked(browser, axe_watch, live_server, make_staff):
    make_staff(Role.CSR, username="hasty")
    context = browser.new_context(locale="en-US")
    # axe made slower than a navigation, so that each check is still running when the test moves on.
    context.add_init_script(script=SLOW_AXE)
    page = context.new_page()
    sign_in(page, live_server, "hasty")
    page.wait_for_url("**/console/")
    visits = [f"/console/?visit={n}" for n in range(4)]
    for path in visits:
        page.goto(f"{live_server.url}{path}")  # and on at once, while axe is at the page it loaded
    page.context.close()
    # Every document was checked once it had loaded, whatever the test did next.
    left = [url for url in axe_watch.unchecked if "?visit=" in url]
    assert left == [], left
    assert axe_watch.checks >= len(visits) and axe_watch.violations == []


def test_an_htmx_swap_is_checked_when_it_settles(browser, axe_watch, live_server, make_staff):
    make_staff(Role.SUPERVISOR, username="swap-watcher")
    page = browser.new_context(locale="en-US").new_page()
    sign_in(page, live_server, "swap-watcher")
    page.goto(f"{live_server.url}/wallboard/")
    checks_at_load = axe_watch.checks
    page.evaluate(UNLABELLED_IMAGE)  # outside the polled region, which the next swap redraws
    page.wait_for_function(  # the polled region's next refresh (htmx, every 5 s)
        "() => new Promise(r => document.body.addEventListener('htmx:afterSettle', () => r(true), {once: true}))",
        timeout=15_000,
    )
    found = _found(axe_watch, page, "image-alt")
    assert found and found[0].startswith("/wallboard/: image-alt"), axe_watch.violations
    assert axe_watch.checks > checks_at_load
    axe_watch.clear()
