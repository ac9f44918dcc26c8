"""Every page a browser test opens is checked with axe-core (WCAG 2.1 A and AA), without the test
asking. `AxeWatch` puts axe and a small agent into every document of the contexts it watches (an
init script: the driver adds it, so the page's Content-Security-Policy does not apply and nothing is
added to the document). The agent checks the page

- when the document has loaded (its `load` event: styles and images in, so colours are known);
- after every htmx swap has settled (`htmx:afterSettle`: polls, forms, side panels);
- when it is left (`beforeunload`), if its scripts changed it since its last check;
- when a test asks (`axe_violations(page)`: a dialog open, a call ringing);
- when the test ends or closes the context: every page as it is then;

and reports each result to this process through a binding. A check runs again only if the DOM
changed since the last one (a MutationObserver keeps a flag), so a quiet page polled every few
seconds costs nothing. When a page navigates while its check is still running, the navigation's
request is held (a Playwright route) until the check has reported, so no document is left
unchecked because the test moved on quickly.

axe is `tests/e2e/static/e2e/axe/axe.min.js` (axe-core, vendored; its README says how to upgrade).
The `browser` fixture (tests/e2e/conftest.py) fails the test on any violation, naming the page's
URL, each rule and the elements it found.

Opting out: `@pytest.mark.axe_allow("rule-id", page="/path/prefix/", reason="...")` lets one rule's
violations pass on the pages under one path in that one test, and only with a reason. It is used
only for pages whose markup is not ours: Django's admin and Swagger UI (tests/e2e/test_csp_browser.py).
"""

from __future__ import annotations

import re
import time
from pathlib import Path

AXE_JS = Path(__file__).parent / "static" / "e2e" / "axe" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
WAIT_SECONDS = 20  # at most, for a check still running when its page navigates or closes

# Requests to the test server that come from a page, not its static files (they would cost a round
# trip to this process each, and never leave a document).
OUR_PAGES = re.compile(r"^https?://(localhost|127\.0\.0\.1)(:\d+)?/(?!static/)")

_AGENT = """
(() => {
  if (window.top !== window || !/^https?:$/.test(location.protocol)) return;
  const TAGS = %(tags)s;
  // Not the CSSOM: axe would copy an @import-ed stylesheet into a <style> element, which the
  // Content-Security-Policy refuses (the admin's forms.css imports widgets.css). Only
  // css-orientation-lock reads it, and no stylesheet of ours locks the orientation.
  const PRELOAD = {assets: ["media"]};
  const watch = {doc: Math.random().toString(36).slice(2) + Date.now(), dirty: true, queue: Promise.resolve()};
  window.__axeWatch = watch;
  const report = (phase, extra) => {
    try { window.__axeReport({doc: watch.doc, url: location.href, phase, ...extra}); } catch (e) { /* closing */ }
  };
  const run = async (why, force) => {
    if (!force && !watch.dirty) return {why, skipped: "unchanged"};
    watch.dirty = false;
    try {
      const result = await axe.run(document, {runOnly: {type: "tag", values: TAGS}, preload: PRELOAD});
      return {
        why,
        passes: result.passes.length,
        violations: result.violations.map(v => ({
          id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map(n => n.target.join(" ")),
        })),
      };
    } catch (error) {
      return {why, error: String(error)};
    }
  };
  // One run at a time: a swap, the test's own check and the end may meet.
  watch.check = (why, force) => {
    report("checking", {why});
    const next = watch.queue.then(() => run(why, force));
    watch.queue = next.then(result => { report("done", {result}); });
    return next;
  };
  new MutationObserver(() => { watch.dirty = true; })
    .observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
  window.addEventListener("load", () => watch.check("load"));
  // Leaving a document its scripts changed since its last check: checked while the request waits.
  window.addEventListener("beforeunload", () => {
    if (watch.dirty && document.readyState === "complete") watch.check("leave");
  });
  document.addEventListener("htmx:afterSettle", () => { if (document.readyState === "complete") watch.check("htmx"); });
  report("document");
})();
"""


def _init_script() -> str:
    import json

    return AXE_JS.read_text(encoding="utf-8") + "\n" + (_AGENT % {"tags": json.dumps(TAGS)})


def axe_violations(page) -> list[str]:
    """For a test that checks a state on purpose (a dialog open, a call ringing): the violations now."""
    result = page.evaluate("() => window.__axeWatch.check('test', true)")
    assert "error" not in result, result
    assert result["passes"] > 10  # axe really looked at the page
    return [f"{v['id']}: {v['help']} at {v['targets']}" for v in result["violations"]]


class AxeWatch:
    """Has axe check every state of every page in the contexts it watches (see the module)."""

    def __init__(self, allowed: list[tuple[str, str]] | None = None):
        self.allowed = allowed or []  # (rule, page path prefix) whose violations pass
        self.checks = 0  # page states axe looked at
        self.documents = 0  # documents opened
        self.errors: list[str] = []  # axe itself failed (a page changing under it)
        self._docs: dict[str, dict] = {}  # doc id -> {"url", "pending", "checked"}
        self._current: dict = {}  # page -> its current document's id
        self._found: dict[tuple[str, str], dict] = {}
        self._contexts: list = []
        self._script = _init_script()

    # --- watching ----------------------------------------------------------------------------
    def watch(self, context):
        self._contexts.append(context)
        context.expose_binding("__axeReport", self._on_report)
        context.add_init_script(script=self._script)
        context.route(OUR_PAGES, self._before_request)
        close = context.close

        def close_after_checking(*args, **kwargs):
            self.check_open_pages(context)
            return close(*args, **kwargs)

        context.close = close_after_checking
        return context

    def _on_report(self, source, data) -> None:
        doc = self._docs.setdefault(data["doc"], {"url": data["url"], "pending": 0, "checked": False})
        if data["phase"] == "document":
            self.documents += 1
            self._current[source["page"]] = data["doc"]
        elif data["phase"] == "checking":
            doc["pending"] += 1
        elif data["phase"] == "done":
            doc["pending"] -= 1
            self._record(data["url"], data["result"])
            doc["checked"] = doc["checked"] or "skipped" not in data["result"]

    def _before_request(self, route, request) -> None:
        """A navigation of a page's main frame waits for the check of the document it leaves."""
        try:
            if request.is_navigation_request() and request.frame.parent_frame is None:
                self._wait_for_checks(request.frame.page)
        except Exception as exc:
            if not _gone(exc):
                raise
        finally:
            route.fallback()

    def _wait_for_checks(self, page) -> None:
        """Until the page's document has been checked, if it had loaded, and no check is running."""
        if page.is_closed() or not OUR_PAGES.match(page.url):
            return
        try:
            page.main_frame.wait_for_load_state("load", timeout=1)  # the document being left
            loaded = True
        except Exception as exc:
            if not _timed_out(exc):
                raise
            loaded = False
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline and not page.is_closed():
            doc = self._docs.get(self._current.get(page, ""))
            if doc and doc["pending"] == 0 and (doc["checked"] or not loaded):
                return
            if not doc and not loaded:
                return
            page.wait_for_timeout(20)  # the binding's reports arrive meanwhile

    def check_open_pages(self, context) -> None:
        for page in list(context.pages):
            try:
                if OUR_PAGES.match(page.url) and page.evaluate("() => !!window.__axeWatch"):
                    page.evaluate("() => window.__axeWatch.check('end').then(() => true)")
                    self._wait_for_checks(page)
            except Exception as exc:
                if not _gone(exc):
                    raise

    def close_all(self) -> None:
        """After the test: check what every page ends on, then close the contexts (and their polls)."""
        for context in self._contexts:
            try:
                context.close()
            except Exception as exc:
                if not _gone(exc):
                    raise

    # --- results -----------------------------------------------------------------------------
    def _record(self, url: str, result: dict) -> None:
        if "skipped" in result:
            return
        path = re.sub(r"^https?://[^/]+", "", url)
        if "error" in result:
            self.errors.append(f"{path} ({result['why']}): {result['error']}")
            return
        self.checks += 1
        for violation in result["violations"]:
            if any(violation["id"] == rule and path.startswith(page) for rule, page in self.allowed):
                continue
            seen = self._found.setdefault((path, violation["id"]), {**violation, "targets": []})
            seen["targets"] += [t for t in violation["targets"] if t not in seen["targets"]]

    def clear(self) -> None:
        """Forget what was found (for a test of the guard itself)."""
        self._found.clear()

    @property
    def unchecked(self) -> list[str]:
        """Documents never checked: left before they had loaded (or a check reported)."""
        return [doc["url"] for doc in self._docs.values() if not doc["checked"]]

    @property
    def violations(self) -> list[str]:
        return [
            f"{path}: {v['id']} ({v['impact']}): {v['help']} at {v['targets']}"
            for (path, _id), v in sorted(self._found.items())
        ]


def _timed_out(exc: Exception) -> bool:
    return type(exc).__name__ == "TimeoutError"


def _gone(exc: Exception) -> bool:
    text = str(exc)
    return any(
        marker in text
        for marker in (
            "Target page, context or browser has been closed",
            "Execution context was destroyed",
            "Frame was detached",
            "Target closed",
            "frame got detached",
            "Frame for this navigation request is not available",
            "Service Worker requests do not have an associated frame",
        )
    )
