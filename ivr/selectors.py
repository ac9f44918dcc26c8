"""Reads of the IVR's own records."""

from __future__ import annotations

import logging

from django.db import DatabaseError

from .models import Call

logger = logging.getLogger(__name__)


def call_language(*, call_sid: str) -> str:
    """The language a call chose ("" when it has not, or is unknown). Used on failure paths, so a
    database that is itself what failed yields "" rather than another error."""
    try:
        return Call.objects.filter(call_sid=call_sid).values_list("language", flat=True).first() or ""
    except DatabaseError:
        logger.warning("could not read the language of call %s", call_sid[:34])
        return ""
