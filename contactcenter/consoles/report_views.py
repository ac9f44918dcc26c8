"""Supervisors' reports beside the queue report: figures by interval, by agent, and the
cross-channel rates (IVR containment, Tier 2 transfers, first-contact resolution) by language and
by topic, on screen with charts or as CSV. Aggregates only: no caller's details."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from contactcenter import selectors
from contactcenter.common.exports import csv_response
from contactcenter.consoles import charts
from contactcenter.consoles.forms import (
    AgentReportForm,
    ContactRatesReportForm,
    IntervalReportForm,
    with_default_period,
)
from contactcenter.staff.roles import Role, roles_required
from contactcenter.templatetags.durations import language_name


def _queue_names() -> list[str]:
    return [config.name for config in selectors.queue_configs_list()]


def _csv_value(value):
    return round(value, 1) if isinstance(value, float) else value


# --- by interval -----------------------------------------------------------------------------------
INTERVAL_CSV_COLUMNS = [
    ("interval_start", "start"),
    ("offered", "contacts"),
    ("answered", "answered"),
    ("answered_within_service_level", "within"),
    ("abandoned", "abandoned"),
    ("short_abandons", "abandoned_short"),
    ("service_level_percent", "service_level_percent"),
    ("abandonment_percent", "abandonment_percent"),
    ("average_speed_of_answer_seconds", "asa"),
    ("average_handle_seconds", "aht"),
]


def interval_charts(rows: list[dict], minutes: int, *, several_days: bool) -> list[charts.Chart]:
    fmt = "%m-%d %H:%M" if several_days else "%H:%M"
    labels = [timezone.localtime(row["start"]).strftime(fmt) for row in rows]
    interval = _("Interval (%(minutes)s minutes)") % {"minutes": minutes}
    return [
        charts.bar_chart(
            chart_id="chart-offered",
            title=_("Calls offered, answered and abandoned by interval"),
            description=_(
                "Bars for each interval: calls offered to the queues, answered by an agent, and abandoned "
                "(short abandons left out). The table beside the chart has the same figures."
            ),
            category_label=interval,
            labels=labels,
            series=[
                charts.Series(_("Offered"), [row["contacts"] for row in rows]),
                charts.Series(_("Answered"), [row["answered"] for row in rows]),
                charts.Series(_("Abandoned"), [row["abandoned"] for row in rows]),
            ],
        ),
        charts.line_chart(
            chart_id="chart-service-level",
            title=_("Service level by interval"),
            description=_(
                "A line through each interval's service level: the share of calls answered within the queue's "
                "threshold, from 0 to 100%. The table beside the chart has the same figures."
            ),
            category_label=interval,
            labels=labels,
            series=[charts.Series(_("Service level"), [row["service_level_percent"] for row in rows])],
            unit="%",
            y_max=100,
        ),
    ]


@roles_required(Role.SUPERVISOR)
def interval_report(request: HttpRequest) -> HttpResponse:
    """The queue figures by 15- or 30-minute interval over a period of at most 31 days."""
    form = IntervalReportForm(with_default_period(request.GET), queue_names=_queue_names())
    rows: list[dict] = []
    minutes = 30
    if form.is_valid():
        minutes = form.cleaned_data["minutes"] or 30
        rows = selectors.queue_by_interval(
            start=form.cleaned_data["start"],
            end=form.cleaned_data["end"],
            minutes=minutes,
            queue_name=form.cleaned_data["queue_name"] or None,
            language=form.cleaned_data["language"] or None,
        )
        if request.GET.get("format") == "csv":
            start, end = form.cleaned_data["start"], form.cleaned_data["end"]
            response, writer = csv_response(f"queue-intervals-{minutes}min-{start:%Y%m%d}-{end:%Y%m%d}.csv")
            writer.writerow([header for header, _key in INTERVAL_CSV_COLUMNS])
            for row in rows:
                writer.writerow(
                    [
                        timezone.localtime(row["start"]).isoformat(timespec="minutes")
                        if key == "start"
                        else _csv_value(row.get(key))
                        for _header, key in INTERVAL_CSV_COLUMNS
                    ]
                )
            return response
    several_days = form.is_valid() and form.cleaned_data["start"] != form.cleaned_data["end"]
    return render(
        request,
        "contactcenter/report_intervals.html",
        {
            "form": form,
            "refused": not form.is_valid(),
            "rows": rows,
            "minutes": minutes,
            "charts": interval_charts(rows, minutes, several_days=several_days) if form.is_valid() else [],
        },
        status=400 if not form.is_valid() else 200,
    )


# --- by agent --------------------------------------------------------------------------------------
AGENT_CSV_COLUMNS = [
    ("agent", "username"),
    ("name", "name"),
    ("answered", "answered"),
    ("completed", "completed"),
    ("average_handle_seconds", "aht"),
    ("average_talk_and_hold_seconds", "talk"),
    ("average_after_call_work_seconds", "wrap"),
]


@roles_required(Role.SUPERVISOR)
def agent_report(request: HttpRequest) -> HttpResponse:
    """Each agent's conversations over a period of at most 31 days: answered, completed, average
    handle time (talk + hold + after-call work) and its parts."""
    form = AgentReportForm(with_default_period(request.GET), queue_names=_queue_names())
    rows: list[dict] = []
    if form.is_valid():
        rows = selectors.agent_figures(
            start=form.cleaned_data["start"],
            end=form.cleaned_data["end"],
            queue_name=form.cleaned_data["queue_name"] or None,
        )
        if request.GET.get("format") == "csv":
            start, end = form.cleaned_data["start"], form.cleaned_data["end"]
            response, writer = csv_response(f"agents-{start:%Y%m%d}-{end:%Y%m%d}.csv")
            writer.writerow([header for header, _key in AGENT_CSV_COLUMNS])
            for row in rows:
                writer.writerow([_csv_value(row[key]) for _header, key in AGENT_CSV_COLUMNS])
            return response
    return render(
        request,
        "contactcenter/report_agents.html",
        {"form": form, "refused": not form.is_valid(), "rows": rows},
        status=400 if not form.is_valid() else 200,
    )


# --- containment, Tier 2 transfers and first-contact resolution by language and topic --------------
RATES_CSV_COLUMNS = [
    "split",
    "key",
    "ivr_self_served",
    "ivr_finished",
    "containment_percent",
    "tier1_escalated_to_tier2",
    "tier1_contacts",
    "tier2_transfer_percent",
    "first_contacts_resolved",
    "first_contacts",
    "fcr_percent",
]


def _topic_names() -> dict[str, str]:
    spanish = (get_language() or "en").startswith("es")
    return {
        topic.code: (topic.name_es if spanish else topic.name_en) for topic in selectors.topic_list(active_only=False)
    }


@roles_required(Role.SUPERVISOR)
def contact_rates_report(request: HttpRequest) -> HttpResponse:
    """IVR containment, Tier 2 transfer rate and first-contact resolution over a period, split by
    language and by topic (each as the ledger's selectors define it, the wallboard's figures)."""
    form = ContactRatesReportForm(with_default_period(request.GET))
    splits: list[tuple[str, str, list]] = []
    overall = None
    containment_chart = None
    if form.is_valid():
        start, end = _period(form.cleaned_data["start"], form.cleaned_data["end"])
        topics = _topic_names()
        by_language = selectors.rates_split(start=start, end=end, by="language")
        by_topic = selectors.rates_split(start=start, end=end, by="topic")
        overall = {
            "containment": selectors.ivr_containment(start=start, end=end),
            "tier2": selectors.tier2_transfer_rate(start=start, end=end),
            "fcr": selectors.first_contact_resolution(start=start, end=end),
        }
        splits = [
            ("language", _("By language"), [(language_name(row.key), row) for row in by_language]),
            ("topic", _("By topic"), [(topics.get(row.key, row.key or _("No topic")), row) for row in by_topic]),
        ]
        if request.GET.get("format") == "csv":
            first, last = form.cleaned_data["start"], form.cleaned_data["end"]
            response, writer = csv_response(f"contact-rates-{first:%Y%m%d}-{last:%Y%m%d}.csv")
            writer.writerow(RATES_CSV_COLUMNS)
            for split, rows in (("language", by_language), ("topic", by_topic)):
                for row in rows:
                    writer.writerow(
                        [split, row.key or ""]
                        + [
                            value
                            for rate in (row.containment, row.tier2, row.fcr)
                            for value in (rate.numerator, rate.denominator, rate.percent)
                        ]
                    )
            return response
        with_ivr = [(name, row) for name, row in splits[1][2] if row.containment.denominator]
        containment_chart = charts.bar_chart(
            chart_id="chart-containment",
            title=_("IVR containment by topic"),
            description=_(
                "A bar for each topic: the share of finished IVR calls about it that ended in self-service "
                "without asking for an agent, from 0 to 100%. The table beside the chart has the same figures."
            ),
            category_label=_("Topic"),
            labels=[name for name, _row in with_ivr],
            series=[charts.Series(_("IVR containment"), [row.containment.percent for _name, row in with_ivr])],
            unit="%",
            y_max=100,
        )
    return render(
        request,
        "contactcenter/report_contact_rates.html",
        {
            "form": form,
            "refused": not form.is_valid(),
            "overall": overall,
            "splits": splits,
            "chart": containment_chart,
        },
        status=400 if not form.is_valid() else 200,
    )


def _period(start: date, end: date) -> tuple[datetime, datetime]:
    """The moments of the days [start, end] (local days), as the wallboard's periods count them."""
    lo = timezone.make_aware(datetime.combine(start, datetime.min.time()))
    return lo, timezone.make_aware(datetime.combine(end + timedelta(days=1), datetime.min.time()))
