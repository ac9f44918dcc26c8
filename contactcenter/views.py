from __future__ import annotations

import logging
import sys
from datetime import datetime, timedelta

from django.contrib.auth import views as auth_views
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from contactcenter import selectors, services
from contactcenter.audit.context import record_view
from contactcenter.common.broker import broker_status
from contactcenter.common.cache import cache_status
from contactcenter.common.exports import csv_response
from contactcenter.common.statement_timeout import is_database_unavailable
from contactcenter.consoles import wallboard_figures
from contactcenter.consoles.forms import HistoryReportForm, ReceiptLookupForm, with_default_period
from contactcenter.consoles.registry import landing_console
from contactcenter.consoles.subscription_views import SUBSCRIBE_ROLES
from contactcenter.consoles.wallboard import TooSlow, WallboardAlert, section, wallboard_alerts
from contactcenter.models import AgentStatus, Channel
from contactcenter.reference.identifiers import mask_receipt_number
from contactcenter.staff.roles import CASE_PII_ROLES, PUBLIC, Role, has_any_role, public, roles_required, user_roles
from contactcenter.subscriptions.forms import ConsoleSubscribeForm
from contactcenter.telephony.softphone import voice_device_script
from contactcenter.templatetags.durations import wait_time

logger = logging.getLogger(__name__)


@public
def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("login")
    held = user_roles(request.user)
    landing = landing_console(held)
    if landing is not None and request.GET.get("choose") is None:
        return redirect(landing.url)
    return render(request, "contactcenter/home.html", {"landing": landing})


class LoginView(auth_views.LoginView):
    allowed_roles = PUBLIC
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_success_url(self) -> str:
        url = self.get_redirect_url()
        if url:
            return url
        landing = landing_console(user_roles(self.request.user))
        return landing.url if landing else "/"


class LogoutView(auth_views.LogoutView):
    allowed_roles = PUBLIC


@public
@never_cache
@require_GET
def session_status(request: HttpRequest) -> JsonResponse:
    """Seconds left before the idle sign-out. Asked with `X-Poll: 1` it only reports; asked without,
    it is activity (the "Stay signed in" button) and starts the idle time again."""
    if not request.user.is_authenticated:
        return JsonResponse({"remaining": 0}, status=401)
    return JsonResponse({"remaining": request.session_idle["remaining"]})


SIDE_PANEL_HEADER = "X-Side-Panel"


def side_panel(request: HttpRequest) -> bool:
    """The request comes from the agent console's side panel, which shows a page's content only."""
    return request.headers.get(SIDE_PANEL_HEADER) == "1"


def _vary_on_panel(response: HttpResponse) -> HttpResponse:
    patch_vary_headers(response, [SIDE_PANEL_HEADER])
    return response


@roles_required(*CASE_PII_ROLES)
def case_history(request: HttpRequest, receipt_number: str) -> HttpResponse:
    # Asked by the agent console's side panel (static/js/side-panel.js): the same page without its frame.
    template = "contactcenter/_case_history_panel.html" if side_panel(request) else "contactcenter/case_history.html"
    form = ReceiptLookupForm({"receipt_number": receipt_number})
    if not form.is_valid():
        return _vary_on_panel(render(request, template, {"form": form, "interactions": None}, status=400))
    value = form.cleaned_data["receipt_number"]
    timeline = selectors.contact_timeline(user=request.user, receipt_number=value)
    interactions = [entry.interaction for entry in timeline if entry.interaction is not None]
    recordings = selectors.recordings_by_interaction(user=request.user, interaction_ids=[i.pk for i in interactions])
    for interaction in interactions:  # a supervisor's link to listen to each conversation's recording
        interaction.call_recordings = recordings.get(interaction.pk, [])
    surveys = list(selectors.survey_responses_for_receipt_number(user=request.user, receipt_number=value))
    case = selectors.case_get(receipt_number=value)
    identity_visible = selectors.case_identity_visible(user=request.user, case=case)
    verdict = selectors.case_processing_verdict(case=case) if case else None
    form_orders = list(selectors.form_orders_for_case(case=case)[:20]) if case else []
    subscriptions = list(selectors.status_subscriptions_for_case(case=case)) if case else []
    can_subscribe = case is not None and has_any_role(request.user, SUBSCRIBE_ROLES)
    record_view(
        request,
        target_type="receipt_number",
        target_id=value,
        summary=f"Viewed the contact history of {mask_receipt_number(value)}",
        detail={
            "contacts_shown": len(interactions),
            "timeline_entries_shown": len(timeline),
            "survey_answers_shown": len(surveys),
            "case_on_file": case is not None,
            "identity_shown": identity_visible,
            "form_orders_shown": [order.pk for order in form_orders],
            "status_subscriptions_shown": [subscription.pk for subscription in subscriptions],
        },
    )
    return _vary_on_panel(
        render(
            request,
            template,
            {
                "form": form,
                "receipt_number": value,
                "interactions": interactions,
                "timeline": timeline,
                "surveys": surveys,
                "case": case,
                "identity_visible": identity_visible,
                "history": list(selectors.case_history(case=case)) if case else [],
                "outside_normal": verdict.outside_normal if verdict else None,
                "processing_time": verdict.processing_time if verdict else None,
                "form_orders": form_orders,
                "subscriptions": subscriptions,
                "can_subscribe": can_subscribe,
                "subscribe_form": ConsoleSubscribeForm(auto_id="updates-%s") if can_subscribe else None,
            },
        )
    )


def _queue_alerts(stats, now: datetime) -> list[WallboardAlert]:
    """A queue with callers waiting and no agent signed on, a queue whose longest wait passed its
    service-level threshold, or whose service level today fell below its target: computed from the
    shared figures, no query of its own. The key stays the same while the alert stands, so it is
    announced once (static/js/page.js)."""
    if isinstance(stats, TooSlow):
        return []
    alerts = []
    for row in stats:
        if row.unstaffed:
            alerts.append(
                WallboardAlert(
                    key=f"queue-unstaffed-{row.name}",
                    text=_("%(queue)s: %(waiting)s caller(s) waiting and no agent signed on.")
                    % {"queue": row.name, "waiting": row.waiting},
                    raised_at=now,
                )
            )
        if row.waiting and row.longest_wait_seconds > row.service_level_seconds:
            alerts.append(
                WallboardAlert(
                    key=f"queue-wait-{row.name}",
                    text=_("%(queue)s: the longest wait (%(wait)s) is over the service-level threshold (%(limit)s s).")
                    % {
                        "queue": row.name,
                        "wait": wait_time(row.longest_wait_seconds),
                        "limit": row.service_level_seconds,
                    },
                    raised_at=now,
                )
            )
        if row.service_level_percent is not None and row.service_level_percent < row.service_level_target_percent:
            alerts.append(
                WallboardAlert(
                    key=f"queue-sl-{row.name}",
                    text=_("%(queue)s: today's service level (%(level)s%%) is below the target (%(target)s%%).")
                    % {
                        "queue": row.name,
                        "level": row.service_level_percent,
                        "target": row.service_level_target_percent,
                    },
                    raised_at=now,
                )
            )
    return alerts


def _wallboard_alerts(stats, now: datetime) -> list[WallboardAlert] | TooSlow:
    others = section("alerts", wallboard_alerts)
    queues = _queue_alerts(stats, now)
    if isinstance(others, TooSlow):
        return queues or others
    return queues + others


def _wallboard_context(user=None) -> dict:
    figures = wallboard_figures.read("live")
    stats = figures["queue_stats"]
    return {
        **figures,
        # Per viewer: alert texts and agent-state labels are in the viewer's language, and the call the
        # supervisor is in themselves.
        "alerts": _wallboard_alerts(stats, figures["now"]),
        "my_monitor": selectors.monitor_session_of(user=user) if user is not None else None,
        "queues": stats
        if isinstance(stats, TooSlow)
        else [
            (row, [(AgentStatus(state).label, count) for state, count in sorted(row.agents.items())]) for row in stats
        ],
    }


@roles_required(Role.SUPERVISOR)
def wallboard(request: HttpRequest) -> HttpResponse:
    volume = wallboard_figures.read("volume")["volume"]
    context = _wallboard_context(request.user)
    context.update(
        force_states=[(state, AgentStatus(state).label) for state in services.FORCEABLE_STATES],
        reasons=wallboard_figures.read("reasons")["reasons"],
        voice_device_script=voice_device_script(),
    )
    if isinstance(volume, TooSlow):
        context.update(by_channel=volume, by_topic=volume)
    else:
        context.update(
            by_channel=[(Channel(code).label, count) for code, count in volume["by_channel"]],
            by_topic=volume["by_topic"],
        )
    return render(request, "contactcenter/wallboard.html", context)


@roles_required(Role.SUPERVISOR)
@never_cache
def wallboard_live(request: HttpRequest) -> HttpResponse:
    """The wallboard's live part, refreshed by htmx every few seconds."""
    return render(request, "contactcenter/_wallboard_live.html", _wallboard_context(request.user))


@roles_required(Role.SUPERVISOR)
def queue_report(request: HttpRequest) -> HttpResponse:
    """Queue figures by day, queue and language over a period, on screen or as CSV, with each
    queue's totals for the period as the wallboard counts its "today" (queue_period_totals)."""
    form = HistoryReportForm(
        with_default_period(request.GET), queue_names=[config.name for config in selectors.queue_configs_list()]
    )
    rows, totals = [], []
    if form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        queue_name = form.cleaned_data["queue_name"] or None
        rows = selectors.queue_history(
            start=start, end=end, queue_name=queue_name, language=form.cleaned_data["language"] or None
        )
        if request.GET.get("format") == "csv":
            return _queue_report_csv(rows, start, end)
        lo = timezone.make_aware(datetime.combine(start, datetime.min.time()))
        hi = timezone.make_aware(datetime.combine(end + timedelta(days=1), datetime.min.time()))
        totals = sorted(
            (name, figures)
            for name, figures in selectors.queue_period_totals(start=lo, end=hi).items()
            if queue_name is None or name == queue_name
        )
    return render(
        request,
        "contactcenter/queue_report.html",
        {"form": form, "rows": rows, "totals": totals, "refused": not form.is_valid()},
        status=400 if not form.is_valid() else 200,
    )


CSV_COLUMNS = [
    ("day", "day"),
    ("queue", "queue_name"),
    ("language", "language"),
    ("contacts", "contacts"),
    ("answered", "answered"),
    ("answered_within_service_level", "within"),
    ("abandoned", "abandoned"),
    ("short_abandons", "abandoned_short"),
    ("service_level_percent", "service_level_percent"),
    ("abandonment_percent", "abandonment_percent"),
    ("average_speed_of_answer_seconds", "asa"),
    ("average_handle_seconds", "aht"),
    ("average_wrap_up_seconds", "wrap"),
]


def _queue_report_csv(rows: list[dict], start, end) -> HttpResponse:
    response, writer = csv_response(f"queues-{start:%Y%m%d}-{end:%Y%m%d}.csv")
    writer.writerow([header for header, _ in CSV_COLUMNS])
    for row in rows:
        writer.writerow(
            [
                round(value, 1) if isinstance(value, float) else value
                for value in (row.get(key) for _, key in CSV_COLUMNS)
            ]
        )
    return response


@public
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """What works now, in `checks`, and what is degraded, by name in `degraded` and in words in
    `message`. 503 while the database or the broker is down (background work waits), 200 while only
    the cache has fallen back to the database (everything works)."""
    checks: dict[str, str | None] = {}
    problems: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as error:  # any failure is reported, not raised
        logger.error("health check: database unavailable: %s", error)
        checks["database"] = "unavailable"
        problems["database"] = "Database unavailable: nothing can be saved."
    cache_ok, cache_backend = cache_status()
    checks["cache"] = "ok" if cache_ok else "degraded"
    checks["cache_backend"] = cache_backend
    if not cache_ok:
        problems["cache"] = (
            "Cache (Redis) unavailable: rate limits, sign-in lockouts and the wallboard use the database cache."
        )
    broker_ok, broker_detail = broker_status()
    checks["broker"] = "ok" if broker_ok else "unavailable"
    checks["broker_transport"] = broker_detail
    if not broker_ok:
        problems["broker"] = (
            "Broker unavailable: background work (confirmation e-mails, responses, texts, callbacks) waits; "
            "the sweeps send it when the broker returns."
        )
    last_seen = None
    if checks["database"] == "ok":
        try:
            last_seen = selectors.worker_last_seen()
        except DatabaseError as error:  # reachable but not migrated
            logger.error("health check: database not ready: %s", error)
            checks["database"] = "not migrated"
            problems["database"] = "Database not migrated."
    checks["worker_last_seen"] = last_seen.isoformat() if last_seen else None
    failing = "database" in problems or "broker" in problems
    status = "unavailable" if "database" in problems else "degraded" if problems else "ok"
    return JsonResponse(
        {
            "status": status,
            "checks": checks,
            "degraded": list(problems),
            "message": " ".join(problems.values()) or "All services answer.",
        },
        status=503 if failing else 200,
    )


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    logger.warning("access denied to %s for %s", request.path, getattr(request.user, "username", "anonymous"))
    return render(request, "403.html", status=403)


def _is_api(request: HttpRequest) -> bool:
    # An API client reads JSON whatever went wrong, as the schema documents; people read pages.
    return request.path_info.startswith("/api/")


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": "Bad request."}, status=400)
    return render(request, "400.html", status=400)


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # Called inside Django's handler of the uncaught exception: sys.exc_info() is that exception.
    if is_database_unavailable(sys.exc_info()[1]):
        # A database restart or fail-over, wherever it surfaced (a view, the session, a middleware):
        # the same request works again in seconds.
        if _is_api(request):
            response = JsonResponse({"detail": "The system is briefly unavailable; try again in a moment."}, status=503)
        else:
            response = HttpResponse(loader.get_template("503_unavailable.html").render(), status=503)
        response["Retry-After"] = "5"
        return response
    if _is_api(request):
        return JsonResponse({"detail": "Server error."}, status=500)
    # No context processors: the database may be what failed.
    return HttpResponseServerError(loader.get_template("500.html").render())


@public
@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page says: the static icon (served by whitenoise)."""
    from django.http import HttpResponsePermanentRedirect
    from django.templatetags.static import static

    return HttpResponsePermanentRedirect(static("favicon.ico"))
