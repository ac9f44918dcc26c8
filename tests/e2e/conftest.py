"""Every browser test also checks the Content-Security-Policy and accessibility: a page that had
something refused (an inline script or style, a handler, a resource from elsewhere), or in which
axe-core finds a WCAG 2.1 A/AA violation (tests/e2e/axe.py), fails the test that opened it."""

from __future__ import annotations

import pytest

from tests.e2e.axe import AxeWatch

CSP_MARKERS = ("Content Security Policy", "Refused to")
# The browser reports a violation on the console; the event listener (added before any page script
# runs, by the driver, so the policy does not apply to it) also catches those the console misses.
_REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (event) {
  console.error("Content Security Policy violation: " + event.violatedDirective + " blocked " +
                (event.blockedURI || "inline") + " at " + event.documentURI);
});
"""


def watch_for_csp_violations(context, violations: list[str]):
    context.add_init_script(script=_REPORT_VIOLATIONS)

    def on_console(message):
        text = message.text
        if any(marker in text for marker in CSP_MARKERS):
            violations.append(f"{message.type}: {text}")

    context.on("console", on_console)
    return context


class CSPWatchedBrowser:
    """The session's browser, whose every new context reports policy violations into one list and
    has every page it opens checked by axe."""

    def __init__(self, browser, violations: list[str], axe: AxeWatch | None = None):
        self._browser = browser
        self.violations = violations
        self.axe = axe

    def new_context(self, **kwargs):
        context = watch_for_csp_violations(self._browser.new_context(**kwargs), self.violations)
        return self.axe.watch(context) if self.axe else context

    def new_page(self, **kwargs):
        return self.new_context(**kwargs).new_page()

    def __getattr__(self, name):
        return getattr(self._browser, name)


@pytest.fixture
def csp_violations():
    return []


@pytest.fixture
def axe_watch(request, monkeypatch):
    """Checks every page the test's browser opens with axe (tests/e2e/axe.py); a test lets one rule
    pass on the pages under one path only with `@pytest.mark.axe_allow(rule, page=..., reason=...)`."""
    allowed = []
    for marker in request.node.iter_markers("axe_allow"):
        rule, page, reason = marker.args[0], marker.kwargs.get("page", ""), marker.kwargs.get("reason", "")
        if not (page.startswith("/") and reason):
            pytest.fail(f"@pytest.mark.axe_allow({rule!r}) needs page='/path/' and reason=")
        allowed.append((rule, page))
    watch = AxeWatch(allowed)
    watch.hook_locators(monkeypatch)
    return watch


@pytest.fixture
def browser(browser, csp_violations, axe_watch, record_property):
    yield CSPWatchedBrowser(browser, csp_violations, axe_watch)
    axe_watch.close_all()  # the states the pages end on are checked before their contexts close
    record_property("axe_checked", (axe_watch.checks, axe_watch.documents, len(axe_watch.unchecked)))
    failures = []
    if csp_violations:
        failures.append("Content-Security-Policy violations in the browser:\n" + "\n".join(csp_violations))
    if axe_watch.errors:
        failures.append("axe-core could not check a page:\n" + "\n".join(axe_watch.errors))
    if axe_watch.violations:
        failures.append("Accessibility (axe, WCAG 2.1 A/AA) violations:\n" + "\n".join(axe_watch.violations))
    if failures:
        pytest.fail("\n".join(failures))
