"""A peak hour, measured: every kind of traffic at once over a ledger at national volume, with the
same mix on an empty ledger as the baseline, in the same run.

    make bench-peak                 (= .venv/bin/python -m tests.load.bench_peak)
    .venv/bin/python -m tests.load.bench_peak --interactions 20000 --seconds 30     (a small run)

1. The ledger: database `ncsc_bench_peak`, migrated, `seed_reference --cases 2000`, then
   `seed_ledger --interactions N` (1,000,000 by default), the bench's staff (created through
   `staff_user_create`), VACUUM ANALYZE. Reused when a previous run seeded it at the same size (its
   database comment says so, written last); contacts a previous run left waiting are cancelled.
   The baseline: `ncsc_bench_peak_empty`, the same without seed_ledger, cloned afresh each run from
   a template database made once.
2. For each database, baseline first (a short slice, `--baseline-seconds`) then the ledger
   (`--seconds`, 300 by default): gunicorn (sync workers, two per core as gunicorn.conf.py) and a
   Celery worker with its beat (routing, the routing sweep) on the bench settings, Redis db 13,
   Tier 1 open whatever the hour.
3. Load-generator processes, separate from the server, all at once for the run time:
   - signed IVR calls (the call mix of bench_ivr, each answer checked; an apology is an error) at
     --rate steps/s (13, the center's peak) for the first half, then --surge times that (130) for the
     second half. Open loop: calls start on a fixed schedule and each step is due --think seconds after
     the one before; latency counts from when a request was due, so a slow answer that delays the
     next request is measured, not hidden (coordinated omission).
   - --contacts callers (200, spread over the run) press 0 for a representative, hear the hand-off and
     their place in line (/ivr/queue/wait/), and are routed by the worker over --agents CSRs (50),
     each signed in through the login form as an HTTP session and available through the console's
     form at the start of the shift (before the run, as every other staff member signs in and opens
     their page: "sign-in" and "shift start" in the report), then polling /console/work/ at the pace
     the page sets, as the browser does (every 0.5 s while available, 2 s otherwise; X-Poll, seen=),
     accepting an offer, talking --talk seconds, ending and wrapping up through the console's forms,
     then available again; at the end each takes the offer in hand, if any, and signs off (offline).
   - 5 supervisors poll /wallboard/live/ every 5 s and open /wallboard/ once a minute.
   - 3 CAO analysts search the casework queue (/casework/?q=) and look up a case by receipt number
     every 10 s; 2 outreach staff open the outreach console and its dashboards every 15 s.
   - before each run, the ring's baseline: one enqueue and one offer done directly through the
     services, 50 times ("ring: direct offer"; each in a transaction rolled back).
4. Prints, per kind of request, p50 / p99 / max / count and errors (a status other than 2xx / 3xx,
   a call that heard an apology or not the prompt expected, a wallboard section that "took too
   long"), for the baseline and the ledger side by side with the targets (webhook p99 ≤ 100 ms,
   wallboard p99 ≤ 300 ms, 0 errors), the CPU used by the server, Postgres, the worker and the load
   generator, and the "nothing lost" checks: every call walked has its ledger interaction, every
   caller handed to an agent is completed or still waiting (none offered or connected with every
   agent signed off), and the counts match. Exits 1 on an error or lost work; a missed latency target
   is printed loudly.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import multiprocessing
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from array import array
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from tests.load.bench_ivr import MIX, Call, Client, FlowError, _marker
from tests.load.common import (
    HOST,
    ROOT,
    SERVER,
    cpu_of,
    database_pids,
    free_port,
    machine_seconds,
    percentile_ms,
    recreate_database,
    run,
    server_env,
    server_pids,
    slow_note,
    start_server,
    stop_server,
)

DATABASE = "ncsc_bench_peak"
BASELINE = "ncsc_bench_peak_empty"
BASELINE_TEMPLATE = "ncsc_bench_peak_empty_template"
REDIS_DB = "13"
STEPS_PER_CALL = 6.9  # requests per call of the mix, status callback included (bench_ivr measures it)
REPRESENTATIVE_STEPS = 4  # /ivr/voice/, the language, 0, the queue's wait prompt
TARGET_WEBHOOK_P99_MS = 100
TARGET_WALLBOARD_P99_MS = 300
TARGET_RING_P99_MS = 1000  # issue 13: a caller choosing "representative" to the agent's ring
# Bench-only: every staff account of the bench databases signs in with it.
PASSWORD = "bench-peak-only-password-not-for-use-anywhere"
SUPERVISORS = 5
ANALYSTS = 3
OUTREACH = 2
POLL_SECONDS = 2.0  # until the console says its pace (hx-trigger="every …")
WALLBOARD_LIVE_SECONDS = 5.0
WALLBOARD_PAGE_SECONDS = 60.0
ANALYST_SECONDS = 10.0
OUTREACH_SECONDS = 15.0
SEARCH_TERMS = ["garcia", "smith", "EAC", "address", "nguyen", "lopez", "IOE", "delay", "card", "kim"]

ACCEPT = re.compile(rb'action="/console/contacts/(\d+)/accept/"')
SIGNATURE = re.compile(rb'data-signature="([0-9a-f]*)"')
CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
TOO_SLOW = b"data-too-slow="
PACE = re.compile(rb'hx-trigger="every (\d+)(ms|s)"')


def _pace(page: bytes, current: float) -> float:
    """How often the console's polled region asks again, as the page says (htmx's `every`)."""
    found = PACE.search(page)
    if found is None:
        return current
    return int(found.group(1)) / (1000 if found.group(2) == b"ms" else 1)


def _agent_names(count: int) -> list[str]:
    return [f"peak-agent-{n:02d}" for n in range(count)]


# --- the databases -----------------------------------------------------------------------------------
def _db(name: str):
    import psycopg2

    connection = psycopg2.connect(f"{SERVER}/{name}")
    connection.autocommit = True
    return connection


def _comment(name: str) -> str | None:
    with contextlib.closing(_db("postgres")) as admin, admin.cursor() as cursor:
        cursor.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name])
        row = cursor.fetchone()
    return None if row is None else (row[0] or "")


def _finish(name: str, comment: str) -> None:
    with contextlib.closing(_db(name)) as db, db.cursor() as cursor:
        # Planner statistics as a database in service has them (autovacuum would otherwise analyze
        # the freshly loaded tables during the measurement, and plans would change under it).
        cursor.execute("VACUUM ANALYZE")
        cursor.execute(f'COMMENT ON DATABASE "{name}" IS %s', [comment])


def _manage(name: str, *command: str, show: bool = False) -> None:
    run([sys.executable, "manage.py", *command], server_env(free_port(), BENCH_DATABASE=name), show=show)


def _here(name: str, call: str, **env: str) -> str:
    """`call` (a function of this module, with its arguments) in a child process with Django set up
    on database `name`; what it printed."""
    function = call.split("(", 1)[0]
    code = f"import django; django.setup()\nfrom tests.load.bench_peak import {function}\n{call}\n"
    return run([sys.executable, "-c", code], server_env(free_port(), BENCH_DATABASE=name, **env))


def _staff_create(name: str, agents: int) -> None:
    """The bench's staff, through the service."""
    _here(name, f"create_staff_here({agents})")


def create_staff_here(agents: int) -> None:
    from django.contrib.auth import get_user_model

    from contactcenter import services
    from contactcenter.audit.context import AuditContext
    from contactcenter.models import Tier
    from contactcenter.staff.roles import Role

    staff = [
        # A queue per language, as the center: three in ten speak Spanish first (and English).
        (name, [Role.CSR], Tier.TIER1, ["es", "en"] if n % 10 < 3 else ["en"])
        for n, name in enumerate(_agent_names(agents))
    ]
    staff += [(f"peak-supervisor-{n}", [Role.SUPERVISOR], Tier.NONE, ["en"]) for n in range(SUPERVISORS)]
    staff += [(f"peak-analyst-{n}", [Role.CAO_ANALYST], Tier.NONE, ["en"]) for n in range(ANALYSTS)]
    staff += [(f"peak-outreach-{n}", [Role.OUTREACH_STAFF], Tier.NONE, ["en"]) for n in range(OUTREACH)]
    existing = set(get_user_model().objects.filter(username__startswith="peak-").values_list("username", flat=True))
    for username, roles, tier, languages in staff:
        if username not in existing:
            services.staff_user_create(
                context=AuditContext.system(),
                username=username,
                password=PASSWORD,
                roles=roles,
                tier=tier,
                languages=languages,
            )


DIRECT_OFFERS = 50


def direct_offers_here(count: int) -> list[float]:
    """Issue 13's baseline for the ring: one enqueue and one offer done directly through the services
    (no webhook, no worker, no console), each in a transaction rolled back so the database is left as
    it was (and no routing task is queued: those run on commit). Seconds per pair."""
    import json

    from django.contrib.auth import get_user_model
    from django.db import transaction

    from contactcenter import services
    from contactcenter.audit.context import AuditContext

    agent = get_user_model().objects.select_related("staff_profile").get(username=_agent_names(1)[0])
    language = agent.staff_profile.languages[0]  # the agent's home queue is their tier and first language
    seconds = []
    for n in range(count + 1):  # the first, on cold caches and connections, is not counted
        with transaction.atomic():
            services.agent_state_set(context=AuditContext(actor=agent), user=agent, state="available")
            started = time.perf_counter()
            contact = services.contact_enqueue(
                context=AuditContext.system(channel="ivr"),
                phone="+12025550100",
                language=language,
                caller_time_zone="America/New_York",
                call_sid=f"CAdirect{n:026d}",
            )
            offer = services.route_next(queue_name=contact.queue_name)
            seconds.append(time.perf_counter() - started)
            assert offer is not None and offer.contact_id == contact.pk, offer
            transaction.set_rollback(True)
    print(json.dumps(seconds[1:]))
    return seconds[1:]


def direct_offers(database: str, count: int = DIRECT_OFFERS) -> Kind:
    """`direct_offers_here` on `database` (every agent offline, as a run starts)."""
    import json

    printed = _here(database, f"direct_offers_here({count})", BENCH_TIER1_ALWAYS_OPEN="True")
    return Kind(latencies=sorted(json.loads(printed.strip().splitlines()[-1])))


def prepare_ledger(interactions: int, agents: int) -> None:
    # The comment names what the seeding wrote: a ledger seeded before seed_ledger wrote the live
    # queues' history (2026-12-04) is not reused, so the queue figures run at volume too.
    comment = f"bench-peak: seed_reference --cases 2000, seed_ledger --interactions {interactions} (with queue history)"
    found = _comment(DATABASE)
    if found == comment:
        # The code may have moved on since the seeding: its migrations, then the rollups they may
        # have left stale (a migration that adds a rollup marks all history to be counted).
        _manage(DATABASE, "migrate", "--noinput", "-v0")
        _manage(DATABASE, "rollups_rebuild", "--all", "-v0")
        _staff_create(DATABASE, agents)  # a run with more --agents adds them
        print(f"  {DATABASE}: reused, already seeded with {interactions:,} interactions ({found})", flush=True)
        return
    started = time.perf_counter()
    print(f"  {DATABASE}: dropping, creating, migrating, seeding {interactions:,} interactions …", flush=True)
    recreate_database(DATABASE)
    _manage(DATABASE, "migrate", "--noinput", "-v0")
    _manage(DATABASE, "seed_reference", "--cases", "2000")
    _manage(DATABASE, "seed_ledger", "--interactions", str(interactions), "--seed", "2026", show=True)
    _staff_create(DATABASE, agents)
    _finish(DATABASE, comment)
    print(f"  {DATABASE}: seeded in {time.perf_counter() - started:.0f} s", flush=True)


def prepare_baseline(agents: int) -> None:
    """The empty ledger, fresh each run: a clone of a template made once (each run's calls would
    otherwise fill it)."""
    comment = "bench-peak: seed_reference --cases 2000, no ledger"
    if _comment(BASELINE_TEMPLATE) != comment:
        print(f"  {BASELINE_TEMPLATE}: creating, migrating, seeding the reference data …", flush=True)
        recreate_database(BASELINE_TEMPLATE)
        _manage(BASELINE_TEMPLATE, "migrate", "--noinput", "-v0")
        _manage(BASELINE_TEMPLATE, "seed_reference", "--cases", "2000")
        _finish(BASELINE_TEMPLATE, comment)
    else:
        _manage(BASELINE_TEMPLATE, "migrate", "--noinput", "-v0")  # the code may have moved on since
    _staff_create(BASELINE_TEMPLATE, agents)
    with contextlib.closing(_db("postgres")) as admin, admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{BASELINE}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{BASELINE}" TEMPLATE "{BASELINE_TEMPLATE}"')
    with contextlib.closing(_db(BASELINE)) as db, db.cursor() as cursor:
        cursor.execute("ANALYZE")  # statistics are not copied with the template
    print(f"  {BASELINE}: cloned from {BASELINE_TEMPLATE} (reference data, an empty ledger)", flush=True)


def reset_live_state(name: str) -> tuple[int, list[str]]:
    """Contacts an earlier run left open (waiting, offered, or connected when a run was stopped)
    would be served first or hold agents; they are cancelled and every agent starts offline. The
    receipt numbers the IVR callers key come from the seeded cases."""
    with contextlib.closing(_db(name)) as db, db.cursor() as cursor:
        cursor.execute(
            "UPDATE contactcenter_waitingcontact SET status = 'cancelled' "
            "WHERE status IN ('waiting', 'offered', 'connected')"
        )
        cancelled = cursor.rowcount
        cursor.execute("UPDATE contactcenter_agentstate SET state = 'offline' WHERE state <> 'offline'")
        cursor.execute("SELECT receipt_number FROM contactcenter_benefitcase ORDER BY receipt_number")
        receipts = [row[0] for row in cursor.fetchall()]
    return cancelled, receipts


# --- the stack -------------------------------------------------------------------------------------
@dataclass
class Stack:
    database: str
    port: int
    server: subprocess.Popen
    worker: subprocess.Popen
    server_log: str
    worker_log: str


def start_stack(database: str, workers: int) -> Stack:
    import redis

    redis.Redis.from_url(f"redis://127.0.0.1:6379/{REDIS_DB}").flushdb()
    port = free_port()
    env = server_env(port, BENCH_DATABASE=database, BENCH_REDIS_DB=REDIS_DB, BENCH_TIER1_ALWAYS_OPEN="True")
    logs = tempfile.mkdtemp(prefix="bench-peak-")
    server_log, worker_log = f"{logs}/gunicorn.log", f"{logs}/celery.log"
    with open(worker_log, "w") as log:
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "contactcenter",
                "worker",
                "--beat",
                "--schedule",
                f"{logs}/celerybeat-schedule",
                "--pool",
                "solo",
                "--loglevel",
                "WARNING",
                "--hostname",
                f"bench-peak-{port}@%h",
                "-Q",
                "ncsc",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = start_server(port, workers, env, server_log)
    return Stack(database, port, server, worker, server_log, worker_log)


def stop_stack(stack: Stack) -> None:
    stop_server(stack.server)
    stop_server(stack.worker)


# --- the load generator (its own processes) -------------------------------------------------------------
class Recorder:
    """Latencies and errors by kind of request, shared by the threads of one load-generator process."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: dict[str, array] = {}
        self.errors: dict[str, int] = {}
        self.samples: list[str] = []

    def latency(self, kind: str, seconds: float) -> None:
        with self.lock:
            self.latencies.setdefault(kind, array("d")).append(seconds)

    def error(self, kind: str, detail: str) -> None:
        with self.lock:
            self.errors[kind] = self.errors.get(kind, 0) + 1
            if len(self.samples) < 8:
                self.samples.append(f"{kind}: {detail[:300]}")

    def merge_client(self, kind: str, client: Client) -> None:
        with self.lock:
            self.latencies.setdefault(kind, array("d")).extend(client.latencies)
            errors = sum(client.errors.values())
            if errors:
                self.errors[kind] = self.errors.get(kind, 0) + errors
                self.samples.extend(client.samples[: max(0, 8 - len(self.samples))])

    def dump(self) -> dict:
        return {
            "latencies": {kind: values.tobytes() for kind, values in self.latencies.items()},
            "errors": dict(self.errors),
            "samples": list(self.samples),
        }


def _sleep_until(moment: float) -> None:
    delay = moment - time.perf_counter()
    if delay > 0:
        time.sleep(delay)


class PacedCall(Call):
    """A call of bench_ivr's mix whose steps are due on a schedule: each --think seconds after the
    one before, whenever the answer before came."""

    def __init__(self, client: Client, rng: random.Random, receipts: list[str], due: float, think: float) -> None:
        super().__init__(client, rng, receipts, deadline=float("inf"), limit=10**9)
        self.due = due
        self.think = think
        self.apology = _marker("technical_problem", self.language)

    def _pace(self) -> None:
        _sleep_until(self.due)
        self.client.scheduled = self.due
        self.due += self.think

    def _post(self, path: str, **extra: str):
        self._pace()
        self.sent_at = time.time()  # wall clock: compared with the agents' process and the database
        answer = super()._post(path, **extra)
        if self.apology in answer.text:
            self.client._error("flow", f"apology: {answer.text[:240]}")
            raise FlowError
        return answer

    def hang_up(self) -> bool:
        self._pace()
        answered = len(self.client.latencies)
        errors = sum(self.client.errors.values())
        super().hang_up()
        return len(self.client.latencies) > answered and sum(self.client.errors.values()) == errors

    def representative(self) -> None:
        """From the main menu: 0, the hand-off to a representative, then the queue's first wait prompt."""
        self.press("0", expect="to_agent")
        self.handoff_at = self.sent_at
        self._post("/ivr/queue/wait/")
        self.expect("queue_position")


def _ivr_load(index, processes, options, port, token, base, receipts, ivr_done, barrier, results) -> None:
    from ivr.simulator import sign  # noqa: F401 - imported before the barrier, not during the run

    rng = random.Random(f"peak-{index}-{time.time_ns()}-{os.getpid()}")
    recorder = Recorder()
    walked: list[str] = []  # calls that ended (status callback answered)
    queued: list[str] = []  # callers handed to an agent (still on the line at the end)
    handoffs: dict[str, float] = {}  # their call → when they pressed 0 (wall clock)
    lock = threading.Lock()
    tasks = [task for weight, task in MIX for _ in range(weight)]
    half = options.seconds / 2
    # The callers who ask for an agent post REPRESENTATIVE_STEPS webhooks each, within the rate asked.
    others = options.contacts * REPRESENTATIVE_STEPS / options.seconds
    low = max(0.1, options.rate - others) / processes
    high = max(0.1, options.rate * options.surge - others) / processes
    starts: list[tuple[float, str, str]] = []
    for rate, begin, label in ((low, 0.0, "low"), (high, half, "high")):
        interval = STEPS_PER_CALL / rate
        moment = begin + interval * index / processes
        while moment < begin + half:
            starts.append((moment, rng.choice(tasks), label))
            moment += interval
    mine = [n for n in range(options.contacts) if n % processes == index]
    for n in mine:
        moment = options.seconds * (n + 0.5) / options.contacts
        starts.append((moment, "representative", "high" if moment >= half else "low"))
    starts.sort()

    def walk(due: float, task: str, label: str) -> None:
        client = Client(port, token, base)
        call = PacedCall(client, rng, receipts, due, options.think)
        reached = False
        with contextlib.suppress(FlowError):
            call.walk(task)
            reached = True
        sid = call.params["CallSid"]
        if task == "representative" and reached:
            with lock:
                queued.append(sid)
                handoffs[sid] = call.handoff_at
        elif call.hang_up():
            with lock:
                walked.append(sid)
        client.connection.close()
        recorder.merge_client(f"IVR webhook, {label}", client)

    barrier.wait()
    cpu_started = time.process_time()
    t0 = time.perf_counter()
    # Enough threads that a call is never late for want of one: calls in flight ≈ rate × think × steps.
    threads = max(32, int(high * options.think * 1.5) + 16)
    with ThreadPoolExecutor(max_workers=threads) as pool:
        for moment, task, label in starts:
            _sleep_until(t0 + moment)
            pool.submit(walk, t0 + moment, task, label)
    ivr_done.release()  # every call walked to its end: the staff's end of the shift may begin
    results.put(
        {
            "role": "ivr",
            **recorder.dump(),
            "walked": walked,
            "queued": queued,
            "handoffs": handoffs,
            "cpu": time.process_time() - cpu_started,
        }
    )


class Browser:
    """One signed-in staff member: an http.client connection, the session and CSRF cookies, the
    CSRF token of the last page, latencies by kind of request."""

    def __init__(self, port: int, recorder: Recorder) -> None:
        self.port = port
        self.recorder = recorder
        self.connection = http.client.HTTPConnection(HOST, port, timeout=60)
        self.cookies: dict[str, str] = {}
        self.csrf = ""
        self.shown = b""  # the last page the start of the shift left on screen

    def request(
        self, kind: str, method: str, path: str, *, form: dict | None = None, headers: dict | None = None, due=None
    ) -> tuple[int, str, bytes] | None:
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode({**form, "csrfmiddlewaretoken": self.csrf})
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter() if due is None else due
        sending = time.perf_counter()
        try:
            self.connection.request(method, path, body, sent)
            response = self.connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as error:
            self.connection.close()
            self.recorder.error(kind, f"{method} {path}: {error!r}")
            return None
        ended = time.perf_counter()
        self.recorder.latency(kind, ended - started)
        slow_note(path, started, sending, ended)
        if response.will_close:
            self.connection.close()
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            value = rest.split(";", 1)[0]
            if value in ('""', "") or "Max-Age=0" in cookie:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        token = CSRF.search(data)
        if token:
            self.csrf = token.group(1).decode()
        if response.status >= 400:
            self.recorder.error(kind, f"{method} {path}: HTTP {response.status} {data[:200]!r}")
            return None
        return response.status, response.getheader("Location") or "", data

    def get(self, kind: str, path: str, **kwargs):
        return self.request(kind, "GET", path, **kwargs)

    def post(self, kind: str, path: str, form: dict, page_kind: str):
        """A form posted as the browser does: then the page it is redirected to."""
        answer = self.request(kind, "POST", path, form=form)
        if answer is None:
            return None
        status, location, _data = answer
        if status in (301, 302, 303) and location:
            return self.get(page_kind, location)
        return answer

    def sign_in(self, username: str) -> bool:
        if self.get("sign-in", "/accounts/login/") is None:
            return False
        answer = self.post("sign-in", "/accounts/login/", {"username": username, "password": PASSWORD}, "sign-in")
        if answer is None or not any(name.endswith("sessionid") for name in self.cookies):
            self.recorder.error("sign-in", f"{username} was not signed in")
            return False
        return True


def _agent(
    browser: Browser,
    stop: float,
    rng: random.Random,
    options,
    handled: list[int],
    rung: dict[int, float],
    shift_over: threading.Event,
) -> None:
    recorder = browser.recorder
    page = browser.shown  # the console, available, at the start of the shift (before the run)
    signature = SIGNATURE.search(page) if page else None
    seen = signature.group(1).decode() if signature else ""
    pace = _pace(page, POLL_SECONDS) if page else POLL_SECONDS

    def take(contact_id: int, next_state: str) -> None:
        answer = browser.post("console action", f"/console/contacts/{contact_id}/accept/", {}, "console page")
        if answer is None or f"/console/contacts/{contact_id}/end/".encode() not in answer[2]:
            # The offer lapsed before the Accept arrived (the agent is then not ready): the agent
            # chooses their state again, as on the console.
            recorder.error("console action", f"contact {contact_id}: not connected after Accept")
            browser.post("console action", "/console/state/", {"state": next_state}, "console page")
            return
        # A call taken ends when its talk does, even after the run: every agent hanging up at the
        # run's last second is no hour at a contact center.
        talk = rng.uniform(0.5, 1.5) * options.talk
        _sleep_until(time.perf_counter() + talk)
        answer = browser.post(
            "console action", f"/console/contacts/{contact_id}/end/", {"reached": "yes"}, "console page"
        )
        if answer is None or f"/console/contacts/{contact_id}/wrap-up/".encode() not in answer[2]:
            recorder.error("console action", f"contact {contact_id}: no wrap-up form after End")
            return
        form = {"disposition": "information", "notes": "", "next_state": next_state}
        if browser.post("console action", f"/console/contacts/{contact_id}/wrap-up/", form, "console page"):
            handled.append(contact_id)

    poll_headers = {"X-Poll": "1", "HX-Request": "true"}
    due = time.perf_counter() + rng.uniform(0, pace)
    while due < stop:
        _sleep_until(due)
        answer = browser.get("console poll", f"/console/work/?seen={seen}", headers=poll_headers, due=due)
        due += pace
        if answer is None or answer[0] == 204:
            continue
        pace = _pace(answer[2], pace)
        signature = SIGNATURE.search(answer[2])
        seen = signature.group(1).decode() if signature else ""
        offer = ACCEPT.search(answer[2])
        if offer:
            rung.setdefault(int(offer.group(1)), time.time())  # the console shows the offer: it rings
            take(int(offer.group(1)), "available")
            seen = ""  # the console page was reloaded: its polling starts again from what it shows
            due = max(due, time.perf_counter())
    # Signing off, once the last callers' calls have ended: an offer in hand is taken and wrapped up
    # to offline, otherwise the agent goes offline.
    shift_over.wait()
    browser.post("shift end", "/console/state/", {"state": "offline"}, "shift end")
    answer = browser.get("shift end", "/console/work/", headers=poll_headers)
    offer = ACCEPT.search(answer[2]) if answer else None
    if offer is not None:  # offered before the sign-off reached the server, which then refused it
        take(int(offer.group(1)), "offline")


def _supervisor(browser: Browser, stop: float, rng: random.Random) -> None:
    def check(kind: str, answer) -> None:
        if answer and TOO_SLOW in answer[2]:
            sections = re.findall(rb'data-too-slow="([^"]*)"', answer[2])
            browser.recorder.error(kind, "took too long: " + b", ".join(sections).decode())

    start = time.perf_counter()
    page_due = start + rng.uniform(0, 5)
    live_due = start + rng.uniform(0, WALLBOARD_LIVE_SECONDS)
    while min(page_due, live_due) < stop:
        if page_due <= live_due:
            _sleep_until(page_due)
            check("wallboard page", browser.get("wallboard page", "/wallboard/", due=page_due))
            page_due += WALLBOARD_PAGE_SECONDS
        else:
            _sleep_until(live_due)
            answer = browser.get(
                "wallboard live", "/wallboard/live/", headers={"X-Poll": "1", "HX-Request": "true"}, due=live_due
            )
            check("wallboard live", answer)
            live_due += WALLBOARD_LIVE_SECONDS


def _analyst(browser: Browser, stop: float, rng: random.Random, receipts: list[str]) -> None:
    due = time.perf_counter() + rng.uniform(0, ANALYST_SECONDS)
    while due < stop:
        _sleep_until(due)
        query = urllib.parse.urlencode({"q": rng.choice(SEARCH_TERMS)})
        browser.get("casework queue search", f"/casework/?{query}", due=due)
        receipt = urllib.parse.urlencode({"receipt_number": rng.choice(receipts)})
        answer = browser.get("casework case lookup", f"/casework/cases/?{receipt}")
        if answer and answer[0] in (301, 302) and answer[1]:
            browser.get("casework case lookup", answer[1])
        due += ANALYST_SECONDS


def _outreach(browser: Browser, stop: float, rng: random.Random) -> None:
    due = time.perf_counter() + rng.uniform(0, OUTREACH_SECONDS)
    while due < stop:
        _sleep_until(due)
        browser.get("outreach console", "/outreach/", due=due)
        browser.get("outreach dashboards", "/outreach/dashboards/")
        due += OUTREACH_SECONDS


SHIFT_START_PAGES = {"supervisor": "/wallboard/", "analyst": "/casework/", "outreach": "/outreach/"}


def _shift_start(browser: Browser, role: str, username: str) -> bool:
    if not browser.sign_in(username):
        return False
    if role != "agent":
        return browser.get("shift start", SHIFT_START_PAGES[role]) is not None
    if browser.get("shift start", "/console/") is None:
        return False
    answer = browser.post("shift start", "/console/state/", {"state": "available"}, "shift start")
    browser.shown = answer[2] if answer else b""
    return answer is not None


def _staff_load(options, port, receipts, ivr_done, barrier, results) -> None:
    recorder = Recorder()
    rng = random.Random(f"peak-staff-{time.time_ns()}")
    actors = (
        [("agent", name) for name in _agent_names(options.agents)]
        + [("supervisor", f"peak-supervisor-{n}") for n in range(SUPERVISORS)]
        + [("analyst", f"peak-analyst-{n}") for n in range(ANALYSTS)]
        + [("outreach", f"peak-outreach-{n}") for n in range(OUTREACH)]
    )
    browsers = [Browser(port, recorder) for _ in actors]
    # The start of the shift, before the run: each signs in (a password hash each) and opens their
    # page, agents going available — all at once, it would otherwise be the run's first seconds.
    with ThreadPoolExecutor(max_workers=4) as pool:
        signed = list(pool.map(lambda pair: _shift_start(pair[1], *pair[0]), zip(actors, browsers, strict=True)))
    signed_in = sum(signed)
    handled: list[int] = []
    rung: dict[int, float] = {}
    shift_over = threading.Event()
    barrier.wait()
    cpu_started = time.process_time()
    stop = time.perf_counter() + options.seconds
    threads = []
    for (role, _name), browser, ok in zip(actors, browsers, signed, strict=True):
        if not ok:
            continue
        actor_rng = random.Random(rng.random())
        target, args = {
            "agent": (_agent, (browser, stop, actor_rng, options, handled, rung, shift_over)),
            "supervisor": (_supervisor, (browser, stop, actor_rng)),
            "analyst": (_analyst, (browser, stop, actor_rng, receipts)),
            "outreach": (_outreach, (browser, stop, actor_rng)),
        }[role]
        thread = threading.Thread(target=target, args=args, daemon=True)
        thread.start()
        threads.append(thread)
    # The agents sign off once the callers' last calls have ended, not all in the same second as them.
    for _ in range(options.ivr_processes):
        ivr_done.acquire(timeout=max(0.0, stop - time.perf_counter()) + 300)
    shift_over.set()
    for thread in threads:
        thread.join()
    results.put(
        {
            "role": "staff",
            **recorder.dump(),
            "handled": handled,
            "rung": rung,
            "signed_in": signed_in,
            "actors": len(actors),
            "cpu": time.process_time() - cpu_started,
        }
    )


def _process(target, *args) -> None:
    barrier = args[-2]
    results = args[-1]
    try:
        target(*args)
    except BaseException as error:  # a crashed load generator must not leave the run waiting
        barrier.abort()
        results.put({"role": "crash", "latencies": {}, "errors": {"crash": 1}, "samples": [f"crash: {error!r}"]})
        raise


# --- one measured run -------------------------------------------------------------------------------------
@dataclass
class Kind:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0

    @property
    def p50(self) -> float:
        return percentile_ms(self.latencies, 0.50)

    @property
    def p99(self) -> float:
        return percentile_ms(self.latencies, 0.99)

    @property
    def max(self) -> float:
        return 1000 * self.latencies[-1] if self.latencies else float("nan")


@dataclass
class Run:
    label: str
    database: str
    seconds: float
    interactions: int
    kinds: dict[str, Kind]
    samples: list[str]
    checks: list[tuple[str, bool, str]]
    cpu: dict[str, float]
    elapsed: float
    server_errors: list[str]
    steps: dict[str, float]

    @property
    def errors(self) -> int:
        return sum(kind.errors for kind in self.kinds.values())

    @property
    def lost(self) -> bool:
        return not all(ok for _name, ok, _detail in self.checks)


def _cpu_sample(stack: Stack) -> dict[tuple[str, int], float]:
    pids = [("gunicorn", pid) for pid in server_pids(stack.server.pid)]
    pids += [("worker", pid) for pid in server_pids(stack.worker.pid)]
    pids += [("postgres", pid) for pid in database_pids(stack.database)]
    return {(name, pid): cpu_of(pid) for name, pid in pids}


def measure(label: str, database: str, seconds: float, contacts: int, options, token: str) -> Run:
    cancelled, receipts = reset_live_state(database)
    if cancelled:
        print(f"  {database}: {cancelled} contacts an earlier run left waiting were cancelled", flush=True)
    direct = direct_offers(database)
    with contextlib.closing(_db(database)) as db, db.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM contactcenter_interaction")
        interactions = cursor.fetchone()[0]
    stack = start_stack(database, options.workers)
    base = f"http://{HOST}:{stack.port}"
    print(
        f"  {label}: {database} ({interactions:,} interactions), server {base}, {seconds:g} s; logs "
        f"{stack.server_log}, {stack.worker_log}",
        flush=True,
    )
    run_options = argparse.Namespace(**{**vars(options), "seconds": seconds, "contacts": contacts})
    context = multiprocessing.get_context("fork")
    processes_ivr = options.ivr_processes
    barrier = context.Barrier(processes_ivr + 2)
    ivr_done = context.Semaphore(0)
    results = context.Queue()
    processes = [
        context.Process(
            target=_process,
            args=(
                _ivr_load,
                n,
                processes_ivr,
                run_options,
                stack.port,
                token,
                base,
                receipts,
                ivr_done,
                barrier,
                results,
            ),
            daemon=True,
        )
        for n in range(processes_ivr)
    ]
    processes.append(
        context.Process(
            target=_process, args=(_staff_load, run_options, stack.port, receipts, ivr_done, barrier, results)
        )
    )
    try:
        for process in processes:
            process.start()
        barrier.wait(timeout=600)  # every process has started and every staff member signed in
        started = time.perf_counter()
        before = _cpu_sample(stack)
        busy_before, steal_before = machine_seconds()
        collected = [results.get(timeout=seconds + 600) for _ in processes]
        elapsed = time.perf_counter() - started
        after = _cpu_sample(stack)
        busy, steal = machine_seconds()
        for process in processes:
            process.join(timeout=30)
    finally:
        stop_stack(stack)
    # Per process, of those alive at the end (a Postgres backend that closed during the run is not
    # counted: the figure for Postgres is a floor).
    cpu = {"gunicorn": 0.0, "worker": 0.0, "postgres": 0.0}
    for (name, pid), seconds_after in after.items():
        cpu[name] += seconds_after - before.get((name, pid), 0.0)
    cpu["load generator"] = sum(item.get("cpu", 0.0) for item in collected)
    cpu["rest of the machine"] = max(0.0, busy - busy_before - sum(cpu.values()))
    cpu["steal"] = steal - steal_before

    kinds: dict[str, Kind] = {}
    samples: list[str] = []
    for item in collected:
        for name, raw in item["latencies"].items():
            values = array("d")
            values.frombytes(raw)
            kinds.setdefault(name, Kind()).latencies.extend(values)
        for name, count in item["errors"].items():
            kinds.setdefault(name, Kind()).errors += count
        samples.extend(item["samples"])
    for kind in kinds.values():
        kind.latencies.sort()
    walked = [sid for item in collected for sid in item.get("walked", [])]
    queued = [sid for item in collected for sid in item.get("queued", [])]
    handled = [cid for item in collected for cid in item.get("handled", [])]
    staff = next((item for item in collected if item["role"] == "staff"), {})
    checks = nothing_lost(database, walked, queued, handled, options.agents)
    handoffs = {sid: at for item in collected for sid, at in item.get("handoffs", {}).items()}
    rung = {cid: at for item in collected for cid, at in item.get("rung", {}).items()}
    kinds.update(ring_latencies(database, handoffs, rung))
    kinds["ring: direct offer"] = direct
    if staff and staff["signed_in"] != staff["actors"]:
        checks.append(("every staff member signed in", False, f"{staff['signed_in']} of {staff['actors']}"))
    with open(stack.server_log) as log:
        server_errors = [line.rstrip() for line in log if " ERROR " in line or "Traceback" in line]
    half = seconds / 2
    steps = {
        "low": len(kinds.get("IVR webhook, low", Kind()).latencies) / half,
        "high": len(kinds.get("IVR webhook, high", Kind()).latencies) / half,
    }
    return Run(label, database, seconds, interactions, kinds, samples, checks, cpu, elapsed, server_errors, steps)


def ring_latencies(database: str, handoffs: dict[str, float], rung: dict[int, float]) -> dict[str, Kind]:
    """From a caller pressing 0 to their offer, and to the agent's console showing it (the ring), for
    the callers offered once. A caller who waited for an agent to come free counts that wait too: the
    figures are an upper bound of the ring with an agent available."""
    routed, ringing = Kind(), Kind()
    with contextlib.closing(_db(database)) as db, db.cursor() as cursor:
        cursor.execute(
            "SELECT w.call_sid, w.id, extract(epoch FROM w.offered_at) FROM contactcenter_waitingcontact w "
            "WHERE w.call_sid = ANY(%s) AND w.offered_at IS NOT NULL AND w.attempts <= 1",
            [list(handoffs)],
        )
        for sid, contact_id, offered_at in cursor.fetchall():
            pressed = handoffs[sid]
            routed.latencies.append(max(float(offered_at) - pressed, 0.0))
            if contact_id in rung:
                ringing.latencies.append(max(rung[contact_id] - pressed, 0.0))
    routed.latencies.sort()
    ringing.latencies.sort()
    return {"ring: offer made": routed, "ring: console shows it": ringing}


def nothing_lost(
    database: str, walked: list[str], queued: list[str], handled: list[int], agents: int
) -> list[tuple[str, bool, str]]:
    checks = []
    with contextlib.closing(_db(database)) as db, db.cursor() as cursor:
        sids = walked + queued
        cursor.execute(
            "SELECT count(*), count(c.interaction_id), count(i.id) FROM ivr_call c "
            "LEFT JOIN contactcenter_interaction i ON i.id = c.interaction_id WHERE c.call_sid = ANY(%s)",
            [sids],
        )
        calls, linked, interactions = cursor.fetchone()
        checks.append(
            (
                "every IVR call walked has its ledger interaction",
                calls == linked == interactions == len(sids),
                f"{len(sids)} calls ({len(walked)} ended, {len(queued)} handed to an agent): {calls} call rows, "
                f"{interactions} with their interaction",
            )
        )
        cursor.execute(
            "SELECT status, count(*) FROM contactcenter_waitingcontact WHERE call_sid = ANY(%s) GROUP BY status",
            [queued],
        )
        statuses = dict(cursor.fetchall())
        found = sum(statuses.values())
        stuck = {status: n for status, n in statuses.items() if status not in ("completed", "waiting")}
        checks.append(
            (
                "every caller handed to an agent is completed or still waiting",
                found == len(queued) and not stuck,
                f"{len(queued)} handed over, {found} in the queue's records: "
                + ", ".join(f"{n} {status}" for status, n in sorted(statuses.items())),
            )
        )
        cursor.execute(
            "SELECT count(*) FROM contactcenter_waitingcontact WHERE id = ANY(%s) AND status = 'completed'", [handled]
        )
        completed = cursor.fetchone()[0]
        checks.append(
            (
                "the contacts agents wrapped up are the ones completed",
                completed == len(handled) == statuses.get("completed", 0),
                f"{len(handled)} wrapped up through the console, {completed} of them completed, "
                f"{statuses.get('completed', 0)} completed among this run's callers",
            )
        )
        cursor.execute(
            "SELECT s.state, count(*) FROM contactcenter_agentstate s JOIN auth_user u ON u.id = s.user_id "
            "WHERE u.username LIKE 'peak-agent-%%' GROUP BY s.state"
        )
        states = dict(cursor.fetchall())
        cursor.execute("SELECT count(*) FROM contactcenter_waitingcontact WHERE status IN ('offered', 'connected')")
        held = cursor.fetchone()[0]
        checks.append(
            (
                "every agent signed off, no contact offered or connected to anyone",
                states.get("offline", 0) == sum(states.values()) and held == 0,
                ", ".join(f"{n} {state}" for state, n in sorted(states.items())) + f"; {held} offered or connected",
            )
        )
    return checks


# --- the report ------------------------------------------------------------------------------------------
ORDER = [
    "IVR webhook, low",
    "IVR webhook, high",
    "console poll",
    "console page",
    "console action",
    "ring: direct offer",
    "ring: offer made",
    "ring: console shows it",
    "wallboard live",
    "wallboard page",
    "casework queue search",
    "casework case lookup",
    "outreach console",
    "outreach dashboards",
    "sign-in",
    "shift start",
    "shift end",
]


def _target(name: str) -> float | None:
    if name.startswith("IVR webhook"):
        return TARGET_WEBHOOK_P99_MS
    if name.startswith("wallboard"):
        return TARGET_WALLBOARD_P99_MS
    if name == "ring: console shows it":
        return TARGET_RING_P99_MS
    return None


def report(runs: list[Run], options) -> int:
    baseline, ledger = runs
    print()
    print(
        f"machine: {os.cpu_count()} cores · gunicorn {options.workers} sync workers · a Celery worker with beat · "
        f"{options.ivr_processes} IVR load-generator processes + 1 for {options.agents} agents, {SUPERVISORS} "
        f"supervisors, {ANALYSTS} analysts, {OUTREACH} outreach staff · IVR {options.rate:g} then "
        f"{options.rate * options.surge:g} steps/s, think {options.think:g} s · {options.contacts} callers to agents "
        "over the ledger run (scaled to the baseline's length)"
    )
    header = f"{'':<24}"
    for run_ in runs:
        header += f"| {run_.label + f' ({run_.interactions:,} interactions)':<46}"
    print(header + "| target p99")
    print(f"{'':<24}" + f"| {'p50 ms':>8}{'p99 ms':>9}{'max ms':>9}{'count':>8}{'errors':>8}    " * 2 + "|")
    names = [name for name in ORDER if any(name in r.kinds for r in runs)]
    names += sorted({name for r in runs for name in r.kinds} - set(names))
    missed = []
    for name in names:
        line = f"{name:<24}"
        for run_ in runs:
            kind = run_.kinds.get(name, Kind())
            line += f"| {kind.p50:>8.1f}{kind.p99:>9.1f}{kind.max:>9.1f}{len(kind.latencies):>8}{kind.errors:>8}    "
        target = _target(name)
        if target is not None:
            # Judged on the ledger, the subject; the empty ledger is the comparison (its short
            # run holds few samples, the stack's first requests among them).
            ok = not (runs[-1].kinds.get(name, Kind()).p99 > target)
            line += f"| ≤ {target} ms {'met' if ok else '*** MISSED ***'}"
            if not ok:
                missed.append(name)
        else:
            line += "|"
        print(line)
    for run_ in runs:
        print(
            f"{run_.label}: IVR {run_.steps['low']:.1f} steps/s in the first half, {run_.steps['high']:.1f} in the "
            f"second (asked {options.rate:g} and {options.rate * options.surge:g}); {run_.elapsed:.0f} s in all"
        )
    print("CPU over the run, in cores (seconds of CPU ÷ seconds of run):")
    for run_ in runs:
        shares = " · ".join(f"{name} {value / max(run_.elapsed, 1e-9):.2f}" for name, value in run_.cpu.items())
        print(f"  {run_.label:<10} {shares}")
        other = (run_.cpu["rest of the machine"] + run_.cpu["steal"]) / (run_.elapsed * (os.cpu_count() or 1))
        if other > 0.05:
            print(
                f"  note: during the {run_.label} run other processes and the hypervisor took {100 * other:.0f} % of "
                "the machine; its figures are worse by about that much"
            )
    print("nothing lost:")
    for run_ in runs:
        for name, ok, detail in run_.checks:
            print(f"  {run_.label:<10} {'ok  ' if ok else 'LOST'} {name}: {detail}")
    errors = sum(r.errors for r in runs)
    for run_ in runs:
        for sample in run_.samples[:8]:
            print(f"  {run_.label} error: {sample}")
        if run_.server_errors:
            print(
                f"  {run_.label}: the server log has {len(run_.server_errors)} error lines, first: "
                f"{run_.server_errors[0][:300]}"
            )
    print()
    print(f"errors: {baseline.errors} on the empty ledger, {ledger.errors} on the ledger (target 0)")
    if missed:
        print(f"!!! LATENCY TARGETS MISSED: {', '.join(missed)} — see docs/performance.md !!!")
    else:
        print(
            f"latency targets met: webhook p99 ≤ {TARGET_WEBHOOK_P99_MS} ms, wallboard p99 ≤ "
            f"{TARGET_WALLBOARD_P99_MS} ms"
        )
    failed = errors > 0 or any(r.lost for r in runs)
    if failed:
        print(f"FAILED: {errors} error(s){', work lost' if any(r.lost for r in runs) else ''}")
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--interactions", type=int, default=1_000_000, help="ledger size (1,000,000)")
    parser.add_argument("--seconds", type=float, default=300.0, help="length of the run on the ledger (300)")
    parser.add_argument(
        "--baseline-seconds", type=float, default=None, help="length of the baseline run (a fifth, at least 20 s)"
    )
    parser.add_argument("--rate", type=float, default=13.0, help="IVR steps/s in the first half (13)")
    parser.add_argument("--surge", type=float, default=10.0, help="times --rate in the second half (10)")
    parser.add_argument("--think", type=float, default=1.0, help="seconds from one step of a call to the next (1)")
    parser.add_argument("--contacts", type=int, default=200, help="callers who press 0 for an agent (200)")
    parser.add_argument("--agents", type=int, default=50, help="CSRs signed in (50)")
    parser.add_argument("--talk", type=float, default=20.0, help="mean seconds an agent talks (20)")
    parser.add_argument(
        "--workers",
        type=int,
        default=2 * (os.cpu_count() or 1),
        help="gunicorn sync workers (two per core, as gunicorn.conf.py)",
    )
    parser.add_argument("--ivr-processes", type=int, default=2, help="IVR load-generator processes (2)")
    options = parser.parse_args(argv)
    baseline_seconds = options.baseline_seconds or max(20.0, options.seconds / 5)

    os.environ["DJANGO_SETTINGS_MODULE"] = "contactcenter.settings.bench"
    from contactcenter.settings.bench import BENCH_ENV

    token = BENCH_ENV["TWILIO_AUTH_TOKEN"]
    print(f"bench-peak: {options.interactions:,} interactions, {options.seconds:g} s (baseline {baseline_seconds:g} s)")
    # The pages are rendered as in production: static files through the manifest (collectstatic).
    _manage(DATABASE, "collectstatic", "--noinput", "-v0")
    prepare_ledger(options.interactions, options.agents)
    prepare_baseline(options.agents)
    baseline_contacts = max(1, round(options.contacts * baseline_seconds / options.seconds))
    runs = [
        measure("empty", BASELINE, baseline_seconds, baseline_contacts, options, token),
        measure("ledger", DATABASE, options.seconds, options.contacts, options, token),
    ]
    return report(runs, options)


if __name__ == "__main__":
    sys.exit(main())
