"""IVR webhook throughput: a realistic signed call mix against gunicorn + Postgres, and in the
same run the same load against a bare view returning fixed TwiML on the same server.

    make bench-ivr        (or: .venv/bin/python -m tests.load.ivr_throughput --seconds 20)

Traffic goes to 127.0.0.1 only, bounded by time and request count."""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "benchmark-twilio-token"
NCSC_PEAK_STEPS_PER_SECOND = 13


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "REDIS_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="contactcenter.settings.benchmark",
        BENCH_PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
        PYTHONPATH=str(ROOT),
    )
    return env


def prepare_database(env: dict[str, str]) -> list[str]:
    import psycopg2

    admin = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("DROP DATABASE IF EXISTS ncsc_bench WITH (FORCE)")
        cursor.execute("CREATE DATABASE ncsc_bench")
    admin.close()
    manage = [sys.executable, "manage.py"]
    for command in (["migrate", "--noinput", "-v0"], ["seed_reference", "--cases", "2000", "--surgeons", "300"]):
        subprocess.run(manage + command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    db = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="ncsc_bench")
    with db.cursor() as cursor:
        cursor.execute("SELECT receipt_number FROM contactcenter_benefitcase ORDER BY id LIMIT 500")
        receipts = [row[0] for row in cursor.fetchall()]
    db.close()
    return receipts


# --- the load generator (runs in worker processes) ------------------------------------------------
def _sign(url: str, params: dict[str, str]) -> str:
    from twilio.request_validator import RequestValidator

    return RequestValidator(TOKEN).compute_signature(url, params)


class Client:
    def __init__(self, base: str) -> None:
        self.base = base
        self.latencies: list[float] = []
        self.errors = 0

    def post(self, path: str, params: dict[str, str]) -> str | None:
        data = urllib.parse.urlencode(params).encode()
        request = urllib.request.Request(
            self.base + path, data=data, headers={"X-Twilio-Signature": _sign(self.base + path, params)}
        )
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                body = response.read().decode()
                status = response.status
        except (urllib.error.URLError, OSError):
            self.errors += 1
            return None
        self.latencies.append(time.perf_counter() - started)
        if status != 200:
            self.errors += 1
            return None
        try:
            root = ET.fromstring(body)
        except ET.ParseError:
            self.errors += 1
            return None
        if root.tag != "Response":
            self.errors += 1
        return body


def _action(body: str | None) -> str | None:
    if not body:
        return None
    gather = ET.fromstring(body).find("Gather")
    return gather.get("action") if gather is not None else None


ZIPS = ["90012", "10001", "60601", "77002", "33101", "98101", "85001", "02108", "30303", "94103"]


def _script(rng: random.Random, receipts: list[str]) -> list[str]:
    language = "1" if rng.random() < 0.7 else "2"
    choice = rng.random()
    if choice < 0.45:
        receipt = rng.choice(receipts) if rng.random() > 0.1 else "EAC2199999999"
        keyed = {
            "EAC": "322",
            "WAC": "922",
            "LIN": "546",
            "SRC": "772",
            "NBC": "622",
            "MSC": "672",
            "IOE": "463",
            "YSC": "972",
        }[receipt[:3]] + receipt[3:]
        return [language, "1", keyed, "1", "9"]
    if choice < 0.6:
        return [language, "5", "1", rng.choice(["765", "131", "130"]), "1", "9"]
    if choice < 0.72:
        return [language, "3", rng.choice(ZIPS), "9"]
    if choice < 0.84:
        return [language, "4", rng.choice(ZIPS), "9"]
    if choice < 0.92:
        return [language, "6", "1", str(rng.randint(1, 5)), str(rng.randint(1, 5)), "9"]
    return [language, "2", rng.choice(["485", "765", "400"]), "9"]


def ivr_worker(args) -> tuple[list[float], int, int]:
    base, receipts, deadline, seed, max_requests = args
    rng = random.Random(seed)
    client = Client(base)
    calls = 0
    while time.time() < deadline and len(client.latencies) < max_requests:
        sid = f"CA{rng.getrandbits(128):032x}"
        common = {
            "CallSid": sid,
            "From": f"+1213555{rng.randint(1000, 9999)}",
            "To": "+18003755283",
            "AccountSid": "AC" + "0" * 32,
            "CallStatus": "in-progress",
        }
        body = client.post("/ivr/voice/", common)
        for digits in _script(rng, receipts):
            action = _action(body)
            if action is None or time.time() >= deadline:
                break
            body = client.post(action, {**common, "Digits": digits})
        client.post("/ivr/status/", {**common, "CallStatus": "completed", "CallDuration": "90"})
        calls += 1
    return client.latencies, client.errors, calls


def bare_worker(args) -> tuple[list[float], int, int]:
    base, _receipts, deadline, seed, max_requests = args
    rng = random.Random(seed)
    client = Client(base)
    while time.time() < deadline and len(client.latencies) < max_requests:
        sid = f"CA{rng.getrandbits(128):032x}"
        client.post("/bench/bare/", {"CallSid": sid, "From": "+12135550142", "To": "+18003755283", "Digits": "1"})
    return client.latencies, client.errors, 0


def run_phase(worker, base: str, receipts: list[str], concurrency: int, seconds: float) -> dict:
    deadline = time.time() + seconds
    started = time.perf_counter()
    with multiprocessing.Pool(concurrency) as pool:
        results = pool.map(worker, [(base, receipts, deadline, n, 100_000) for n in range(concurrency)])
    elapsed = time.perf_counter() - started
    latencies = sorted(lat for result in results for lat in result[0])
    errors = sum(result[1] for result in results)
    return {
        "requests": len(latencies),
        "errors": errors,
        "calls": sum(result[2] for result in results),
        "per_second": len(latencies) / elapsed,
        "p50_ms": 1000 * statistics.median(latencies) if latencies else float("nan"),
        "p99_ms": 1000 * latencies[int(0.99 * (len(latencies) - 1))] if latencies else float("nan"),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each phase")
    parser.add_argument("--concurrency", type=int, default=8, help="simultaneous callers")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (gthread when > 1)")
    options = parser.parse_args()

    port = _free_port()
    env = _env(port)
    print("preparing database ncsc_bench (migrate + seed_reference --cases 2000) …", flush=True)
    receipts = prepare_database(env)
    server = subprocess.Popen(
        [
            os.path.join(os.path.dirname(sys.executable), "gunicorn"),
            "contactcenter.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(options.workers),
            "--access-logfile",
            "/dev/null",
            "--error-logfile",
            "-",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2):
                    break
            except OSError:
                time.sleep(0.2)
        run_phase(bare_worker, base, receipts, options.concurrency, 2)  # warm-up: workers, connections
        run_phase(ivr_worker, base, receipts, options.concurrency, 3)
        ivr = run_phase(ivr_worker, base, receipts, options.concurrency, options.seconds)
        bare = run_phase(bare_worker, base, receipts, options.concurrency, options.seconds)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    ratio = ivr["per_second"] / bare["per_second"]
    target = 50 * NCSC_PEAK_STEPS_PER_SECOND
    print()
    print(
        f"machine: {os.cpu_count()} cores; gunicorn {options.workers} sync workers; "
        f"{options.concurrency} concurrent callers; {options.seconds:.0f} s per phase"
    )
    print(f"{'':<26}{'steps/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'requests':>10}{'errors':>8}")
    for name, figures in (("IVR signed call mix", ivr), ("bare TwiML view", bare)):
        print(
            f"{name:<26}{figures['per_second']:>10.1f}{figures['p50_ms']:>10.1f}{figures['p99_ms']:>10.1f}"
            f"{figures['requests']:>10}{figures['errors']:>8}"
        )
    print(f"IVR calls completed: {ivr['calls']}")
    print(f"ratio IVR/bare: {ratio:.2f}  (target ≥ 0.60: {'MET' if ratio >= 0.6 else 'MISSED'})")
    print(f"IVR steps/s vs 50 × NCSC peak ({target}/s): {'MET' if ivr['per_second'] >= target else 'MISSED'}")
    return 1 if ivr["errors"] or bare["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
