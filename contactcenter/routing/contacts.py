"""Contacts joining a queue: a caller handed over by the IVR, a callback that keeps its place."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from contactcenter.audit.context import AuditContext
from contactcenter.audit.services import audit_record
from contactcenter.models import (
    AuditAction,
    ContactKind,
    Interaction,
    WaitingContact,
)


# --- queues -------------------------------------------------------------------------------------
def queue_name_for(*, tier: int, language: str) -> str:
    return f"tier{tier}-{language}"


def _queue_rollups_mark(contact: WaitingContact) -> None:
    from contactcenter.routing.queue_rollups_refresh import queue_rollups_mark

    queue_rollups_mark(contacts=[contact])


def _route_soon(*, queue_name: str) -> None:
    """After commit, ask a worker to route the queue; a broker outage only delays it to the sweep."""
    from contactcenter.common.background import enqueue_on_commit

    enqueue_on_commit("contactcenter.route_queue", queue_name=queue_name)


def contact_enqueue(
    *,
    context: AuditContext,
    phone: str,
    language: str,
    caller_time_zone: str,
    tier: int = 1,
    kind: str = ContactKind.CALL,
    call_sid: str | None = None,
    receipt_numbers: Iterable[str] = (),
    ivr_path: Iterable[str] = (),
    interaction: Interaction | None = None,
    priority: int = 0,
    skill: str = "",
) -> WaitingContact:
    """Put a caller (or a callback request) in line for a person. Idempotent on CallSid.

    A callback requested from the queue keeps the original enqueue time, so it keeps its place."""
    with transaction.atomic():
        existing = WaitingContact.objects.select_for_update().filter(call_sid=call_sid).first() if call_sid else None
        if existing is not None:
            if kind == ContactKind.CALLBACK and existing.kind != ContactKind.CALLBACK:
                existing.kind = ContactKind.CALLBACK
                existing.save(update_fields=["kind", "updated_at"])
                audit_record(
                    context=context,
                    action=AuditAction.UPDATE,
                    target_type="contactcenter.waitingcontact",
                    target_id=existing.pk,
                    summary="Caller in queue asked for a callback and kept their place",
                )
            return existing
        contact = WaitingContact(
            kind=kind,
            tier=tier,
            language=language,
            queue_name=queue_name_for(tier=tier, language=language),
            priority=priority,
            call_sid=call_sid,
            phone=phone,
            caller_time_zone=caller_time_zone,
            receipt_numbers=list(receipt_numbers),
            ivr_path=list(ivr_path),
            interaction=interaction,
            skill=skill[:50],
        )
        contact.full_clean()
        contact.save()
        _queue_rollups_mark(contact)
        audit_record(
            context=context,
            action=AuditAction.CREATE,
            target_type="contactcenter.waitingcontact",
            target_id=contact.pk,
            summary=f"{contact.get_kind_display()} queued in {contact.queue_name}",
        )
        _route_soon(queue_name=contact.queue_name)
    return contact


__all__ = ["contact_enqueue", "queue_name_for"]
