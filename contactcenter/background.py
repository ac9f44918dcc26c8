"""Enqueueing background work so that a broker outage loses nothing and fails no request."""

from __future__ import annotations

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue_on_commit(task, **kwargs) -> None:
    """Send `task` with JSON kwargs once the current transaction commits.

    If the broker is down the request still succeeds: the row that needs the work is already saved
    in a state a periodic sweep picks up (see the sweep tasks in the beat schedule)."""

    def send() -> None:
        try:
            task.apply_async(kwargs=kwargs, retry=False)
        except Exception as error:  # the broker, not our data, failed: the sweep will resend it
            logger.error("broker unavailable, %s left for the sweep: %s", task.name, error)

    transaction.on_commit(send)
