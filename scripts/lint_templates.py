"""Fail on a template that tests a workflow's state by hand.

A page shows a button by asking the workflow (`{% if "hold" in actions %}`), never by comparing a
status: the rule would then be written twice, in the service and in the template. This scans every
template (`templates/`, `*/templates/`) for an `{% if %}` or `{% elif %}` that compares, with `==`,
`!=`, `in` or `not in`, a variable named `status` or `state`, or ending in `.status`, `.state`,
`_status` or `_state`, and names each one as file:line. No exceptions: a comparison that is not a
workflow's (a select box's chosen option) is written without one.

Usage: python scripts/lint_templates.py [ROOT]   (exit status 1 when any is found)
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Iterator
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
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
