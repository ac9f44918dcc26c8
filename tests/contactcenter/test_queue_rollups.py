"""Issue 19: the queue report is summed from 15-minute rollups of the live queues, with the same
figures as counting every contact: hand-counted here, through stale marks, a changed service
level, a contact the services change after a refresh, and the edges of a period."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contactcenter import selectors, services
from contactcenter.audit.context import AuditContext
from contactcenter.models import (
    ContactStatus,
    QueueConfig,
    QueueRollup,
    QueueRollupDay,
    QueueRollupDirty,
    WaitingContact,
)
from contactcenter.routing import queue_rollups
from contactcenter.routing import selectors as routing_selectors

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

MOMENT = datetime(2026, 11, 30, 18, 0, tzinfo=UTC)  # a Monday, 1 p.m. in New York
DAY = date(2026, 11, 25)


@pytest.fixture(autouse=True)
def _now(at_time):
    with at_time(MOMENT):
        yield


def _at(day: date, hour: int, minute: int, second: int = 0) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute, second))


def _contact(queue: str, enqueued: datetime, *, wait=None, answered=True, status=ContactStatus.COMPLETED, **figures):
    return WaitingContact.objects.create(
        queue_name=queue,
        language=queue[-2:],
        tier=int(queue[4]),
        status=status,
        enqueued_at=enqueued,
        answered_at=enqueued + timedelta(seconds=wait) if answered else None,
        wait_seconds=wait,
        phone="+12135550142",
        caller_time_zone="America/New_York",
        **figures,
    )


@pytest.fixture
def contacts(db):
    """Counted by hand below. tier1-en's service level is 60 s."""
    next_day = DAY + timedelta(days=1)
    return [
        _contact("tier1-en", _at(DAY, 9, 0, 10), wait=30, handle_seconds=300, wrap_up_seconds=60),
        _contact("tier1-en", _at(DAY, 9, 7), wait=90, handle_seconds=600, wrap_up_seconds=30),
        _contact("tier1-en", _at(DAY, 9, 20), wait=45, answered=False, status=ContactStatus.ABANDONED),
        # Answered at exactly the threshold (within), still on the line: no handle or wrap-up yet.
        _contact("tier1-en", _at(DAY, 13, 59, 59), wait=60, status=ContactStatus.CONNECTED),
        _contact("tier1-en", _at(DAY, 9, 30), answered=False, status=ContactStatus.CANCELLED),
        _contact("tier1-es", _at(DAY, 10, 0), wait=10, handle_seconds=100),
        # Local midnight opens the next day (05:00 UTC).
        _contact("tier1-en", _at(next_day, 0, 0), wait=5, handle_seconds=50, wrap_up_seconds=10),
    ]


EXPECTED = [
    {
        "day": DAY,
        "queue_name": "tier1-en",
        "language": "en",
        "contacts": 5,
        "answered": 3,
        "within": 2,
        "abandoned": 1,
        "asa": 60.0,  # (30 + 90 + 60) / 3
        "abandoned_short": 0,
        "aht": 495.0,  # (300 + 60 + 600 + 30) / 2 completed: talk and hold, and after-call work
        "wrap": 45.0,
        "wrap_total": 90,
        "service_level_percent": 50.0,  # 2 / (3 answered + 1 abandoned)
        "abandonment_percent": 25.0,
    },
    {
        "day": DAY,
        "queue_name": "tier1-es",
        "language": "es",
        "contacts": 1,
        "answered": 1,
        "within": 1,
        "abandoned": 0,
        "abandoned_short": 0,
        "asa": 10.0,
        "aht": 100.0,
        "wrap": None,
        "wrap_total": None,
        "service_level_percent": 100.0,
        "abandonment_percent": 0.0,
    },
    {
        "day": DAY + timedelta(days=1),
        "queue_name": "tier1-en",
        "language": "en",
        "contacts": 1,
        "answered": 1,
        "within": 1,
        "abandoned": 0,
        "abandoned_short": 0,
        "asa": 5.0,
        "aht": 60.0,
        "wrap": 10.0,
        "wrap_total": 10,
        "service_level_percent": 100.0,
        "abandonment_percent": 0.0,
    },
]


def _report(**filters) -> list[dict]:
    return selectors.queue_history(start=DAY - timedelta(days=1), end=DAY + timedelta(days=2), **filters)


def _dirty_everything() -> None:
    QueueRollupDirty.objects.bulk_create(
        QueueRollupDirty(interval_start=queue_rollups.interval_of(c.enqueued_at)) for c in WaitingContact.objects.all()
    )


def test_the_queue_report_from_rollups_is_the_hand_counted_figures_in_one_statement(contacts):
    _dirty_everything()  # as the migration leaves history: counted from the contacts until refreshed
    assert _report() == EXPECTED
    assert services.queue_rollups_dirty_refresh() == 6  # 09:00, 09:15, 09:30, 10:00, 13:45, midnight
    assert not QueueRollupDirty.objects.exists()
    row = QueueRollup.objects.get(interval_start=queue_rollups.interval_of(_at(DAY, 9, 0)), queue_name="tier1-en")
    assert (row.contacts, row.answered, row.answered_within, row.wait_sum, row.handle_sum, row.wrap_sum) == (
        2,
        2,
        1,
        120,
        990,
        90,
    )
    assert row.service_level_seconds == 60
    with CaptureQueriesContext(connection) as queries:
        assert _report() == EXPECTED
    # One statement reads (JIT is off for the whole connection: settings.with_statement_timeout).
    (read,) = [query["sql"] for query in queries.captured_queries]
    assert read.startswith("WITH")
    assert _report(queue_name="tier1-es") == [EXPECTED[1]]
    assert _report(language="en") == [EXPECTED[0], EXPECTED[2]]
    # The whole week is read from rollups: the contacts table is only probed for the edge ranges.
    assert "contactcenter_queuerollup" in read


def test_the_wallboards_contacts_by_hour_are_the_same_counters_from_rollups_and_from_the_contacts(contacts):
    expected = {9: (4, 2, 1), 10: (1, 1, 0), 13: (1, 1, 0)}

    def by_hour() -> dict[int, tuple[int, int, int]]:
        return {
            row["hour"]: (row["queued"], row["answered"], row["abandoned"])
            for row in selectors.contacts_by_hour(day=DAY)
            if row["queued"]
        }

    _dirty_everything()
    assert by_hour() == expected
    services.queue_rollups_dirty_refresh()
    assert by_hour() == expected
    assert len(selectors.contacts_by_hour(day=DAY)) == 24


def test_a_changed_service_level_counts_with_the_new_threshold_at_once_and_after_the_refresh(contacts):
    services.queue_rollups_rebuild(since=_at(DAY, 0, 0))
    QueueConfig.objects.filter(name="tier1-en").update(service_level_seconds=30)
    changed = [
        {**EXPECTED[0], "within": 1, "service_level_percent": 25.0},  # only the 30 s wait
        EXPECTED[1],
        EXPECTED[2],  # 5 s is within 30 s too
    ]
    assert _report() == changed  # the rows counted with 60 s are read from the contacts
    refreshed = services.queue_rollups_dirty_refresh()
    assert refreshed == 5  # tier1-en's intervals: 09:00, 09:15, 09:30, 13:45, midnight
    assert set(QueueRollup.objects.filter(queue_name="tier1-en").values_list("service_level_seconds", flat=True)) == {
        30
    }
    assert _report() == changed


def test_whole_days_are_read_from_the_day_sums_until_a_stale_interval_or_threshold_sends_them_to_intervals(contacts):
    services.queue_rollups_rebuild(since=_at(DAY, 0, 0))
    day = QueueRollupDay.objects.get(day=DAY, queue_name="tier1-en")
    assert (day.contacts, day.answered, day.answered_within, day.abandoned, day.service_level_seconds) == (
        5,
        3,
        2,
        1,
        60,
    )
    assert QueueRollupDay.objects.get(day=DAY + timedelta(days=1), queue_name="tier1-en").contacts == 1
    # A whole day inside the period is its day row: a wrong one (no mark) is what the report shows.
    QueueRollupDay.objects.filter(day=DAY, queue_name="tier1-es").update(contacts=99)
    assert _report(queue_name="tier1-es")[0]["contacts"] == 99
    # A stale interval of that day: its rows come off the day row and its contacts are counted.
    late = _contact("tier1-es", _at(DAY, 20, 5), wait=20, handle_seconds=40)
    QueueRollupDirty.objects.create(interval_start=queue_rollups.interval_of(late.enqueued_at))
    assert _report(queue_name="tier1-es")[0]["contacts"] == 99 - 0 + 1
    late.delete()
    services.queue_rollups_dirty_refresh()
    assert QueueRollupDay.objects.get(day=DAY, queue_name="tier1-es").contacts == 1
    assert _report() == EXPECTED
    # A contact changed in an interval with rollup rows: those rows (1 answered) come off the day.
    es = WaitingContact.objects.get(queue_name="tier1-es")
    WaitingContact.objects.filter(pk=es.pk).update(status=ContactStatus.ABANDONED, answered_at=None)
    QueueRollupDirty.objects.create(interval_start=queue_rollups.interval_of(es.enqueued_at))
    row = _report(queue_name="tier1-es")[0]
    assert (row["contacts"], row["answered"], row["abandoned"], row["asa"]) == (1, 0, 1, None)
    WaitingContact.objects.filter(pk=es.pk).update(status=es.status, answered_at=es.answered_at)
    assert _report() == EXPECTED
    services.queue_rollups_dirty_refresh()
    assert _report() == EXPECTED
    # A day partly inside the period: its day row less the intervals outside, when fewer.
    assert queue_rollups.plan(_at(DAY, 0, 15), _at(DAY + timedelta(days=1), 0, 0)) == (
        [DAY],
        [],
        [(_at(DAY, 0, 0), _at(DAY, 0, 15))],
    )
    rows = queue_rollups.by_day(start=_at(DAY, 9, 15), end=_at(DAY + timedelta(days=1), 0, 0))
    figures = [(r["queue_name"], r["contacts"], r["answered"], r["answered_within"], r["abandoned"]) for r in rows]
    # From 9:15: tier1-en's abandoned (9:20), cancelled (9:30) and connected (13:59:59) contacts.
    assert figures == [("tier1-en", 3, 1, 1, 1), ("tier1-es", 1, 1, 1, 0)]
    # A new threshold: tier1-en's days no longer match it, so they are read by interval (with the
    # contacts of the intervals counted with 60 s), then the refresh recomputes only those days.
    QueueConfig.objects.filter(name="tier1-en").update(service_level_seconds=30)
    assert _report()[0]["within"] == 1
    assert sorted(queue_rollups.stale_threshold_intervals()) == sorted(
        queue_rollups.interval_of(_at(day_, hour, minute))
        for day_, hour, minute in [
            (DAY, 9, 0),
            (DAY, 9, 15),
            (DAY, 9, 30),
            (DAY, 13, 45),
            (DAY + timedelta(days=1), 0, 0),
        ]
    )
    services.queue_rollups_dirty_refresh()
    assert set(
        QueueRollupDay.objects.filter(queue_name="tier1-en").values_list("service_level_seconds", flat=True)
    ) == {30}
    assert queue_rollups.stale_threshold_intervals() == []
    assert _report()[0]["within"] == 1


def test_a_contact_the_services_change_after_a_refresh_counts_at_once_and_its_mark_is_refreshed(contacts, make_staff):
    services.queue_rollups_rebuild(since=_at(DAY, 0, 0))
    assert not QueueRollupDirty.objects.exists()
    waiting = services.contact_enqueue(
        context=AuditContext.system(),
        phone="+12135550199",
        language="en",
        caller_time_zone="America/New_York",
        call_sid="CA" + "9" * 32,
    )
    services.contact_abandon(context=AuditContext.system(), call_sid=waiting.call_sid, ended_at=timezone.now())
    today = timezone.localdate()
    marks = list(QueueRollupDirty.objects.values_list("interval_start", flat=True))
    assert marks == [queue_rollups.interval_of(waiting.enqueued_at)] * 2  # one mark per write
    (row,) = selectors.queue_history(start=today, end=today)
    # Hung up at once: a short abandon, apart from the abandonment rate.
    assert (row["contacts"], row["answered"], row["abandoned"], row["abandoned_short"]) == (1, 0, 0, 1)
    services.queue_rollups_dirty_refresh()
    assert not QueueRollupDirty.objects.exists()
    assert selectors.queue_history(start=today, end=today) == [row]
    assert QueueRollup.objects.get(interval_start=marks[0]).abandoned == 1


def test_a_period_that_starts_and_ends_inside_intervals_counts_its_edges_from_the_contacts(contacts):
    services.queue_rollups_rebuild(since=_at(DAY, 0, 0))
    # 09:05 to 13:59:59.5: the 09:00 interval's first contact (09:00:10) is before the period.
    rows = queue_rollups.by_day(start=_at(DAY, 9, 5), end=_at(DAY, 13, 59, 59) + timedelta(milliseconds=500))
    assert [(r["queue_name"], r["contacts"], r["answered"], r["abandoned"]) for r in rows] == [
        ("tier1-en", 4, 2, 1),
        ("tier1-es", 1, 1, 0),
    ]


def test_seeded_queues_read_the_same_from_rollups_as_from_every_contact():
    from io import StringIO

    from django.core.management import call_command

    call_command("seed_ledger", interactions=3000, days=10, seed=7, stdout=StringIO(), stderr=StringIO())
    assert QueueRollup.objects.exists() and not QueueRollupDirty.objects.exists()
    today = timezone.localdate()
    from_rollups = selectors.queue_history(start=today - timedelta(days=11), end=today)
    _dirty_everything()
    assert selectors.queue_history(start=today - timedelta(days=11), end=today) == from_rollups
    # And from the contacts alone, without the rollups' SQL.
    start, end = routing_selectors._day_bounds(today - timedelta(days=11))[0], routing_selectors._day_bounds(today)[1]
    sql, params = queue_rollups._contacts_only(start=start, end=end, queue_name=None, language=None)
    with connection.cursor() as cursor:
        cursor.execute(
            f"{sql} SELECT SUM(contacts), SUM(answered_within), SUM(abandoned) - SUM(abandoned_short) FROM parts",
            params,
        )
        contacts, within, abandoned = cursor.fetchone()
    assert contacts == sum(row["contacts"] for row in from_rollups) == WaitingContact.objects.count()
    assert within == sum(row["within"] for row in from_rollups) > 0
    assert abandoned == sum(row["abandoned"] for row in from_rollups) > 0


def test_the_beat_refreshes_the_queue_rollups_every_minute_and_reconciles_hourly(settings):
    schedule = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert schedule["contactcenter.queue_rollups_refresh"] == 60.0
    assert schedule["contactcenter.queue_rollups_reconcile"] == 3600.0


def test_the_reconcile_repairs_a_contact_written_outside_the_services(contacts):
    from contactcenter import tasks

    services.queue_rollups_rebuild(since=_at(DAY, 0, 0))
    # A bulk correction no service marked: the rollups miss it until the reconcile.
    WaitingContact.objects.filter(queue_name="tier1-es").update(status=ContactStatus.ABANDONED, answered_at=None)
    assert _report()[1]["abandoned"] == 0
    tasks.queue_rollups_reconcile()
    assert (_report()[1]["answered"], _report()[1]["abandoned"]) == (0, 1)


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_refreshes_the_interval_a_service_marked(celery_worker_process):
    _, log = celery_worker_process
    from tests.waiting import wait_for

    contact = services.contact_enqueue(
        context=AuditContext.system(), phone="+12025550100", language="es", caller_time_zone="America/New_York"
    )
    interval = queue_rollups.interval_of(contact.enqueued_at)

    def refreshed() -> bool:
        return not QueueRollupDirty.objects.exists() and QueueRollup.objects.filter(interval_start=interval).exists()

    assert wait_for(refreshed), log.read_text()[-3000:]
    row = QueueRollup.objects.get(interval_start=interval, queue_name="tier1-es")
    assert (row.contacts, row.answered, row.language) == (1, 0, "es")
    assert "contactcenter.queue_rollups_refresh" in log.read_text()


def test_each_step_of_a_live_contact_marks_its_interval_so_the_report_follows_it_between_refreshes(make_staff):
    from contactcenter.staff.roles import Role

    csr = make_staff(Role.CSR)
    system, as_csr = AuditContext.system(), AuditContext(actor=csr)
    services.agent_state_set(context=as_csr, user=csr, state="available")
    contact = services.contact_enqueue(
        context=system, phone="+12025550100", language="en", caller_time_zone="America/New_York"
    )
    today = timezone.localdate()

    def step(action) -> dict:
        """The report after `action`, the rollups having been clean just before it."""
        services.queue_rollups_dirty_refresh()
        assert not QueueRollupDirty.objects.exists()
        action()
        assert QueueRollupDirty.objects.filter(interval_start=queue_rollups.interval_of(contact.enqueued_at)).exists()
        (row,) = selectors.queue_history(start=today, end=today)
        return row

    assert services.route_next(queue_name="tier1-en").agent_id == csr.pk  # an offer changes no figure
    services.queue_rollups_dirty_refresh()
    (row,) = selectors.queue_history(start=today, end=today)
    assert (row["contacts"], row["answered"]) == (1, 0)

    with_answer = step(lambda: services.contact_answer(context=as_csr, user=csr, contact_id=contact.pk))
    assert (with_answer["answered"], with_answer["within"], with_answer["aht"]) == (1, 1, None)
    ended = step(lambda: services.contact_complete(context=as_csr, user=csr, contact_id=contact.pk))
    assert ended["aht"] is not None and ended["wrap"] is None
    wrapped = step(
        lambda: services.contact_wrap_up(context=as_csr, user=csr, contact_id=contact.pk, disposition="resolved")
    )
    assert wrapped["wrap"] is not None and wrapped["wrap_total"] is not None
    services.queue_rollups_dirty_refresh()
    assert selectors.queue_history(start=today, end=today) == [wrapped]


def test_todays_queue_stats_add_the_waits_that_span_midnight_to_the_days_rollups():
    """The wallboard's "today" counts contacts answered or abandoned today, whenever they entered the
    queue: those that entered today from the rollups, those that waited over midnight by index."""
    today, yesterday = MOMENT.astimezone(timezone.get_current_timezone()).date(), date(2026, 11, 29)
    en = [
        # Entered yesterday, answered after midnight (300 s: outside the 60 s service level).
        _contact("tier1-en", _at(yesterday, 23, 58), wait=300, handle_seconds=100),
        # Entered yesterday, hung up after midnight.
        _contact(
            "tier1-en",
            _at(yesterday, 23, 59, 30),
            answered=False,
            status=ContactStatus.ABANDONED,
            ended_at=_at(today, 0, 1),
        ),
        # Entered and answered yesterday: not today's.
        _contact("tier1-en", _at(yesterday, 20, 0), wait=30, handle_seconds=500),
        # Still waiting since yesterday: nothing answered or abandoned.
        _contact("tier1-en", _at(yesterday, 23, 0), answered=False, status=ContactStatus.WAITING),
        # Today's: answered within 60 s, one completed, one still on the line.
        _contact("tier1-en", _at(today, 9, 0), wait=20, handle_seconds=60),
        _contact("tier1-en", _at(today, 12, 55), wait=10, status=ContactStatus.CONNECTED),
    ]
    # A consult that waited over midnight is no caller.
    _contact("tier1-en", _at(yesterday, 23, 50), wait=1200, handle_seconds=50, consult_of=en[4])
    # A callback asked for last evening, called back this morning.
    _contact("tier1-es", _at(yesterday, 19, 55), wait=12 * 3600 + 600, handle_seconds=200)
    expected = {
        "tier1-en": (3, 2, 1, 50.0, 25.0, 110.0, 80.0),  # answered: the 300 s, 20 s and 10 s waits
        "tier1-es": (1, 0, 0, 0.0, 0.0, 43800.0, 200.0),
    }

    def figures():
        return {
            row.name: (
                row.answered,
                row.answered_within_service_level,
                row.abandoned,
                row.service_level_percent,
                row.abandonment_percent,
                row.average_speed_of_answer_seconds,
                row.average_handle_seconds,
            )
            for row in selectors.queue_stats()
            if row.name in expected
        }

    services.queue_rollups_rebuild(since=_at(yesterday, 0, 0))
    assert not QueueRollupDirty.objects.exists()
    assert figures() == expected
    # Every interval stale: the same figures, counted from the contacts.
    _dirty_everything()
    assert figures() == expected
    # The carried-over contacts are found by the wait-span index, not by reading today's contacts.
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        start = _at(today, 0, 0)
        cursor.execute("EXPLAIN " + queue_rollups.CARRIED_OVER, [start, start, start + timedelta(days=1)])
        plan = "\n".join(row for (row,) in cursor.fetchall())
    assert "waitingcontact_wait_span_idx" in plan
