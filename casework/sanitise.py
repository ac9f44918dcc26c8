"""HTML from e-mail: kept only as a small safe subset, and turned into plain text for search."""

from __future__ import annotations

import html
import re

import bleach

ALLOWED_TAGS = frozenset({"p", "br", "b", "strong", "i", "em", "u", "ul", "ol", "li", "blockquote", "a", "div", "span"})
ALLOWED_ATTRIBUTES = {"a": ["href", "title"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
# Script and style bodies are code, not text: drop them whole before stripping tags.
_CODE_BLOCKS = re.compile(r"<(script|style|head|title)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_BREAKS = re.compile(r"<\s*(br|/p|/div|/li|/blockquote)\b[^>]*>", re.IGNORECASE)


def sanitise_html(raw: str) -> str:
    return bleach.clean(
        _CODE_BLOCKS.sub("", raw or ""),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
    )


def html_to_text(raw: str) -> str:
    text = _BREAKS.sub("\n", _CODE_BLOCKS.sub("", raw or ""))
    text = html.unescape(bleach.clean(text, tags=set(), strip=True, strip_comments=True))
    return re.sub(r"\n{3,}", "\n\n", re.sub(r"[ \t]+", " ", text)).strip()
