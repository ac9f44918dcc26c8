"""Every page a browser test opens is checked with axe-core (WCAG 2.1 A and AA), without the test
asking. `AxeWatch` checks a page from the test's own thread, at the moments the test has finished
waiting for something, never from an event of the page racing the test:

- after `goto`, `reload`, `go_back` and `go_forward` (the new document);
- after `wait_for_url` and `wait_for_load_state` (a navigation a click started), and after a
  locator's `wait_for` when the page is a document not yet checked or an htmx swap has settled
  since its last check (a side panel, a form's errors, a poll);
- before `goto`, `reload` or `close` leave a document that changed since its last check;
- before a locator's or the keyboard's action (a click, a key, a fill) on a document not checked
  yet: where a click's navigation the test did not wait for has led;
- when the test asks (`axe_violations(page)`: a dialog open, a call ringing);
- when the test ends or closes the context: every page as it is then.

A check first waits until the page has no navigation pending and no request of its own in flight
(an htmx poll, a form post), then for the document's `load` event (styles and images in, so colours
are known), and only then puts axe into the document (a `page.evaluate` of axe's source, once per
document: the driver's evaluation is not subject to the page's Content-Security-Policy and adds no
element). Nothing is held or intercepted: the page's requests go on as without the check. A check
that a navigation interrupts is done again on the document that replaced it. The page's only extra
script is a counter of its DOM changes and htmx swaps (an init script), so that an unchanged page is
not checked twice.

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

from playwright.sync_api import Locator

AXE_JS = Path(__file__).parent / "static" / "e2e" / "axe" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
QUIET_SECONDS = 10  # at most, for the page's requests in flight to end before a check
ATTEMPTS = 3  # a check a navigation interrupts is tried again on the new document

OUR_PAGES = re.compile(r"^https?://(localhost|127\.0\.0\.1)(:\d+)?/")

# Runs in every document before its own scripts: counts what changes it, so that a check knows
# whether the page is still as axe last saw it. No axe here: it is loaded only when a check runs.
_TRACKER = """
(() => {
  if (window.top !== window || !/^https?:$/.test(location.protocol)) return;
  const state = {doc: Math.random().toString(36).slice(2) + Date.now(), changes: 0, swaps: 0};
  Object.defineProperty(window, "__axeState", {value: state});
  new MutationObserver(() => { state.changes += 1; })
    .observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
  document.addEventListener("htmx:afterSettle", () => { state.swaps += 1; });
})();
"""

_STATE = "() => window.__axeState ? {...window.__axeState, url: location.href} : null"

# Not the CSSOM: axe would copy an @import-ed stylesheet into a <style> element, which the
# Content-Security-Policy refuses (the admin's forms.css imports widgets.css). Only
# css-orientation-lock reads it, and no stylesheet of ours locks the orientation.
_RUN = """
async (tags) => {
  const state = window.__axeState;
  const seen = {doc: state.doc, changes: state.changes, swaps: state.swaps, url: location.href};
  try {
    // resultTypes: passes and incomplete keep one node per rule, not every node (axe gathers less).
    const result = await axe.run(document, {
      runOnly: {type: "tag", values: tags}, preload: {assets: ["media"]}, resultTypes: ["violations"],
    });
    return {
      ...seen,
      passes: result.passes.length,
      violations: result.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map(n => n.target.join(" ")),
      })),
    };
  } catch (error) {
    return {...seen, error: String(error)};
  }
}
"""


# A locator's actions that may leave the document: the one they act on is checked first, if it is a
# document not checked yet (a click's navigation the test did not wait for).
ACTIONS = (
    "click", "dblclick", "tap", "press", "press_sequentially", "type", "fill", "check", "uncheck",
    "set_checked", "select_option", "set_input_files",
)  # fmt: skip
KEYBOARD_ACTIONS = ("press", "type", "insert_text")


class _Tracked:
    """What the watcher knows of one page: its requests in flight and its documents."""

    def __init__(self):
        self.in_flight: set = set()
        self.navigating: set = set()  # main-frame navigation requests in flight
        self.navigations: list[dict] = []  # {"url", "checked"} per main-frame navigation
        self.last: dict | None = None  # the document's state when it was last checked


class AxeWatch:
    """Has axe check every page in the contexts it watches, at the test's own moments (see the
    module)."""

    def __init__(self, allowed: list[tuple[str, str]] | None = None):
        self.allowed = allowed or []  # (rule, page path prefix) whose violations pass
        self.checks = 0  # page states axe looked at
        self.errors: list[str] = []  # axe itself failed
        self._pages: dict = {}  # page -> _Tracked
        self._found: dict[tuple[str, str], dict] = {}
        self._contexts: list = []
        self._axe_source = AXE_JS.read_text(encoding="utf-8") + "\n;true"

    # --- watching ----------------------------------------------------------------------------
    def watch(self, context):
        self._contexts.append(context)
        context.add_init_script(script=_TRACKER)
        context.on("page", self._track)
        new_page = context.new_page

        def new_tracked_page(*args, **kwargs):
            page = new_page(*args, **kwargs)
            self._track(page)
            return page

        context.new_page = new_tracked_page
        close = context.close

        def close_after_checking(*args, **kwargs):
            self.check_open_pages(context)
            return close(*args, **kwargs)

        context.close = close_after_checking
        return context

    def _track(self, page) -> None:
        if page in self._pages:
            return
        tracked = self._pages[page] = _Tracked()
        page._axe_watch = self

        # Event handlers only take note: a handler that called the driver would race the test.
        def on_request(request):
            tracked.in_flight.add(request)
            if request.is_navigation_request() and request.frame == page.main_frame:
                tracked.navigating.add(request)

        def on_request_done(request):
            tracked.in_flight.discard(request)
            tracked.navigating.discard(request)

        def on_navigated(frame):
            if frame == page.main_frame and OUR_PAGES.match(frame.url):
                tracked.navigations.append({"url": frame.url, "checked": False})

        page.on("request", on_request)
        page.on("requestfinished", on_request_done)
        page.on("requestfailed", on_request_done)
        page.on("framenavigated", on_navigated)
        self._hook(page)

    def _hook(self, page) -> None:
        """The page's navigations and waits check it when they return (and before they leave)."""
        for name in ("goto", "reload", "go_back", "go_forward"):
            original = getattr(page, name)

            def navigate(*args, _original=original, **kwargs):
                self.check(page, only_if="changed")  # the document being left
                response = _original(*args, **kwargs)
                self.check(page, only_if="unchecked")
                return response

            setattr(page, name, navigate)
        for name in ("wait_for_url", "wait_for_load_state"):
            original = getattr(page, name)

            def wait(*args, _original=original, **kwargs):
                result = _original(*args, **kwargs)
                self.check(page, only_if="unchecked")
                return result

            setattr(page, name, wait)
        keyboard = page.keyboard
        for name in KEYBOARD_ACTIONS:
            original = getattr(keyboard, name)

            def act(*args, _original=original, **kwargs):
                self.before_action(page)
                return _original(*args, **kwargs)

            setattr(keyboard, name, act)
        close = page.close

        def close_after_checking(*args, **kwargs):
            self.check(page, only_if="changed")
            return close(*args, **kwargs)

        page.close = close_after_checking

    def hook_locators(self, monkeypatch) -> None:
        """Every locator's actions and waits check its page too (undone with the test's monkeypatch)."""
        for name in ACTIONS:
            original = getattr(Locator, name)

            def act(locator, *args, _original=original, **kwargs):
                self.before_action(locator.page)
                return _original(locator, *args, **kwargs)

            monkeypatch.setattr(Locator, name, act)
        wait_for = Locator.wait_for

        def wait_then_check(locator, *args, **kwargs):
            result = wait_for(locator, *args, **kwargs)
            if getattr(locator.page, "_axe_watch", None) is self:
                self.check(locator.page, only_if="swapped")  # a new document, or what a swap drew
            return result

        monkeypatch.setattr(Locator, "wait_for", wait_then_check)

    def before_action(self, page) -> None:
        """The test acts on the page: a document not checked yet is checked first (the page itself
        is not touched when there is none)."""
        if getattr(page, "_axe_watch", None) is not self:
            return
        tracked = self._pages[page]
        if tracked.navigating or any(not n["checked"] for n in tracked.navigations[-1:]):
            self.check(page, only_if="unchecked")

    # --- checking ----------------------------------------------------------------------------
    def check(self, page, only_if: str | None = None, force: bool = False) -> dict | None:
        """Check the page once it is quiet and loaded. `only_if` skips an unneeded check: "changed"
        (the DOM changed since the last check), "swapped" (an htmx swap settled since, or a document
        not checked yet), "unchecked" (a document not checked yet)."""
        for _attempt in range(ATTEMPTS):
            try:
                if page.is_closed() or not self._quiet(page):
                    return None
                state = page.evaluate(_STATE)
                if state is None:
                    return None
                if not force and not self._needed(page, state, only_if):
                    self._mark_checked(page, state["url"])  # the document axe last saw
                    return None
                self._load_axe(page)
                result = page.evaluate(_RUN, TAGS)
            except Exception as exc:
                if _navigated_away(exc):
                    continue  # the document was replaced while axe looked: check the new one
                if _gone(exc):
                    return None
                raise
            self._record(page, result)
            return result
        return None

    def _quiet(self, page) -> bool:
        """Waits until no navigation is pending and no request of the page is in flight, then for the
        document's load event. False if the page is not one of ours."""
        tracked = self._pages[page]
        deadline = time.monotonic() + QUIET_SECONDS
        while tracked.in_flight and time.monotonic() < deadline:
            page.wait_for_timeout(25)  # the page's events arrive meanwhile
        if not OUR_PAGES.match(page.url):
            return False
        try:
            page.main_frame.wait_for_load_state("load", timeout=QUIET_SECONDS * 1000)
        except Exception as exc:
            if type(exc).__name__ == "TimeoutError":
                return False  # never loaded: left unchecked, and counted so
            raise
        return True

    def _needed(self, page, state: dict, only_if: str | None) -> bool:
        last = self._pages[page].last
        if only_if is None or last is None or last["doc"] != state["doc"]:
            return True
        if only_if == "changed":
            return state["changes"] != last["changes"]
        if only_if == "swapped":
            return state["swaps"] != last["swaps"]
        return False

    def _load_axe(self, page) -> None:
        for frame in page.frames:
            if OUR_PAGES.match(frame.url) and not frame.evaluate("() => typeof window.axe === 'object'"):
                frame.evaluate(self._axe_source)

    def check_open_pages(self, context) -> None:
        for page in list(context.pages):
            if page in self._pages:
                self.check(page, only_if="changed")

    def close_all(self) -> None:
        """After the test: check what every page ends on, then close the contexts (and their polls)."""
        for context in self._contexts:
            try:
                context.close()
            except Exception as exc:
                if not _gone(exc):
                    raise

    # --- results -----------------------------------------------------------------------------
    def _mark_checked(self, page, url: str) -> None:
        for navigation in self._pages[page].navigations[-1:]:
            if navigation["url"] == url:
                navigation["checked"] = True

    def _record(self, page, result: dict) -> None:
        self._pages[page].last = result
        self._mark_checked(page, result["url"])
        path = re.sub(r"^https?://[^/]+", "", result["url"])
        if "error" in result:
            self.errors.append(f"{path}: {result['error']}")
            return
        self.checks += 1
        for violation in result["violations"]:
            if any(violation["id"] == rule and path.startswith(prefix) for rule, prefix in self.allowed):
                continue
            seen = self._found.setdefault((path, violation["id"]), {**violation, "targets": []})
            seen["targets"] += [t for t in violation["targets"] if t not in seen["targets"]]

    def clear(self) -> None:
        """Forget what was found (for a test of the guard itself)."""
        self._found.clear()

    @property
    def documents(self) -> int:
        return sum(len(tracked.navigations) for tracked in self._pages.values())

    @property
    def unchecked(self) -> list[str]:
        """Documents never checked: a page's script navigated on while the test waited for nothing."""
        return [n["url"] for tracked in self._pages.values() for n in tracked.navigations if not n["checked"]]

    @property
    def violations(self) -> list[str]:
        return [
            f"{path}: {v['id']} ({v['impact']}): {v['help']} at {v['targets']}"
            for (path, _id), v in sorted(self._found.items())
        ]


def axe_violations(page) -> list[str]:
    """For a test that checks a state on purpose (a dialog open, a call ringing): the violations now."""
    result = page._axe_watch.check(page, force=True)
    assert result is not None and "error" not in result, result
    assert result["passes"] > 10  # axe really looked at the page
    return [f"{v['id']}: {v['help']} at {v['targets']}" for v in result["violations"]]


def _navigated_away(exc: Exception) -> bool:
    text = str(exc)
    return "Execution context was destroyed" in text or "Cannot find context with specified id" in text


def _gone(exc: Exception) -> bool:
    text = str(exc)
    return any(
        marker in text
        for marker in (
            "Target page, context or browser has been closed",
            "Frame was detached",
            "Target closed",
            "frame got detached",
        )
    )
