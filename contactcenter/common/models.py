"""Operations: the background workers' heartbeats."""

from __future__ import annotations

from django.db import models


class WorkerHeartbeat(models.Model):
    """Written by the periodic beat task; /healthz reports how long ago a worker last ran."""

    name = models.CharField(max_length=50, unique=True)
    last_seen = models.DateTimeField()
    hostname = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"{self.name} @ {self.last_seen:%H:%M:%S}"
