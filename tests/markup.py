"""Markup compared without its layout: templates are formatted by djLint (`make lint`), which puts
tags and template blocks on lines of their own. A test looks for the markup a page carries, not for
its indentation, so both the page and what is looked for go through `tight()`."""

from __future__ import annotations

import re

_AROUND_TAGS = re.compile(r">\s+|\s+<")


def tight(html: str) -> str:
    """The HTML without the whitespace next to its tags (between two tags, and at the edges of a
    tag's text)."""
    return _AROUND_TAGS.sub(lambda match: match.group(0).strip(), html)
