"""Reads of the IVR's own records."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime

from django.db import DatabaseError
from django.utils import timezone
from django.utils.translation import gettext as _

from contactcenter.consoles.wallboard import WallboardAlert

from .models import Announcement, Call, LookupAlert, PromptOverride

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


# --- what supervisors change without a deploy ----------------------------------------------------
# Read on every call's start and every hold message: kept per process for a short while, and cleared
# in the process that saves a change (forget_spoken_settings); other processes follow within the TTL.
SPOKEN_SETTINGS_TTL_SECONDS = 30
# When the database is away, the defaults are spoken; it is asked again after this long.
_AWAY_TTL_SECONDS = 5


@dataclass(frozen=True)
class SpokenAnnouncement:
    id: int
    text_en: str
    text_es: str
    starts_at: datetime
    ends_at: datetime

    def text(self, language: str) -> str:
        return self.text_es if language == "es" else self.text_en


_announcements: tuple[float, tuple[SpokenAnnouncement, ...]] | None = None
_overrides: tuple[float, dict[str, tuple[str, str]]] | None = None


def announcement_active(*, at: datetime) -> SpokenAnnouncement | None:
    """The emergency announcement on at `at` (the latest to start), or None: one lookup in the
    process's copy, refreshed at most every 30 s (only the announcements not yet over are kept)."""
    global _announcements
    if _announcements is None or _announcements[0] <= time.monotonic():
        rows = Announcement.objects.filter(ends_at__gt=timezone.now()).order_by("-starts_at", "-id")[:20]
        found = tuple(
            SpokenAnnouncement(
                id=row.pk, text_en=row.text_en, text_es=row.text_es, starts_at=row.starts_at, ends_at=row.ends_at
            )
            for row in rows
        )
        _announcements = (time.monotonic() + SPOKEN_SETTINGS_TTL_SECONDS, found)
    return next((item for item in _announcements[1] if item.starts_at <= at < item.ends_at), None)


def prompt_overrides() -> dict[str, tuple[str, str]]:
    """Supervisors' wordings by prompt key, (English, Spanish). Never fails: a hold message is said
    with no database (the defaults then)."""
    global _overrides
    if _overrides is not None and _overrides[0] > time.monotonic():
        return _overrides[1]
    try:
        found = {row.key: (row.text_en, row.text_es) for row in PromptOverride.objects.all()}
        ttl = SPOKEN_SETTINGS_TTL_SECONDS
    except DatabaseError:
        logger.warning("could not read the prompt wordings: the defaults are said")
        found, ttl = {}, _AWAY_TTL_SECONDS
    _overrides = (time.monotonic() + ttl, found)
    return found


def forget_spoken_settings(**kwargs) -> None:
    global _announcements, _overrides
    _announcements = None
    _overrides = None


def connect_signals() -> None:
    from django.db.models.signals import post_delete, post_save

    for model in (Announcement, PromptOverride):
        post_save.connect(forget_spoken_settings, sender=model, dispatch_uid=f"ivr-forget-{model.__name__}")
        post_delete.connect(forget_spoken_settings, sender=model, dispatch_uid=f"ivr-forget-{model.__name__}-del")


def announcements_list() -> list[Announcement]:
    """For the supervisors' page: those on or to come first, then the last few that ended."""
    now = timezone.now()
    current = list(Announcement.objects.filter(ends_at__gt=now).order_by("starts_at", "id"))
    return current + list(Announcement.objects.filter(ends_at__lte=now).order_by("-ends_at", "-id")[:10])


def announcement_get(*, announcement_id: int) -> Announcement | None:
    return Announcement.objects.filter(pk=announcement_id).first()


def prompt_override_get(*, key: str) -> PromptOverride | None:
    return PromptOverride.objects.filter(key=key).first()


def prompt_overrides_for_page() -> dict[str, PromptOverride]:
    """Supervisors' wordings by key, read afresh (the page shows what is saved, not the cache)."""
    return {row.key: row for row in PromptOverride.objects.all()}
