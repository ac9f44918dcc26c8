"""The context a write or a view of PII happens in: who, from where, through which channel."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from contactcenter.common.request_context import current_request_id
from contactcenter.models import AuditAction, AuditChannel

if TYPE_CHECKING:
    from django.http import HttpRequest


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
    request: HttpRequest,
    *,
    target_type: str,
    target_id: str | int = "",
    summary: str,
    detail: dict[str, Any] | None = None,
    channel: str = AuditChannel.WEB,
    action: Literal[AuditAction.VIEW, AuditAction.EXPORT] = AuditAction.VIEW,
) -> None:
    """Record that this request showed PII (a case's history, a correspondent's words or files, a
    page of people's contact details) or handed it out as a file (`action=AuditAction.EXPORT`): pages,
    the API, exports and the admin all call this one."""
    from contactcenter.audit.services import audit_record  # the services import this module

    audit_record(
        context=AuditContext.from_request(request, channel=channel),
        action=action,
        target_type=target_type,
        target_id=target_id,
        summary=summary,
        detail=detail,
    )


def record_list_view(
    request: HttpRequest,
    *,
    target_type: str,
    label: str,
    ids: list[Any],
    count: int | None = None,
    target_id: str | int = "",
    channel: str = AuditChannel.WEB,
    also_shown: dict[str, list[Any]] | None = None,
) -> None:
    """A page or response that lists people's records: who saw how many, and which (by id).
    `also_shown` names the ids of other records' tables on the same page."""
    shown = len(ids)
    count = shown if count is None else count
    record_view(
        request,
        channel=channel,
        target_type=target_type,
        target_id=target_id,
        summary=f"Listed {shown} of {count} {label}",
        detail={"count": count, "shown": shown, "ids": list(ids), **(also_shown or {})},
    )


class AuditedReads:
    """For DRF views of PII: every successful GET (list, one object, or a GET action) records who saw
    which rows, by the ids in the response, so no endpoint of the view can forget to."""

    audit_target_type: str = ""
    audit_label: str = ""
    audit_actions: frozenset[str] | None = None  # None: every GET of the view shows PII

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        data = getattr(response, "data", None)
        audited = self.audit_actions is None or getattr(self, "action", None) in self.audit_actions
        if request.method in ("GET", "HEAD") and 200 <= response.status_code < 300 and data is not None and audited:
            self._audit_read(request, data, kwargs)
        return response

    def _audit_read(self, request, data, kwargs) -> None:
        action = getattr(self, "action", None) or request.method.lower()
        label = self.audit_label or self.audit_target_type
        rows = data.get("results") if isinstance(data, dict) and "results" in data else data
        if isinstance(rows, list):
            ids = [row.get("id") for row in rows if isinstance(row, dict) and "id" in row]
            count = data.get("count", len(rows)) if isinstance(data, dict) else len(rows)
            record_list_view(
                request,
                channel=AuditChannel.API,
                target_type=f"{self.audit_target_type}_list" if action == "list" else self.audit_target_type,
                label=f"{label} through the API ({action})",
                ids=ids,
                count=count,
                target_id=next(iter(kwargs.values()), ""),
            )
            return
        target_id = (data.get("id") if isinstance(data, dict) else None) or next(iter(kwargs.values()), "")
        record_view(
            request,
            channel=AuditChannel.API,
            target_type=self.audit_target_type,
            target_id=target_id,
            summary=f"Viewed {label} #{target_id} through the API ({action})",
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
