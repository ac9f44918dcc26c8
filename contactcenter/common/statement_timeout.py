"""What a request does when Postgres cancels one of its statements (settings: STATEMENT_TIMEOUT_MS).

The wallboard catches it per section (contactcenter/consoles/wallboard.py); anywhere else the middleware
answers "the system is busy" with a 503 rather than a 500 traceback."""

from __future__ import annotations

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader

logger = logging.getLogger(__name__)

QUERY_CANCELED = "57014"  # SQLSTATE query_canceled: statement_timeout or a cancel request


def is_statement_timeout(exc: BaseException) -> bool:
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    return getattr(cause, "pgcode", None) == QUERY_CANCELED or getattr(cause, "sqlstate", None) == QUERY_CANCELED


# SQLSTATE classes of a server that went away: connection exceptions (08…), and admin shutdown,
# crash shutdown and "cannot connect now" (a server shutting down or starting up).
CONNECTION_LOST = ("08", "57P01", "57P02", "57P03")


def is_database_unavailable(exc: BaseException | None) -> bool:
    """The database could not be reached or ended the session: a restart or a fail-over, over in
    seconds, and nothing wrong with the request. (libpq's own connection failures carry no SQLSTATE.)"""
    if isinstance(exc, InterfaceError):
        return True
    if not isinstance(exc, OperationalError) or is_statement_timeout(exc):
        return False
    code = getattr(exc.__cause__, "pgcode", None)
    return code is None or code.startswith(CONNECTION_LOST)


class StatementTimeoutMiddleware:
    """A cancelled statement answers 503 "busy, try again", in the viewer's language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_statement_timeout(exception):
            return None
        logger.warning("statement timeout: %s %s answered 503", request.method, request.path)
        if request.path_info.startswith("/api/"):
            response = JsonResponse({"detail": "The system is busy; try again in a moment."}, status=503)
        else:
            # No context processors: they would query the database that just said no.
            response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = "5"
        return response
