"""Issue 19: no page can hold the system, and the wallboard's shared figures are computed once per
refresh interval whoever is watching."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
import redis
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection
from django.test import Client

from contactcenter import selectors, services
from contactcenter.audit.context import AuditContext
from contactcenter.consoles import wallboard
from contactcenter.settings.base import with_statement_timeout
from contactcenter.staff.roles import Role

# The start of a refresh interval (a multiple of 5 s since the epoch), on a weekday morning.
MOMENT = datetime(2026, 11, 30, 18, 0, 0, tzinfo=UTC)
BUSY = "took too long to compute; it will be tried again at the next refresh"


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _slow(seconds: float = 1.0):
    """A selector stand-in whose statement runs past a sub-second statement timeout."""

    def run(**kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(%s)", [seconds])
        return selectors.Rate(0, 0)

    return run


@pytest.fixture
def short_timeout(db):
    """Postgres cancels this test's statements after 200 ms (reverted with the test's transaction)."""
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 200")


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("module", "expected"),
    [("contactcenter.wsgi", "statement_timeout=1234"), ("contactcenter.celery", "statement_timeout=300000")],
)
def test_web_processes_get_the_short_statement_timeout_and_workers_the_long_one(module, expected):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "contactcenter.settings.test", "WEB_STATEMENT_TIMEOUT_MS": "1234"}
    env.pop("NCSC_PROCESS_ROLE", None)
    script = f"import {module}; from django.conf import settings; print(settings.DATABASES['default']['OPTIONS'])"
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True, cwd=settings.BASE_DIR
    ).stdout
    assert expected in out
    assert "synchronous_commit=off" in out  # the test settings' own option is kept beside it


@pytest.fixture
def web_connection(transactional_db, monkeypatch):
    """The test's connection reopened with a web process's options, the timeout cut to 200 ms."""
    options = dict(connection.settings_dict.get("OPTIONS", {}))
    database = {"ENGINE": connection.settings_dict["ENGINE"], "OPTIONS": options}
    with_statement_timeout(database, 200)
    monkeypatch.setitem(connection.settings_dict, "OPTIONS", database["OPTIONS"])
    connection.close()
    yield
    monkeypatch.undo()
    connection.close()


@pytest.mark.postgres
def test_a_web_request_past_the_timeout_is_cancelled_and_answers_busy_not_500(
    web_connection, make_staff, monkeypatch, caplog
):
    supervisor = make_staff(Role.SUPERVISOR)
    monkeypatch.setattr(selectors, "queue_history", _slow(2))
    client = _signed_in(supervisor)
    client.raise_request_exception = False

    with caplog.at_level(logging.WARNING, logger="contactcenter.common.statement_timeout"):
        response = client.get("/reports/queues/")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    page = response.content.decode()
    assert "The system is busy; try again" in page and "El sistema está ocupado" in page
    assert "Traceback" not in page
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "200ms"
    warnings = [r.getMessage() for r in caplog.records if r.name == "contactcenter.common.statement_timeout"]
    assert warnings == ["statement timeout: GET /reports/queues/ answered 503"]


@pytest.mark.postgres
def test_a_cancelled_figure_says_so_while_the_rest_of_the_wallboard_shows(
    short_timeout, make_staff, monkeypatch, caplog
):
    supervisor = make_staff(Role.SUPERVISOR)
    agent = make_staff(Role.CSR)
    services.agent_state_set(context=AuditContext(actor=agent), user=agent, state="available")
    monkeypatch.setattr(selectors, "first_contact_resolution", _slow())

    with caplog.at_level(logging.WARNING, logger="contactcenter.consoles.wallboard"):
        response = _signed_in(supervisor).get("/wallboard/live/")

    assert response.status_code == 200
    board = response.content.decode()
    assert board.count(BUSY) == 2
    assert 'data-too-slow="today-fcr"' in board and 'data-too-slow="last_7_days-fcr"' in board
    # Every other section still renders, after the cancelled statements, on the same connection.
    assert 'data-figure="today-containment"' in board and 'data-figure="last_7_days-tier2"' in board
    assert f'data-agent="{agent.username}"' in board
    assert "Today by hour" in board and "Queues now" in board
    warnings = [r.getMessage() for r in caplog.records if r.name == "contactcenter.consoles.wallboard"]
    assert warnings == [
        "wallboard section today-fcr cancelled by the statement timeout",
        "wallboard section last_7_days-fcr cancelled by the statement timeout",
    ]

    cache.clear()
    spanish = _signed_in(supervisor).get("/wallboard/live/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert spanish.count("Esta cifra tardó demasiado en calcularse") == 2


@pytest.mark.postgres
def test_the_wallboard_page_keeps_its_other_tables_when_the_volume_query_is_cancelled(
    short_timeout, make_staff, monkeypatch
):
    def slow_volume(**kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(1)")
        return []

    monkeypatch.setattr(selectors, "contact_volume_by_topic", slow_volume)
    response = _signed_in(make_staff(Role.SUPERVISOR)).get("/wallboard/")

    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-too-slow="by-channel"' in page and 'data-too-slow="by-topic"' in page
    assert 'data-figure="today-fcr"' in page and "Supervisor wallboard" in page


def _counting(monkeypatch) -> list:
    calls = []
    real = selectors.first_contact_resolution

    def counted(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(selectors, "first_contact_resolution", counted)
    return calls


def test_five_supervisors_polling_within_one_interval_cause_one_computation(make_staff, monkeypatch):
    supervisors = [_signed_in(make_staff(Role.SUPERVISOR)) for _ in range(5)]
    calls = _counting(monkeypatch)

    with time_machine.travel(MOMENT + timedelta(seconds=1), tick=False):
        boards = [client.get("/wallboard/live/").content.decode() for client in supervisors]
    assert len(calls) == 2  # one computation: today and the last 7 days
    assert len(set(boards)) == 1  # every supervisor sees the same figures

    with time_machine.travel(MOMENT + timedelta(seconds=4.9), tick=False):
        supervisors[0].get("/wallboard/live/")
    assert len(calls) == 2

    with time_machine.travel(MOMENT + timedelta(seconds=5), tick=False):
        for client in supervisors:
            client.get("/wallboard/live/")
    assert len(calls) == 4  # the next interval computes once more


def test_while_another_process_computes_the_previous_figures_are_served(make_staff, monkeypatch):
    client = _signed_in(make_staff(Role.SUPERVISOR))
    calls = _counting(monkeypatch)
    with time_machine.travel(MOMENT, tick=False):
        before = client.get("/wallboard/live/").content.decode()
    assert len(calls) == 2

    interval = int((MOMENT + timedelta(seconds=5)).timestamp()) // 5
    assert cache.add(f"wallboard:live:{interval}:lock", 1)  # another process took this interval
    with time_machine.travel(MOMENT + timedelta(seconds=5), tick=False):
        during = client.get("/wallboard/live/").content.decode()
    assert len(calls) == 2
    assert during == before


def test_while_a_wallboard_is_open_the_worker_computes_ahead_and_no_viewer_waits(make_staff, monkeypatch):
    from contactcenter.tasks import wallboard_prefill

    cache.clear()
    calls = _counting(monkeypatch)
    with time_machine.travel(MOMENT, tick=False):
        assert wallboard_prefill() == 0  # no wallboard open: nothing computed
    assert calls == []

    supervisors = [_signed_in(make_staff(Role.SUPERVISOR)) for _ in range(3)]
    with time_machine.travel(MOMENT + timedelta(seconds=1), tick=False):
        supervisors[0].get("/wallboard/live/")  # the first viewer of the interval computes
    assert len(calls) == 2
    with time_machine.travel(MOMENT + timedelta(seconds=2), tick=False):
        assert wallboard_prefill() == 3  # live, volume and reasons, for this interval and the next
    assert len(calls) == 4

    with time_machine.travel(MOMENT + timedelta(seconds=6), tick=False):
        boards = [client.get("/wallboard/live/").content.decode() for client in supervisors]
    assert len(calls) == 4  # the next interval's viewers read what the worker computed
    assert len(set(boards)) == 1 and 'data-figure="today-fcr"' in boards[0]

    with time_machine.travel(MOMENT + timedelta(seconds=6 + 61), tick=False):
        assert wallboard_prefill() == 0  # nobody looked for a minute
    assert len(calls) == 4


def test_the_beat_computes_the_wallboard_every_refresh_interval_and_drops_a_late_run():
    entry = settings.CELERY_BEAT_SCHEDULE["wallboard-prefill"]
    assert entry["task"] == "contactcenter.wallboard_prefill"
    assert entry["schedule"] == wallboard.REFRESH_SECONDS and entry["options"] == {"expires": wallboard.REFRESH_SECONDS}


def test_the_wallboard_still_shows_when_the_cache_is_down(make_staff, monkeypatch, caplog):
    client = _signed_in(make_staff(Role.SUPERVISOR))
    calls = _counting(monkeypatch)

    def down(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(wallboard.cache, "get", down)
    with caplog.at_level(logging.WARNING, logger="contactcenter.consoles.wallboard"):
        response = client.get("/wallboard/live/")

    assert response.status_code == 200
    assert 'data-figure="today-fcr"' in response.content.decode()
    assert len(calls) == 2
    assert [r.getMessage() for r in caplog.records if r.name == "contactcenter.consoles.wallboard"] == [
        "wallboard cache unavailable: live computed for this request alone"
    ]


# Inside a test's transaction each section adds a SAVEPOINT and a RELEASE (two of these queries);
# a web request outside a transaction runs none. Every request also reads the session, the user and
# the roles, and saves the session.
# The live monitor's calls section (calls and the supervisors in them) and the viewer's own call add
# three; the full page's force-state form its not-ready reasons. The queues' "today" reads its rollups and
# the waits that span midnight.
UNCACHED = {"/wallboard/live/": 45, "/wallboard/": 50}
CACHED = 10  # the request's own reads, the viewer's alerts (in their language) and own call only


@pytest.mark.parametrize("url", ["/wallboard/live/", "/wallboard/"])
def test_queries_per_wallboard_request_uncached_and_cached(url, make_staff, django_assert_max_num_queries):
    client = _signed_in(make_staff(Role.SUPERVISOR))
    with time_machine.travel(MOMENT, tick=False):
        with django_assert_max_num_queries(UNCACHED[url]):
            assert client.get(url).status_code == 200
        with django_assert_max_num_queries(CACHED):
            assert client.get(url).status_code == 200


# --- Supervisors at once --------------------------------------------------------------------------
# The tests above poll one after another; these start every viewer at the same moment, while the
# first computation is still running, so the lock (cache.add) is what keeps it to one.
CONCURRENT_VIEWERS = 8


def _slow_counting(monkeypatch, seconds: float) -> list:
    calls = []
    real = selectors.first_contact_resolution

    def counted(**kwargs):
        calls.append(kwargs)
        time.sleep(seconds)  # still computing when every other viewer asks
        return real(**kwargs)

    monkeypatch.setattr(selectors, "first_contact_resolution", counted)
    return calls


def _all_at_once(clients: list[Client], url: str) -> list[str]:
    start = threading.Barrier(len(clients))

    def view(client: Client) -> str:
        try:
            start.wait()
            response = client.get(url)
            assert response.status_code == 200
            return response.content.decode()
        finally:
            connection.close()  # each thread's own database connection

    with ThreadPoolExecutor(len(clients)) as pool:
        return list(pool.map(view, clients))


def _lock_attempts(monkeypatch) -> list[tuple[str, bool]]:
    """(key, taken) for each try at a wallboard lock, in every thread (each has its own cache object:
    the class is spied on, not the instance)."""
    attempts = []
    add = LocMemCache.add

    def spied(self, key, *args, **kwargs):
        taken = add(self, key, *args, **kwargs)
        if str(key).endswith(":lock"):
            attempts.append((key, taken))
        return taken

    monkeypatch.setattr(LocMemCache, "add", spied)
    return attempts


@pytest.mark.django_db(transaction=True)
def test_supervisors_watching_at_the_same_moment_cause_one_computation_per_interval(make_staff, monkeypatch):
    cache.clear()
    supervisors = [_signed_in(make_staff(Role.SUPERVISOR)) for _ in range(CONCURRENT_VIEWERS)]
    calls = _slow_counting(monkeypatch, 0.3)
    locks = _lock_attempts(monkeypatch)

    with time_machine.travel(MOMENT + timedelta(seconds=1), tick=False):
        boards = _all_at_once(supervisors, "/wallboard/live/")
    assert len(calls) == 2  # one computation (today and the last 7 days) for the eight of them
    assert len(set(boards)) == 1  # the others waited for it and show the same figures
    # Not one viewer after another: others asked while the one computed, and the lock turned them away.
    live = [taken for key, taken in locks if key.startswith("wallboard:live:")]
    assert live.count(True) == 1 and live.count(False) >= 1, live

    with time_machine.travel(MOMENT + timedelta(seconds=6), tick=False):
        _all_at_once(supervisors, "/wallboard/live/")
    assert len(calls) == 4  # the next interval: one more, while the others show the previous one


_VIEWER_PROCESS = """
import json, os, sys, time
import django
django.setup()
from django.test import override_settings
import redis

caches, counter = json.loads(sys.argv[1]), sys.argv[2]
with override_settings(CACHES=caches):
    from contactcenter.consoles import wallboard

    counts = redis.Redis.from_url(caches["default"]["LOCATION"])
    print("ready", flush=True)
    start = float(sys.stdin.readline())

    def compute():
        counts.incr(counter)
        time.sleep(0.5)
        return {"computed_by": os.getpid()}

    for round_start in (start, start + wallboard.REFRESH_SECONDS):
        time.sleep(max(round_start - time.time(), 0))
        print(json.dumps(wallboard.shared("concurrency-test", compute)), flush=True)
"""


@pytest.mark.redis
def test_viewer_processes_sharing_redis_compute_once_per_interval():
    """As in production: web processes that share only Redis (ResilientRedisCache, as the settings
    configure it), each asking for the figures at the same moment of two intervals."""
    prefix = f"concurrency-{uuid.uuid4().hex}"
    caches = {
        "default": {
            "BACKEND": "contactcenter.common.cache.ResilientRedisCache",
            "LOCATION": settings.REDIS_URL,
            "KEY_PREFIX": prefix,
            "FALLBACK": "fallback",
            # Generous: on a loaded machine a 1 s timeout sent a process to its local fallback (whose
            # own computation is the fallback's test, not this one's).
            "OPTIONS": {"socket_connect_timeout": 5, "socket_timeout": 5},
        },
        "fallback": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }
    counter = f"{prefix}:computations"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "contactcenter.settings.test"}
    viewers = [
        subprocess.Popen(
            [sys.executable, "-c", _VIEWER_PROCESS, json.dumps(caches), counter],
            env=env,
            cwd=settings.BASE_DIR,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(CONCURRENT_VIEWERS)
    ]
    counts = redis.Redis.from_url(settings.REDIS_URL)
    try:
        # Every process started (Django loaded) before the moment is chosen: one second into the
        # next interval but one, so that a slow start never makes a process miss its round.
        assert [viewer.stdout.readline().strip() for viewer in viewers] == ["ready"] * CONCURRENT_VIEWERS
        start = (int(time.time() // wallboard.REFRESH_SECONDS) + 2) * wallboard.REFRESH_SECONDS + 1.0
        for viewer in viewers:
            viewer.stdin.write(f"{start}\n")
            viewer.stdin.flush()
        outputs = [viewer.communicate(timeout=60)[0].splitlines() for viewer in viewers]
        assert all(viewer.returncode == 0 for viewer in viewers)
        assert int(counts.get(counter)) == 2  # eight processes, two intervals: two computations
        first, second = ({line[0] for line in outputs}, {line[1] for line in outputs})
        assert len(first) == 1  # the first interval: everyone shows what the one process computed
        assert len(second) <= 2  # the next: that, or the previous interval's while it computes
    finally:
        for viewer in viewers:
            viewer.kill()
        for key in counts.scan_iter(f"*{prefix}*"):
            counts.delete(key)
