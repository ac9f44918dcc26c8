"""Issue 19: the ledger figures are sums of 15-minute rollups, with the edges of a period and the
intervals marked stale counted from the ledger, and equal their definitions in every state."""

import dataclasses
import threading
from datetime import UTC, timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from contactcenter import selectors, services, tasks
from contactcenter.audit.context import AuditContext
from contactcenter.ledger import rollups
from contactcenter.ledger import rollups_refresh as rollup_services
from contactcenter.ledger.rollups import INTERVAL, interval_of
from contactcenter.models import (
    RESOLVING_OUTCOMES,
    Channel,
    Interaction,
    LedgerRollup,
    LedgerRollupChannel,
    LedgerRollupDay,
    LedgerRollupDirty,
    Outcome,
)
from tests.waiting import wait_for

pytestmark = pytest.mark.postgres

CTX = AuditContext.system()
M = timedelta(minutes=1)
# A weekday afternoon (UTC) three days ago: inside the reconcile's 8 days, 45 minutes inside one
# local day.
T = (timezone.now() - timedelta(days=3)).astimezone(UTC).replace(hour=15, minute=0, second=0, microsecond=0)
I0, I1, I2 = T, T + 15 * M, T + 30 * M


def record(
    source_id, at, channel=Channel.IVR, outcome=Outcome.SELF_SERVED, parent=None, receipts=(), topic="case-status"
):
    return services.interaction_record(
        context=CTX,
        channel=channel,
        topic_code=topic,
        source_app="test",
        source_model="rollup",
        source_id=source_id,
        occurred_at=at,
        outcome=outcome,
        parent=parent,
        receipt_numbers=receipts,
    )


def figures(start, end):
    return {
        "ivr": _pair(selectors.ivr_containment(start=start, end=end)),
        "tier2": _pair(selectors.tier2_transfer_rate(start=start, end=end)),
        "fcr": _pair(selectors.first_contact_resolution(start=start, end=end)),
    }


def volume(start, end):
    return {row["channel"]: row["contacts"] for row in selectors.contact_volume_by_topic(start=start, end=end)}


def _pair(rate):
    return rate.numerator, rate.denominator


def reference(start, end):
    """The definitions as the selectors computed them before rollups (ORM over the ledger)."""
    period = Interaction.objects.filter(occurred_at__gte=start, occurred_at__lt=end)
    ivr = period.filter(channel=Channel.IVR).exclude(outcome=Outcome.IN_PROGRESS)
    tier1 = period.filter(channel=Channel.TIER1)
    firsts = period.filter(parent__isnull=True).exclude(outcome=Outcome.IN_PROGRESS)
    resolved = firsts.filter(outcome__in=RESOLVING_OUTCOMES, followed_by_repeat=False).exclude(
        Exists(Interaction.objects.filter(parent=OuterRef("pk")))
    )
    escalated = tier1.filter(Q(outcome=Outcome.ESCALATED) | Q(handoffs__channel=Channel.TIER2)).distinct()
    return {
        "ivr": (ivr.filter(outcome=Outcome.SELF_SERVED).count(), ivr.count()),
        "tier2": (escalated.count(), tier1.count()),
        "fcr": (resolved.count(), firsts.count()),
    }


def dirty():
    return set(LedgerRollupDirty.objects.values_list("interval_start", flat=True))


@pytest.fixture
def ledger(db):
    """Nine contacts over three intervals, counted by hand in the tests."""
    c = {}
    c["ivr1"] = record("ivr1", T + 1 * M)  # I0, resolved first contact
    c["ivr2"] = record("ivr2", T + 2 * M, outcome=Outcome.TRANSFERRED)  # I0, handed off to t1a
    c["ivr3"] = record("ivr3", T + 3 * M, outcome=Outcome.IN_PROGRESS)  # I0, not finished
    c["t1a"] = record("t1a", T + 20 * M, Channel.TIER1, Outcome.RESOLVED, parent=c["ivr2"])  # I1
    c["t1b"] = record("t1b", T + 25 * M, Channel.TIER1, Outcome.ESCALATED)  # I1, a first contact
    c["t1c"] = record("t1c", T + 28 * M, Channel.TIER1, Outcome.RESOLVED)  # I1, resolved first contact
    c["w1"] = record("w1", T + 35 * M, Channel.WRITTEN, Outcome.IN_PROGRESS)  # I2
    c["t2a"] = record("t2a", T + 40 * M, Channel.TIER2, Outcome.RESOLVED, parent=c["t1a"])  # I2
    c["ivr4"] = record("ivr4", T + 44 * M, outcome=Outcome.ABANDONED)  # I2
    return c


# Whole intervals I0..I2. IVR: ivr1 ivr2 ivr4 finished (ivr3 live), ivr1 self-served. Tier 1:
# t1a (handed off to Tier 2) and t1b (escalated) of t1a t1b t1c. First contacts (no parent,
# finished): ivr1 ivr2 ivr4 t1b t1c; resolved with no hand-off: ivr1 t1c.
WHOLE = {"ivr": (1, 3), "tier2": (2, 3), "fcr": (2, 5)}
# [T+5m, T+40m): I0 and I2 partial; t1a t1b t1c w1 in it. No IVR call; first contacts t1b t1c.
PARTIAL = {"ivr": (0, 0), "tier2": (2, 3), "fcr": (1, 2)}


def test_each_figure_equals_its_definition_dirty_rolled_up_partial_and_mixed(ledger):
    whole, partial = (T, T + 45 * M), (T + 5 * M, T + 40 * M)
    # Just recorded: every interval is marked stale and counted from the ledger.
    assert dirty() == {I0, I1, I2}
    assert figures(*whole) == WHOLE == reference(*whole)
    assert figures(*partial) == PARTIAL == reference(*partial)

    services.ledger_rollups_dirty_refresh()
    assert dirty() == set()
    rows = {(r.interval_start, r.channel): r for r in LedgerRollup.objects.all()}
    assert sorted(rows) == sorted([(I0, "ivr"), (I1, "tier1"), (I2, "written"), (I2, "tier2"), (I2, "ivr")])
    i0 = rows[(I0, "ivr")]
    assert (i0.contacts, i0.finished, i0.self_served, i0.firsts, i0.firsts_resolved) == (3, 2, 1, 2, 1)
    i1 = rows[(I1, "tier1")]
    assert (i1.contacts, i1.tier2_escalated, i1.firsts, i1.firsts_resolved) == (3, 2, 2, 1)
    assert figures(*whole) == WHOLE
    assert figures(*partial) == PARTIAL

    # The rates read the per-channel sums of the same rows.
    by_channel = {(r.interval_start, r.channel): r for r in LedgerRollupChannel.objects.all()}
    assert sorted(by_channel) == sorted(rows)
    assert (by_channel[(I1, "tier1")].tier2_escalated, by_channel[(I1, "tier1")].firsts_resolved) == (2, 1)

    # I1's rollup row is wrong, but I1 is marked stale: it is counted from the ledger instead.
    LedgerRollupChannel.objects.filter(interval_start=I1).update(tier2_escalated=0, firsts_resolved=F("firsts"))
    LedgerRollupDirty.objects.create(interval_start=I1)
    assert figures(*whole) == WHOLE
    # Once the mark is gone, the row is what is read (the figures come from the rollups).
    LedgerRollupDirty.objects.all().delete()
    assert figures(*whole) == {"ivr": (1, 3), "tier2": (0, 3), "fcr": (3, 5)}
    services.ledger_rollup_refresh(intervals=[I1])
    assert figures(*whole) == WHOLE


def test_a_period_inside_one_interval_and_a_longer_one_count_the_same_contacts(ledger):
    services.ledger_rollups_dirty_refresh()
    assert figures(T + 1 * M, T + 3 * M) == {"ivr": (1, 2), "tier2": (0, 0), "fcr": (1, 2)}
    assert figures(T - timedelta(days=7), T + timedelta(days=1)) == WHOLE
    assert figures(T + 45 * M, T + timedelta(hours=5)) == {"ivr": (0, 0), "tier2": (0, 0), "fcr": (0, 0)}


def test_a_day_is_its_day_row_less_its_intervals_outside_the_period_and_its_stale_ones(ledger):
    services.ledger_rollups_dirty_refresh()
    day = rollups.local_day(T)
    tier1 = LedgerRollupDay.objects.get(day=day, channel=Channel.TIER1)
    assert (tier1.contacts, tier1.tier2_escalated, tier1.firsts, tier1.firsts_resolved) == (3, 2, 2, 1)
    assert LedgerRollupDay.objects.filter(day=day).count() == 4  # ivr, tier1, tier2, written
    day_lo = rollups.midnight(day).astimezone(UTC)
    day_hi = rollups.midnight(day + timedelta(days=1)).astimezone(UTC)
    week = (T - timedelta(days=3), T + timedelta(days=3))
    most = (day_lo + 15 * M, day_hi)  # the day less its first interval
    # Which side each day is read from: the fewer intervals (none past now hold contacts).
    assert rollups.plan(T, T + 45 * M) == ([], [(T, T + 45 * M)], [])
    assert rollups.plan(*most) == ([day], [], [(day_lo, day_lo + 15 * M)])
    today = rollups.local_day(timezone.now())
    midnight = rollups.midnight(today).astimezone(UTC)
    tomorrow = rollups.midnight(today + timedelta(days=1)).astimezone(UTC)
    now = interval_of(timezone.now())
    if now - midnight >= 2 * INTERVAL:  # so far today: the day row less the intervals still to come
        assert rollups.plan(midnight, now) == ([today], [], [(now, tomorrow)])
    for period in (week, most):
        assert figures(*period) == WHOLE == reference(*period)
        assert volume(*period) == {"ivr": 4, "tier1": 3, "tier2": 1, "written": 1}

    # A contact in the interval `most` leaves out: in the day row once refreshed, and taken off again.
    record("early", day_lo + 5 * M)
    assert figures(*most) == WHOLE
    services.ledger_rollups_dirty_refresh()
    assert figures(*most) == WHOLE == reference(*most)
    assert figures(day_lo, day_hi)["ivr"] == (2, 4) == reference(day_lo, day_hi)["ivr"]

    # The day row is what is read: a wrong one (no mark) is what the figures show.
    LedgerRollupDay.objects.filter(day=day, channel=Channel.TIER1).update(tier2_escalated=0, contacts=7)
    assert figures(*week)["tier2"] == figures(*most)["tier2"] == (0, 7)
    assert volume(*most)["tier1"] == 7
    # A stale interval of the day: its rollup rows (I1: 2 of 3 escalated) come off the day row and
    # the ledger (now 3 of 4) is counted instead.
    record("t1d", T + 22 * M, Channel.TIER1, Outcome.ESCALATED)
    assert dirty() == {I1}
    assert figures(*week)["tier2"] == (0 - 2 + 3, 7 - 3 + 4)
    services.ledger_rollups_dirty_refresh()
    assert dirty() == set()
    assert LedgerRollupDay.objects.get(day=day, channel=Channel.TIER1).tier2_escalated == 3
    assert figures(*week)["tier2"] == (3, 4) == reference(*week)["tier2"]
    assert figures(*most)["tier2"] == (3, 4) == reference(*most)["tier2"]


def test_a_hand_off_recorded_later_changes_its_parents_interval(ledger):
    services.ledger_rollups_dirty_refresh()
    later = T + 3 * timedelta(hours=1)
    record("t2b", later, Channel.TIER2, Outcome.RESOLVED, parent=ledger["t1c"])
    # The parent's interval (t1c is in I1) is stale with the hand-off's own.
    assert dirty() == {I1, interval_of(later)}
    whole = (T, T + 45 * M)
    expected = {"ivr": (1, 3), "tier2": (3, 3), "fcr": (1, 5)}
    assert figures(*whole) == expected == reference(*whole)
    services.ledger_rollups_dirty_refresh()
    assert dirty() == set()
    assert figures(*whole) == expected


def test_a_contact_moved_to_another_interval_leaves_its_old_one_stale_too(ledger):
    services.ledger_rollups_dirty_refresh()
    record("ivr1", T + 50 * M)  # ivr1 moves from I0 to the interval after I2
    assert dirty() == {I0, T + 45 * M}
    services.ledger_rollups_dirty_refresh()
    assert figures(T, T + 15 * M) == {"ivr": (0, 1), "tier2": (0, 0), "fcr": (0, 1)} == reference(T, T + 15 * M)
    assert figures(T + 45 * M, T + 60 * M) == {"ivr": (1, 1), "tier2": (0, 0), "fcr": (1, 1)}


def test_a_written_inquiry_linked_to_a_tier2_contact_changes_that_contacts_interval(ledger):
    from casework import services as casework_services

    services.ledger_rollups_dirty_refresh()
    t2 = record("t2x", T + 5 * M, Channel.TIER2, Outcome.RESOLVED)  # a resolved first contact in I0
    services.ledger_rollups_dirty_refresh()
    assert figures(T, T + 15 * M)["fcr"] == (2, 3)
    inquiry = casework_services.inquiry_create(
        context=CTX,
        channel="iso_referral",
        source="public",
        subject="Referred by Tier 2",
        body="EAC2190000001: needs a written answer.",
        correspondent_name="Ana Ruiz",
        referred_from_interaction_id=t2.pk,
    )
    assert inquiry.interaction.parent_id == t2.pk
    # t2x now has a hand-off (no longer resolved at first contact); the inquiry is no first contact.
    assert {I0, interval_of(inquiry.interaction.occurred_at)} <= dirty()
    assert figures(T, T + 15 * M)["fcr"] == (1, 3) == reference(T, T + 15 * M)["fcr"]
    services.ledger_rollups_dirty_refresh()
    assert figures(T, T + 15 * M)["fcr"] == (1, 3)


def test_contact_volume_by_topic_sums_rollups_by_local_day_and_month(ledger):
    record("x1", T + 5 * M, topic="expedite")
    record("x2", T + timedelta(days=1), Channel.TIER1, Outcome.RESOLVED, topic="expedite")
    services.ledger_rollups_dirty_refresh()
    record("x3", T + timedelta(days=1, minutes=3), Channel.TIER1, Outcome.RESOLVED, topic="expedite")  # stale
    start, end = T - timedelta(days=1), T + timedelta(days=2)
    day0 = timezone.localtime(T).replace(hour=0, minute=0)
    day1 = day0 + timedelta(days=1)
    assert selectors.contact_volume_by_topic(start=start, end=end) == [
        {"period": day0, "topic__code": "case-status", "channel": "ivr", "contacts": 4},
        {"period": day0, "topic__code": "case-status", "channel": "tier1", "contacts": 3},
        {"period": day0, "topic__code": "case-status", "channel": "tier2", "contacts": 1},
        {"period": day0, "topic__code": "case-status", "channel": "written", "contacts": 1},
        {"period": day0, "topic__code": "expedite", "channel": "ivr", "contacts": 1},
        {"period": day1, "topic__code": "expedite", "channel": "tier1", "contacts": 2},
    ]
    month = selectors.contact_volume_by_topic(
        start=start, end=end, period="month", topic_codes=["expedite"], channels=["tier1"]
    )
    assert month == [{"period": day1.replace(day=1), "topic__code": "expedite", "channel": "tier1", "contacts": 2}]


def test_reconcile_repairs_a_corrupted_rollup_row_and_the_command_rebuilds(ledger, capsys):
    services.ledger_rollups_dirty_refresh()
    LedgerRollupChannel.objects.filter(interval_start=I0, channel="ivr").update(self_served=3, finished=3)
    LedgerRollup.objects.filter(interval_start=I0, channel="ivr").update(contacts=7)
    assert figures(T, T + 45 * M)["ivr"] == (3, 4)
    assert volume(T, T + 45 * M)["ivr"] == 8
    tasks.ledger_rollups_reconcile()
    assert figures(T, T + 45 * M) == WHOLE
    assert volume(T, T + 45 * M) == {"ivr": 4, "tier1": 3, "tier2": 1, "written": 1}

    LedgerRollup.objects.filter(interval_start=I2).delete()
    LedgerRollupChannel.objects.filter(interval_start=I2).delete()
    call_command("rollups_rebuild", "--days", "4")
    assert figures(T, T + 45 * M) == WHOLE
    assert volume(T, T + 45 * M) == {"ivr": 4, "tier1": 3, "tier2": 1, "written": 1}
    assert "Recomputed" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_a_write_committing_during_a_refresh_keeps_its_stale_mark(monkeypatch):
    """The write starts before the refresh and commits after the refresh's recompute, before it
    clears the marks it read: its own mark must survive (the recompute could not count it)."""
    record("before", T + 1 * M)
    services.ledger_rollups_dirty_refresh()
    record("marked", T + 2 * M)  # a committed mark on I0, there before the write and the refresh
    written, recomputed, committed = threading.Event(), threading.Event(), threading.Event()
    errors = []
    recompute = rollups.recompute

    def recompute_then_let_the_write_commit(intervals):
        rows = recompute(intervals)
        recomputed.set()
        assert committed.wait(30)
        return rows

    def write():
        try:
            with transaction.atomic():
                record("during", T + 3 * M, outcome=Outcome.ABANDONED)
                written.set()
                assert recomputed.wait(30)
        except Exception as error:  # reported below
            errors.append(error)
            written.set()
        finally:
            committed.set()
            connection.close()

    monkeypatch.setattr(
        rollup_services,
        "LEDGER",
        dataclasses.replace(rollup_services.LEDGER, recompute=recompute_then_let_the_write_commit),
    )
    thread = threading.Thread(target=write)
    thread.start()
    assert written.wait(30)
    services.ledger_rollup_refresh(intervals=[I0])
    thread.join(30)
    assert not errors
    row = LedgerRollup.objects.get(interval_start=I0, channel="ivr")
    assert (row.contacts, row.self_served) == (2, 2)  # the recompute's snapshot, without "during"
    assert dirty() == {I0}  # "during"'s own mark survived the refresh that cleared "marked"'s
    assert figures(T, T + 15 * M)["ivr"] == (2, 3)
    monkeypatch.undo()
    services.ledger_rollups_dirty_refresh()
    assert dirty() == set()
    assert LedgerRollup.objects.get(interval_start=I0, channel="ivr").contacts == 3


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_repeat_recorded_days_later_flips_the_earlier_interval_through_the_worker(celery_worker_process):
    _, log = celery_worker_process
    record("first", T + 1 * M, receipts=["EAC2190000501"])
    tasks.ledger_rollups_refresh.delay()  # as the beat sends it
    assert wait_for(lambda: not dirty()), log.read_text()
    assert LedgerRollup.objects.get(interval_start=I0).firsts_resolved == 1
    assert figures(T, T + 15 * M)["fcr"] == (1, 1)

    record("again", T + timedelta(days=3), channel=Channel.TIER1, outcome=Outcome.RESOLVED, receipts=["EAC2190000501"])
    assert dirty() == {I0, interval_of(T + timedelta(days=3))}
    assert LedgerRollup.objects.get(interval_start=I0).firsts_resolved == 1  # stale, and marked so
    assert figures(T, T + 15 * M)["fcr"] == (0, 1)
    tasks.ledger_rollups_refresh.delay()
    assert wait_for(lambda: not dirty()), log.read_text()
    assert LedgerRollup.objects.get(interval_start=I0).firsts_resolved == 0
    assert figures(T, T + 15 * M)["fcr"] == (0, 1)
    assert log.read_text().count("contactcenter.ledger_rollups_refresh") >= 2
