"""Shared fixtures. Real services when they answer; a loud skip (or, under REQUIRE_SERVICES=1,
a failure) when they do not."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.fake_twilio import fake_twilio  # noqa: F401 - a fixture for every test folder

# Playwright's sync API runs an event loop in the test thread; the ORM calls we make from the
# same thread are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parent.parent
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
_missing: dict[str, str] = {}


def _service_gaps() -> dict[str, str]:
    from django.conf import settings

    gaps = {}
    if not settings.POSTGRES_AVAILABLE:
        gaps["postgres"] = "Postgres service is not answering on 127.0.0.1:5432"
    if not settings.REDIS_AVAILABLE:
        gaps["redis"] = "Redis service is not answering on 127.0.0.1:6379"
    if "postgres" in gaps or "redis" in gaps:
        gaps["celery_worker"] = "a Celery worker test needs the Postgres and Redis services"
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        gaps["browser"] = f"Chromium service binary not found at {CHROMIUM} (apt-get install chromium)"
    return gaps


def pytest_report_header(config):
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    broker = settings.CELERY_BROKER_URL.split("://", 1)[0]
    return [f"ncsc: database={engine} broker={broker} chromium={CHROMIUM} require_services={REQUIRE_SERVICES}"]


# Tests that start processes or crawl the whole API (their markers do not all say so).
_LONG_FILES = ("test_api_fuzz.py", "test_object_access.py", "test_routing_race.py")
_LONG_MARKERS = ("celery_worker", "browser", "slow_stack")


def _long(item) -> bool:
    return item.path.name in _LONG_FILES or any(item.get_closest_marker(marker) for marker in _LONG_MARKERS)


def pytest_collection_modifyitems(config, items):
    # Test workers take tests in collection order (and steal from each other at the end): the long
    # ones go first, in their files' order, so that no core waits on one long test at the end. This
    # runs after pytest-django's ordering (transactional tests last), which the reference rows'
    # reseeding after each flush (below) makes unnecessary.
    items.sort(key=lambda item: not _long(item))
    _missing.update(_service_gaps())
    if not _missing:
        return
    if REQUIRE_SERVICES:
        raise pytest.UsageError("REQUIRE_SERVICES=1 but these services are missing: " + "; ".join(_missing.values()))
    for item in items:
        for marker, reason in _missing.items():
            if item.get_closest_marker(marker):
                item.add_marker(pytest.mark.skip(reason=f"service missing: {reason}"))


_SERVICE_MARKERS = ("postgres", "celery_worker", "browser", "slow_stack")
_passed_with: dict[str, int] = {}
# Figures tests report with record_property, gathered here from this process or from xdist workers.
_figures: dict[str, list[tuple]] = {}


def pytest_runtest_logreport(report):
    if report.when == "call":
        for name, value in report.user_properties:
            _figures.setdefault(name, []).append(tuple(value))
    if report.when == "teardown":  # the browser fixture's axe checks end after the test's call
        for name, value in report.user_properties:
            if name == "axe_checked":
                _figures.setdefault(name, []).append(tuple(value))
    if report.when == "call" and report.passed:
        for marker in _SERVICE_MARKERS:
            if marker in report.keywords:
                _passed_with[marker] = _passed_with.get(marker, 0) + 1


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    terminalreporter.write_line(
        f"ncsc services really used: database={engine}, broker={settings.CELERY_BROKER_URL.split('://')[0]}; "
        + ", ".join(f"{marker}: {_passed_with.get(marker, 0)} passed" for marker in _SERVICE_MARKERS)
    )
    status_seconds = {lang: (took, full) for lang, took, full in _figures.get("ivr_time_to_status", [])}
    corpus_results = {(name, lang): (right, total) for name, lang, right, total in _figures.get("ivr_corpus", [])}
    if status_seconds:  # issue 20: at most 45 s to a case's status by keypad
        terminalreporter.write_line(
            "IVR time to a case status by keypad (every prompt heard in full): "
            + "; ".join(f"{lang} {took:.1f} s ({full:.1f} s)" for lang, (took, full) in sorted(status_seconds.items()))
        )

    if corpus_results:  # the IVR's understanding (issue 20): the figure make test holds at 98 %
        terminalreporter.write_line(
            "IVR corpus understood: "
            + "; ".join(
                f"{name} {language} {right / total:.1%} ({right}/{total})"
                for (name, language), (right, total) in sorted(corpus_results.items())
            )
        )
    axe = _figures.get("axe_checked", [])
    if axe:  # tests/e2e/axe.py: every document a browser test opens and the states it waits for, WCAG 2.1 A/AA
        terminalreporter.write_line(
            f"axe-core (WCAG 2.1 A/AA) in {len(axe)} browser tests: {sum(a[0] for a in axe)} page states checked "
            f"in {sum(a[1] for a in axe)} documents ({sum(a[2] for a in axe)} left by a page's own script unchecked)"
        )
    if _missing and not REQUIRE_SERVICES:
        line = "!" * 78
        terminalreporter.write_line(line, yellow=True, bold=True)
        terminalreporter.write_line(
            "SERVICE-DEPENDENT TESTS WERE SKIPPED — this run did not prove them:", yellow=True, bold=True
        )
        for reason in _missing.values():
            terminalreporter.write_line(f"  - {reason}", yellow=True)
        terminalreporter.write_line("Start the services (see README) or run `.ci/run` to test everything.", yellow=True)
        terminalreporter.write_line(line, yellow=True, bold=True)


# --- reference rows ------------------------------------------------------------------------------
def _reference_rows_reseed(sender, **kwargs):
    """A transactional test's flush empties every table, data migrations' rows included, and then
    sends post_migrate: the roles, the topic taxonomy, the status headlines, the queue configs and the
    not-ready reasons come back at once, whatever test runs next (the migrations' own functions)."""
    if sender.label != "contactcenter":
        return
    from importlib import import_module

    from django.apps import apps

    for migration in ("0002_roles_and_topics", "0006_status_headlines", "0008_queue_configs"):
        import_module(f"contactcenter.migrations.{migration}").forwards(apps, None)
    import_module("contactcenter.migrations.0025_seed_not_ready_reasons").seed(apps, None)


@pytest.fixture(scope="session", autouse=True)
def _reseed_after_flush():
    from django.db.models.signals import post_migrate

    post_migrate.connect(_reference_rows_reseed, dispatch_uid="tests-reference-rows-reseed")
    yield
    post_migrate.disconnect(dispatch_uid="tests-reference-rows-reseed")


@pytest.fixture(autouse=True)
def _worker_quiet_before_flush(request):
    marker = request.node.get_closest_marker("django_db")
    transactional = (
        "transactional_db" in request.fixturenames
        or "live_server" in request.fixturenames
        or (marker is not None and marker.kwargs.get("transaction"))
    )
    if not transactional:
        yield
        return
    request.getfixturevalue("transactional_db")
    yield
    _wait_until_the_worker_is_quiet()
    from django.db import connection

    if connection.vendor == "sqlite":
        # SQLite's flush is a DELETE, which the append-only trigger refuses (Postgres truncates);
        # the post_migrate that follows the flush puts the trigger back.
        from contactcenter.audit.protection import unprotect

        unprotect(connection)


_worker_running = False


def _wait_until_the_worker_is_quiet(timeout: float = 20.0) -> None:
    """The flush after a transactional test truncates every table; a session worker still working a
    task (a stale one from an earlier test, say) holds locks the truncation would deadlock on. Wait
    until its queue is empty and no other connection to the test database is mid-statement. A test
    that left more than the worker drains in that time (the routing race enqueues a routing task per
    contact; a loaded machine is slow) has its tasks dropped: they are about rows the flush removes."""
    from django.conf import settings
    from django.db import connection

    if not _worker_running or connection.vendor != "postgresql":
        return
    import redis

    queue = redis.Redis.from_url(settings.REDIS_URL)
    for phase in ("drain", "drop"):
        if phase == "drop":
            queue.delete(settings.CELERY_TASK_DEFAULT_QUEUE)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid() AND state IN ('active', 'idle in transaction')"
                )
                busy = cursor.fetchone()[0]
            if not busy and not queue.llen(settings.CELERY_TASK_DEFAULT_QUEUE):
                return
            time.sleep(0.1)


@pytest.fixture(autouse=True)
def _default_language():
    """A request in Spanish leaves Spanish active in the test's thread (LocaleMiddleware activates
    it and nothing deactivates it): each test starts in the project's default language."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters (API throttles, public forms) live in the process's cache: none may carry
    from one test into the next."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _queue_hours_fresh():
    """Queue hours (with closures), announcements and prompt wordings are cached per process; a
    test's rolled-back edit must not outlive it."""
    from contactcenter.selectors import queue_hours_forget
    from ivr.selectors import forget_spoken_settings

    queue_hours_forget()
    forget_spoken_settings()
    yield
    queue_hours_forget()
    forget_spoken_settings()


# --- time ----------------------------------------------------------------------------------------
@pytest.fixture
def at_time():
    """`with at_time(moment): ...` moves the clock (live hours, SLA dates) and lets it tick on."""
    import time_machine

    def travel(moment):
        return time_machine.travel(moment, tick=True)

    return travel


# --- people ----------------------------------------------------------------------------------
@pytest.fixture
def make_staff(db):
    from tests.factories import StaffFactory

    def make(*roles, **kwargs):
        return StaffFactory(roles=list(roles), **kwargs)

    return make


@pytest.fixture
def client_as(client, make_staff):
    """`client_as(Role.CSR)` returns a test client signed in as a new user with that role."""

    def sign_in(*roles, **kwargs):
        user = make_staff(*roles, **kwargs)
        client.force_login(user)
        client.user = user
        return client

    return sign_in


# --- Celery: a real worker process against Redis and the test database ------------------------
@pytest.fixture
def broker_down():
    """The Celery app pointed at a port nothing listens on, for the length of a test."""
    from contactcenter.celery import app

    original = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    app._pool = None
    app.amqp._producer_pool = None
    yield
    app.conf.broker_url = original
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, tmp_path_factory):
    from django.conf import settings
    from django.db import connection

    db = settings.DATABASES["default"]
    if "postgresql" not in db["ENGINE"]:
        # Marked tests never get here without Postgres: collection skips them as a missing service.
        pytest.fail("a test using the Celery worker must be marked `celery_worker`")
    user, host, port = db.get("USER") or "postgres", db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    database_url = f"postgres://{user}@{host}:{port}/{connection.settings_dict['NAME']}"
    log = tmp_path_factory.mktemp("celery") / "worker.log"
    hostname = f"test-{uuid.uuid4().hex[:8]}@%h"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "contactcenter.settings.test",
        "DATABASE_URL": database_url,
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_TASK_DEFAULT_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
    }
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "contactcenter",
                "worker",
                "--pool",
                "solo",
                "--loglevel",
                "INFO",
                "--hostname",
                hostname,
                "-Q",
                settings.CELERY_TASK_DEFAULT_QUEUE,
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        text = log.read_text()
        if " ready." in text:
            break
        if process.poll() is not None:
            pytest.fail(f"Celery worker exited early:\n{text}")
        time.sleep(0.2)
    else:
        process.kill()
        pytest.fail(f"Celery worker did not become ready:\n{log.read_text()}")
    # The worker announces itself with a heartbeat task through the broker: wait for it to land,
    # then clear it so each test starts from an empty table.
    from contactcenter.models import WorkerHeartbeat

    with django_db_blocker.unblock():
        deadline = time.monotonic() + 30
        while not WorkerHeartbeat.objects.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        WorkerHeartbeat.objects.all().delete()
    print(
        f"\n[celery] real worker pid={process.pid} broker={settings.REDIS_URL} "
        f"queue={settings.CELERY_TASK_DEFAULT_QUEUE}"
    )
    global _worker_running
    _worker_running = True
    yield process, log
    _worker_running = False
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


# --- Browser: Playwright driving Debian's Chromium -----------------------------------------------
@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        print(f"\n[browser] Chromium {chromium.version} at {CHROMIUM}")
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def seeded_cases(db):
    """The benefit case EAC2190000001, without loading the whole reference data set."""
    from datetime import date

    from contactcenter.models import BenefitCase, FieldOffice, Form, StatusHeadline

    form = Form.objects.create(
        number="I-485", title_en="Adjust status", title_es="Ajuste", fee=1440, edition=date(2024, 1, 1)
    )
    office = FieldOffice.objects.create(
        code="NBC",
        name="National Benefits Center",
        kind="nbc",
        time_zone="America/Chicago",
        hours_en="-",
        hours_es="-",
        latitude=39.0,
        longitude=-94.6,
    )
    status = StatusHeadline.objects.order_by("id").first()
    return BenefitCase.objects.create(
        receipt_number="EAC2190000001",
        form=form,
        office=office,
        received_on=date(2026, 1, 5),
        status=status,
        status_on=date(2026, 3, 1),
        applicant_name="Maria Lopez",
        date_of_birth=date(1990, 5, 4),
        mailing_address_line="1 Main Street",
        mailing_city="Burlington",
        mailing_state="VT",
        mailing_zip="05401",
    )
