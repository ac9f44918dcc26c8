"""Whether the background workers are alive (the wallboard and /healthz read it)."""

from __future__ import annotations

from datetime import datetime

from contactcenter.models import (
    WorkerHeartbeat,
)


def worker_last_seen() -> datetime | None:
    heartbeat = WorkerHeartbeat.objects.filter(name="celery").first()
    return heartbeat.last_seen if heartbeat else None
