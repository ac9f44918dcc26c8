"""Query strings in access logs: names, e-mail addresses and case numbers typed into a search travel
in the URL, and the PII mask finds identifiers but not a name. Only the values of parameters known to
carry none (an allow-list) stay readable; every other value is logged as [redacted].

Imported by gunicorn's master before Django is set up: nothing here may import Django."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from gunicorn.glogging import Logger as GunicornLogger

REDACTED = "[redacted]"
# Parameters whose values are the application's own vocabulary (pages, sort keys, statuses, step
# numbers), never something a person typed about a person.
SAFE_QUERY_PARAMETERS = frozenset(
    {
        "page", "page_size", "limit", "offset", "format", "status", "sort", "ordering", "order",
        "language", "lang", "channel", "kind", "source", "priority", "tier", "period", "days", "month",
        "year", "s", "seen", "choose", "script", "view", "tab", "outcome", "state", "type",
    }
)  # fmt: skip
_PARAMETER_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-\[\]]{0,39}$")
_REQUEST_LINE = re.compile(r"(\b(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) )(\S+)")


def redact_query(query: str) -> str:
    """`q=Maria+Lopez&page=2` → `q=[redacted]&page=2`. A name that is not a plain parameter name (it
    could itself be typed text) is redacted too."""
    if not query:
        return query
    kept = []
    for pair in query.split("&"):
        if not pair:
            continue
        name, has_value, value = pair.partition("=")
        if not _PARAMETER_NAME.match(name):
            kept.append(REDACTED)
        elif not has_value:
            kept.append(name)
        elif name.lower() in SAFE_QUERY_PARAMETERS and value.replace("-", "").replace("_", "").isalnum():
            kept.append(f"{name}={value}")
        else:
            kept.append(f"{name}={REDACTED}")
    return "&".join(kept)


def redact_uri(uri: str) -> str:
    """The path kept (the PII mask still applies to it), the query redacted, any fragment dropped."""
    if not uri or "?" not in uri:
        return uri
    path, _, query = uri.partition("?")
    return f"{path}?{redact_query(query.partition('#')[0])}"


def redact_url(url: str) -> str:
    """A full URL (a Referer): scheme and host kept, then as redact_uri."""
    if not url or "?" not in url:
        return url
    parts = urlsplit(url)
    prefix = f"{parts.scheme}://{parts.netloc}" if parts.scheme else ""
    return prefix + redact_uri(f"{parts.path}?{parts.query}")


def redact_request_lines(text: str) -> str:
    """Every `GET /path?query` request line in a log message (Django's development server's lines)."""
    return _REQUEST_LINE.sub(lambda m: m.group(1) + redact_uri(m.group(2)), text)


class RedactingAccessLogger(GunicornLogger):
    """gunicorn's logger (gunicorn.conf.py `logger_class`) with the query string of every access-log
    atom that carries it (request line, %(q)s, %(U)s's environ twins, Referer) redacted."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["r"] = redact_request_lines(atoms["r"])
        atoms["q"] = redact_query(atoms.get("q") or "")
        atoms["f"] = redact_url(atoms.get("f") or "-")
        for key in ("{raw_uri}e", "{request_uri}e"):
            if key in atoms:
                atoms[key] = redact_uri(atoms[key])
        if "{query_string}e" in atoms:
            atoms["{query_string}e"] = redact_query(atoms["{query_string}e"])
        if "{referer}i" in atoms:
            atoms["{referer}i"] = redact_url(atoms["{referer}i"])
        return atoms
