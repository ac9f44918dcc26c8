from __future__ import annotations

import json
import logging
import re
import uuid
from importlib import import_module

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve

from contactcenter.common.request_context import reset_request_id, set_request_id

logger = logging.getLogger(__name__)
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


class NulRefusalMiddleware:
    """Refuses a NUL character wherever input arrives (path, query string, headers and cookies, form
    fields, JSON body) with a 400 naming where it was, before a session, a view or a query reads it:
    Postgres refuses NUL in text, so one in a filter or a session cookie was a 500. Files uploaded
    are left alone (binary files hold NULs). A view with a `refuse_bad_input(request)` hook answers in
    its own medium (Twilio's webhooks: spoken help in TwiML, with a 200, since Twilio plays its own
    "application error" for a 4xx); the API answers JSON; pages a 400 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        where = self._nul_in(request)
        if where is None:
            return self.get_response(request)
        logger.warning("refused a NUL character in %s of %s", where, request.path[:200])
        return self._refusal(request, where)

    def _nul_in(self, request) -> str | None:
        if "\x00" in request.path_info:
            return "the path"
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in query or "%00" in query:
            return self._query_parameter(request)
        for key, value in request.META.items():
            if (key.startswith("HTTP_") or key == "CONTENT_TYPE") and isinstance(value, str) and "\x00" in value:
                return "header " + key.removeprefix("HTTP_").replace("_", "-").title()
        for name, value in request.COOKIES.items():  # a quoted cookie's octal escape \000 decodes to NUL
            if "\x00" in name or "\x00" in value:
                return f"cookie {name.replace(chr(0), '')!r}"
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return None
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if not declared or declared > settings.UPLOAD_REQUEST_MAX_BYTES:
            return None  # nothing to read, or RequestSizeLimitMiddleware refuses it unread
        content_type = request.content_type
        if content_type == "multipart/form-data":
            for name, values in request.POST.lists():
                if "\x00" in name or any("\x00" in value for value in values):
                    return f"form field {name.replace(chr(0), '')!r}"
            for upload in request.FILES.values():
                if "\x00" in (upload.name or ""):
                    return "an uploaded file's name"
            return None
        body = request.body
        if content_type == "application/x-www-form-urlencoded":
            # %00 is the only spelling of an encoded NUL ("%2500" is the text "%00").
            return "a form field" if b"\x00" in body or b"%00" in body else None
        if content_type.endswith("json"):
            if b"\x00" in body:
                return "the JSON body"
            if b"\\u0000" in body and _json_holds_nul(body):
                return "the JSON body"
        return None

    @staticmethod
    def _query_parameter(request) -> str:
        for name, values in request.GET.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                return f"query parameter {name.replace(chr(0), '')!r}"
        return "the query string"

    @staticmethod
    def _refusal(request, where: str):
        try:
            view = resolve(request.path_info).func
        except Resolver404:
            view = None
        # A channel answers in its own medium (the IVR: spoken help) through the view's hook.
        refuse = getattr(view, "refuse_bad_input", None)
        if refuse is not None:
            return refuse(request)
        if where.startswith("cookie"):
            # The page must not load the session (or the user) from the cookie just refused.
            request.session = import_module(settings.SESSION_ENGINE).SessionStore()
            request.user = AnonymousUser()
        message = f"A NUL character is not accepted ({where})."
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": message}, status=400)
        return render(request, "400.html", {"where": where}, status=400)


def _json_holds_nul(body: bytes) -> bool:
    try:
        document = json.loads(body)
    except ValueError:
        return False  # not JSON: the parser refuses it with its own 400
    stack = [document]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False
