"""Fail on a template that tests a workflow's state by hand, or carries inline code.

A page shows a button by asking the workflow (`{% if "hold" in actions %}`), never by comparing a
status: the rule would then be written twice, in the service and in the template. This scans every
template (`templates/`, `*/templates/`) for an `{% if %}` or `{% elif %}` that compares, with `==`,
`!=`, `in` or `not in`, a variable named `status` or `state`, or ending in `.status`, `.state`,
`_status` or `_state`, and names each one as file:line. No exceptions: a comparison that is not a
workflow's (a select box's chosen option) is written without one.

Every HTML template is also scanned for what the Content-Security-Policy (script-src and style-src
'self', no 'unsafe-inline') refuses: a `<script>` without `src` or with a body, a `<style>` element, a
`style=` attribute, an `on…=` handler, a `javascript:` URL, and htmx's own inline script (`hx-on…`
handlers, `hx-vars`, `hx-vals="js:…"`). Such code goes in a file under static/. The page that loads
htmx must also turn off its indicator `<style>` (`<meta name="htmx-config">` with
`"includeIndicatorStyles": false`).

Usage: python scripts/lint_templates.py [ROOT]   (exit status 1 when any is found)
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Iterator
from html.parser import HTMLParser
from pathlib import Path

TAG = re.compile(r"\{%-?\s*(?:if|elif)\s+(.*?)\s*-?%\}")
# Django splits a tag's contents like this: quoted strings (with spaces) stay one token.
TOKEN = re.compile(r"""(?:[^\s"']+|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')+""")
OPERATORS = {"==", "!=", "in"}
STATE_VARIABLE = re.compile(r"(?:[\w.]*\.)?(?:status|state|\w+_status|\w+_state)")


def _state_variable(operand: str) -> bool:
    name = operand.split("|", 1)[0]  # the variable a filter applies to
    return bool(STATE_VARIABLE.fullmatch(name))


def _tokens(condition: str) -> list[str]:
    tokens = []
    for token in TOKEN.findall(condition):
        if token[:1] in "\"'":
            tokens.append(token)
        else:  # `a=="b"` is one token to a split on spaces: its parts are compared all the same
            tokens.extend(part for part in re.split(r"(==|!=)", token) if part)
    return tokens


def state_comparisons(condition: str) -> list[str]:
    """The comparisons in an if's condition that test a state variable, as written."""
    words = _tokens(condition)
    found = []
    for i, word in enumerate(words):
        if word not in OPERATORS:
            continue
        left_at = i - 2 if word == "in" and i >= 2 and words[i - 1] == "not" else i - 1
        left = words[left_at] if left_at >= 0 else ""
        right = words[i + 1] if i + 1 < len(words) else ""
        if _state_variable(left) or _state_variable(right):
            found.append(" ".join(words[max(left_at, 0) : i + 2]))
    return found


def problems_in(text: str) -> Iterator[tuple[int, str]]:
    """(line, comparison) for each state comparison in a template's text."""
    for number, line in enumerate(text.splitlines(), start=1):
        for match in TAG.finditer(line):
            for comparison in state_comparisons(match.group(1)):
                yield number, comparison


class InlineFinder(HTMLParser):
    """What the Content-Security-Policy would refuse in a page, with the line it starts on."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self.htmx_config: dict | None = None
        self._in_script = False

    def _add(self, what: str) -> None:
        self.found.append((self.getpos()[0], what))

    def handle_starttag(self, tag, attrs):
        names = {name.lower(): value for name, value in attrs}
        if tag == "style":
            self._add("<style>")
        if tag == "script":
            if "src" not in names:
                self._add("<script> without src")
            self._in_script = True
        if tag == "meta" and names.get("name") == "htmx-config":
            try:
                self.htmx_config = json.loads(names.get("content") or "")
            except ValueError:
                self._add("htmx-config that is not JSON")
        if "style" in names:
            self._add(f"style attribute on <{tag}>")
        self.found += [(self.getpos()[0], f"{name}= on <{tag}>") for name in names if name.startswith("on")]
        # htmx's own inline script: hx-on handlers, and hx-vals/hx-vars computed by JavaScript
        # (htmx would eval them; the page's htmx-config turns eval off, and the policy refuses it).
        for name, value in names.items():
            bare = name.removeprefix("data-")
            if bare.startswith("hx-on"):
                self._add(f"{name}= on <{tag}>")
            elif bare == "hx-vars" or (bare == "hx-vals" and (value or "").strip().startswith("js:")):
                self._add(f"{name}= script on <{tag}>")
        if (names.get("href") or "").strip().lower().startswith("javascript:"):
            self._add(f"javascript: URL on <{tag}>")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self._add("script body")


def _without_template_tags(text: str) -> str:
    """Each tag, variable and comment replaced by ` x ` (its line breaks kept, so lines still count),
    so that an {% if %} inside a tag does not confuse the parser."""
    return re.sub(r"{%.*?%}|{{.*?}}|{#.*?#}", lambda m: " x " + "\n" * m.group(0).count("\n"), text, flags=re.S)


def inline_code(text: str) -> list[tuple[int, str]]:
    """(line, what) for each piece of inline code in a template's or a page's HTML."""
    finder = InlineFinder()
    finder.feed(_without_template_tags(text))
    finder.close()
    found = list(finder.found)
    loads_htmx = re.search(r"<script[^>]*\ssrc=[^>]*htmx[^>]*>", text)
    if loads_htmx and (finder.htmx_config or {}).get("includeIndicatorStyles") is not False:
        found.append((1, 'htmx loaded without <meta name="htmx-config"> turning includeIndicatorStyles off: a <style>'))
    return found


def template_files(root: Path) -> Iterable[Path]:
    for folder in [root / "templates", *sorted(root.glob("*/templates"))]:
        if folder.is_dir():
            yield from sorted(path for path in folder.rglob("*") if path.is_file())


def main(argv: list[str]) -> int:
    root = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent.parent
    failures = 0
    for path in template_files(root):
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # not a text template
        for line, comparison in problems_in(text):
            failures += 1
            print(
                f"{path.relative_to(root)}:{line}: tests a state by hand ({comparison}): ask the workflow "
                '({% if "<action>" in actions %}), or name what is shown (a property on the model)'
            )
        if path.suffix == ".html":
            for line, what in inline_code(text):
                failures += 1
                print(
                    f"{path.relative_to(root)}:{line}: inline code ({what}): the Content-Security-Policy "
                    "refuses inline script and style; keep them in files under static/"
                )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
