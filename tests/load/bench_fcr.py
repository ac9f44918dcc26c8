"""First-contact resolution over a week's ledger: the old read-time scan against the recorded marker.

    .venv/bin/python -m tests.load.bench_fcr --sizes 2000 20000 200000 --old-up-to 20000

Drops and creates the Postgres database `--database`, migrates it, then for each size adds
interactions over the last 21 days (about one in five first contacts is a repeat about an earlier
receipt number, a quarter of the IVR calls are handed off to Tier 1), marks repeats with the
migration's backfill (timed), ANALYZE, and times `selectors.first_contact_resolution` for the week
(and the old scan, up to `--old-up-to`, checking both give the same figure).
"""

from __future__ import annotations

import argparse
import importlib
import os
import random
import sys
import time

from tests.load.common import SERVER, percentile, recreate_database


def _seed(rng: random.Random, start_index: int, count: int, receipts: list[str]) -> None:
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from contactcenter.models import Channel, IdentifierKind, Interaction, InteractionIdentifier, Outcome, Topic

    topic = Topic.objects.get(code="case-status")
    now = timezone.now()
    batch = 5000
    for low in range(start_index, start_index + count, batch):
        size = min(batch, start_index + count - low)
        with transaction.atomic():
            rows, ids = [], []
            for n in range(low, low + size):
                if receipts and rng.random() < 0.2:
                    receipt = rng.choice(receipts)
                else:
                    receipt = f"EAC{2190000000 + n:010d}"
                    receipts.append(receipt)
                transferred = rng.random() < 0.25
                rows.append(
                    Interaction(
                        channel=Channel.IVR,
                        topic=topic,
                        occurred_at=now - timedelta(seconds=rng.randrange(21 * 86400)),
                        outcome=Outcome.TRANSFERRED
                        if transferred
                        else rng.choice([Outcome.SELF_SERVED] * 3 + [Outcome.ABANDONED]),
                        source_app="bench",
                        source_model="call",
                        source_id=str(n),
                    )
                )
                ids.append((receipt, transferred))
            calls = Interaction.objects.bulk_create(rows)
            children = Interaction.objects.bulk_create(
                Interaction(
                    channel=Channel.TIER1,
                    topic=topic,
                    occurred_at=call.occurred_at + timedelta(minutes=3),
                    outcome=Outcome.RESOLVED,
                    parent=call,
                    source_app="bench",
                    source_model="talk",
                    source_id=str(call.pk),
                )
                for call, (_, transferred) in zip(calls, ids, strict=True)
                if transferred
            )
            by_parent = {child.parent_id: child for child in children}
            identifiers = []
            for call, (receipt, _) in zip(calls, ids, strict=True):
                identifiers.append(
                    InteractionIdentifier(interaction=call, kind=IdentifierKind.RECEIPT_NUMBER, value=receipt)
                )
                if call.pk in by_parent:
                    identifiers.append(
                        InteractionIdentifier(
                            interaction=by_parent[call.pk], kind=IdentifierKind.RECEIPT_NUMBER, value=receipt
                        )
                    )
            InteractionIdentifier.objects.bulk_create(identifiers)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 20000])
    parser.add_argument("--old-up-to", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--database", default="ncsc_bench_fcr")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contactcenter.settings.test")
    os.environ["DATABASE_URL"] = f"{SERVER}/{args.database}"
    recreate_database(args.database)
    import django

    django.setup()
    from datetime import timedelta

    from django.apps import apps
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from contactcenter import selectors, services
    from contactcenter.audit import AuditContext
    from contactcenter.models import Interaction
    from tests.contactcenter.test_repeat_contacts import fcr_by_scanning

    backfill = importlib.import_module("contactcenter.migrations.0018_interaction_repeat").mark_repeated_contacts
    call_command("migrate", verbosity=0)
    rng, receipts, seeded = random.Random(19), [], 0
    for size in args.sizes:
        _seed(rng, seeded, size - seeded, receipts)
        seeded = size
        Interaction.objects.update(followed_by_repeat=False)
        began = time.perf_counter()
        backfill(apps, None)
        marked_in = time.perf_counter() - began
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE contactcenter_interaction")
            cursor.execute("VACUUM ANALYZE contactcenter_interactionidentifier")
        total = Interaction.objects.count()
        end = timezone.now() + timedelta(minutes=1)
        start = end - timedelta(days=7, minutes=2)
        timings = []
        for _ in range(args.repeat):
            began = time.perf_counter()
            fcr = selectors.first_contact_resolution(start=start, end=end)
            timings.append((time.perf_counter() - began) * 1000)
        line = (
            f"{size:>8} calls ({total} interactions): backfill {marked_in:6.2f} s; "
            f"FCR {fcr.numerator}/{fcr.denominator} p50 {percentile(timings, 0.5):8.2f} ms "
            f"p99 {percentile(timings, 0.99):8.2f} ms"
        )
        if size <= args.old_up_to:
            began = time.perf_counter()
            old = fcr_by_scanning(start=start, end=end)
            line += f"; old scan {old[0]}/{old[1]} {(time.perf_counter() - began) * 1000:10.1f} ms"
            assert old == (fcr.numerator, fcr.denominator), (old, fcr)
        print(line, flush=True)
        recorded = []
        for n in range(args.repeat * 10):
            began = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                services.interaction_record(
                    context=AuditContext.system(),
                    channel="ivr",
                    topic_code="case-status",
                    source_app="bench",
                    source_model="recorded",
                    source_id=f"{size}-{n}",
                    occurred_at=timezone.now() - timedelta(seconds=rng.randrange(21 * 86400)),
                    outcome="self_served",
                    receipt_numbers=[rng.choice(receipts)],
                )
            recorded.append((time.perf_counter() - began) * 1000)
        print(
            f"{'':>8} interaction_record of a repeat contact: p50 {percentile(recorded, 0.5):6.2f} ms "
            f"p99 {percentile(recorded, 0.99):6.2f} ms",
            flush=True,
        )
    (update,) = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    with CaptureQueriesContext(connection) as queries:
        selectors.first_contact_resolution(start=start, end=end)
    with connection.cursor() as cursor:
        for sql in (queries.captured_queries[0]["sql"], update):
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            print("\n".join(row for (row,) in cursor.fetchall()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
