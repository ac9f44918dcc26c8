"""First-contact resolution reads a repeat marker decided when contacts are recorded: the same
figure as the old read-time scan, on a hand-counted ledger, at one index-backed query."""

import importlib
import random
import threading
import time
from datetime import timedelta

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contactcenter import selectors, services
from contactcenter.audit.context import AuditContext
from contactcenter.models import (
    RESOLVING_OUTCOMES,
    Channel,
    IdentifierKind,
    Interaction,
    InteractionIdentifier,
    Outcome,
    Topic,
)

CTX = AuditContext.system()
DAY = timedelta(days=1)
backfill = importlib.import_module("contactcenter.migrations.0018_interaction_repeat").mark_repeated_contacts


def record(source_id, at, *, channel=Channel.IVR, outcome=Outcome.SELF_SERVED, receipts=(), parent=None):
    return services.interaction_record(
        context=CTX,
        channel=channel,
        topic_code="case-status",
        source_app="test",
        source_model="repeat",
        source_id=source_id,
        occurred_at=at,
        outcome=outcome,
        receipt_numbers=receipts,
        parent=parent,
    )


def fcr_by_scanning(*, start, end, window_days=7):
    """The definition as it was computed before the marker (an anti-join per read): the reference."""
    firsts = Interaction.objects.filter(parent__isnull=True, occurred_at__gte=start, occurred_at__lt=end).exclude(
        outcome=Outcome.IN_PROGRESS
    )
    first_receipts = InteractionIdentifier.objects.filter(
        interaction=OuterRef(OuterRef("pk")), kind=IdentifierKind.RECEIPT_NUMBER
    ).values("value")
    repeat = InteractionIdentifier.objects.filter(
        kind=IdentifierKind.RECEIPT_NUMBER,
        value__in=first_receipts,
        interaction__parent__isnull=True,
        interaction__occurred_at__gt=OuterRef("occurred_at"),
        interaction__occurred_at__lte=OuterRef("occurred_at") + timedelta(days=window_days),
    )
    resolved = (
        firsts.filter(outcome__in=RESOLVING_OUTCOMES)
        .exclude(Exists(Interaction.objects.filter(parent=OuterRef("pk"))))
        .exclude(Exists(repeat))
    )
    return resolved.count(), firsts.count()


@pytest.fixture
def ledger(db):
    t0 = (timezone.now() - 40 * DAY).replace(microsecond=0)
    c = {}
    r1, r2, r3, r4, r5, r6, r7, r8 = (f"EAC21900001{n:02d}" for n in range(1, 9))
    # R1: a repeat at exactly 7 days counts; one 7 days and a second later does not.
    c["a1"] = record("a1", t0, receipts=[r1])
    c["a2"] = record("a2", t0 + 7 * DAY, channel=Channel.TIER1, outcome=Outcome.RESOLVED, receipts=[r1])
    c["a3"] = record("a3", t0 + 14 * DAY + timedelta(seconds=1), channel=Channel.WRITTEN, receipts=[r1])
    # R2: a hand-off is no repeat (nor a first contact), even when it comes after another contact.
    c["b1"] = record("b1", t0 + DAY, outcome=Outcome.TRANSFERRED, receipts=[r2])
    c["b3"] = record("b3", t0 + 3 * DAY, receipts=[r2])
    c["b2"] = record("b2", t0 + 5 * DAY, channel=Channel.TIER1, outcome=Outcome.RESOLVED, receipts=[r2], parent=c["b1"])
    # R3/R4: a contact naming two receipt numbers; a repeat still in progress counts; a contact
    # recorded after a later one (backdated) is marked all the same.
    c["c1"] = record("c1", t0 + 2 * DAY, channel=Channel.TIER1, outcome=Outcome.RESOLVED, receipts=[r3, r4])
    c["c2"] = record("c2", t0 + 6 * DAY, channel=Channel.WRITTEN, outcome=Outcome.IN_PROGRESS, receipts=[r4])
    c["c3"] = record("c3", t0 + 10 * DAY, receipts=[r3])
    c["c4"] = record("c4", t0 + 9 * DAY, receipts=[r3])
    # R5: the receipt number reaches the earlier contact only when it is recorded again.
    c["d1"] = record("d1", t0 + 20 * DAY)
    c["d2"] = record("d2", t0 + 21 * DAY, channel=Channel.TIER1, outcome=Outcome.RESOLVED, receipts=[r5])
    record("d1", t0 + 20 * DAY, receipts=[r5])
    # R6: the later contact moves to 8 days after: the earlier one is resolved again.
    c["e1"] = record("e1", t0 + 25 * DAY, receipts=[r6])
    c["e2"] = record("e2", t0 + 26 * DAY, receipts=[r6])
    record("e2", t0 + 33 * DAY, receipts=[r6])
    # No receipt number, and a live contact (not counted at all).
    c["f1"] = record("f1", t0 + 12 * DAY, channel=Channel.TIER2, outcome=Outcome.RESOLVED)
    c["f3"] = record("f3", t0 + 12 * DAY, channel=Channel.TIER1, outcome=Outcome.IN_PROGRESS)
    # R7: two contacts at the same moment are no repeat of each other (strictly later only).
    c["g1"] = record("g1", t0 + 15 * DAY, receipts=[r7])
    c["g2"] = record("g2", t0 + 15 * DAY, receipts=[r7])
    # R8: resolved, but handed off.
    c["h1"] = record("h1", t0 + 16 * DAY, channel=Channel.TIER1, outcome=Outcome.RESOLVED, receipts=[r8])
    c["h2"] = record(
        "h2", t0 + 16 * DAY + timedelta(minutes=9), channel=Channel.TIER2, outcome=Outcome.RESOLVED, parent=c["h1"]
    )
    return t0, c


def marked(contacts):
    ids = set(Interaction.objects.filter(followed_by_repeat=True).values_list("pk", flat=True))
    return {name for name, interaction in contacts.items() if interaction.pk in ids}


def test_fcr_reads_the_marker_and_matches_the_hand_count(ledger, django_assert_num_queries):
    t0, contacts = ledger
    # Counted by hand. First contacts (no parent, not in progress): a1 a2 a3 b1 b3 c1 c3 c4 d1 d2
    # e1 e2 f1 g1 g2 h1 = 16. Not resolved: a1 (a2 at exactly 7 days), b1 (transferred; b3 after
    # it), c1 (c2 in progress, then c4 at exactly 7 days), c4 (c3 a day later), d1 (d2 after its
    # receipt number was added), h1 (handed off to h2). Resolved: 10.
    assert marked(contacts) == {"a1", "b1", "c1", "c4", "d1"}
    start, end = t0, t0 + 40 * DAY
    with django_assert_num_queries(1):
        fcr = selectors.first_contact_resolution(start=start, end=end)
    assert (fcr.numerator, fcr.denominator) == (10, 16) == fcr_by_scanning(start=start, end=end)
    # The first week alone: a1 b1 c1 b3 are first contacts (a2 at 7 days is not in [t0, t0+7d));
    # a1's repeat lies outside the period and still counts. Only b3 is resolved.
    week = selectors.first_contact_resolution(start=t0, end=t0 + 7 * DAY)
    assert (week.numerator, week.denominator) == (1, 4) == fcr_by_scanning(start=t0, end=t0 + 7 * DAY)


def test_the_backfill_marks_what_recording_marks(ledger):
    _, contacts = ledger
    Interaction.objects.update(followed_by_repeat=False)
    backfill(apps, None)
    assert marked(contacts) == {"a1", "b1", "c1", "c4", "d1"}


def test_a_random_ledger_gives_the_figure_of_the_old_scan(db):
    rng = random.Random(19)
    t0 = timezone.now() - 30 * DAY
    recorded = []
    for n in range(120):
        parent = rng.choice(recorded) if recorded and rng.random() < 0.2 else None
        recorded.append(
            record(
                f"r{n}",
                t0 + timedelta(hours=rng.randrange(0, 24 * 25)),
                outcome=rng.choice(list(Outcome)),
                receipts=[f"WAC21900002{rng.randrange(12):02d}"],
                parent=parent,
            )
        )
    for start, end in [(t0, t0 + 30 * DAY), (t0 + 5 * DAY, t0 + 12 * DAY)]:
        fcr = selectors.first_contact_resolution(start=start, end=end)
        assert (fcr.numerator, fcr.denominator) == fcr_by_scanning(start=start, end=end)
        assert fcr.denominator > 10


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_contacts_recorded_at_once_see_each_other():
    assert connection.vendor == "postgresql"
    at = timezone.now() - DAY
    inserted, release, errors = threading.Event(), threading.Event(), []

    def earlier():
        try:
            with transaction.atomic():
                record("first", at, receipts=["LIN2190000301"])
                inserted.set()
                release.wait(10)
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            inserted.set()
            connection.close()

    def later():
        try:
            record("second", at + timedelta(hours=1), receipts=["LIN2190000301"])
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    first = threading.Thread(target=earlier)
    first.start()
    inserted.wait(10)
    second = threading.Thread(target=later)
    second.start()
    time.sleep(0.5)  # the later contact is recorded while the earlier one is not yet committed
    release.set()
    first.join()
    second.join()
    assert errors == []
    assert Interaction.objects.get(source_id="first").followed_by_repeat is True
    assert Interaction.objects.get(source_id="second").followed_by_repeat is False


@pytest.mark.postgres
def test_fcr_plan_is_index_backed_at_a_few_thousand_rows(db):
    assert connection.vendor == "postgresql"
    topic = Topic.objects.get(code="case-status")
    t0 = timezone.now() - 30 * DAY
    rows = Interaction.objects.bulk_create(
        Interaction(
            channel=Channel.IVR,
            topic=topic,
            occurred_at=t0 + timedelta(minutes=10 * n),
            outcome=Outcome.SELF_SERVED if n % 3 else Outcome.TRANSFERRED,
            source_app="bench",
            source_model="plan",
            source_id=str(n),
            followed_by_repeat=n % 5 == 0,
        )
        for n in range(4000)
    )
    Interaction.objects.bulk_create(
        Interaction(
            channel=Channel.TIER1,
            topic=topic,
            occurred_at=row.occurred_at + timedelta(minutes=2),
            outcome=Outcome.RESOLVED,
            parent=row,
            source_app="bench",
            source_model="handoff",
            source_id=str(row.pk),
        )
        for row in rows[::3]
    )
    InteractionIdentifier.objects.bulk_create(
        InteractionIdentifier(interaction=row, kind=IdentifierKind.RECEIPT_NUMBER, value=f"SRC21{n % 900:08d}")
        for n, row in enumerate(rows)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE contactcenter_interaction")
        cursor.execute("ANALYZE contactcenter_interactionidentifier")
    with CaptureQueriesContext(connection) as queries:
        selectors.first_contact_resolution(start=t0 + 10 * DAY, end=t0 + 11 * DAY)
    (query,) = queries.captured_queries
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + query["sql"])
        plan = "\n".join(line for (line,) in cursor.fetchall())
    assert "interactionidentifier" not in plan, plan
    assert "Seq Scan" not in plan, plan
