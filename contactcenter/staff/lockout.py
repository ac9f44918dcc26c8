"""Sign-in lockout, on django-axes (database handler): failures are counted per username at one
address, per address across every username, and per account from every address, within
LOGIN_FAILURE_WINDOW_SECONDS of the last failure. The client address is `audit.client_ip`, the one
trusted-proxy rule."""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_lockout_parameters
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Sum
from django.shortcuts import render
from django.utils.translation import gettext as _

# The order of settings.AXES_LOCKOUT_PARAMETERS; the last is the account wherever its tries come from.
PER_ACCOUNT = "username"


def username_key(request, credentials: dict | None = None) -> str | None:
    """One counter per account whatever the case typed (usernames are compared as typed, so every
    case of a wrong name would otherwise be a fresh counter)."""
    data = credentials or getattr(request, "data", None) or request.POST
    username = data.get("username") if data else None
    return username.strip().lower()[:150] if username else username


class LockoutHandler(AxesDatabaseHandler):
    """Axes compares one failure count with one limit. The per-account count takes tries from every
    address, so it gets its own, higher limit (LOGIN_ACCOUNT_FAILURE_LIMIT): otherwise anyone could
    lock a colleague out everywhere with a handful of tries. Each parameter set's failures are scaled
    to the common limit, so the account is locked exactly at its own threshold."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        limit = settings.AXES_FAILURE_LIMIT
        parameters = get_lockout_parameters(request, credentials)
        worst = 0
        for parameter, attempts in zip(parameters, self.get_user_attempts(request, credentials), strict=True):
            failures = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            own_limit = settings.LOGIN_ACCOUNT_FAILURE_LIMIT if parameter == PER_ACCOUNT else limit
            worst = max(worst, failures * limit // own_limit)
        return worst


def lockout_response(request, original_response=None, credentials: dict | None = None):
    """The sign-in page again, saying why, in the page's language (429, never a bare text or a 500)."""
    minutes = max(1, settings.LOGIN_FAILURE_WINDOW_SECONDS // 60)
    context = {
        "form": AuthenticationForm(request),
        "next": request.POST.get("next", "") if request.method == "POST" else "",
        "lockout_message": _("Too many failed sign-in attempts. Wait %(minutes)d minutes or contact the service desk.")
        % {"minutes": minutes},
    }
    return render(request, "registration/login.html", context, status=429)
