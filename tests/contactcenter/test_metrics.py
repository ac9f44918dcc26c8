"""Issue 15: the figures as the industry defines them. Average handle time is talk + hold +
after-call work; short abandons (a supervisor's setting) leave the abandonment rate and service level;
containment, Tier 2 transfers and first-contact resolution split by language and topic; reports by
interval and by agent with CSV; the queue report agrees with the wallboard; charts are SVG with a
table beside them."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from contactcenter import selectors, services
from contactcenter.audit.context import AuditContext
from contactcenter.consoles import wallboard_figures
from contactcenter.models import Channel, ContactStatus, Outcome, QueueConfig, WaitingContact
from contactcenter.staff.roles import Role
from tests.contactcenter.live_tier.calls import _ivr_contact, _signed_in
from tests.factories import queue_settings_form

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

MOMENT = datetime(2026, 11, 30, 18, 0, tzinfo=UTC)  # a Monday, 1 p.m. in New York


@pytest.fixture(autouse=True)
def _clock(at_time):
    with at_time(MOMENT):
        yield


def _csv(response) -> list[dict]:
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


# --- average handle time ------------------------------------------------------------------------
def test_average_handle_time_is_talk_plus_hold_plus_after_call_work_on_every_page(make_staff):
    supervisor, csr = make_staff(Role.SUPERVISOR), make_staff(Role.CSR, first_name="Ana", last_name="Ruiz")
    context = AuditContext(actor=csr)
    services.agent_state_set(context=context, user=csr, state="available")
    contact = _ivr_contact(receipt_number="EAC2190000001")
    start = contact.enqueued_at + timedelta(seconds=20)
    services.route_next(queue_name="tier1-en", now=start)
    services.contact_answer(context=context, user=csr, contact_id=contact.pk, now=start)
    # 60 s talk, 30 s on hold, 210 s more talk: 300 s from answer to end.
    services.contact_hold(
        context=context, user=csr, contact_id=contact.pk, hold=True, now=start + timedelta(seconds=60)
    )
    services.contact_hold(
        context=context, user=csr, contact_id=contact.pk, hold=False, now=start + timedelta(seconds=90)
    )
    services.contact_complete(context=context, user=csr, contact_id=contact.pk, now=start + timedelta(seconds=300))
    services.contact_wrap_up(
        context=context, user=csr, contact_id=contact.pk, disposition="resolved", now=start + timedelta(seconds=345)
    )
    contact.refresh_from_db()
    assert (contact.handle_seconds, contact.wrap_up_seconds) == (300, 45)
    today = timezone.localdate()

    (row,) = selectors.queue_history(start=today, end=today)
    assert row["aht"] == 345.0  # 300 talk and hold + 45 after-call work
    (stats,) = [q for q in selectors.queue_stats() if q.name == "tier1-en"]
    assert stats.average_handle_seconds == 345.0
    services.queue_rollups_dirty_refresh()  # and the same from the rollups
    assert selectors.queue_history(start=today, end=today)[0]["aht"] == 345.0

    client = _signed_in(supervisor)
    wallboard = client.get("/wallboard/live/").content.decode()
    assert re.search(r'data-figure="aht">5 min 45 s<', wallboard)
    report = client.get("/reports/queues/").content.decode()
    assert "5 min 45 s" in report and "345" not in re.sub(r"<[^>]+>", "", report)
    agents = client.get("/reports/agents/").content.decode()
    assert re.search(rf'data-agent="{csr.username}".*?data-figure="aht">5 min 45 s<', agents, re.S)
    (agent_row,) = _csv(client.get("/reports/agents/", {"format": "csv"}))
    assert (agent_row["name"], agent_row["average_handle_seconds"]) == ("Ana Ruiz", "345.0")
    assert (agent_row["average_talk_and_hold_seconds"], agent_row["average_after_call_work_seconds"]) == (
        "300.0",
        "45.0",
    )
    (queue_row,) = _csv(client.get("/reports/queues/", {"format": "csv"}))
    assert queue_row["average_handle_seconds"] == "345.0"


# --- short abandons -----------------------------------------------------------------------------
def _contact(enqueued: datetime, *, wait: int, answered: bool) -> WaitingContact:
    return WaitingContact.objects.create(
        queue_name="tier1-en",
        language="en",
        status=ContactStatus.COMPLETED if answered else ContactStatus.ABANDONED,
        enqueued_at=enqueued,
        answered_at=enqueued + timedelta(seconds=wait) if answered else None,
        ended_at=enqueued + timedelta(seconds=wait + (120 if answered else 0)),
        wait_seconds=wait,
        handle_seconds=120 if answered else None,
        phone="+12135550142",
        caller_time_zone="America/New_York",
    )


def _queue_form(**changes) -> dict:
    return queue_settings_form("tier1-en", **{"opens_at": "08:00", "closes_at": "20:00", **changes})


def test_short_abandons_leave_the_rates_and_a_supervisor_changes_their_seconds(make_staff):
    start = timezone.now() - timedelta(hours=2)
    _contact(start, wait=20, answered=True)
    _contact(start + timedelta(minutes=1), wait=3, answered=False)  # short at 5 s and at 10 s
    _contact(start + timedelta(minutes=2), wait=8, answered=False)  # short at 10 s only
    services.queue_rollups_rebuild(since=start - timedelta(hours=1))
    today = timezone.localdate()

    def figures():
        (row,) = selectors.queue_history(start=today, end=today)
        (stats,) = [q for q in selectors.queue_stats() if q.name == "tier1-en"]
        by_hour = sum(hour["abandoned"] for hour in selectors.contacts_by_hour(day=today))
        return (
            (row["abandoned"], row["abandoned_short"], row["abandonment_percent"], row["service_level_percent"]),
            (stats.abandoned, stats.abandoned_short, stats.abandonment_percent, stats.service_level_percent),
            by_hour,
        )

    # 5 s: one short abandon; 1 of 2 callers who waited abandoned, 1 of 2 answered within 60 s.
    assert figures() == ((1, 1, 50.0, 50.0), (1, 1, 50.0, 50.0), 1)

    client = _signed_in(make_staff(Role.SUPERVISOR))
    response = client.post("/supervisor/queues/tier1-en/", _queue_form(short_abandon_seconds="10"))
    assert response.status_code == 302
    assert QueueConfig.objects.get(name="tier1-en").short_abandon_seconds == 10
    # At once (the rollups counted with 5 s are read from the contacts) and after the refresh.
    assert figures() == ((0, 2, 0.0, 100.0), (0, 2, 0.0, 100.0), 0)
    assert services.queue_rollups_dirty_refresh() == 1
    assert figures() == ((0, 2, 0.0, 100.0), (0, 2, 0.0, 100.0), 0)
    wallboard = client.get("/wallboard/live/").content.decode()
    assert re.search(r'data-figure="abandoned"[^>]*>0.0% \(0\)', wallboard)


# --- containment, Tier 2 transfers, first-contact resolution by language and topic --------------
def _record(source_id, *, channel=Channel.IVR, outcome=Outcome.SELF_SERVED, language="en", topic="case-status", **kw):
    return services.interaction_record(
        context=AuditContext.system(),
        channel=channel,
        topic_code=topic,
        source_app="test",
        source_model=channel,
        source_id=source_id,
        outcome=outcome,
        language=language,
        receipt_numbers=kw.pop("receipts", [f"EAC21900{abs(hash(source_id)) % 100000:05d}"]),
        **kw,
    )


def test_containment_tier2_and_fcr_split_by_language_and_topic(make_staff):
    # English, case status: 3 IVR calls, 2 self-served, 1 transferred to Tier 1 and escalated to Tier 2.
    _record("en-1", receipts=["EAC2190000101"])
    _record("en-2", receipts=["EAC2190000102"])
    call = _record("en-3", outcome=Outcome.TRANSFERRED, receipts=["EAC2190000103"])
    talk = _record("en-3-t1", channel=Channel.TIER1, outcome=Outcome.ESCALATED, parent=call, receipts=["EAC2190000103"])
    _record("en-3-t2", channel=Channel.TIER2, outcome=Outcome.RESOLVED, parent=talk, receipts=["EAC2190000103"])
    # Spanish, expedite: 2 IVR calls, none self-served; each a Tier 1 conversation resolved there.
    for n in (1, 2):
        call = _record(
            f"es-{n}", language="es", topic="expedite", outcome=Outcome.TRANSFERRED, receipts=[f"WAC219000020{n}"]
        )
        _record(
            f"es-{n}-t1",
            channel=Channel.TIER1,
            language="es",
            topic="expedite",
            outcome=Outcome.RESOLVED,
            parent=call,
            receipts=[f"WAC219000020{n}"],
        )
    now = timezone.now()
    start, end = now - timedelta(hours=1), now + timedelta(minutes=1)

    def split(by):
        return {
            row.key: (
                (row.containment.numerator, row.containment.denominator),
                (row.tier2.numerator, row.tier2.denominator),
                (row.fcr.numerator, row.fcr.denominator),
            )
            for row in selectors.rates_split(start=start, end=end, by=by)
        }

    # FCR's first contacts are the IVR calls (no parent): the two self-served resolve; a transferred
    # call was handed off, so it does not.
    expected_language = {"en": ((2, 3), (1, 1), (2, 3)), "es": ((0, 2), (0, 2), (0, 2))}
    expected_topic = {"case-status": ((2, 3), (1, 1), (2, 3)), "expedite": ((0, 2), (0, 2), (0, 2))}
    assert split("language") == expected_language
    assert split("topic") == expected_topic
    services.ledger_rollups_rebuild(since=start - timedelta(hours=1))  # the same from the rollups
    assert split("language") == expected_language
    assert split("topic") == expected_topic

    client = _signed_in(make_staff(Role.SUPERVISOR))
    page = client.get("/reports/contact-rates/").content.decode()
    english = re.search(r'<tr data-key="en">(.*?)</tr>', page, re.S).group(1)
    assert "English" in english and "66.7% (2/3)" in english and "100.0% (1/1)" in english
    assert re.search(r'<tr data-key="es">\s*<th scope="row">(Spanish|Español)</th>', page)
    # Containment by topic: an SVG chart with a title and description, and the table beside it.
    chart = re.search(r'<figure class="ncsc-chart" data-chart="chart-containment">(.*?)</figure>', page, re.S).group(1)
    assert re.search(
        r'<svg [^>]*role="img"[^>]*aria-labelledby="chart-containment-title chart-containment-desc"', chart
    )
    assert '<title id="chart-containment-title">IVR containment by topic</title>' in chart
    assert '<desc id="chart-containment-desc">' in chart
    assert re.search(r"<th scope=\"row\">[^<]+</th>\s*<td class=\"text-right\">66.7%</td>", chart)
    assert chart.count("<rect ") == 2
    client.cookies["django_language"] = "es"
    spanish = client.get("/reports/contact-rates/").content.decode()
    assert '<title id="chart-containment-title">Contención en el IVR por tema</title>' in spanish
    assert re.search(r'<tr data-key="es">\s*<th scope="row">español</th>', spanish, re.I)
    assert re.search(r'<rect class="ncsc-series-1" x="[0-9.]+" y="[0-9.]+"', spanish)  # no decimal commas in SVG
    client.cookies["django_language"] = "en"
    rows = _csv(client.get("/reports/contact-rates/", {"format": "csv"}))
    assert {(r["split"], r["key"], r["containment_percent"], r["fcr_percent"]) for r in rows} == {
        ("language", "en", "66.7", "66.7"),
        ("language", "es", "0.0", "0.0"),
        ("topic", "case-status", "66.7", "66.7"),
        ("topic", "expedite", "0.0", "0.0"),
    }


# --- by interval --------------------------------------------------------------------------------
def test_the_interval_report_counts_by_30_or_15_minutes_with_charts_and_csv(make_staff):
    day_start = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)
    _contact(day_start + timedelta(minutes=5), wait=10, answered=True)
    _contact(day_start + timedelta(minutes=20), wait=90, answered=True)
    _contact(day_start + timedelta(minutes=25), wait=40, answered=False)
    _contact(day_start + timedelta(minutes=40), wait=30, answered=True)
    services.queue_rollups_rebuild(since=day_start - timedelta(hours=1))
    client = _signed_in(make_staff(Role.SUPERVISOR))

    rows = _csv(client.get("/reports/intervals/", {"format": "csv", "minutes": "30"}))
    assert [
        (r["interval_start"][11:16], r["offered"], r["answered"], r["abandoned"], r["service_level_percent"])
        for r in rows
    ] == [("09:00", "3", "2", "1", "33.3"), ("09:30", "1", "1", "0", "100.0")]
    rows = _csv(client.get("/reports/intervals/", {"format": "csv", "minutes": "15"}))
    assert [(r["interval_start"][11:16], r["offered"]) for r in rows] == [
        ("09:00", "1"),
        ("09:15", "2"),
        ("09:30", "1"),
    ]

    today = timezone.localdate().isoformat()
    page = client.get("/reports/intervals/", {"minutes": "30", "start": today, "end": today}).content.decode()
    for chart_id in ("chart-offered", "chart-service-level"):
        chart = re.search(rf'data-chart="{chart_id}">(.*?)</figure>', page, re.S).group(1)
        assert re.search(rf'<svg [^>]*role="img"[^>]*aria-labelledby="{chart_id}-title {chart_id}-desc"', chart)
        assert f'<title id="{chart_id}-title">' in chart and f'<desc id="{chart_id}-desc">' in chart
        assert "<table" in chart and '<th scope="row">09:00</th>' in chart
    assert page.count("<polyline ") == 1 and "33.3%" in page
    refused = client.get("/reports/intervals/", {"start": "2026-10-01", "end": "2026-11-30"})
    assert refused.status_code == 400 and "Ask for at most 31 days at a time." in refused.content.decode()


# --- the report agrees with the wallboard -------------------------------------------------------
def test_the_queue_reports_totals_for_today_are_the_wallboards_today(make_staff):
    now = timezone.now()
    # Waited overnight and answered today: the wallboard counts it today, so do the report's totals.
    _contact(now - timedelta(days=1, hours=12), wait=int(timedelta(hours=30).total_seconds()), answered=True)
    _contact(now - timedelta(hours=3), wait=20, answered=True)
    _contact(now - timedelta(hours=2), wait=100, answered=True)
    _contact(now - timedelta(hours=1), wait=30, answered=False)
    services.queue_rollups_rebuild(since=now - timedelta(days=3))
    client = _signed_in(make_staff(Role.SUPERVISOR))
    today = timezone.localdate().isoformat()

    wallboard = client.get("/wallboard/live/").content.decode()
    report = client.get("/reports/queues/", {"start": today, "end": today, "queue_name": "tier1-en"}).content.decode()
    board_row = re.search(r'<tr data-queue="tier1-en">(.*?)</tr>', wallboard, re.S).group(1)
    report_row = re.search(r'data-table="totals">.*?<tr data-queue="tier1-en">(.*?)</tr>', report, re.S).group(1)

    def figure(row, name):
        return re.sub(r"\s+", " ", re.search(rf'data-figure="{name}"[^>]*>([^<(]*)', row).group(1)).strip()

    assert figure(board_row, "service-level") == figure(report_row, "service-level") == "25.0%"
    assert figure(board_row, "abandoned") == figure(report_row, "abandonment") == "25.0%"
    assert figure(board_row, "asa") == figure(report_row, "asa")
    assert figure(board_row, "aht") == figure(report_row, "aht") == "2 min"
    # The queue picker lists the queues; dates are whole-date inputs; languages by name.
    assert re.search(
        r'<select name="queue_name"[^>]*>.*<option value="tier1-en" selected>tier1-en</option>', report, re.S
    )
    assert re.search(rf'<input type="date" name="start" value="{today}"', report)
    # The wallboard's "last 7 days" is the reports' default period, in whole days.
    start, _end = wallboard_figures.periods(now)["last_7_days"]
    assert (
        timezone.localtime(start).date().isoformat()
        == wallboard_figures.default_report_days(timezone.localdate())[0].isoformat()
    )
    assert timezone.localtime(start).hour == 0


# --- the wallboard's thresholds and its day ------------------------------------------------------
def test_figures_past_thresholds_are_amber_or_red_in_words_and_an_unstaffed_queue_is_an_alert(make_staff):
    QueueConfig.objects.filter(name="tier1-en").update(longest_wait_amber_seconds=60, longest_wait_red_seconds=300)
    QueueConfig.objects.filter(name="tier1-es").update(longest_wait_amber_seconds=60, longest_wait_red_seconds=120)
    for queue, language in (("tier1-en", "en"), ("tier1-es", "es")):
        WaitingContact.objects.create(
            queue_name=queue,
            language=language,
            enqueued_at=timezone.now() - timedelta(seconds=150),
            phone="+12135550142",
            caller_time_zone="America/New_York",
        )
    client = _signed_in(make_staff(Role.SUPERVISOR))
    page = client.get("/wallboard/live/").content.decode()
    english = re.search(r'<tr data-queue="tier1-en">(.*?)</tr>', page, re.S).group(1)
    spanish = re.search(r'<tr data-queue="tier1-es">(.*?)</tr>', page, re.S).group(1)
    assert re.search(r'class="text-right ncsc-level--amber" data-figure="longest" data-level="amber"', english)
    assert re.search(r'data-flag="amber"><span aria-hidden="true">▲</span> Warning</span>', english)
    assert re.search(r'class="text-right ncsc-level--red" data-figure="longest" data-level="red"', spanish)
    assert "Critical" in spanish
    # No agent is signed on while callers wait: an alert banner, and the word in the row.
    assert 'data-alert="queue-unstaffed-tier1-en"' in page
    assert "tier1-en: 1 caller(s) waiting and no agent signed on." in page
    assert 'data-flag="unstaffed"' in english and "No agent signed on" in english


def test_today_by_hour_starts_at_the_centers_opening(make_staff):
    QueueConfig.objects.update(opens_at="08:00", hours_time_zone="")
    hours = wallboard_figures.hours_by_bar(timezone.now())  # 1 p.m. in New York
    assert [row["hour"] for row in hours] == [8, 9, 10, 11, 12, 13]
    QueueConfig.objects.filter(name="tier1-en").update(hours_time_zone="America/Chicago", opens_at="06:00")
    assert wallboard_figures.hours_by_bar(timezone.now())[0]["hour"] == 7  # 6 a.m. in Chicago


def test_the_agent_export_defuses_a_formula_in_a_staff_name(make_staff):
    csr = make_staff(Role.CSR, first_name="=HYPERLINK(1)", last_name="")
    contact = _contact(timezone.now() - timedelta(hours=1), wait=10, answered=True)
    WaitingContact.objects.filter(pk=contact.pk).update(offered_to=csr)
    rows = _csv(_signed_in(make_staff(Role.SUPERVISOR)).get("/reports/agents/", {"format": "csv"}))
    assert [(row["name"], row["answered"]) for row in rows] == [("'=HYPERLINK(1)", "1")]
