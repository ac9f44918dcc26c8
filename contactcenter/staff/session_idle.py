"""Idle session timeout (AC-11/AC-12). A signed-in session ends SESSION_IDLE_SECONDS after the user
last did something. Polling is not doing something: the console's and the wallboard's htmx polls
(and the page's own idle check) send `X-Poll: 1`, and such a request never moves the last-activity
time, so an open tab no longer keeps a session alive for ever.

Every response to a signed-in session says how long is left (X-Session-Idle-Remaining); the page
(static/js/session-idle.js) warns SESSION_IDLE_WARNING_SECONDS before the end."""

from __future__ import annotations

import time
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

LAST_ACTIVITY_KEY = "_ncsc_last_activity"
REMAINING_HEADER = "X-Session-Idle-Remaining"


def is_poll(request) -> bool:
    return request.headers.get("X-Poll") == "1"


def _signed_out_response(request) -> HttpResponse:
    """For a poll or an htmx request: 401, and htmx takes the whole page to the sign-in page (a
    redirect would be followed inside the request and the sign-in form swapped into a panel)."""
    page = urlsplit(request.htmx.current_url or "").path or request.path
    response = HttpResponseClientRedirect(
        f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': page})}",
        content=_("Your session has ended."),
        status=401,
        content_type="text/plain; charset=utf-8",
    )
    response["Cache-Control"] = "no-store"
    return response


class IdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        poll = is_poll(request)
        asynchronous = poll or bool(request.htmx)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            if poll:
                return _signed_out_response(request)
            return self.get_response(request)

        now = time.time()
        last = request.session.get(LAST_ACTIVITY_KEY)
        idle_limit = settings.SESSION_IDLE_SECONDS
        if last is not None and now - float(last) >= idle_limit:
            request.session_idle_timed_out = True
            logout(request)
            if asynchronous:
                return _signed_out_response(request)
            minutes = max(1, idle_limit // 60)
            messages.info(
                request, _("You were signed out after %(minutes)d minutes without activity.") % {"minutes": minutes}
            )
            return self.get_response(request)

        if not poll or last is None:
            last = now
            request.session[LAST_ACTIVITY_KEY] = now
        remaining = max(0, int(idle_limit - (now - float(last))))
        request.session_idle = {"remaining": remaining, "warning": settings.SESSION_IDLE_WARNING_SECONDS}
        response = self.get_response(request)
        if request.user.is_authenticated:
            response[REMAINING_HEADER] = str(remaining)
        return response
