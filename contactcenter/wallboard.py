"""Alerts on the supervisors' wallboard. Each app registers a source of its own alerts in
`AppConfig.ready()`, so the core never imports a channel app."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class WallboardAlert:
    key: str
    text: str
    raised_at: datetime


_SOURCES: list[Callable[[], list[WallboardAlert]]] = []


def register_alert_source(source: Callable[[], list[WallboardAlert]]) -> None:
    if source not in _SOURCES:
        _SOURCES.append(source)


def wallboard_alerts() -> list[WallboardAlert]:
    """Every registered source's alerts in force now, the newest first."""
    return sorted((alert for source in _SOURCES for alert in source()), key=lambda a: a.raised_at, reverse=True)
