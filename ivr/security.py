"""Twilio request signatures: every /ivr/ webhook answers only Twilio (403 otherwise)."""

from __future__ import annotations

import logging
from functools import wraps

from django.conf import settings
from django.http import HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from twilio.request_validator import RequestValidator

from contactcenter.roles import public

logger = logging.getLogger(__name__)


def public_url(request) -> str:
    """The URL Twilio called: PUBLIC_BASE_URL + path when set (behind a proxy), else as received
    (scheme from X-Forwarded-Proto when SECURE_PROXY_SSL_HEADER trusts it)."""
    base = getattr(settings, "PUBLIC_BASE_URL", "")
    if base:
        return base + request.get_full_path()
    return request.build_absolute_uri()


def signature_valid(request) -> bool:
    token = settings.TWILIO_AUTH_TOKEN
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token or not signature:
        return False
    return RequestValidator(token).validate(public_url(request), request.POST.dict(), signature)


def twilio_signed(view):
    """CSRF does not apply (Twilio holds no cookie); the signature is the lock instead."""

    @csrf_exempt
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method != "POST":
            return HttpResponseForbidden("Twilio webhooks are POST only.")
        if not signature_valid(request):
            logger.warning("refused unsigned or forged Twilio request to %s", request.path)
            return HttpResponseForbidden("Invalid Twilio signature.")
        return view(request, *args, **kwargs)

    wrapped.twilio_webhook = True
    return public(wrapped)
