"""What an attachment may be: a few document and image types, up to a size, checked by content."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.utils.translation import gettext as _

# extension → (content type, leading bytes the file must start with; None = text, no signature)
ALLOWED_TYPES: dict[str, tuple[str, tuple[bytes, ...] | None]] = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".tif": ("image/tiff", (b"II*\x00", b"MM\x00*")),
    ".tiff": ("image/tiff", (b"II*\x00", b"MM\x00*")),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    ".txt": ("text/plain", None),
}


@dataclass(frozen=True)
class AttachmentIn:
    filename: str
    content: bytes
    content_type: str = ""


def attachment_size_problem(*, filename: str, size: int | None) -> str | None:
    """The file is larger than an attachment may be (checked before its content is read)."""
    limit = settings.CASEWORK_ATTACHMENT_MAX_BYTES
    if size is not None and size > limit:
        return _("%(name)s is larger than %(limit)d MB.") % {"name": filename, "limit": limit // (1024 * 1024)}
    return None


def attachment_problem(*, filename: str, content: bytes) -> str | None:
    """Why this file cannot be attached, in words for the person who sent it; None if it can."""
    limit = settings.CASEWORK_ATTACHMENT_MAX_BYTES
    extension = PurePath(filename or "").suffix.lower()
    if extension not in ALLOWED_TYPES:
        return _("%(name)s: only PDF, JPEG, PNG, TIFF, Word (.docx) and text files can be attached.") % {
            "name": filename or _("file")
        }
    if len(content) > limit:
        return attachment_size_problem(filename=filename, size=len(content))
    if not content:
        return _("%(name)s is empty.") % {"name": filename}
    signatures = ALLOWED_TYPES[extension][1]
    if signatures is None:
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            return _("%(name)s is not a text file.") % {"name": filename}
    elif not content.startswith(signatures):
        return _("%(name)s is not the kind of file its name says.") % {"name": filename}
    return None


def content_type_for(filename: str) -> str:
    return ALLOWED_TYPES.get(PurePath(filename).suffix.lower(), ("application/octet-stream", None))[0]
