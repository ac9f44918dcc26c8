"""Outreach: the contact-center volume set beside a feedback topic, and registration under
contention, each with its baseline measured in the same run.

    .venv/bin/python -m tests.load.bench_outreach
    .venv/bin/python -m tests.load.bench_outreach --interactions 1000000 --threads 8

1. Drops and creates the Postgres database `ncsc_bench_outreach` and migrates it.
2. Seeds N ledger interactions over the last 90 days (IVR 70 %, Tier 1 20 %, Tier 2 5 %, written 3 %,
   web 1 %, outreach 1 %) over every topic, then ANALYZE.
3. Phase "volume": `selectors.contact_center_volume` for each top-level topic over the 90 days
   (topic + subtopics, calls and inquiries by month), 5 rounds. Baseline: a bare indexed
   `COUNT(*)` of the same topics and period.
4. Phase "register": T threads register 25 people each for one engagement of capacity 5 × T (so
   the seats run out mid-way and the rest are waitlisted). Baseline: the same number of
   registrations one after another. Checks exactly 5 × T seats were given.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from datetime import timedelta

from tests.load.common import SERVER, percentile, recreate_database

DATABASE = "ncsc_bench_outreach"
CHANNELS = [("ivr", 70), ("tier1", 20), ("tier2", 5), ("written", 3), ("web", 1), ("outreach", 1)]
PER_THREAD = 25


def _seed(total: int) -> None:
    from django.db import connection
    from django.utils import timezone

    from contactcenter.models import Interaction, Topic

    topics = list(Topic.objects.values_list("id", flat=True))
    channels = [name for name, weight in CHANNELS for _ in range(weight)]
    now = timezone.now()
    batch = []
    for n in range(total):
        batch.append(
            Interaction(
                channel=channels[n % len(channels)],
                topic_id=topics[(n * 7) % len(topics)],
                occurred_at=now - timedelta(seconds=(n * 7919) % (90 * 86400)),
                outcome="resolved",
                source_app="bench",
                source_model="contact",
                source_id=str(n),
            )
        )
        if len(batch) == 5000:
            Interaction.objects.bulk_create(batch)
            batch = []
    Interaction.objects.bulk_create(batch)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interactions", type=int, default=300_000)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contactcenter.settings.test")
    os.environ["DATABASE_URL"] = f"{SERVER}/{DATABASE}"
    recreate_database(DATABASE)
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from contactcenter.audit.context import AuditContext
    from contactcenter.models import Interaction, Topic
    from outreach import selectors, services
    from outreach.models import Engagement, Registration

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    _seed(args.interactions)
    seeded = time.perf_counter() - started
    print(f"database {DATABASE}: {args.interactions} interactions over 90 days (seeded in {seeded:.1f} s)")

    end = timezone.now() + timedelta(minutes=1)
    start = end - timedelta(days=91)
    roots = list(Topic.objects.filter(parent__isnull=True))
    volume_ms, bare_ms = [], []
    for _ in range(5):
        for topic in roots:
            began = time.perf_counter()
            selectors.contact_center_volume(topic=topic, start=start, end=end)
            volume_ms.append((time.perf_counter() - began) * 1000)
            codes = [topic.pk, *Topic.objects.filter(parent=topic).values_list("pk", flat=True)]
            began = time.perf_counter()
            Interaction.objects.filter(topic_id__in=codes, occurred_at__gte=start, occurred_at__lt=end).count()
            bare_ms.append((time.perf_counter() - began) * 1000)
    print(
        f"volume beside a topic  p50 {percentile(volume_ms, 0.5):8.2f} ms   "
        f"p99 {percentile(volume_ms, 0.99):8.2f} ms   ({len(volume_ms)} queries over {len(roots)} topics)"
    )
    print(f"bare indexed COUNT(*)  p50 {percentile(bare_ms, 0.5):8.2f} ms   p99 {percentile(bare_ms, 0.99):8.2f} ms")
    print(f"ratio p50 {percentile(volume_ms, 0.5) / percentile(bare_ms, 0.5):.1f}x")

    organiser = get_user_model().objects.create(username="bench-cro")
    topic = Topic.objects.get(code="naturalization")

    def engagement(capacity: int) -> Engagement:
        starts = (timezone.now() + timedelta(days=7)).replace(microsecond=0)
        return Engagement.objects.create(
            title="Bench", kind="webinar", starts_at=starts, ends_at=starts + timedelta(hours=1),
            time_zone="UTC", capacity=capacity, registration_closes_at=starts, topic=topic, organiser=organiser,
            call_in="https://example.gov", status="published",
        )  # fmt: skip

    context = AuditContext.system()
    total = PER_THREAD * args.threads
    sequential = engagement(5 * args.threads)
    began = time.perf_counter()
    for n in range(total):
        services.registration_create(
            context=context, engagement_id=sequential.pk, name=f"S{n}", email=f"s{n}@example.org"
        )
    sequential_s = time.perf_counter() - began

    contended = engagement(5 * args.threads)
    latencies: list[float] = []
    errors: list[Exception] = []

    def worker(t: int) -> None:
        try:
            for n in range(PER_THREAD):
                began = time.perf_counter()
                services.registration_create(
                    context=context, engagement_id=contended.pk, name=f"T{t}-{n}", email=f"t{t}-{n}@example.org"
                )
                latencies.append((time.perf_counter() - began) * 1000)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(args.threads)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    contended_s = time.perf_counter() - began
    seated = Registration.objects.filter(engagement=contended, status="registered").count()
    waitlisted = Registration.objects.filter(engagement=contended, status="waitlisted").count()
    print(f"register, 1 at a time   {total / sequential_s:7.1f} registrations/s")
    print(f"register, {args.threads} threads     {total / contended_s:7.1f} registrations/s   "
          f"p50 {statistics.median(latencies):.1f} ms   p99 {percentile(latencies, 0.99):.1f} ms")  # fmt: skip
    print(f"seats given {seated} of {contended.capacity}, waitlisted {waitlisted}, errors {len(errors)}")
    if errors or seated != contended.capacity or seated + waitlisted != total:
        print("ERROR: the seats do not add up")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
