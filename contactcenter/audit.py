"""The context a write or a view of PII happens in: who, from where, through which channel."""

from __future__ import annotations

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


def client_ip(request) -> str | None:
    # REMOTE_ADDR is the proxy's address behind a load balancer; the first X-Forwarded-For hop
    # is only trusted where the proxy header is configured.
    from django.conf import settings

    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None
