"""IVR webhook throughput, with its baseline measured in the same run.

    make bench-ivr                         (= .venv/bin/python -m tests.load.bench_ivr)
    .venv/bin/python -m tests.load.bench_ivr --seconds 30 --workers 2 --concurrency 8

1. Drops and creates the Postgres database `ncsc_bench`, migrates it and seeds it with
   `seed_reference --cases 2000` (settings `contactcenter.settings.bench`) and a history of 20,000
   finished calls (7 steps and a ledger entry each), VACUUM ANALYZE, empties Redis db 14.
2. Starts gunicorn (sync workers, one per core) on a free 127.0.0.1 port with the bench settings, waits for /healthz.
3. Phase "IVR": load-generator processes walk realistic signed calls — /ivr/voice/, a language
   (70 % English, 30 % Spanish), one task (case status by keyed receipt number + confirm + back to the
   main menu, ~10 % of calls with an unknown receipt number; processing time by form; field office by
   ZIP; civil surgeon by ZIP; priority dates; a form's fee), then the `completed` status callback —
   following each Gather's action as Twilio would. Every request carries a valid X-Twilio-Signature
   (ivr.simulator.sign over the exact URL and parameters); every answer must be 200, text/xml, a
   <Response> document, and the prompt the script expects (a 200 apology counts as an error).
4. Phase "bare": the same processes, connections, parameters and signing, POSTing to /bench/bare/
   (a bare Django view returning fixed TwiML; routed only by the bench settings).
   Phase "floor": the same again, POSTing to /bench/floor/ about one of the past calls: the signature
   check, one prepared read and one prepared write of the call's row, the same fixed TwiML — what
   any webhook keeping its call's state in Postgres must do before doing anything (tests/load/urls.py).
5. Prints steps/s, p50, p99 for the three, the ratios, the errors, and the targets (ratio ≥ 0.6, IVR
   ≥ 50 × 13 = 650 steps/s). Exits 1 when any request failed; a missed target is printed, not fatal.

The phases alternate in --rounds slices (3 by default: IVR, bare, floor, IVR, bare, floor, …), each
figure summing its slices, so that work other processes do on the machine weighs on all alike.
Each phase is bounded by time (--seconds, in all) and by request count (--max-requests, per slice). All traffic goes to
127.0.0.1. Gunicorn's sync worker closes the connection after each response; the clients keep an
http.client connection each and reopen it when the server closes it, the same way in both phases.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.client
import multiprocessing
import os
import random
import sys
import tempfile
import time
import urllib.parse
import xml.etree.ElementTree as ET
from array import array
from dataclasses import dataclass, field

from tests.load.common import (
    HOST,
    SETTINGS,
    cpu_of,
    free_port,
    machine_seconds,
    percentile_ms,
    run,
    server_env,
    server_pids,
    slow_note,
    start_server,
    stop_server,
)
from tests.load.common import database_pids as _database_pids

DATABASE = "ncsc_bench"
NCSC_PEAK_STEPS_PER_SECOND = 13
TARGET_STEPS_PER_SECOND = 50 * NCSC_PEAK_STEPS_PER_SECOND
TARGET_RATIO = 0.6
# --without-status-callback (a diagnostic): the load generator does not post each call's `completed`
# status callback, the webhook that records the call's end and its ledger entry. Set before the
# load-generator processes fork.
POST_STATUS_CALLBACK = True

# The call mix: (weight, task). Weights add up to 100.
MIX = [
    (30, "case_status"),
    (10, "case_status_unknown"),
    (15, "processing_time"),
    (12, "field_office"),
    (12, "civil_surgeon"),
    (11, "priority_dates"),
    (10, "form_fee"),
]
SPANISH_SHARE = 0.3
ZIPS = ["90012", "10001", "60601", "77002", "33101", "98101", "85004", "02108", "30303", "94103", "20001", "19103"]
FORMS = ["90", "129", "130", "131", "140", "485", "539", "751", "765", "400"]
AREA_CODES = ["202", "213", "212", "305", "312", "415", "713", "206", "602", "617"]
TO_NUMBER = "+18003755283"


# --- the database ---------------------------------------------------------------------------------------
# A database in service holds weeks of finished calls, their steps and their ledger entries. Measured
# against empty call tables, the webhooks' prepared statements would be planned while the tables
# hold a page or two (a sequential scan is then cheapest) and keep that plan as the tables grow
# under the load: Postgres spent 0.66 ms per request instead of 0.40.
HISTORY_CALLS = 20_000
CALL_HISTORY = """
WITH calls AS (
    INSERT INTO ivr_call (call_sid, from_number, to_number, language, caller_time_zone, started_at, ended_at,
                          duration_seconds, outcome, twilio_status, state, step, path, receipt_numbers, self_served)
    SELECT 'CAhistory' || lpad(n::text, 25, '0'), '+1213555' || lpad((n %% 10000)::text, 4, '0'), '+18003755283',
           CASE WHEN n %% 10 < 3 THEN 'es' ELSE 'en' END, 'America/Los_Angeles',
           now() - make_interval(secs => n * 90), now() - make_interval(secs => n * 90 - 75), 75,
           'self_served', 'completed', '{"awaiting": "main", "tries": 0, "topic": "priority-dates"}', 6,
           '["language:en", "main:6", "priority-date:F3:PHILIPPINES"]', '[]', true
    FROM generate_series(1, %(calls)s) AS n
    RETURNING id, call_sid, language, started_at, ended_at, from_number
), steps AS (
    INSERT INTO ivr_callevent (call_id, step, node, option, input_masked, result, twiml, created_at)
    SELECT calls.id, step, 'main', '6', '', 'menu',
           '<?xml version="1.0" encoding="UTF-8"?><Response><Gather action="/ivr/step/?s=' || (step + 1)
           || '" input="dtmf speech" language="en-US" numDigits="1" timeout="6"><Say voice="Polly.Joanna">'
           || repeat('For case status, press 1. ', 20) || '</Say></Gather></Response>',
           calls.started_at + make_interval(secs => step * 10)
    FROM calls, generate_series(0, 6) AS step
)
INSERT INTO contactcenter_interaction (channel, occurred_at, ended_at, language, outcome, source_app, source_model,
                                       source_id, source_url, contact_phone, summary, created_at, updated_at,
                                       topic_id, followed_by_repeat)
SELECT 'ivr', started_at, ended_at, language, 'self_served', 'ivr', 'call', call_sid, '', from_number,
       'language:en → main:6 → priority-date:F3:PHILIPPINES', ended_at, ended_at,
       (SELECT id FROM contactcenter_topic WHERE code = 'priority-dates'), false
FROM calls
"""


def _history_call_sid(number: int) -> str:
    return f"CAhistory{number:025d}"


def prepare_database(env: dict[str, str]) -> list[str]:
    import psycopg2
    import redis

    started = time.perf_counter()
    admin = psycopg2.connect(host=HOST, port=5432, user="postgres", dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        cursor.execute(f"CREATE DATABASE {DATABASE}")
    admin.close()
    redis.Redis.from_url("redis://127.0.0.1:6379/14").flushdb()
    manage = [sys.executable, "manage.py"]
    run([*manage, "migrate", "--noinput", "-v0"], env)
    run([*manage, "seed_reference", "--cases", "2000"], env)
    db = psycopg2.connect(host=HOST, port=5432, user="postgres", dbname=DATABASE)
    db.autocommit = True
    with db.cursor() as cursor:
        cursor.execute(CALL_HISTORY, {"calls": HISTORY_CALLS})
        cursor.execute(
            "UPDATE ivr_call SET interaction_id = ledger.id FROM contactcenter_interaction AS ledger "
            "WHERE ledger.source_app = 'ivr' AND ledger.source_model = 'call' AND ledger.source_id = ivr_call.call_sid"
        )
        # Planner statistics as a database in service has them (autovacuum would otherwise analyze
        # the freshly loaded tables during the measurement, and plans would change under it).
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("SELECT receipt_number FROM contactcenter_benefitcase ORDER BY receipt_number")
        receipts = [row[0] for row in cursor.fetchall()]
    db.close()
    print(f"  database {DATABASE} migrated and seeded in {time.perf_counter() - started:.0f} s", flush=True)
    return receipts


# --- the load generator (runs in its own processes) --------------------------------------------------
class FlowError(Exception):
    """The IVR answered 200 with valid TwiML, but not the prompt the caller expected."""


@dataclass
class Answer:
    says: list[str] = field(default_factory=list)
    action: str | None = None

    @property
    def text(self) -> str:
        return " ".join(self.says)


def _parse(body: bytes) -> Answer:
    """Like ivr.simulator.Prompt.parse: what the caller hears, and where the Gather posts."""
    root = ET.fromstring(body)
    if root.tag != "Response":
        raise ET.ParseError(f"root element is <{root.tag}>, not <Response>")
    answer = Answer()
    for element in root:
        if element.tag == "Gather":
            answer.action = element.get("action")
            answer.says.extend(say.text or "" for say in element.iter("Say"))
        elif element.tag == "Say":
            answer.says.append(element.text or "")
    return answer


class Client:
    """One caller line: an http.client connection, signed POSTs, latencies and error counts."""

    def __init__(self, port: int, token: str, base: str) -> None:
        from ivr.simulator import sign

        self.sign = sign
        self.port = port
        self.token = token
        self.base = base
        self.connection = http.client.HTTPConnection(HOST, port, timeout=30)
        self.latencies = array("d")
        self.errors = {"http": 0, "status": 0, "twiml": 0, "flow": 0}
        self.samples: list[str] = []
        self.answered_steps = 0  # /ivr/voice/ and /ivr/step/ answered 200
        # bench_peak's open-loop pacing: when set, a request's latency counts from when it was due, so
        # a request sent late because the answers before it were slow is not measured as fast.
        self.scheduled: float | None = None

    def _error(self, kind: str, detail: str) -> None:
        self.errors[kind] += 1
        if len(self.samples) < 5:
            self.samples.append(f"{kind}: {detail[:300]}")

    def _send(self, path: str, body: str, headers: dict[str, str]) -> tuple[int, str, bytes]:
        self.connection.request("POST", path, body, headers)
        response = self.connection.getresponse()
        data = response.read()
        if response.will_close:
            self.connection.close()  # the sync worker closes; the next request reopens
        return response.status, response.getheader("Content-Type") or "", data

    def post(self, path: str, params: dict[str, str]) -> Answer | None:
        body = urllib.parse.urlencode(params)
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": self.sign(self.base + path, params, self.token),
        }
        started = time.perf_counter() if self.scheduled is None else self.scheduled
        sent = time.perf_counter()
        try:
            status, content_type, data = self._send(path, body, headers)
        except (OSError, http.client.HTTPException) as error:
            self.connection.close()  # reopened by the next request
            self._error("http", f"{path}: {error!r}")
            return None
        ended = time.perf_counter()
        self.latencies.append(ended - started)
        slow_note(path, started, sent, ended)
        if status != 200:
            self._error("status", f"{path}: HTTP {status} {data[:200]!r}")
            return None
        if path.startswith(("/ivr/voice/", "/ivr/step/")):
            self.answered_steps += 1
        if not content_type.startswith("text/xml"):
            self._error("twiml", f"{path}: Content-Type {content_type}")
            return None
        try:
            return _parse(data)
        except ET.ParseError as error:
            self._error("twiml", f"{path}: {error}")
            return None


class InProcessClient(Client):
    """The same signed requests through Django's test client in this process, counting the SQL
    statements of each (CaptureQueriesContext): for the queries-per-step figure, not for timing."""

    def __init__(self, token: str, base: str) -> None:
        from django.test import Client as DjangoClient

        super().__init__(0, token, base)
        self.django = DjangoClient(raise_request_exception=False)
        self.steps: list[tuple[str, list[str]]] = []

    def _send(self, path: str, body: str, headers: dict[str, str]) -> tuple[int, str, bytes]:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            response = self.django.post(
                path,
                body,
                content_type=headers["Content-Type"],
                headers={"X-Twilio-Signature": headers["X-Twilio-Signature"]},
                HTTP_HOST=HOST,
            )
        self.steps.append((path, [query["sql"] for query in queries.captured_queries]))
        return response.status_code, response.get("Content-Type", ""), response.content


@functools.cache
def _marker(key: str, language: str) -> str:
    """The fixed start of a prompt (up to its first placeholder), to recognise it in the TwiML."""
    from ivr.prompts import PROMPTS

    return PROMPTS[key][language].split("{")[0].strip()


def _keyed(receipt: str) -> str:
    """A receipt number as a caller keys it: the prefix's letters on the keypad, then the digits."""
    from ivr.parsing import KEYPAD

    return "".join(KEYPAD[ch] for ch in receipt[:3]) + receipt[3:]


def _call_params(rng: random.Random) -> dict[str, str]:
    """What Twilio posts with every webhook of one call (ivr.simulator.twilio_call_params, as the
    simulator sends them: 25 parameters)."""
    from ivr.simulator import twilio_call_params

    return twilio_call_params(
        call_sid=f"CA{rng.getrandbits(128):032x}",
        account_sid="AC" + "0" * 32,
        from_number=f"+1{rng.choice(AREA_CODES)}555{rng.randint(0, 9999):04d}",
        to_number=TO_NUMBER,
    )


class Call:
    def __init__(self, client: Client, rng: random.Random, receipts: list[str], deadline: float, limit: int) -> None:
        self.client = client
        self.rng = rng
        self.receipts = receipts
        self.deadline = deadline
        self.limit = limit
        self.language = "es" if rng.random() < SPANISH_SHARE else "en"
        self.params = _call_params(rng)
        self.answer: Answer | None = None

    def _post(self, path: str, **extra: str) -> Answer:
        if time.monotonic() >= self.deadline or len(self.client.latencies) >= self.limit:
            raise TimeoutError
        answer = self.client.post(path, {**self.params, **extra})
        if answer is None:
            raise FlowError  # already counted as an HTTP / status / TwiML error
        self.answer = answer
        return answer

    def press(self, digits: str, expect: str | None = None) -> Answer:
        if self.answer is None or not self.answer.action:
            heard = self.answer.text if self.answer else ""
            self.client._error("flow", f"no Gather to answer with {digits!r}: {heard}")
            raise FlowError
        answer = self._post(self.answer.action, Digits=digits)
        if expect is not None:
            self.expect(expect)
        return answer

    def expect(self, key: str) -> None:
        marker = _marker(key, self.language)
        if marker not in self.answer.text:
            self.client._error("flow", f"expected {key!r}, heard: {self.answer.text[:240]}")
            raise FlowError

    def walk(self, task: str) -> None:
        self._post("/ivr/voice/")
        self.expect("choose_language")
        self.press("1" if self.language == "en" else "2", expect="main_menu")
        getattr(self, task)()

    def hang_up(self) -> None:
        self.client.post(
            "/ivr/status/",
            {**self.params, "CallStatus": "completed", "CallDuration": str(self.rng.randint(30, 400))},
        )

    # --- the tasks ---
    def case_status(self) -> None:
        self.press("1", expect="ask_receipt")
        self.press(_keyed(self.rng.choice(self.receipts)), expect="confirm_receipt")
        self.press("1", expect="case_status")
        self.press("9", expect="main_menu")

    def case_status_unknown(self) -> None:
        self.press("1", expect="ask_receipt")
        receipt = self.rng.choice(("EAC", "WAC", "LIN", "IOE")) + f"99{self.rng.randint(0, 99999999):08d}"
        self.press(_keyed(receipt), expect="confirm_receipt")
        self.press("1", expect="receipt_not_found")

    def processing_time(self) -> None:
        self.press("3", expect="ptime_intro")
        self.press("1", expect="ask_form")
        self.press(self.rng.choice(FORMS))
        for _ in range(3):
            text = self.answer.text
            if _marker("ask_category", self.language) in text:
                self.press("1")
            elif _marker("ask_zip_ptime", self.language) in text:
                self.press(self.rng.choice(ZIPS))
            else:
                break
        self.expect("ptime_menu")
        self.press("9", expect="main_menu")

    def field_office(self) -> None:
        self.press("4", expect="ask_zip_office")
        self.press(self.rng.choice(ZIPS), expect="results_menu")
        self.press("9", expect="main_menu")

    def civil_surgeon(self) -> None:
        self.press("5", expect="ask_zip_surgeon")
        self.press(self.rng.choice(ZIPS), expect="results_menu")
        self.press("9", expect="main_menu")

    def priority_dates(self) -> None:
        group = self.rng.choice("12")
        self.press("6", expect="ask_pd_group")
        self.press(group, expect="ask_pd_family" if group == "1" else "ask_pd_employment")
        self.press(str(self.rng.randint(1, 5)), expect="ask_chargeability")
        self.press(str(self.rng.randint(1, 5)), expect="pd_menu")
        self.press("9", expect="main_menu")

    def form_fee(self) -> None:
        self.press("2", expect="ask_form")
        self.press(self.rng.choice(FORMS), expect="form_menu")
        self.press("9", expect="main_menu")


def _worker(kind, index, port, token, base, receipts, seconds, limit, barrier, results) -> None:
    try:
        _load(kind, index, port, token, base, receipts, seconds, limit, barrier, results)
    except BaseException as error:  # a crashed load generator must not leave the phase waiting
        barrier.abort()
        results.put((b"", {"crash": 1}, [f"crash: {error!r}"], 0, time.monotonic(), 0.0, 0))
        raise


def _load(kind, index, port, token, base, receipts, seconds, limit, barrier, results) -> None:
    # Seeded per process and per phase: every call gets a new CallSid (a repeated CallSid would be
    # answered from the stored TwiML of Twilio's retry path, which is not the work being measured).
    rng = random.Random(f"{kind}-{index}-{time.time_ns()}-{os.getpid()}")
    client = Client(port, token, base)
    tasks = [task for weight, task in MIX for _ in range(weight)]
    calls = 0
    barrier.wait()
    cpu_started = time.process_time()
    deadline = time.monotonic() + seconds
    if kind == "ivr":
        while time.monotonic() < deadline and len(client.latencies) < limit:
            call = Call(client, rng, receipts, deadline, limit)
            try:
                call.walk(rng.choice(tasks))
            except TimeoutError:
                break
            except FlowError:
                pass
            if time.monotonic() < deadline and len(client.latencies) < limit:
                if POST_STATUS_CALLBACK:
                    call.hang_up()
                calls += 1
    else:
        # The same parameters and signing per request as an IVR step, posted to the bare view, or to
        # the floor view about one of the past calls (so that its read finds a row and its write has one).
        path = "/bench/bare/" if kind == "bare" else "/bench/floor/"
        while time.monotonic() < deadline and len(client.latencies) < limit:
            params = {**_call_params(rng), "Digits": str(rng.randint(0, 9))}
            if kind == "floor":
                params["CallSid"] = _history_call_sid(rng.randint(1, HISTORY_CALLS))
            answer = client.post(path, params)
            if answer is not None and not answer.says:
                client._error("flow", f"{path} said nothing")
    finished = time.monotonic()
    cpu = time.process_time() - cpu_started
    client.connection.close()
    results.put(
        (client.latencies.tobytes(), client.errors, client.samples, calls, finished, cpu, client.answered_steps)
    )


@dataclass
class Figures:
    name: str
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: dict[str, int]
    samples: list[str]
    calls: int
    cpu_seconds: dict[str, float]
    answered_steps: int
    latencies: list[float] = field(default_factory=list, repr=False)

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())


def database_pids() -> list[int]:
    return _database_pids(DATABASE)


def call_events() -> int:
    import psycopg2

    with psycopg2.connect(host=HOST, user="postgres", dbname=DATABASE) as db, db.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM ivr_callevent")
        return cursor.fetchone()[0]


def cpu_sample(master: int) -> dict[int, float]:
    return {pid: cpu_of(pid) for pid in [*server_pids(master), *database_pids()]}


def run_phase(name, kind, *, port, token, base, receipts, concurrency, seconds, max_requests, master) -> Figures:
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(concurrency + 1)
    results = context.Queue()
    limit = max(1, max_requests // concurrency)
    processes = [
        context.Process(
            target=_worker, args=(kind, n, port, token, base, receipts, seconds, limit, barrier, results), daemon=True
        )
        for n in range(concurrency)
    ]
    for process in processes:
        process.start()
    barrier.wait(timeout=120)  # every process has started and imported what it needs
    started = time.monotonic()
    before = cpu_sample(master)
    busy_before, steal_before = machine_seconds()
    collected = [results.get(timeout=seconds + 120) for _ in processes]
    after = cpu_sample(master)
    busy, steal = machine_seconds()
    busy, steal = busy - busy_before, steal - steal_before
    web = set(server_pids(master))
    cpu = {"gunicorn": 0.0, "postgres": 0.0}
    for pid, seconds_after in after.items():
        cpu["gunicorn" if pid in web else "postgres"] += seconds_after - before.get(pid, 0.0)
    cpu["load generator"] = sum(item[5] for item in collected)
    cpu["rest of the machine"] = max(0.0, busy - sum(cpu.values()))
    cpu["steal"] = steal
    for process in processes:
        process.join(timeout=30)
    latencies: list[float] = []
    errors = {"http": 0, "status": 0, "twiml": 0, "flow": 0}
    samples: list[str] = []
    for raw, worker_errors, worker_samples, *_ in collected:
        values = array("d")
        values.frombytes(raw)
        latencies.extend(values)
        for key, count in worker_errors.items():
            errors[key] = errors.get(key, 0) + count
        samples.extend(worker_samples)
    latencies.sort()
    elapsed = max(item[4] for item in collected) - started
    return Figures(
        name=name,
        requests=len(latencies),
        seconds=elapsed,
        p50_ms=percentile_ms(latencies, 0.50),
        p99_ms=percentile_ms(latencies, 0.99),
        errors=errors,
        samples=samples[:5],
        calls=sum(item[3] for item in collected),
        answered_steps=sum(item[6] for item in collected),
        cpu_seconds=cpu,
        latencies=latencies,
    )


def merge(name: str, parts: list[Figures]) -> Figures:
    """The slices of one kind of traffic measured in alternation, as one phase."""
    latencies = sorted(value for part in parts for value in part.latencies)
    errors: dict[str, int] = {}
    for part in parts:
        for key, count in part.errors.items():
            errors[key] = errors.get(key, 0) + count
    return Figures(
        name=name,
        requests=sum(part.requests for part in parts),
        seconds=sum(part.seconds for part in parts),
        p50_ms=percentile_ms(latencies, 0.50),
        p99_ms=percentile_ms(latencies, 0.99),
        errors=errors,
        samples=[sample for part in parts for sample in part.samples][:5],
        calls=sum(part.calls for part in parts),
        cpu_seconds={key: sum(part.cpu_seconds[key] for part in parts) for key in parts[0].cpu_seconds},
        answered_steps=sum(part.answered_steps for part in parts),
        latencies=latencies,
    )


# --- SQL statements per step (in process, after the timed phases) ---------------------------------------
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")


@dataclass
class QueryCount:
    task: str
    endpoint: str  # voice, step or status
    statements: int  # every statement Django sent, BEGIN / COMMIT / SAVEPOINT included
    queries: int  # without the transaction control


def count_queries(receipts: list[str], token: str, base: str, show_sql: bool) -> tuple[list[QueryCount], int]:
    """Walks one English call of each task through Django's test client (same script, same signing)
    and counts the SQL statements of each request with CaptureQueriesContext. Not timed."""
    import warnings

    warnings.filterwarnings("ignore", message="No directory at")  # whitenoise: no collectstatic here
    import django

    django.setup()
    from django.db import connection

    client = InProcessClient(token, base)
    rng = random.Random(f"queries-{time.time_ns()}")
    counts: list[QueryCount] = []
    for _weight, task in MIX:
        call = Call(client, rng, receipts, deadline=float("inf"), limit=10**9)
        call.language = "en"
        first = len(client.steps)
        with contextlib.suppress(FlowError):
            call.walk(task)
        call.hang_up()
        if show_sql:
            print(f"--- {task}")
        for path, statements in client.steps[first:]:
            endpoint = path.split("?")[0].strip("/").split("/")[-1]
            queries = [sql for sql in statements if not sql.startswith(TRANSACTION_CONTROL)]
            counts.append(QueryCount(task, endpoint, len(statements), len(queries)))
            if show_sql:
                print(f"  {path}: {len(statements)} statements, {len(queries)} without transaction control")
                for statement in statements:
                    print(f"      {statement[:160]}")
    connection.close()
    for sample in client.samples:
        print(f"  query-count walk: {sample}")
    return counts, sum(client.errors.values())


def _queries_report(counts: list[QueryCount]) -> None:
    weights = {task: weight for weight, task in MIX}
    total = sum(weights[c.task] for c in counts)
    statements = sum(weights[c.task] * c.statements for c in counts) / total
    queries = sum(weights[c.task] * c.queries for c in counts) / total
    print(
        f"SQL per IVR request (one call of each task, weighted by the mix): {statements:.1f} statements, "
        f"{queries:.1f} without BEGIN/COMMIT/SAVEPOINT (a PREPARE counts once per session; the webhooks skip Django's "
        "health-check SELECT 1)"
    )
    for endpoint in ("voice", "step", "status"):
        rows = [c for c in counts if c.endpoint == endpoint]
        if rows:
            low, high = min(c.statements for c in rows), max(c.statements for c in rows)
            mean = sum(c.statements for c in rows) / len(rows)
            print(f"  /ivr/{endpoint + '/':<8} {mean:5.1f} statements per request (from {low} to {high})")


# --- the report --------------------------------------------------------------------------------------
def report(ivr: Figures, bare: Figures, floor: Figures, other_errors: int, options, server_log: str, queries) -> int:
    ratio = ivr.per_second / bare.per_second if bare.per_second else 0.0
    floor_ratio = floor.per_second / bare.per_second if bare.per_second else 0.0
    errors = ivr.error_count + bare.error_count + floor.error_count + other_errors
    print()
    print(
        f"machine: {os.cpu_count()} cores · gunicorn {options.workers} sync workers · "
        f"{options.concurrency} load-generator processes · ≤ {options.seconds:g} s and ≤ {options.max_requests} "
        f"requests per phase"
    )
    print(f"{'':<22}{'steps/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'requests':>10}{'seconds':>9}{'errors':>8}")
    for figures in (ivr, bare, floor):
        print(
            f"{figures.name:<22}{figures.per_second:>10.1f}{figures.p50_ms:>9.1f}{figures.p99_ms:>9.1f}"
            f"{figures.requests:>10}{figures.seconds:>9.1f}{figures.error_count:>8}"
        )
    per_call = ivr.requests / max(ivr.calls, 1)
    print(f"IVR calls walked: {ivr.calls} ({ivr.calls / ivr.seconds:.1f} calls/s, {per_call:.1f} requests per call)")
    print(f"ratio IVR ÷ bare: {ratio:.2f}")
    if not POST_STATUS_CALLBACK:
        print(
            "  --without-status-callback: no call's end was posted (no end-of-call record, no ledger entry); "
            "a diagnostic bound, not the IVR's figure"
        )
    print(
        f"ratio floor ÷ bare: {floor_ratio:.2f} (signature check + one read and one write of a call row, no IVR "
        f"work: the most a webhook keeping its call's state in Postgres can reach here); IVR ÷ floor: "
        f"{ivr.per_second / max(floor.per_second, 1e-9):.2f}"
    )
    print(f"CPU per request, ms ({' / '.join(ivr.cpu_seconds)} by the hypervisor):")
    for figures in (ivr, bare, floor):
        shares = " / ".join(f"{1000 * value / max(figures.requests, 1):.2f}" for value in figures.cpu_seconds.values())
        print(f"  {figures.name:<20} {shares}")
    per_request = {
        figures.name: figures.cpu_seconds["gunicorn"] / max(figures.requests, 1) for figures in (ivr, bare, floor)
    }
    print(
        f"gunicorn's own CPU per request, bare ÷ IVR: {per_request[bare.name] / max(per_request[ivr.name], 1e-9):.2f}, "
        f"bare ÷ floor: {per_request[bare.name] / max(per_request[floor.name], 1e-9):.2f} (about the ratios if "
        "Postgres and the load generator had cores of their own)"
    )
    cores = os.cpu_count() or 1
    for figures in (ivr, bare, floor):
        other = figures.cpu_seconds["rest of the machine"] / (figures.seconds * cores)
        stolen = figures.cpu_seconds["steal"] / (figures.seconds * cores)
        if other > 0.05 or stolen > 0.05:
            print(
                f"  note: during the {figures.name} phase other processes used {100 * other:.0f} % of the machine "
                f"and the hypervisor took {100 * stolen:.0f} %; its figures are low by about that much"
            )
    _queries_report(queries)
    print(
        f"errors: {errors}  (IVR {ivr.errors}, bare {bare.errors}, floor {floor.errors}, "
        f"warm-up and query count {other_errors})"
    )
    for sample in ivr.samples + bare.samples + floor.samples:
        print(f"  {sample}")
    with open(server_log) as log:
        server_lines = [line.rstrip() for line in log if " ERROR " in line or "Traceback" in line]
    if server_lines:
        print(f"server log has {len(server_lines)} error lines ({server_log}), first: {server_lines[0][:300]}")
    print()
    if not POST_STATUS_CALLBACK:
        print("targets: not judged without the status callbacks")
    else:
        ratio_met = ratio >= TARGET_RATIO
        rate_met = ivr.per_second >= TARGET_STEPS_PER_SECOND
        print(f"target ratio ≥ {TARGET_RATIO:.2f}: {'met' if ratio_met else '*** MISSED ***'} ({ratio:.2f})")
        print(
            f"target IVR ≥ 50 × {NCSC_PEAK_STEPS_PER_SECOND} = {TARGET_STEPS_PER_SECOND} steps/s: "
            f"{'met' if rate_met else '*** MISSED ***'} ({ivr.per_second:.0f})"
        )
        if not (ratio_met and rate_met):
            print("!!! PERFORMANCE TARGETS MISSED — see docs/performance.md !!!")
    if errors:
        print(f"FAILED: {errors} request(s) did not get the expected answer")
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=30.0, help="time bound of each measured phase (30)")
    parser.add_argument("--max-requests", type=int, default=200_000, help="request bound of each phase (200000)")
    parser.add_argument("--concurrency", type=int, default=8, help="load-generator processes (8)")
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 2,
        help="gunicorn sync workers (default: one per core, which measured best here: 2 to 6 tried)",
    )
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of each warm-up phase (3)")
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="alternate IVR and bare slices this many times (3), so both see the same background load",
    )
    parser.add_argument("--show-sql", action="store_true", help="print the SQL of the queries-per-step walk")
    parser.add_argument("--keep-db", action="store_true", help="reuse ncsc_bench as it is (for repeated runs)")
    parser.add_argument(
        "--without-status-callback",
        action="store_true",
        help="diagnostic: walk the calls without their end-of-call status callback, to see what it costs",
    )
    options = parser.parse_args(argv)
    global POST_STATUS_CALLBACK
    POST_STATUS_CALLBACK = not options.without_status_callback

    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    port = free_port()
    env = server_env(port)
    os.environ["BENCH_PORT"] = str(port)
    base = f"http://{HOST}:{port}"
    from contactcenter.settings.bench import BENCH_ENV

    token = BENCH_ENV["TWILIO_AUTH_TOKEN"]

    print(f"bench-ivr: {SETTINGS}, database {DATABASE}, Redis db 14, server {base}", flush=True)
    if options.keep_db:
        import psycopg2

        with psycopg2.connect(host=HOST, user="postgres", dbname=DATABASE) as db, db.cursor() as cursor:
            cursor.execute("SELECT receipt_number FROM contactcenter_benefitcase ORDER BY receipt_number")
            receipts = [row[0] for row in cursor.fetchall()]
    else:
        print(
            "  dropping, creating, migrating and seeding the database (seed_reference --cases 2000, "
            f"{HISTORY_CALLS:,} past calls) …",
            flush=True,
        )
        receipts = prepare_database(env)
    if not receipts:
        raise SystemExit("no receipt numbers in the seeded database")
    print(f"  {len(receipts)} receipt numbers from the seeded cases", flush=True)

    log_fd, server_log = tempfile.mkstemp(prefix="bench-ivr-gunicorn-", suffix=".log")
    os.close(log_fd)
    server = start_server(port, options.workers, env, server_log)
    print(f"  gunicorn up ({options.workers} sync workers); server log {server_log}", flush=True)
    common = {
        "port": port,
        "token": token,
        "base": base,
        "receipts": receipts,
        "concurrency": options.concurrency,
        "max_requests": options.max_requests,
        "master": server.pid,
    }
    try:
        warm = [
            run_phase("warm-up bare", "bare", seconds=options.warmup, **common),
            run_phase("warm-up IVR", "ivr", seconds=options.warmup, **common),
            run_phase("warm-up floor", "floor", seconds=options.warmup, **common),
        ]
        rounds = max(1, options.rounds)
        slice_seconds = options.seconds / rounds
        print(
            f"  warmed up; measuring the IVR call mix, the bare view and the floor for {options.seconds:g} s each, "
            f"in {rounds} alternating slices of {slice_seconds:g} s …",
            flush=True,
        )
        ivr_parts, bare_parts, floor_parts = [], [], []
        for _ in range(rounds):
            events_before = call_events()
            ivr_parts.append(run_phase("IVR signed call mix", "ivr", seconds=slice_seconds, **common))
            written = call_events() - events_before
            if written != ivr_parts[-1].answered_steps:
                # Each /ivr/voice/ and /ivr/step/ answered for the first time writes one CallEvent; fewer
                # means answers came from the stored TwiML of the retry path, not from the call flow.
                ivr_parts[-1].errors["unrecorded"] = abs(ivr_parts[-1].answered_steps - written)
                ivr_parts[-1].samples.append(
                    f"unrecorded: {written} call events written for {ivr_parts[-1].answered_steps} answered steps"
                )
            bare_parts.append(run_phase("bare TwiML view", "bare", seconds=slice_seconds, **common))
            floor_parts.append(run_phase("floor: read + write", "floor", seconds=slice_seconds, **common))
        ivr = merge("IVR signed call mix", ivr_parts)
        bare = merge("bare TwiML view", bare_parts)
        floor = merge("floor: read + write", floor_parts)
    finally:
        stop_server(server)
    queries, query_errors = count_queries(receipts, token, base, options.show_sql)
    other_errors = sum(phase.error_count for phase in warm) + query_errors
    return report(ivr, bare, floor, other_errors, options, server_log, queries)


if __name__ == "__main__":
    sys.exit(main())
