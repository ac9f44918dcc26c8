"""Routing cost per assignment, with its baseline measured in the same run.

    DJANGO_SETTINGS_MODULE=contactcenter.settings.test .venv/bin/python -m tests.load.bench_routing
    .venv/bin/python -m tests.load.bench_routing --contacts 10000 --agents 1000

1. Drops and creates the Postgres database `ncsc_bench_routing` (DATABASE_URL is set to it) and
   migrates it.
2. Seeds 10,000 waiting contacts (70 % tier1-en, 20 % tier1-es, 7 % tier2-en, 3 % tier2-es; a third
   with priority) and 1,000 available agents homed in the same proportions, then ANALYZE.
3. Phase "route": route_next over the queues in that proportion until every agent holds an offer,
   timing each call and counting its queries (CaptureQueriesContext).
4. Phase "bare": the same number of single-row SELECTs of a queue's next waiting contact by the
   queue index, on the same database and connection.
5. Prints p50 / p99 for both, queries per assignment, and the targets (≤ 3 queries per
   assignment; route p99 within 10 × the bare SELECT's p99).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta

from tests.load.common import SERVER, percentile, recreate_database

DATABASE = "ncsc_bench_routing"
MIX = [("tier1-en", 70), ("tier1-es", 20), ("tier2-en", 7), ("tier2-es", 3)]
TARGET_QUERIES = 3
TARGET_RATIO = 10


def _split(total: int) -> list[tuple[str, int]]:
    counts = [(name, total * weight // 100) for name, weight in MIX]
    counts[0] = (counts[0][0], counts[0][1] + total - sum(n for _, n in counts))
    return counts


def _seed(*, contacts: int, agents: int) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from contactcenter.models import AgentState, StaffProfile, WaitingContact

    user_model = get_user_model()
    now = timezone.now()
    users, profiles, states = [], [], []
    for name, count in _split(agents):
        tier, language = int(name[4]), name[-2:]
        for n in range(count):
            user = user_model(username=f"bench-{name}-{n}")
            users.append(user)
            profiles.append((user, tier, [language, "en" if language == "es" else "es"] if n % 3 == 0 else [language]))
    user_model.objects.bulk_create(users, batch_size=1000)
    StaffProfile.objects.bulk_create(
        [StaffProfile(user=user, tier=tier, languages=languages) for user, tier, languages in profiles], batch_size=1000
    )
    for i, (user, tier, languages) in enumerate(profiles):
        states.append(
            AgentState(
                user=user,
                state="available",
                tier=tier,
                home_queue=f"tier{tier}-{languages[0]}",
                languages="," + ",".join(languages) + ",",
                last_available_at=now - timedelta(seconds=i * 7 % 3600),
            )
        )
    AgentState.objects.bulk_create(states, batch_size=1000)
    rows = []
    for name, count in _split(contacts):
        for n in range(count):
            rows.append(
                WaitingContact(
                    queue_name=name,
                    tier=int(name[4]),
                    language=name[-2:],
                    priority=1 if n % 3 == 0 else 0,
                    enqueued_at=now - timedelta(seconds=(n * 13) % 1800),
                    phone="+12025550100",
                    caller_time_zone="America/New_York",
                )
            )
    WaitingContact.objects.bulk_create(rows, batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument("--agents", type=int, default=1_000)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contactcenter.settings.test")
    os.environ["DATABASE_URL"] = f"{SERVER}/{DATABASE}"
    recreate_database(DATABASE)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from contactcenter import services
    from contactcenter.models import WaitingContact
    from contactcenter.routing import services as routing_services

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    _seed(contacts=args.contacts, agents=args.agents)
    print(
        f"database {DATABASE}: {args.contacts} waiting contacts, {args.agents} agents "
        f"(seeded in {time.perf_counter() - started:.1f} s)"
    )
    if not routing_services._single_statement_routing():
        print("note: this database has no SKIP LOCKED; timing the ORM path")

    schedule = [name for name, weight in MIX for _ in range(weight)]
    route_ms: list[float] = []
    queries: list[int] = []
    misses = 0
    i = 0
    while len(route_ms) < args.agents and misses < 1000:
        name = schedule[i % len(schedule)]
        i += 1
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            assignment = services.route_next(queue_name=name)
            elapsed = (time.perf_counter() - began) * 1000
        if assignment is None:
            misses += 1
            continue
        route_ms.append(elapsed)
        queries.append(len(captured))

    bare_ms: list[float] = []
    for n in range(len(route_ms)):
        name = schedule[n % len(schedule)]
        began = time.perf_counter()
        WaitingContact.objects.filter(queue_name=name, status="waiting").order_by(
            "-priority", "enqueued_at", "id"
        ).values_list("id", flat=True).first()
        bare_ms.append((time.perf_counter() - began) * 1000)

    offered = WaitingContact.objects.filter(status="offered").count()
    per_assignment = statistics.mean(queries)
    route_p50, route_p99 = percentile(route_ms, 0.5), percentile(route_ms, 0.99)
    bare_p50, bare_p99 = percentile(bare_ms, 0.5), percentile(bare_ms, 0.99)
    print(f"assignments: {len(route_ms)} (contacts offered: {offered}; calls that found nothing: {misses})")
    print(
        f"route_next   p50 {route_p50:7.3f} ms   p99 {route_p99:7.3f} ms   "
        f"queries/assignment {per_assignment:.2f} (max {max(queries)})"
    )
    print(f"bare SELECT  p50 {bare_p50:7.3f} ms   p99 {bare_p99:7.3f} ms")
    print(f"ratio p50 {route_p50 / bare_p50:.1f}x   p99 {route_p99 / bare_p99:.1f}x")
    ok_queries = max(queries) <= TARGET_QUERIES
    ok_latency = route_p99 <= TARGET_RATIO * bare_p99
    print(f"target ≤ {TARGET_QUERIES} queries per assignment: {'met' if ok_queries else 'MISSED'}")
    print(f"target route p99 within {TARGET_RATIO}× bare SELECT p99: {'met' if ok_latency else 'MISSED'}")
    if offered != len(route_ms):
        print("ERROR: offers and assignments disagree")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
