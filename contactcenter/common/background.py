"""Enqueueing background work so that a broker outage loses nothing and fails no request."""

from __future__ import annotations

import logging

from celery import current_app
from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue(task_name: str, **kwargs) -> None:
    """Send the task named `task_name` with JSON kwargs now. Services name tasks rather than import
    them, so tasks import services and never the reverse. If the broker is down the caller goes on:
    the row that needs the work is already saved in a state a periodic sweep picks up (see the sweep
    tasks in the beat schedule)."""
    try:
        current_app.signature(task_name, kwargs=kwargs).apply_async(retry=False)
    except Exception as error:  # the broker, not our data, failed: the sweep will resend it
        logger.error("broker unavailable, %s left for the sweep: %s", task_name, error)


def enqueue_on_commit(task_name: str, **kwargs) -> None:
    """`enqueue` once the current transaction commits."""
    transaction.on_commit(lambda: enqueue(task_name, **kwargs))


def mail_message_id(kind: str, *parts: object) -> str:
    """A Message-ID fixed by the row (and what it announces), never by the attempt: if a worker dies
    after the SMTP server accepted a message and before the row was marked sent, the copy sent again
    carries the same Message-ID, so the receiving system can drop it."""
    from django.conf import settings

    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1]
    return f"<ncsc-{kind}-{'-'.join(str(part) for part in parts)}@{domain}>"


def mail_retry_or_give_up(task, error: Exception, *, give_up) -> None:
    """After a failed send: retry with exponential backoff while tries remain (raises Retry), else
    call `give_up(reason)`, which records on the row that the mail was not delivered."""
    from django.conf import settings

    retries = task.request.retries
    if retries < settings.MAIL_SEND_MAX_RETRIES:
        countdown = min(settings.MAIL_RETRY_BACKOFF_SECONDS * 2**retries, settings.MAIL_RETRY_BACKOFF_MAX)
        raise task.retry(exc=error, countdown=countdown, max_retries=settings.MAIL_SEND_MAX_RETRIES)
    reason = f"{error.__class__.__name__}: {error}"[:300]
    logger.error("%s gave up after %s tries: %s", task.name, retries + 1, reason)
    give_up(reason)
