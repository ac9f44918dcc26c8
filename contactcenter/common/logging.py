"""Log filters: every record leaves the process with PII masked and the request id attached."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied

from contactcenter.audit.pii import mask_pii
from contactcenter.common.access_log import redact_request_lines
from contactcenter.common.request_context import current_request_id


class MaskPIIFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed log call must not lose the line
            message = str(record.msg)
        record.msg = mask_pii(redact_request_lines(message))
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_pii(record.exc_text)
        return True


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id() or "-"
        return True


class OneLineRefusalFilter(logging.Filter):
    """A refused request (403) is routine, not a fault: Django's request logger passes the
    PermissionDenied along as exc_info, which printed a whole traceback at WARNING for every refusal.
    That refusal already has its one line, with the user, from the 403 handler
    (contactcenter.views.permission_denied), so Django's record of it is dropped; any other 403 record
    of Django's keeps its line without a traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith("django.request") or getattr(record, "status_code", None) != 403:
            return True
        if record.exc_info and isinstance(record.exc_info[1], PermissionDenied):
            return False
        record.exc_info = None
        record.exc_text = None
        return True
