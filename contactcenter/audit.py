"""The context a write or a view of PII happens in: who, from where, through which channel."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any

from .models import AuditChannel
from .request_context import current_request_id


@dataclass(frozen=True)
class AuditContext:
    actor: Any = None
    channel: str = AuditChannel.SYSTEM
    ip_address: str | None = None
    request_id: str = ""

    @classmethod
    def from_request(cls, request, *, channel: str = AuditChannel.WEB) -> AuditContext:
        user = getattr(request, "user", None)
        return cls(
            actor=user if user is not None and user.is_authenticated else None,
            channel=channel,
            ip_address=client_ip(request),
            request_id=getattr(request, "request_id", "") or current_request_id() or "",
        )

    @classmethod
    def system(cls, channel: str = AuditChannel.SYSTEM) -> AuditContext:
        return cls(channel=channel, request_id=current_request_id() or "")


def record_view(
    request,
    *,
    target_type: str,
    target_id: str | int = "",
    summary: str,
    detail: dict | None = None,
    channel: str = AuditChannel.WEB,
) -> None:
    """Record that this request showed PII (a case's history, a correspondent's words or files, a
    page of people's contact details): pages and API alike call this one."""
    from .models import AuditAction
    from .services import audit_record  # the services import this module

    audit_record(
        context=AuditContext.from_request(request, channel=channel),
        action=AuditAction.VIEW,
        target_type=target_type,
        target_id=target_id,
        summary=summary,
        detail=detail,
    )


def client_ip(request) -> str | None:
    """The client's address, as our own reverse proxies saw it. The one place a client address is derived:
    sign-in lockout, the public forms' per-address limits and audit rows all use it.

    X-Forwarded-For is a list each proxy appends its peer's address to, so everything left of what our
    proxies added is whatever the client sent. With TRUSTED_PROXY_COUNT proxies in front of the app the
    client's address is the Nth hop from the right; with 0 (no proxy) the header is ignored."""
    from django.conf import settings

    remote = request.META.get("REMOTE_ADDR") or None
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "") if proxies > 0 else ""
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if not hops:
        return remote
    # Fewer hops than proxies: every hop present was added by one of ours, the leftmost is the client.
    candidate = hops[-min(proxies, len(hops))]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
