"""Whether an e-mail's From domain is the sender's own: the verdict of our receiving server only.

Anyone can write `From: someone@tsa.dhs.gov`. The domain counts (for the source and its SLA) only
when our receiving server's Authentication-Results header (RFC 8601) says `dmarc=pass` for that
very domain, or `dkim=pass` with a signing domain aligned to it. Headers of any other server, and
ones a sender added below ours, are not read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.message import EmailMessage

_RESULT = re.compile(r'([A-Za-z0-9_.-]+(?:/[0-9]+)?)\s*=\s*("(?:[^"\\]|\\.)*"|[^\s";]+)')


@dataclass(frozen=True)
class AuthResult:
    method: str
    result: str
    properties: dict[str, str] = field(default_factory=dict)


def _without_comments(value: str) -> str:
    """The header without its (nested) comments; parentheses inside quoted strings are text."""
    out: list[str] = []
    depth, quoted, escaped = 0, False, False
    for char in value:
        if escaped:
            escaped = False
            if depth == 0:
                out.append(char)
            continue
        if char == "\\":
            escaped = True
            if depth == 0:
                out.append(char)
            continue
        if depth == 0 and char == '"':
            quoted = not quoted
        elif not quoted and char == "(":
            depth += 1
            continue
        elif not quoted and char == ")" and depth:
            depth -= 1
            continue
        if depth == 0:
            out.append(char)
    return "".join(out)


def _split(value: str) -> list[str]:
    """Split on the semicolons that are not inside a quoted string."""
    parts, current, quoted, escaped = [], [], False, False
    for char in value:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == ";" and not quoted:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return parts


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value


def parse_authentication_results(value: str) -> tuple[str, list[AuthResult]]:
    """(authserv-id, the results) of one Authentication-Results header value."""
    parts = _split(_without_comments(" ".join(str(value).split())))
    head = parts[0].split()
    authserv_id = head[0].lower().rstrip(".") if head else ""
    results = []
    for part in parts[1:]:
        pairs = _RESULT.findall(part)
        if not pairs:
            continue  # "none": no result
        method, result = pairs[0]
        properties = {
            name.lower(): _unquote(raw).strip()
            for name, raw in pairs[1:]
            if "." in name  # ptype.property; "reason=" is not one
        }
        results.append(AuthResult(method.split("/")[0].lower(), _unquote(result).lower(), properties))
    return authserv_id, results


def our_results(message: EmailMessage, *, authserv_id: str) -> list[AuthResult]:
    """The results in the topmost Authentication-Results header our server wrote (headers are
    added on top, so any below it came from earlier hops or the sender); none if it wrote none."""
    wanted = (authserv_id or "").strip().lower().rstrip(".")
    if not wanted:
        return []
    for header in message.get_all("Authentication-Results") or []:
        server, results = parse_authentication_results(str(header))
        if server == wanted:
            return results
    return []


def from_address(message: EmailMessage) -> str | None:
    """The one address of the one From header; None when there are several (which one would count?)."""
    headers = message.get_all("From") or []
    if len(headers) != 1:
        return None
    addresses = getattr(headers[0], "addresses", ())
    if len(addresses) != 1 or not addresses[0].domain or not addresses[0].username:
        return None
    return addresses[0].addr_spec


def _domain(value: str) -> str:
    return value.rsplit("@", 1)[-1].strip().lower().rstrip(".")


def _aligned(signing_domain: str, from_domain: str) -> bool:
    """The signer is the From domain or a parent of it (never a bare top-level domain)."""
    return "." in signing_domain and (from_domain == signing_domain or from_domain.endswith("." + signing_domain))


def sender_domain_verified(message: EmailMessage, *, authserv_id: str) -> bool:
    """True when our receiving server vouches for the From domain: dmarc=pass for exactly that
    domain, or dkim=pass with header.d (or header.i) aligned to it."""
    address = from_address(message)
    if address is None:
        return False
    from_domain = _domain(address)
    for result in our_results(message, authserv_id=authserv_id):
        if result.result != "pass":
            continue
        if result.method == "dmarc" and _domain(result.properties.get("header.from", "")) == from_domain:
            return True
        if result.method == "dkim":
            signers = [result.properties.get("header.d", ""), result.properties.get("header.i", "")]
            if any(signer and _aligned(_domain(signer), from_domain) for signer in signers):
                return True
    return False
