"""Writing the audit trail: one append-only row per write or view of PII, its summary masked."""

from __future__ import annotations

from django.db import transaction

from contactcenter.audit.context import AuditContext
from contactcenter.audit.pii import mask_pii
from contactcenter.common.prepared import insert_returning_pk
from contactcenter.models import (
    AuditEvent,
)


def audit_record(
    *,
    context: AuditContext,
    action: str,
    target_type: str = "",
    target_id: str | int = "",
    summary: str = "",
    detail: dict | None = None,
) -> AuditEvent:
    """Append one audit row. Call it inside the transaction of the change it records."""
    actor = context.actor if context.actor is not None and context.actor.pk else None
    event = AuditEvent(
        actor=actor,
        actor_username=actor.get_username() if actor else "",
        action=action,
        channel=context.channel,
        target_type=target_type,
        target_id=str(target_id),
        summary=mask_pii(summary)[:300],
        ip_address=context.ip_address,
        request_id=context.request_id or "",
        detail={key: mask_pii(str(value)) for key, value in (detail or {}).items()},
    )
    event.full_clean(exclude=["actor"])  # the actor is the signed-in user in hand
    # No savepoint: an audit row that cannot be written must undo the change it records.
    with transaction.atomic(savepoint=False):
        insert_returning_pk(event)
    return event


__all__ = ["audit_record"]
