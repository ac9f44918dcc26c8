"""Case-status notices at import scale: a status import of N cases, each followed by a subscriber,
against the same import with no subscribers, and how fast a real Celery worker sends the notices.

    .venv/bin/python -m tests.load.bench_notices            # N = 100,000
    .venv/bin/python -m tests.load.bench_notices --cases 10000

Drops and creates the Postgres database `--database`, migrates it, loads the reference data (forms,
offices, headlines) and imports N cases. Starts one Celery worker (prefork, `--concurrency`) on its
own Redis queue. Then:

1. baseline: imports a status change for every case while no one is subscribed;
2. subscribes every case (a share of them by e-mail, the rest by text, half in Spanish);
3. imports another status change for every case, timed as the baseline was: the import only enqueues
   one task per batch after it commits, so it should take about as long;
4. waits until every notice is sent (texts through the local telephony backend, e-mails through
   the test settings' in-memory backend) and checks there is exactly one per subscription.

Prints the import seconds of both runs and their ratio, the notices per second from the import's
commit to the last notice sent, and the time to the first notice.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from datetime import date, timedelta

from tests.load.common import ROOT, SERVER, recreate_database

REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")


def _rows(cases: list[dict], status: str, status_on: date):
    for case in cases:
        yield {**case, "status": status, "status_on": status_on.isoformat()}


def _case_rows(count: int, forms: list[str], offices: list[str]) -> list[dict]:
    received = date(2025, 1, 6)
    return [
        {
            "receipt_number": f"IOE{9000000000 + n:010d}",
            "form": forms[n % len(forms)],
            "office": offices[n % len(offices)],
            "received_on": received.isoformat(),
            "applicant_name": f"Applicant {n}",
            "date_of_birth": "1985-04-12",
            "mailing_address_line": f"{n} Main St",
            "mailing_city": "Springfield",
            "mailing_state": "IL",
            "mailing_zip": "62701",
        }
        for n in range(count)
    ]


def _worker(env: dict[str, str], queue: str, concurrency: int, log_path: str) -> subprocess.Popen:
    log = open(log_path, "w")  # noqa: SIM115 - the worker writes it until it is stopped
    command = [
        sys.executable, "-m", "celery", "-A", "contactcenter", "worker", "--pool", "prefork",
        "--concurrency", str(concurrency), "--loglevel", "WARNING", "-Q", queue,
        "--hostname", f"bench-notices-{os.getpid()}@%h", "--without-gossip", "--without-mingle",
    ]  # fmt: skip
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    return process


def _wait_idle(queue: str, *, timeout: float) -> None:
    """Until the worker's queue is empty and nothing is in flight (the broker's list is drained)."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    deadline = time.monotonic() + timeout
    quiet = 0
    while time.monotonic() < deadline:
        quiet = quiet + 1 if client.llen(queue) == 0 else 0
        if quiet >= 6:
            return
        time.sleep(0.5)
    raise RuntimeError(f"the queue {queue} did not drain in {timeout:.0f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--email-share", type=float, default=0.1, help="Share of subscribers by e-mail.")
    parser.add_argument("--concurrency", type=int, default=2, help="Worker processes.")
    parser.add_argument("--database", default="ncsc_bench_notices")
    parser.add_argument("--timeout", type=float, default=3600.0, help="Seconds to wait for every notice.")
    args = parser.parse_args()

    queue = f"ncsc-bench-notices-{os.getpid()}"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(
        DJANGO_SETTINGS_MODULE="contactcenter.settings.test",
        DATABASE_URL=f"{SERVER}/{args.database}",
        REDIS_URL=REDIS_URL,
        CELERY_TASK_DEFAULT_QUEUE=queue,
        TELEPHONY_BACKEND="local",
        PYTHONPATH=str(ROOT),
    )
    os.environ.update(env)
    recreate_database(args.database)
    import django

    django.setup()
    import redis
    from django.core.management import call_command

    from contactcenter import services
    from contactcenter.audit.context import AuditContext
    from contactcenter.models import (
        BenefitCase,
        FieldOffice,
        Form,
        OutboundMessage,
        OutboundMessageStatus,
        StatusHeadline,
        StatusNotice,
        StatusSubscription,
        UpdateStatus,
    )

    redis.Redis.from_url(REDIS_URL).delete(queue)
    began = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("seed_reference", cases=0, surgeons=0, verbosity=0, stdout=sys.stderr)
    print(f"database ready: {time.perf_counter() - began:.1f} s", flush=True)

    context = AuditContext.system()
    forms = list(Form.objects.values_list("number", flat=True))
    offices = list(FieldOffice.objects.values_list("code", flat=True)[:20])
    steps = [
        "case-was-received",
        "case-is-being-actively-reviewed-by-uscis",
        "case-was-approved",
        "card-was-mailed-to-me",
    ]
    headlines = {h.code: h for h in StatusHeadline.objects.filter(code__in=steps)}
    cases = _case_rows(args.cases, forms, offices)
    day = date(2025, 2, 3)

    def import_status(step: int) -> float:
        began = time.perf_counter()
        report = services.reference_rows_import(
            context=context,
            kind="cases",
            rows=_rows(cases, headlines[steps[step]].code, day + timedelta(days=30 * step)),
        )
        seconds = time.perf_counter() - began
        assert report.ok, report.errors[:5]
        return seconds

    seconds = import_status(0)
    print(f"{args.cases:,} cases created by import: {seconds:.1f} s", flush=True)

    worker = _worker(env, queue, args.concurrency, f"/tmp/bench-notices-{os.getpid()}.log")
    try:
        _wait_idle(queue, timeout=60)
        baseline = import_status(1)
        print(f"baseline: status import, no subscribers: {baseline:.1f} s", flush=True)
        _wait_idle(queue, timeout=600)

        # Only the imported cases: the seeded demo cases are not in the file.
        ids = list(
            BenefitCase.objects.filter(receipt_number__startswith="IOE9").order_by("pk").values_list("pk", flat=True)
        )
        email_every = round(1 / args.email_share) if args.email_share else 0
        StatusSubscription.objects.bulk_create(
            [
                StatusSubscription(
                    case_id=case_id,
                    channel="email" if email_every and n % email_every == 0 else "sms",
                    to=f"person{n}@example.org" if email_every and n % email_every == 0 else f"+1202{n % 10**7:07d}",
                    language="es" if n % 2 else "en",
                    source="web",
                    status="confirmed",
                )
                for n, case_id in enumerate(ids)
            ],
            batch_size=5000,
        )
        subscribers = len(ids)
        emails = StatusSubscription.objects.filter(channel="email").count()

        began = time.perf_counter()
        with_subscribers = import_status(2)
        committed = time.perf_counter()
        print(f"status import, {subscribers:,} subscribers: {with_subscribers:.1f} s", flush=True)

        first = None
        shown = 0.0
        deadline = committed + args.timeout
        while True:
            texts = OutboundMessage.objects.filter(
                purpose__startswith="status-notice:", status=OutboundMessageStatus.SENT
            ).count()
            mailed = StatusNotice.objects.filter(channel="email", status=UpdateStatus.SENT).count()
            done = texts + mailed
            if first is None and done:
                first = time.perf_counter() - committed
            if done >= subscribers:
                break
            if time.perf_counter() > deadline:
                raise RuntimeError(f"only {done:,} of {subscribers:,} notices sent in {args.timeout:.0f} s")
            if time.perf_counter() - shown >= 30:
                shown = time.perf_counter()
                print(f"  notices sent: {done:,}/{subscribers:,}", file=sys.stderr, flush=True)
            # Counting a growing table is itself work on the same machine: look every few seconds.
            time.sleep(5 if done else 1)
        sending = time.perf_counter() - committed
        notices = StatusNotice.objects.count()
        texts_total = OutboundMessage.objects.filter(purpose__startswith="status-notice:").count()
        assert notices == subscribers, (notices, subscribers)
        assert texts_total == subscribers - emails, (texts_total, subscribers - emails)
    finally:
        worker.terminate()
        worker.wait(timeout=60)
        redis.Redis.from_url(REDIS_URL).delete(queue)

    print()
    print(f"cases / subscribers            {args.cases:,} / {subscribers:,} ({emails:,} by e-mail)")
    print(f"import, no subscribers         {baseline:8.1f} s")
    print(
        f"import, every case subscribed  {with_subscribers:8.1f} s  ({with_subscribers / baseline:.2f}x the baseline)"
    )
    print(f"first notice after commit      {first:8.1f} s")
    print(f"all notices sent after commit  {sending:8.1f} s")
    print(
        f"notices/s                      {subscribers / sending:8.1f}  "
        f"(one worker, {args.concurrency} processes; exactly one notice per subscription)"
    )
    print(f"import total (began to sent)   {time.perf_counter() - began:8.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
