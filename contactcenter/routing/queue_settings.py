"""Settings supervisors keep on their console: queues and not-ready reasons (the admin keeps the rest)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from contactcenter.audit.context import AuditContext
from contactcenter.audit.services import audit_record
from contactcenter.common.errors import ApplicationError
from contactcenter.models import AuditAction, CenterClosure, NotReadyReason, QueueConfig

# What a supervisor may change; a queue's name, tier and language stay with the administrators.
QUEUE_EDITABLE = (
    "opens_at",
    "closes_at",
    "hours_time_zone",
    "open_on_weekends",
    "service_level_seconds",
    "service_level_target_percent",
    "short_abandon_seconds",
    "longest_wait_amber_seconds",
    "longest_wait_red_seconds",
    "abandonment_amber_percent",
    "abandonment_red_percent",
    "offer_timeout_seconds",
    "after_call_work_seconds",
    "overflow_after_seconds",
    "overflow_to",
)


def _values_apply(instance, values: dict, *, created: bool = False) -> dict[str, tuple]:
    """Set `values` on `instance`, validated as a whole; what changed, field → (old, new) (every
    field when the row is new)."""
    before = {field: getattr(instance, field) for field in values}
    for field, value in values.items():
        setattr(instance, field, value)
    try:
        instance.full_clean()
    except ValidationError as error:
        raise ApplicationError.from_validation(error, field_first=True) from error
    return {field: (before[field], value) for field, value in values.items() if created or before[field] != value}


def _changes_said(changed: dict[str, tuple]) -> str:
    return "; ".join(f"{field} {old!s} → {new!s}" for field, (old, new) in changed.items())


def _queues_known(names, *, field: str) -> None:
    known = set(QueueConfig.objects.filter(name__in=names).values_list("name", flat=True))
    missing = [queue for queue in names if queue not in known]
    if missing:
        raise ApplicationError(_("There is no queue named %(name)s.") % {"name": ", ".join(missing)}, field=field)


def queue_config_update(*, context: AuditContext, name: str, **changes) -> QueueConfig:
    """Change a queue's settings: validated as a whole, audited with each old → new value."""
    unknown = sorted(set(changes) - set(QUEUE_EDITABLE))
    if unknown:
        raise ApplicationError(
            _("These queue settings are not changed here: %(fields)s.") % {"fields": ", ".join(unknown)},
            extra={"unknown": unknown},
        )
    with transaction.atomic():
        config = QueueConfig.objects.select_for_update().filter(name=name).first()
        if config is None:
            raise ApplicationError(_("There is no queue named %(name)s.") % {"name": name}, extra={"name": name})
        if changes.get("overflow_to"):
            _queues_known(changes["overflow_to"], field="overflow_to")
        changed = _values_apply(config, changes)
        if not changed:
            return config
        config.save(update_fields=list(changed))
        audit_record(
            context=context,
            action=AuditAction.UPDATE,
            target_type="contactcenter.queueconfig",
            target_id=config.pk,
            summary=f"Queue {config.name} settings: {_changes_said(changed)}"[:300],
            detail={field: f"{old!s} → {new!s}" for field, (old, new) in changed.items()},
        )
    return config


def not_ready_reason_save(
    *, context: AuditContext, code: str, label_en: str, label_es: str, order: int = 0, active: bool = True
) -> NotReadyReason:
    """Add a reason agents may give for not being ready, or change one (a code is never renamed:
    the history keeps it)."""
    with transaction.atomic():
        reason = NotReadyReason.objects.select_for_update().filter(code=code).first()
        created = reason is None
        reason = reason or NotReadyReason(code=code)
        values = {"label_en": label_en.strip(), "label_es": label_es.strip(), "order": order, "active": active}
        changed = _values_apply(reason, values, created=created)
        if not changed:
            return reason
        reason.save()
        audit_record(
            context=context,
            action=AuditAction.CREATE if created else AuditAction.UPDATE,
            target_type="contactcenter.notreadyreason",
            target_id=reason.pk,
            summary=f"Not-ready reason {code} {'added' if created else 'changed'}: {_changes_said(changed)}"[:300],
        )
    return reason


CLOSURE_FIELDS = ("first_day", "last_day", "starts_at", "ends_at", "reason_en", "reason_es", "queues")


def closure_save(*, context: AuditContext, closure_id: int | None = None, **values) -> CenterClosure:
    """Enter a closure of live help, or change one: the queues named (none: all) take no calls then,
    and the IVR says why. Every process sees it within the hours' cache time (this one at once)."""
    unknown = sorted(set(values) - set(CLOSURE_FIELDS))
    if unknown:
        raise ApplicationError(
            _("These closure settings are not changed here: %(fields)s.") % {"fields": ", ".join(unknown)},
            extra={"unknown": unknown},
        )
    with transaction.atomic():
        if closure_id is None:
            closure = CenterClosure()
        else:
            closure = CenterClosure.objects.select_for_update().filter(pk=closure_id).first()
            if closure is None:
                raise ApplicationError(_("There is no such closure."), extra={"closure_id": closure_id})
        if values.get("queues"):
            _queues_known(values["queues"], field="queues")
        for text in ("reason_en", "reason_es"):
            if text in values:
                values[text] = (values[text] or "").strip()
        created = closure.pk is None
        changed = _values_apply(closure, values, created=created)
        if not changed:
            return closure
        closure.save()
        audit_record(
            context=context,
            action=AuditAction.CREATE if created else AuditAction.UPDATE,
            target_type="contactcenter.centerclosure",
            target_id=closure.pk,
            summary=(
                f"Closure {closure.first_day}–{closure.last_day} {'entered' if created else 'changed'}: "
                + _changes_said(changed)
            )[:300],
            detail={field: f"{old!s} → {new!s}" for field, (old, new) in changed.items()},
        )
    return closure


def closure_delete(*, context: AuditContext, closure_id: int) -> None:
    """Take a closure back (entered by mistake, or the center reopens): the audit keeps what it was."""
    with transaction.atomic():
        closure = CenterClosure.objects.select_for_update().filter(pk=closure_id).first()
        if closure is None:
            raise ApplicationError(_("There is no such closure."), extra={"closure_id": closure_id})
        audit_record(
            context=context,
            action=AuditAction.DELETE,
            target_type="contactcenter.centerclosure",
            target_id=closure.pk,
            summary=f"Closure {closure.first_day}–{closure.last_day} removed: {closure.reason_en}"[:300],
            detail={field: str(getattr(closure, field)) for field in CLOSURE_FIELDS},
        )
        closure.delete()


__all__ = [
    "CLOSURE_FIELDS",
    "QUEUE_EDITABLE",
    "closure_delete",
    "closure_save",
    "not_ready_reason_save",
    "queue_config_update",
]
