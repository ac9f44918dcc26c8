"""Reads of the audit trail."""

from __future__ import annotations

from django.db.models import (
    QuerySet,
)

from contactcenter.models import (
    AuditEvent,
)


def audit_events_for(*, target_type: str, target_id: str | int) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.select_related("actor").filter(target_type=target_type, target_id=str(target_id))


__all__ = [
    "audit_events_for",
]
