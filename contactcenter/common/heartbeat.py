"""Workers report that they are alive; the wallboard and /healthz read it (common.health)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from contactcenter.models import (
    WorkerHeartbeat,
)


def heartbeat_record(*, name: str, hostname: str = "") -> WorkerHeartbeat:
    with transaction.atomic():
        heartbeat, _ = WorkerHeartbeat.objects.update_or_create(
            name=name, defaults={"last_seen": timezone.now(), "hostname": hostname[:200]}
        )
    return heartbeat


__all__ = ["heartbeat_record"]
