"""Files people hand us (inquiry attachments, mailing attachments): a few document and image types,
up to a size, each checked by its content, not only by its name."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePath

from django.utils.translation import gettext as _

# extension → (content type, leading bytes the file must start with; None = text, no signature)
FILE_TYPES: dict[str, tuple[str, tuple[bytes, ...] | None]] = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".tif": ("image/tiff", (b"II*\x00", b"MM\x00*")),
    ".tiff": ("image/tiff", (b"II*\x00", b"MM\x00*")),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    ".txt": ("text/plain", None),
    ".ics": ("text/calendar", None),
}


def file_size_problem(*, filename: str, size: int | None, limit: int) -> str | None:
    """The file is larger than `limit` bytes (checked before its content is read)."""
    if size is not None and size > limit:
        return _("%(name)s is larger than %(limit)d MB.") % {"name": filename, "limit": limit // (1024 * 1024)}
    return None


def file_problem(
    *, filename: str, content: bytes, extensions: Iterable[str], limit: int, wrong_type: str
) -> str | None:
    """Why this file can't be taken, in words for the person who sent it; None if it can.
    `wrong_type` is the caller's own sentence naming the types it takes, with %(name)s."""
    extension = PurePath(filename or "").suffix.lower()
    if extension not in set(extensions) or extension not in FILE_TYPES:
        return wrong_type % {"name": filename or _("file")}
    if len(content) > limit:
        return file_size_problem(filename=filename, size=len(content), limit=limit)
    if not content:
        return _("%(name)s is empty.") % {"name": filename}
    signatures = FILE_TYPES[extension][1]
    if signatures is None:
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            return _("%(name)s is not a text file.") % {"name": filename}
    elif not content.startswith(signatures):
        return _("%(name)s is not the kind of file its name says.") % {"name": filename}
    return None


def content_type_for(filename: str) -> str:
    return FILE_TYPES.get(PurePath(filename).suffix.lower(), ("application/octet-stream", None))[0]
