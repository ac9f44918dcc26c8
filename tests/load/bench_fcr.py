"""The ledger figures (IVR containment, Tier 2 transfer rate, first-contact resolution, contact
volume by topic) from 15-minute rollups, at a small ledger and a large one.

    .venv/bin/python -m tests.load.bench_fcr --sizes 10000 1000000

Drops and creates the Postgres database `--database`, migrates it, then for each size grows the
ledger to that many interactions with `manage.py seed_ledger` (21 days, repeat contacts, hand-offs;
it rebuilds the rollups), records a few live contacts in the current interval through
`interaction_record` (so it is marked stale, as it is all day long), and times each figure for
"today" and "the last 7 days" as the wallboard asks for them, checking each against the same
definition counted straight from the ledger (the pre-rollup queries, timed too). Prints each
figure's p50/p99 at every size and the ratio of the last size to the first, the cost of
`interaction_record` (which marks intervals stale), and `EXPLAIN (ANALYZE, BUFFERS)` of each
figure's statement at the last size.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time

from tests.load.common import SERVER, percentile, recreate_database

LIVE_CONTACTS = 30


def _reference(start, end):
    """Each figure counted straight from the ledger with the ORM (the selectors before rollups)."""
    from django.db.models import Count, Exists, OuterRef, Q
    from django.db.models.functions import TruncDay
    from django.utils import timezone

    from contactcenter.models import RESOLVING_OUTCOMES, Channel, Interaction, Outcome

    period = Interaction.objects.filter(occurred_at__gte=start, occurred_at__lt=end)
    ivr = period.filter(channel=Channel.IVR).exclude(outcome=Outcome.IN_PROGRESS)
    tier1 = period.filter(channel=Channel.TIER1)
    firsts = period.filter(parent__isnull=True).exclude(outcome=Outcome.IN_PROGRESS)
    resolved = Q(outcome__in=RESOLVING_OUTCOMES, followed_by_repeat=False) & ~Exists(
        Interaction.objects.filter(parent=OuterRef("pk"))
    )
    return {
        "ivr_containment": tuple(
            ivr.aggregate(a=Count("id", filter=Q(outcome=Outcome.SELF_SERVED)), b=Count("id")).values()
        ),
        "tier2_transfer_rate": tuple(
            tier1.aggregate(
                a=Count("id", filter=Q(outcome=Outcome.ESCALATED) | Q(handoffs__channel=Channel.TIER2), distinct=True),
                b=Count("id"),
            ).values()
        ),
        "first_contact_resolution": tuple(firsts.aggregate(a=Count("id", filter=resolved), b=Count("id")).values()),
        "contact_volume_by_topic": [
            tuple(row.values())
            for row in period.annotate(period=TruncDay("occurred_at", tzinfo=timezone.get_current_timezone()))
            .values("period", "topic__code", "channel")
            .annotate(contacts=Count("id"))
            .order_by("period", "topic__code", "channel")
        ],
    }


def _figures():
    from contactcenter import selectors

    def rate(function):
        def run(start, end):
            result = function(start=start, end=end)
            return (result.numerator, result.denominator)

        return run

    def volume(start, end):
        return [tuple(row.values()) for row in selectors.contact_volume_by_topic(start=start, end=end, period="day")]

    return {
        "ivr_containment": rate(selectors.ivr_containment),
        "tier2_transfer_rate": rate(selectors.tier2_transfer_rate),
        "first_contact_resolution": rate(selectors.first_contact_resolution),
        "contact_volume_by_topic": volume,
    }


def _timed(run, repeat):
    timings, result = [], None
    for _ in range(repeat):
        began = time.perf_counter()
        result = run()
        timings.append((time.perf_counter() - began) * 1000)
    return result, timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--database", default="ncsc_bench_fcr")
    parser.add_argument("--reuse", action="store_true", help="Keep an earlier run's database and ledger.")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contactcenter.settings.test")
    os.environ["DATABASE_URL"] = f"{SERVER}/{args.database}"
    if not args.reuse:
        recreate_database(args.database)
    import django

    django.setup()
    from datetime import timedelta

    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from contactcenter import services
    from contactcenter.audit.context import AuditContext
    from contactcenter.models import Interaction, LedgerRollup, LedgerRollupDirty

    call_command("migrate", verbosity=0)
    rng = random.Random(19)
    figures = _figures()
    results: dict[tuple[str, str], list[tuple[int, float, float]]] = {}
    for size in args.sizes:
        have = Interaction.objects.count()
        if size > have:
            began = time.perf_counter()
            call_command("seed_ledger", interactions=size - have, days=21, seed=size, stdout=sys.stderr)
            print(f"seed_ledger +{size - have:,} interactions: {time.perf_counter() - began:.1f} s", flush=True)
        recorded = []
        for n in range(LIVE_CONTACTS):  # the current interval, stale as it is between refreshes
            began = time.perf_counter()
            services.interaction_record(
                context=AuditContext.system(),
                channel=rng.choice(["ivr", "tier1", "tier2"]),
                topic_code="case-status",
                source_app="bench",
                source_model="live",
                source_id=f"{size}-{n}",
                occurred_at=timezone.now() - timedelta(seconds=rng.randrange(60)),
                outcome=rng.choice(["self_served", "resolved", "escalated", "abandoned"]),
                receipt_numbers=[f"EAC{rng.randrange(10**10):010d}"],
            )
            recorded.append((time.perf_counter() - began) * 1000)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        now = timezone.now()
        start_of_day = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
        periods = {"today": (start_of_day, now), "last 7 days": (now - timedelta(days=7), now)}
        total = Interaction.objects.count()
        print(
            f"\n{total:,} interactions, {LedgerRollup.objects.count():,} rollup rows, "
            f"{LedgerRollupDirty.objects.values('interval_start').distinct().count()} stale interval(s); "
            f"interaction_record p50 {percentile(recorded, 0.5):.2f} ms p99 {percentile(recorded, 0.99):.2f} ms",
            flush=True,
        )
        for label, (start, end) in periods.items():
            reference, ledger_ms = _timed(lambda start=start, end=end: _reference(start, end), 3)
            for name, figure in figures.items():
                value, timings = _timed(lambda figure=figure, start=start, end=end: figure(start, end), args.repeat)
                assert value == reference[name], (name, label, value, reference[name])
                p50, p99 = percentile(timings, 0.5), percentile(timings, 0.99)
                results.setdefault((name, label), []).append((total, p50, p99))
                shown = value if isinstance(value, tuple) else f"{len(value)} rows"
                print(f"  {label:<12} {name:<26} {shown!s:<18} p50 {p50:7.2f} ms  p99 {p99:7.2f} ms", flush=True)
            print(
                f"  {label:<12} all four straight from the ledger (pre-rollup ORM): {percentile(ledger_ms, 0.5):.0f} ms"
            )

    if len(args.sizes) > 1:
        print(f"\nratio at {args.sizes[-1]:,} to {args.sizes[0]:,} (p99):")
        for (name, label), rows in results.items():
            (_, _, small_p99), (_, _, large_p99) = rows[0], rows[-1]
            print(
                f"  {label:<12} {name:<26} {small_p99:7.2f} ms -> {large_p99:7.2f} ms  x{large_p99 / small_p99:4.2f}",
                flush=True,
            )

    print(f"\nEXPLAIN (ANALYZE, BUFFERS), last 7 days, {total:,} interactions:")
    start, end = periods["last 7 days"]
    for name, figure in figures.items():
        with CaptureQueriesContext(connection) as queries:
            figure(start, end)
        (query,) = queries.captured_queries
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
            plan = [row for (row,) in cursor.fetchall()]
        scans = sorted({line.strip().split("  (")[0].lstrip("-> ") for line in plan if "Scan" in line})
        summary = [line.strip() for line in plan if line.strip().startswith(("Execution Time", "Buffers"))][:1]
        print(f"  {name}: {plan[-1].strip()}; {summary[0] if summary else ''}")
        for scan in scans:
            print(f"      {scan}")
        assert not any("Seq Scan on contactcenter_interaction" in line for line in plan), "\n".join(plan)
    return 0


if __name__ == "__main__":
    sys.exit(main())
