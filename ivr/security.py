"""Twilio request signatures: every /ivr/ webhook answers only Twilio (403 otherwise)."""

from __future__ import annotations

import logging
from functools import lru_cache, wraps
from urllib.parse import parse_qsl, urlparse

from django.conf import settings
from django.core.exceptions import TooManyFieldsSent
from django.http import HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from twilio.request_validator import RequestValidator, add_port, compare, remove_port

from contactcenter.staff.roles import public

logger = logging.getLogger(__name__)


def public_url(request) -> str:
    """The URL Twilio called: PUBLIC_BASE_URL + path when set (behind a proxy), else as received
    (scheme from X-Forwarded-Proto when SECURE_PROXY_SSL_HEADER trusts it)."""
    base = getattr(settings, "PUBLIC_BASE_URL", "")
    if base:
        return base + request.get_full_path()
    return request.build_absolute_uri()


@lru_cache(maxsize=4)
def _validator(token: str) -> RequestValidator:
    return RequestValidator(token)


class TwilioParams(dict):
    """Form parameters, each single-valued. `getall` is the multi-dict method RequestValidator looks
    for first: on a plain dict it tries two missing methods per parameter, and raising those
    AttributeErrors cost more than the HMAC (Twilio posts some 25 parameters)."""

    def getall(self, name: str) -> list[str]:
        return [self[name]]


def twilio_params(request) -> TwilioParams:
    """The webhook's form parameters (each single-valued in Twilio's requests), parsed once. Not
    Django's QueryDict: building one cost a webhook more CPU than its signature check."""
    params = getattr(request, "_twilio_params", None)
    if params is None:
        if request.content_type == "application/x-www-form-urlencoded":
            charset = request.encoding or "utf-8"
            limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
            try:
                pairs = parse_qsl(request.body.decode(charset, "replace"), keep_blank_values=True, max_num_fields=limit)
            except ValueError as error:  # Django answers 400, as it would for request.POST
                raise TooManyFieldsSent(f"More than {limit} fields in a Twilio webhook.") from error
            params = TwilioParams(pairs)
        else:
            params = TwilioParams(request.POST.dict())
        request._twilio_params = params
    return params


def signature_valid(request) -> bool:
    """RequestValidator.validate's rule (the URL without its port, or with the scheme's port), with
    the usual form tried first and the second HMAC computed only when the first does not match."""
    token = settings.TWILIO_AUTH_TOKEN
    signature = request.META.get("HTTP_X_TWILIO_SIGNATURE", "")
    if not token or not signature:
        return False
    validator = _validator(token)
    params = twilio_params(request)
    url = urlparse(public_url(request))
    first, second = (remove_port(url), add_port(url)) if url.port is None else (url.geturl(), remove_port(url))
    if compare(validator.compute_signature(first, params), signature):
        return True
    return second != first and compare(validator.compute_signature(second, params), signature)


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
    wrapped.refuse_bad_input = spoken_refusal
    return public(wrapped)


def spoken_refusal(request):
    """What a webhook says to input the core refuses unread (a NUL character): the apology, in both
    languages, with a 200 so Twilio plays it rather than its own "application error"."""
    from django.http import HttpResponse

    from .twiml import apology

    return HttpResponse(apology(language="", tier1_open=False), content_type="text/xml; charset=utf-8")
