from __future__ import annotations

import re
import uuid

from .request_context import reset_request_id, set_request_id

_SAFE_ID = re.compile(r"^[A-Za-z0-9\-]{8,64}$")


class RequestIdMiddleware:
    """Tags each request (and its log lines and audit rows) with an id, honouring a proxy's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = set_request_id(request_id)
        try:
            response = self.get_response(request)
        finally:
            reset_request_id(token)
        response["X-Request-ID"] = request_id
        return response


class RequestSizeLimitMiddleware:
    """Refuses a request whose declared body is larger than UPLOAD_REQUEST_MAX_BYTES before anything
    reads it: DATA_UPLOAD_MAX_MEMORY_SIZE does not count uploaded files, so without this an anonymous
    form post could be any size."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.shortcuts import render

        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        limit = settings.UPLOAD_REQUEST_MAX_BYTES
        if declared > limit:
            return render(request, "413.html", {"limit_mb": limit // (1024 * 1024) or 1}, status=413)
        return self.get_response(request)
