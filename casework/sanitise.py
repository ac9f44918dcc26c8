"""HTML from e-mail: kept only as a small safe subset, and turned into plain text for search."""

from __future__ import annotations

import html
import re

import nh3

ALLOWED_TAGS = frozenset({"p", "br", "b", "strong", "i", "em", "u", "ul", "ol", "li", "blockquote", "a", "div", "span"})
ALLOWED_ATTRIBUTES = {"a": frozenset({"href", "title"})}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
# Script and style bodies are code, not text: dropped whole, content and all.
CODE_TAGS = frozenset({"script", "style", "title"})
_BREAKS = re.compile(r"<\s*(br|/p|/div|/li|/blockquote)\b[^>]*>", re.IGNORECASE)


def sanitise_html(raw: str) -> str:
    # A relative link in a stranger's mail would point into this site: only absolute, allowed schemes.
    return nh3.clean(
        raw or "",
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(CODE_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_PROTOCOLS),
        url_relative="deny",
        strip_comments=True,
    )


def html_to_text(raw: str) -> str:
    text = nh3.clean(_BREAKS.sub("\n", raw or ""), tags=set(), clean_content_tags=set(CODE_TAGS), strip_comments=True)
    text = html.unescape(text)
    return re.sub(r"\n{3,}", "\n\n", re.sub(r"[ \t]+", " ", text)).strip()
