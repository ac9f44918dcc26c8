"""The public pages of case-status updates: ask for them (a code is sent first, and nothing else
until it is entered), enter the code, and unsubscribe from an e-mail's link. Open to anyone, in
English and Spanish; each POST counted per address (contactcenter/common/ratelimit.py)."""

from __future__ import annotations

import hashlib
import re

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from contactcenter import services
from contactcenter.audit.context import AuditContext, client_ip
from contactcenter.common import ratelimit
from contactcenter.common.errors import ApplicationError
from contactcenter.common.forms import form_refuse
from contactcenter.models import SubscriptionSource, SubscriptionStatus, UpdateChannel
from contactcenter.staff.roles import public

from .forms import ConfirmCodeForm, PublicSubscribeForm


def _over(request: HttpRequest, kind: str, limit: int) -> bool:
    return ratelimit.hit(f"status-updates:{kind}:{client_ip(request) or '-'}", window_seconds=3600) > limit


def _address_key(channel: str, address: str) -> str:
    """The same for every way of writing one address (a phone's digits), and safe in a cache key."""
    value = re.sub(r"\D", "", address)[-10:] if channel == UpdateChannel.SMS else address.strip().lower()
    return hashlib.sha256(f"{channel}:{value}".encode()).hexdigest()[:32]


@public
@require_http_methods(["GET", "POST"])
def subscribe(request: HttpRequest) -> HttpResponse:
    form = PublicSubscribeForm(request.POST or None)
    throttled = request.method == "POST" and _over(request, "ask", settings.STATUS_UPDATES_ASKS_PER_HOUR)
    if throttled:
        form.add_error(None, _("Too many requests from your connection. Try again in an hour."))
    elif request.method == "POST" and form.is_valid():
        # A code per address per hour, whoever asks: the page must not become a way to flood a phone.
        address_key = "status-updates:codes:" + _address_key(form.cleaned_data["channel"], form.address)
        if ratelimit.hit(address_key, window_seconds=3600) > settings.STATUS_UPDATES_CODES_PER_ADDRESS:
            throttled = True
            form.add_error(None, _("We already sent several codes there. Try again in an hour."))
        else:
            try:
                subscription = services.status_subscription_create(
                    context=AuditContext.from_request(request),
                    receipt_number=form.cleaned_data["receipt_number"],
                    channel=form.cleaned_data["channel"],
                    to=form.address,
                    language=(translation.get_language() or "en")[:2],
                    source=SubscriptionSource.WEB,
                )
            except ApplicationError as error:
                form_refuse(form, error)
            else:
                return redirect("status-subscribe-confirm", token=services.status_confirm_token(subscription))
    return render(
        request,
        "contactcenter/subscriptions/subscribe.html",
        {"form": form},
        status=429 if throttled else 400 if form.is_bound and form.errors else 200,
    )


@public
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    subscription = services.status_subscription_from_token(token, purpose="confirm")
    if subscription is None:
        return render(request, "contactcenter/subscriptions/bad_link.html", status=404)
    form = ConfirmCodeForm(request.POST or None)
    status = 200
    confirmed = subscription.status == SubscriptionStatus.CONFIRMED and not subscription.confirm_code
    if request.method == "POST" and not confirmed:
        if _over(request, "confirm", settings.STATUS_UPDATES_CONFIRMS_PER_HOUR):
            form.add_error(None, _("Too many tries from your connection. Try again in an hour."))
            status = 429
        elif form.is_valid():
            outcome = services.status_subscription_confirm(
                context=AuditContext.from_request(request),
                subscription_id=subscription.pk,
                code=form.cleaned_data["code"],
            )
            if outcome == services.ConfirmOutcome.CONFIRMED:
                confirmed = True
            elif outcome == services.ConfirmOutcome.WRONG:
                form.add_error("code", _("That is not the code we sent. Check it and try again."))
            else:
                form.add_error(None, _("This code can no longer be used. Ask for updates again to get a new code."))
        if not confirmed and form.errors and status == 200:
            status = 400
    return render(
        request,
        "contactcenter/subscriptions/confirm.html",
        {
            "form": form,
            "confirmed": confirmed,
            "by_text": subscription.channel == UpdateChannel.SMS,
            "address": subscription.masked_to,
        },
        status=status,
    )


# The token in the link is the credential (no session to forge a request from), and a mail client's
# one-click unsubscribe (RFC 8058) POSTs without a CSRF token.
@csrf_exempt
@public
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the button (a mail scanner following links unsubscribes no one); POST ends it."""
    subscription = services.status_subscription_from_token(token, purpose="unsubscribe")
    if subscription is None:
        return render(request, "contactcenter/subscriptions/bad_link.html", status=404)
    if request.method == "POST":
        services.status_subscription_end(
            context=AuditContext.from_request(request), subscription_id=subscription.pk, reason="unsubscribe-link"
        )
        subscription.refresh_from_db()
    return render(
        request,
        "contactcenter/subscriptions/unsubscribe.html",
        {"ended": subscription.status == SubscriptionStatus.ENDED, "address": subscription.masked_to},
    )
