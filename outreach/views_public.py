"""The public side of outreach: engagement registration, calendars, cancellation, reports back.
Open to anyone, in English and Spanish (the language the visitor chose or their browser asks)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from contactcenter.audit.context import AuditContext, client_ip
from contactcenter.common import ratelimit
from contactcenter.common.agency import agency_public_name
from contactcenter.common.errors import ApplicationError
from contactcenter.common.forms import form_refuse
from contactcenter.models import US_TIME_ZONES
from contactcenter.staff.roles import public

from . import ics, selectors, services
from .forms import PublicEventFilterForm, RegistrationForm
from .models import Engagement, Registration, RegistrationStatus
from .regions import US_STATE_NAMES

# Registrations one address may submit per hour: a public form must not become a spam cannon for
# confirmation e-mails.
REGISTRATIONS_PER_HOUR = 20


def _over_limit(request: HttpRequest) -> bool:
    return ratelimit.hit(f"outreach-register:{client_ip(request) or '-'}", window_seconds=3600) > REGISTRATIONS_PER_HOUR


def _engagement(engagement_id: int) -> Engagement:
    """A published engagement: a draft is not found."""
    try:
        return selectors.engagement_public_get(engagement_id=engagement_id)
    except Engagement.DoesNotExist as error:
        raise Http404 from error


def _visitor_zone(request: HttpRequest) -> str:
    """The time zone the visitor chose on the events list (carried to the registration page), if one we offer."""
    zone = request.GET.get("tz", "")
    return zone if zone in dict(US_TIME_ZONES) else ""


def _language() -> str:
    return (translation.get_language() or "en")[:2]


def _public(request: HttpRequest, template: str, context: dict, **kwargs) -> HttpResponse:
    """Every public page names the agency as the public knows it (the default name in the visitor's language)."""
    return render(request, template, {"agency_public_name": agency_public_name(), **context}, **kwargs)


@dataclass
class PublicEvent:
    engagement: Engagement
    title: str
    starts: datetime
    ends: datetime
    zone: str
    description: str
    state_name: str


def _local(engagement: Engagement):
    return timezone.localtime(engagement.starts_at, ZoneInfo(engagement.time_zone)), timezone.localtime(
        engagement.ends_at, ZoneInfo(engagement.time_zone)
    )


def _shown(engagement: Engagement, visitor_zone: str = "") -> PublicEvent:
    """An engagement as a visitor reads it: its title in their language, and an online one's time in
    the zone they chose (an in-person one keeps the zone of the place)."""
    zone = visitor_zone if (visitor_zone and engagement.is_online) else engagement.time_zone
    return PublicEvent(
        engagement=engagement,
        title=engagement.title_in(_language()),
        description=engagement.description_in(_language()),
        starts=timezone.localtime(engagement.starts_at, ZoneInfo(zone)),
        ends=timezone.localtime(engagement.ends_at, ZoneInfo(zone)),
        zone=zone,
        state_name=US_STATE_NAMES.get(engagement.state, ""),
    )


@public
def engagement_list(request: HttpRequest) -> HttpResponse:
    filters = PublicEventFilterForm(request.GET or None, auto_id="id_filter_%s")
    chosen = filters.cleaned_data if filters.is_valid() else {}
    engagements = selectors.engagement_public_list(state=chosen.get("state", ""), language=chosen.get("language", ""))
    return _public(
        request,
        "outreach/public/list.html",
        {
            "events": [_shown(e, chosen.get("tz", "")) for e in engagements],
            "visitor_zone": chosen.get("tz", ""),
            "filters": filters,
            "filtered": bool(chosen.get("state") or chosen.get("language")),
        },
    )


@public
@require_http_methods(["GET", "POST"])
def engagement_register(request: HttpRequest, engagement_id: int) -> HttpResponse:
    engagement = _engagement(engagement_id)
    now = timezone.now()
    form = RegistrationForm(request.POST or None)
    throttled = request.method == "POST" and _over_limit(request)
    if throttled:
        form.add_error(None, _("Too many registrations from your connection. Try again in an hour."))
    elif request.method == "POST" and form.is_valid():
        try:
            registration = services.registration_create(
                context=AuditContext.from_request(request),
                engagement_id=engagement.pk,
                language=_language(),
                **form.cleaned_data,
            )
        except ApplicationError as error:
            form_refuse(form, error)
        else:
            return redirect("outreach:registration-done", token=services.registration_cancel_token(registration))
    starts, ends = _local(engagement)
    return _public(
        request,
        "outreach/public/register.html",
        {
            "engagement": engagement,
            "event": _shown(engagement, _visitor_zone(request)),
            "starts": starts,
            "ends": ends,
            "form": form,
            "closed": now >= engagement.registration_closes_at,
            "full": engagement.registered >= engagement.capacity,
        },
        status=429 if throttled else 400 if form.is_bound and form.errors else 200,
    )


def _can_cancel(registration: Registration) -> bool:
    """The registrant's own link (no staff member) may cancel it: the workflow table says when."""
    return "cancel" in selectors.registration_allowed_actions(registration=registration, user=None)


@public
def registration_done(request: HttpRequest, token: str) -> HttpResponse:
    registration = services.registration_from_token(token)
    if registration is None:
        return _public(request, "outreach/public/bad_link.html", {}, status=404)
    starts, _ends = _local(registration.engagement)
    return _public(
        request,
        "outreach/public/registered.html",
        {
            "registration": registration,
            "engagement": registration.engagement,
            "event": _shown(registration.engagement),
            "reply_days": settings.OUTREACH_REPLY_BUSINESS_DAYS,
            "starts": starts,
            "waitlisted": registration.status == RegistrationStatus.WAITLISTED,
            "cancelled": registration.status == RegistrationStatus.CANCELLED,
            "can_cancel": _can_cancel(registration),
            "engagement_cancelled": registration.engagement.cancelled_at is not None,
            "token": token,
        },
    )


@public
@require_http_methods(["GET", "POST"])
def registration_cancel(request: HttpRequest, token: str) -> HttpResponse:
    registration = services.registration_from_token(token)
    if registration is None:
        return _public(request, "outreach/public/bad_link.html", {}, status=404)
    if request.method == "POST" and _can_cancel(registration):
        registration = services.registration_cancel(
            context=AuditContext.from_request(request), registration_id=registration.pk
        )
    return _public(
        request,
        "outreach/public/cancel.html",
        {
            "registration": registration,
            "engagement": registration.engagement,
            "event": _shown(registration.engagement),
            "can_cancel": _can_cancel(registration),
        },
    )


def _ics_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@public
def engagement_ics(request: HttpRequest, engagement_id: int) -> HttpResponse:
    engagement = _engagement(engagement_id)
    return _ics_response(ics.calendar_for([engagement], name=engagement.title), f"engagement-{engagement.pk}.ics")


@public
def calendar_feed(request: HttpRequest) -> HttpResponse:
    return _ics_response(
        ics.calendar_for(selectors.engagement_public_list(), name=_("USCIS public engagements")), "engagements.ics"
    )


@public
def report_public(request: HttpRequest, uid) -> HttpResponse:
    report = selectors.report_back_by_uid(uid=uid)
    if report is None:
        raise Http404
    items = selectors.feedback_reported_back(engagement=report.engagement)
    return _public(
        request, "outreach/public/report.html", {"report": report, "engagement": report.engagement, "items": items}
    )
