"""Every browser test also checks the Content-Security-Policy: a page that had something refused
(an inline script or style, a handler, a resource from elsewhere) fails the test that opened it."""

from __future__ import annotations

import pytest

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
    """The session's browser, whose every new context reports policy violations into one list."""

    def __init__(self, browser, violations: list[str]):
        self._browser = browser
        self.violations = violations

    def new_context(self, **kwargs):
        return watch_for_csp_violations(self._browser.new_context(**kwargs), self.violations)

    def new_page(self, **kwargs):
        context = self.new_context(**kwargs)
        page = context.new_page()
        return page

    def __getattr__(self, name):
        return getattr(self._browser, name)


@pytest.fixture
def csp_violations():
    return []


@pytest.fixture
def browser(browser, csp_violations):
    yield CSPWatchedBrowser(browser, csp_violations)
    if csp_violations:
        pytest.fail("Content-Security-Policy violations in the browser:\n" + "\n".join(csp_violations))
