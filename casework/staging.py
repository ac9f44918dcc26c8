"""Attachments kept across a form that did not go through.

A form sent with a wrong e-mail address or a missing subject comes back with its errors. Its files
that passed their own checks are kept here, so that nobody has to pick them again: each is stored
under a random token, named only in the sender's session (one list per form), offered back with a
checkbox, and sent with the next successful try. Files a session never uses are deleted by the
casework sweep after a day."""

from __future__ import annotations

import contextlib
import logging
import secrets
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpRequest
from django.utils import timezone

from .attachments import AttachmentIn

logger = logging.getLogger(__name__)

FOLDER = "casework/staged"
KEEP_FOR = timedelta(hours=24)
MAX_PER_FORM = 10


@dataclass(frozen=True)
class StagedFile:
    token: str
    filename: str
    size: int


def _key(form: str) -> str:
    return f"casework_staged:{form}"


def _path(token: str) -> str:
    return f"{FOLDER}/{token}"


def staged_files(request: HttpRequest, *, form: str) -> list[StagedFile]:
    return [StagedFile(**item) for item in request.session.get(_key(form), [])]


def _remember(request: HttpRequest, form: str, files: list[StagedFile]) -> None:
    if files:
        request.session[_key(form)] = [asdict(item) for item in files]
    else:
        request.session.pop(_key(form), None)


def keep_after_error(
    request: HttpRequest,
    *,
    form: str,
    kept_tokens: Iterable[str],
    new: Iterable[AttachmentIn],
    max_new: int | None = None,
) -> list[StagedFile]:
    """The form came back with errors: the staged files the sender left checked stay, the ones
    unchecked are deleted, and this try's files that passed their checks join them (at most max_new
    of them, when given)."""
    wanted = set(kept_tokens)
    files = []
    for item in staged_files(request, form=form):
        if item.token in wanted:
            files.append(item)
        else:
            default_storage.delete(_path(item.token))
    for added, attachment in enumerate(new):
        if len(files) >= MAX_PER_FORM or (max_new is not None and added >= max_new):
            break
        token = secrets.token_urlsafe(18)
        try:
            default_storage.save(_path(token), ContentFile(attachment.content))
        except OSError as error:  # disk full or not writable: the form says to attach them again
            logger.error("could not keep a file for the next try: %s", error)
            with contextlib.suppress(OSError):
                default_storage.delete(_path(token))
            break
        files.append(StagedFile(token=token, filename=attachment.filename, size=len(attachment.content)))
    _remember(request, form, files)
    return files


def kept(request: HttpRequest, *, form: str, kept_tokens: Iterable[str]) -> list[StagedFile]:
    """The staged files the sender left checked; a token not staged in this session is ignored."""
    wanted = set(kept_tokens)
    return [item for item in staged_files(request, form=form) if item.token in wanted]


def chosen(request: HttpRequest, *, form: str, kept_tokens: Iterable[str]) -> list[AttachmentIn]:
    """The staged files the sender left checked, read back. A file the sweep already removed is
    left out (the form says which files it sent)."""
    items = []
    for item in kept(request, form=form, kept_tokens=kept_tokens):
        try:
            with default_storage.open(_path(item.token), "rb") as stored:
                items.append(AttachmentIn(filename=item.filename, content=stored.read()))
        except FileNotFoundError:
            continue
    return items


def release(request: HttpRequest, *, form: str) -> None:
    """The form went through (its chosen files are now the inquiry's): nothing stays staged."""
    for item in staged_files(request, form=form):
        default_storage.delete(_path(item.token))
    _remember(request, form, [])


def sweep(*, now: datetime | None = None) -> int:
    """Delete staged files older than KEEP_FOR (their sessions never sent the form)."""
    cutoff = (now or timezone.now()) - KEEP_FOR
    try:
        _, names = default_storage.listdir(FOLDER)
    except FileNotFoundError:
        return 0
    removed = 0
    for name in names:
        if default_storage.get_modified_time(_path(name)) < cutoff:
            default_storage.delete(_path(name))
            removed += 1
    return removed
