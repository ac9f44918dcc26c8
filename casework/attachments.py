"""What an attachment may be: a few document and image types, up to a size, checked by content."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from contactcenter.common.files import content_type_for, file_problem, file_size_problem

__all__ = ["AttachmentIn", "attachment_problem", "attachment_size_problem", "content_type_for"]

ALLOWED_EXTENSIONS = (".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".docx", ".txt")


@dataclass(frozen=True)
class AttachmentIn:
    filename: str
    content: bytes
    content_type: str = ""


def attachment_size_problem(*, filename: str, size: int | None) -> str | None:
    """The file is larger than an attachment may be (checked before its content is read)."""
    return file_size_problem(filename=filename, size=size, limit=settings.CASEWORK_ATTACHMENT_MAX_BYTES)


def attachment_problem(*, filename: str, content: bytes) -> str | None:
    """Why this file cannot be attached, in words for the person who sent it; None if it can."""
    return file_problem(
        filename=filename,
        content=content,
        extensions=ALLOWED_EXTENSIONS,
        limit=settings.CASEWORK_ATTACHMENT_MAX_BYTES,
        wrong_type=_("%(name)s: only PDF, JPEG, PNG, TIFF, Word (.docx) and text files can be attached."),
    )
