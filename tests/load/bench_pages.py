"""The live-queue figures at 10,000 and at 1,000,000 interactions, with the plans of their queries.

    .venv/bin/python -m tests.load.bench_pages --sizes 10000 1000000

Drops and creates the Postgres database `--database`, migrates it, then for each size grows the
ledger with `seed_ledger` (which writes the finished queue contacts behind every Tier 1 and Tier 2
conversation) and times, `--repeat` times each: the queue report's selector over 7 and 21 days,
the wallboard's contacts by hour for today and its queue statistics, and the queue report page
itself (screen and CSV) as a supervisor, printing min, p50 and p99 (the machine is shared: the
minimum is the least-disturbed run). At the largest size it prints, for every query those run,
`EXPLAIN (ANALYZE, BUFFERS)`'s root node, its time and buffers, and any sequential scan of a table
that grows with the ledger.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

from tests.load.common import SERVER, percentile, recreate_database

BIG_TABLES = ("contactcenter_interaction", "contactcenter_interactionidentifier", "contactcenter_waitingcontact")


def _timed(run, repeat: int) -> tuple[float, float, float]:
    run()  # warm: the first call pays for the cold cache and the connection
    timings = []
    for _ in range(repeat):
        began = time.perf_counter()
        run()
        timings.append((time.perf_counter() - began) * 1000)
    return min(timings), percentile(timings, 0.5), percentile(timings, 0.99)


def _scans(node: dict) -> list[str]:
    found = []
    if node.get("Node Type") == "Seq Scan" and node.get("Relation Name") in BIG_TABLES:
        found.append(f"{node['Relation Name']} ({node.get('Actual Rows', 0) * node.get('Actual Loops', 1)} rows)")
    for child in node.get("Plans", []):
        found += _scans(child)
    return found


def explain(label: str, run) -> list[str]:
    """Print each query's plan summary; return the sequential scans of big tables found."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        run()
    problems = []
    # A read that turns JIT off for its statement (queue_rollups) is explained the same way.
    jit = "off" if any(query["sql"] == "SET LOCAL jit = off" for query in queries.captured_queries) else "on"
    for number, query in enumerate(queries.captured_queries, 1):
        sql = query["sql"]
        if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
            continue
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL jit = {jit}")
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql)
            (plan,) = cursor.fetchone()
        plan = plan[0] if isinstance(plan, list) else json.loads(plan)[0]
        root = plan["Plan"]
        scans = _scans(root)
        problems += [f"{label} #{number}: {scan}" for scan in scans]
        buffers = root.get("Shared Hit Blocks", 0) + root.get("Shared Read Blocks", 0)
        print(
            f"    EXPLAIN {label} #{number}: {root['Node Type']}"
            f"{' on ' + root['Relation Name'] if 'Relation Name' in root else ''}, "
            f"{plan['Execution Time']:.1f} ms (JIT {jit}), {buffers} buffers, "
            f"{'SEQ SCAN ' + ', '.join(scans) if scans else 'no sequential scan of a big table'}",
            flush=True,
        )
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--database", default="ncsc_bench_pages")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="Keep the database an earlier run seeded: migrate it (timing the queue rollups' backfill) and "
        "seed only up to each size.",
    )
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contactcenter.settings.test")
    os.environ["DATABASE_URL"] = f"{SERVER}/{args.database}"
    if not args.reuse:
        recreate_database(args.database)
    import django

    django.setup()
    from datetime import timedelta
    from io import StringIO

    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from contactcenter import selectors
    from contactcenter.models import Interaction, WaitingContact
    from contactcenter.staff.roles import Role
    from tests.factories import StaffFactory

    settings.ALLOWED_HOSTS = ["*"]
    from contactcenter import services

    call_command("migrate", verbosity=0)
    began = time.perf_counter()
    intervals = services.queue_rollups_dirty_refresh()
    if intervals:
        print(f"queue rollups: {intervals:,} stale intervals refreshed in {time.perf_counter() - began:.1f} s")
    from django.contrib.auth import get_user_model

    supervisor = get_user_model().objects.filter(username="bench-supervisor").first() or StaffFactory(
        username="bench-supervisor", roles=[Role.SUPERVISOR]
    )
    client = Client()
    client.force_login(supervisor)
    today = timezone.localdate()
    seeded = Interaction.objects.count()
    for size in args.sizes:
        began = time.perf_counter()
        if size > seeded:
            call_command("seed_ledger", interactions=size - seeded, days=21, seed=size, stdout=StringIO())
        print(
            f"seed_ledger +{max(size - seeded, 0):,} interactions in {time.perf_counter() - began:.1f} s: "
            f"{Interaction.objects.count():,} interactions, {WaitingContact.objects.count():,} queue contacts",
            flush=True,
        )
        seeded = max(seeded, size)
        pages = {
            "queue_history 7 days": lambda: selectors.queue_history(start=today - timedelta(days=6), end=today),
            "queue_history 21 days": lambda: selectors.queue_history(start=today - timedelta(days=20), end=today),
            "contacts_by_hour today": lambda: selectors.contacts_by_hour(day=today),
            "queue_stats": lambda: selectors.queue_stats(),
            "GET /reports/queues/": lambda: client.get("/reports/queues/"),
            "GET /reports/queues/?format=csv": lambda: client.get("/reports/queues/?format=csv"),
        }
        for label, run in pages.items():
            low, p50, p99 = _timed(run, args.repeat)
            print(f"  {size:>9,} {label:<32} min {low:7.1f} ms  p50 {p50:7.1f} ms  p99 {p99:7.1f} ms", flush=True)
        assert client.get("/reports/queues/").status_code == 200
    problems = []
    for label in ("queue_history 7 days", "queue_history 21 days", "contacts_by_hour today", "queue_stats"):
        problems += explain(label, pages[label])
    print("sequential scans of big tables: " + ("; ".join(problems) if problems else "none"), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
