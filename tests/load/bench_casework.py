"""CAO full-text search: the same queries over 10,000 and then 100,000 inquiries, in one run.

    .venv/bin/python -m tests.load.bench_casework            (make bench-casework)
    .venv/bin/python -m tests.load.bench_casework --small 10000 --large 100000 --repeat 5

1. Drops and creates the Postgres database `ncsc_bench_casework` (DATABASE_URL is set to it) and
   migrates it (the search trigger and its GIN index come with the migrations).
2. Seeds `--small` inquiries (subject, ~60-word body, correspondent; 2,000 surnames, unique receipt
   numbers, a 400-word vocabulary), ANALYZE, and times the queue search the console and the API use
   (`selectors.inquiry_queue(search=...)`, first 50 rows in queue order) for a fixed query set.
3. Adds inquiries up to `--large`, ANALYZE, and times the same queries again.
4. Prints p50 / p99 per kind of query — identifiers (a receipt number, a correspondent's surname),
   uncommon words (in 1 inquiry of 400), common words (in most inquiries) — and over all of them,
   for both sizes, and the ratios. Target: the p99 over all queries at the large size within 2 × the
   p99 at the small size.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time

from tests.load.common import SERVER, percentile, recreate_database

DATABASE = "ncsc_bench_casework"
TARGET_RATIO = 2.0
COMMON = ["application", "status", "delay", "card", "interview", "please", "case", "office"]
RARE = ["asylum", "parole", "waiver", "biometrics", "naturalization", "expedite", "fingerprint", "transfer"]


class Corpus:
    def __init__(self, seed: int = 2026) -> None:
        self.rng = random.Random(seed)
        syllables = ["an", "bel", "cor", "dan", "el", "far", "gon", "har", "is", "jor", "kel", "lin", "mar", "nor"]
        self.surnames = sorted(
            {"".join(self.rng.choice(syllables) for _ in range(3)).capitalize() + "son" for _ in range(2600)}
        )[:2000]
        filler = [
            f"{a}{b}"
            for a in ["re", "pro", "con", "de", "ex", "in"]
            for b in ["vail", "mit", "form", "tain", "cede", "ject", "duct", "sist", "port", "tend"]
        ]
        self.common, self.rare = COMMON, RARE
        # A word's share of bodies: common words appear in most, rare ones in about 1 in 400.
        self.vocabulary = filler * 5 + ["the", "and", "for", "was", "with"] * 20
        self.next_receipt = 0

    def inquiry_values(self) -> dict:
        rng = self.rng
        self.next_receipt += 1
        receipt = f"EAC{2190000000 + self.next_receipt:010d}"
        words = [rng.choice(self.vocabulary) for _ in range(50)]
        words += rng.sample(self.common, 4)
        if rng.random() < 1 / 50:
            words.append(rng.choice(self.rare))
        rng.shuffle(words)
        surname = rng.choice(self.surnames)
        return {
            "subject": f"{rng.choice(self.common).capitalize()} question about {receipt}",
            "body": " ".join(words) + f". Receipt {receipt}.",
            "name": f"{rng.choice(['Ana', 'John', 'Li', 'Omar', 'Maria', 'Sam'])} {surname}",
            "receipt": receipt,
        }


def _seed(corpus: Corpus, count: int) -> None:
    from datetime import timedelta

    from django.db import connection, transaction
    from django.utils import timezone

    from casework.models import Correspondent, Inquiry

    now = timezone.now()
    batch = 5000
    for start in range(0, count, batch):
        rows = [corpus.inquiry_values() for _ in range(min(batch, count - start))]
        with transaction.atomic():
            people = Correspondent.objects.bulk_create([Correspondent(name=row["name"]) for row in rows])
            Inquiry.objects.bulk_create(
                [
                    Inquiry(
                        reference=f"CAO-B{corpus.next_receipt - len(rows) + i:07d}",
                        source="public",
                        channel="web_form",
                        correspondent=person,
                        subject=row["subject"],
                        body=row["body"],
                        receipt_numbers=[row["receipt"]],
                        received_at=now - timedelta(minutes=i),
                        due_on=(now + timedelta(days=i % 40)).date(),
                    )
                    for i, (row, person) in enumerate(zip(rows, people, strict=True))
                ]
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE casework_inquiry; ANALYZE casework_correspondent;")


def _queries(corpus: Corpus, existing: int) -> dict[str, list[str]]:
    rng = random.Random(7)
    receipts = [f"EAC{2190000000 + rng.randint(1, existing):010d}" for _ in range(10)]
    return {
        "identifier": receipts + rng.sample(corpus.surnames, 10),
        "uncommon": corpus.rare,
        "common": corpus.common,
    }


def _time(queries: list[str], repeat: int) -> list[float]:
    from casework import selectors

    timings = []
    for _round in range(repeat):
        for text in queries:
            began = time.perf_counter()
            list(selectors.inquiry_queue(user=None, search=text)[:50])
            timings.append((time.perf_counter() - began) * 1000)
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contactcenter.settings.test")
    os.environ["DATABASE_URL"] = f"{SERVER}/{DATABASE}"
    recreate_database(DATABASE)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    corpus = Corpus()
    results = {}
    for size in (args.small, args.large):
        began = time.perf_counter()
        _seed(corpus, size - corpus.next_receipt)
        seeded = time.perf_counter() - began
        queries = _queries(corpus, args.small)  # the same queries at both sizes
        _time(queries["identifier"][:3], 1)  # warm the connection and the caches
        results[size] = {kind: _time(texts, args.repeat) for kind, texts in queries.items()}
        results[size]["all"] = [t for kind in queries for t in results[size][kind]]
        print(f"{size:>7} inquiries (seeded in {seeded:.1f} s)")
        for kind, timings in results[size].items():
            print(f"   {kind:<10} p50 {percentile(timings, 0.5):7.2f} ms   p99 {percentile(timings, 0.99):7.2f} ms")
    for kind in results[args.small]:
        small, large = results[args.small][kind], results[args.large][kind]
        ratio50 = percentile(large, 0.5) / percentile(small, 0.5)
        ratio99 = percentile(large, 0.99) / percentile(small, 0.99)
        print(f"ratio {kind:<10} p50 {ratio50:.2f}x   p99 {ratio99:.2f}x")
    ok = percentile(results[args.large]["all"], 0.99) <= TARGET_RATIO * percentile(results[args.small]["all"], 0.99)
    print(f"target: p99 of all queries at {args.large} ≤ {TARGET_RATIO}× at {args.small}: {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
