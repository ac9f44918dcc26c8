"""The audit trail of sensitive inquiries: every time one is shown, a row of its own kind, so a
reviewer finds who saw a sensitive inquiry without reading every inquiry view."""

from __future__ import annotations

from collections.abc import Iterable

from django.http import HttpRequest

from contactcenter.audit.context import record_view
from contactcenter.models import AuditChannel

from .models import Inquiry

SENSITIVE_VIEWED = "casework.sensitive_inquiry"


def record_sensitive_views(request: HttpRequest, inquiries: Iterable[Inquiry], channel: str = AuditChannel.WEB) -> None:
    """One "sensitive inquiry viewed" row for each sensitive inquiry this request shows."""
    for inquiry in inquiries:
        if inquiry.sensitive:
            record_view(
                request,
                channel=channel,
                target_type=SENSITIVE_VIEWED,
                target_id=inquiry.pk,
                summary=f"Sensitive inquiry viewed: {inquiry.reference}",
            )
