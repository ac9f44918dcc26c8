"""Reads of the IVR's own records."""

from __future__ import annotations

import logging

from django.db import DatabaseError
from django.utils import timezone
from django.utils.translation import gettext as _

from contactcenter.consoles.wallboard import WallboardAlert

from .models import Call, LookupAlert

logger = logging.getLogger(__name__)


def call_language(*, call_sid: str) -> str:
    """The language a call chose ("" when it has not, or is unknown). Used on failure paths, so a
    database that is itself what failed yields "" rather than another error."""
    try:
        return Call.objects.filter(call_sid=call_sid).values_list("language", flat=True).first() or ""
    except DatabaseError:
        logger.warning("could not read the language of call %s", call_sid[:34])
        return ""


def wallboard_lookup_alerts() -> list[WallboardAlert]:
    """The case-lookup alert whose window is not over yet (the IVR still refuses lookups)."""
    now = timezone.now()
    alerts = []
    for alert in LookupAlert.objects.filter(window_ends_at__gt=now).order_by("-raised_at")[:1]:
        text = _(
            "IVR case-status lookups paused until %(until)s: %(count)s receipt numbers not found within the "
            "hour across all callers (limit %(limit)s), which looks like receipt numbers being walked. Callers "
            "are offered a representative."
        ) % {
            "until": timezone.localtime(alert.window_ends_at).strftime("%H:%M"),
            "count": alert.not_found_count,
            "limit": alert.limit,
        }
        alerts.append(WallboardAlert(key=f"ivr-lookups-{alert.pk}", text=str(text), raised_at=alert.raised_at))
    return alerts


def call_paths_by_interaction(interaction_ids: list[int]) -> dict[int, list[str]]:
    """The steps each call took (its `path`, codes), by its ledger entry: the core's timeline says
    them in words (registered in ivr/apps.py)."""
    return {
        interaction_id: list(path or [])
        for interaction_id, path in Call.objects.filter(interaction_id__in=interaction_ids).values_list(
            "interaction_id", "path"
        )
    }
