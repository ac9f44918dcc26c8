"""API rate limits (DRF throttles on the shared cache). Rates are read when a request is throttled,
not when the class is defined, so REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] is the one place to set them."""

from __future__ import annotations

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle, UserRateThrottle


class _CurrentRates:
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_ident(self, request):
        # DRF's own reading trusts the whole client-sent X-Forwarded-For; ours trusts our proxies only.
        from contactcenter.audit.context import client_ip

        return client_ip(request) or "-"


class UserThrottle(_CurrentRates, UserRateThrottle):
    """Every request of a signed-in user (or token), per user."""


class AnonThrottle(_CurrentRates, AnonRateThrottle):
    """Every request without credentials, per client address."""


class WriteThrottle(_CurrentRates, UserRateThrottle):
    """Writes (a service request, an address change, a draft, a merge) at a stricter rate, per user."""

    scope = "write"

    def allow_request(self, request, view):
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        return super().allow_request(request, view)


class ScopedThrottle(_CurrentRates, ScopedRateThrottle):
    """A view's own `throttle_scope` (minting API tokens)."""
