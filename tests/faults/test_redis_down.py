"""Fault 1, Redis down (cache and broker), on a real stack: gunicorn and a Celery worker under the
settings `make run` uses, the test database, and a private Redis server this module stops and starts.

Outcome: with Redis stopped, staff sign in and use their consoles, the public forms accept what is
sent, the IVR answers, rate limits and sign-in lockouts still count (in the database cache) and
/healthz names what is degraded; when Redis returns, the confirmation e-mail of an inquiry accepted
during the outage is sent exactly once by the worker's sweep."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
import requests
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from contactcenter.common import cache as resilient_cache
from contactcenter.common import ratelimit
from tests.factories import PASSWORD
from tests.faults.private_stack import PrivateRedis, Stack
from tests.reference_data import seed_reference
from tests.waiting import wait_for

FORM_PER_HOUR = 3


@pytest.fixture(scope="module")
def private_redis(tmp_path_factory):
    server = PrivateRedis(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def stack(django_db_setup, django_db_blocker, private_redis, tmp_path_factory):
    db = connection.settings_dict
    user, host, port = db.get("USER") or "postgres", db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    folder = tmp_path_factory.mktemp("stack")
    stack = Stack(
        folder=folder,
        database_url=f"postgres://{user}@{host}:{port}/{db['NAME']}",
        redis_url=private_redis.url,
        media_root=folder / "media",
        CASEWORK_FORM_PER_HOUR=str(FORM_PER_HOUR),
        LOGIN_FAILURE_LIMIT="3",
    )
    with django_db_blocker.unblock():
        stack.start()
    yield stack
    stack.stop()


@pytest.fixture
def redis_up(private_redis, stack):
    """Each test starts with Redis up and no counter left by the one before (in Redis or in the
    database cache), and leaves Redis up."""
    if private_redis.process is None or private_redis.process.poll() is not None:
        private_redis.start()
    private_redis.flush()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM ncsc_cache")
    yield private_redis
    if private_redis.process.poll() is not None:
        private_redis.start()


CLOSED_PORT_CACHES = {
    "default": {
        "BACKEND": "contactcenter.common.cache.ResilientRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "FALLBACK": "fallback",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    },
    "fallback": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "ncsc_cache"},
}


@override_settings(CACHES=CLOSED_PORT_CACHES)
def test_the_cache_and_the_rate_limits_fall_back_to_the_database_cache_when_redis_refuses(db, caplog):
    call_command("createcachetable")
    try:
        assert ratelimit.hit("casework-form:192.0.2.1", window_seconds=3600) == 1
        assert ratelimit.hit("casework-form:192.0.2.1", window_seconds=3600) == 2
        assert ratelimit.count("casework-form:192.0.2.1") == 2
        assert caches["fallback"].get("casework-form:192.0.2.1") == 2
        caches["default"].set("wallboard:x", {"a": 1}, 60)
        assert caches["default"].get("wallboard:x") == {"a": 1}
        assert resilient_cache.cache_status() == (False, "database (fallback)")
        warnings = [r.getMessage() for r in caplog.records if "Redis cache unavailable" in r.getMessage()]
        assert len(warnings) == 1, warnings  # once per outage, not once per operation
    finally:
        resilient_cache._came_back()


def _csrf(session: requests.Session, url: str) -> str:
    page = session.get(url, timeout=30)
    assert page.status_code == 200, page.text[:500]
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)


def _sign_in(stack: Stack, username: str, password: str = PASSWORD) -> tuple[requests.Session, requests.Response]:
    session = requests.Session()
    token = _csrf(session, stack.base_url + "/accounts/login/")
    response = session.post(
        stack.base_url + "/accounts/login/",
        data={"csrfmiddlewaretoken": token, "username": username, "password": password},
        allow_redirects=False,
        timeout=30,
    )
    return session, response


def _send_inquiry(stack: Stack, session: requests.Session, *, email: str, subject: str) -> requests.Response:
    token = _csrf(session, stack.base_url + "/casework/write/")
    return session.post(
        stack.base_url + "/casework/write/",
        data={
            "csrfmiddlewaretoken": token,
            "name": "Ana Ruiz",
            "email": email,
            "role": "applicant",
            "subject": subject,
            "message": "My card was not delivered.",
        },
        allow_redirects=True,
        timeout=30,
    )


def _register(stack: Stack, engagement_id: int, *, email: str) -> requests.Response:
    session = requests.Session()
    url = f"{stack.base_url}/outreach/events/{engagement_id}/"
    token = _csrf(session, url)
    return session.post(url, data={"csrfmiddlewaretoken": token, "name": "Rosa Diaz", "email": email}, timeout=30)


SWEEPS = ("casework.sweep", "outreach.reminders_and_sweep", "contactcenter.form_orders_sweep")


def _sweep_as_beat_would(stack: Stack) -> None:
    """The messages Celery beat sends every few minutes (CELERY_BEAT_SCHEDULE), sent through the
    private broker to the stack's worker."""
    from kombu import Connection

    from contactcenter.celery import app

    with Connection(stack.env["REDIS_URL"]) as conn:
        for name in SWEEPS:
            app.send_task(name, queue=stack.queue, connection=conn)


@pytest.mark.celery_worker
@pytest.mark.slow_stack
@pytest.mark.django_db(transaction=True)
def test_redis_down_signs_in_takes_the_inquiry_and_sends_its_confirmation_once_redis_returns(
    stack, redis_up, make_staff
):

    from casework.models import Inquiry
    from contactcenter.models import FormOrder, FormOrderStatus
    from contactcenter.staff.roles import Role
    from ivr.simulator import SimulatedCall, http_transport
    from outreach.models import Registration
    from tests.outreach.factories import EngagementFactory

    seed_reference(cases=10, surgeons=5)
    engagement = EngagementFactory(capacity=10)
    csr = make_staff(Role.CSR)
    console_before, signed_in = _sign_in(stack, csr.username)
    assert signed_in.status_code == 302, signed_in.text[:500]

    redis_up.stop()

    # /healthz names both faults, in its JSON and in words.
    status, body = stack.get("/healthz")
    health = json.loads(body)
    assert status == 503
    assert health["status"] == "degraded"
    assert health["degraded"] == ["cache", "broker"]
    assert health["checks"]["cache"] == "degraded" and health["checks"]["cache_backend"] == "database (fallback)"
    assert health["checks"]["broker"] == "unavailable" and health["checks"]["database"] == "ok"
    assert "rate limits, sign-in lockouts and the wallboard use the database cache" in health["message"]
    assert "the sweeps send it when the broker returns" in health["message"]

    # A session from before the outage still works (sessions are in the database), and a new sign-in works.
    assert console_before.get(stack.base_url + "/console/", timeout=30).status_code == 200
    supervisor = make_staff(Role.SUPERVISOR)
    board, response = _sign_in(stack, supervisor.username)
    assert response.status_code == 302 and response.headers["Location"] == "/wallboard/", response.text[:500]
    wallboard = board.get(stack.base_url + "/wallboard/", timeout=30)
    assert wallboard.status_code == 200
    # The API's throttles read the same cache.
    assert console_before.get(stack.base_url + "/api/me/", timeout=30).json()["username"] == csr.username

    # The public form takes an inquiry and shows its confirmation number.
    public = requests.Session()
    done = _send_inquiry(stack, public, email="ana@example.com", subject="Card not received")
    assert done.status_code == 200, done.text[:1000]
    inquiry = Inquiry.objects.get(correspondent__email="ana@example.com")
    assert inquiry.reference in done.text
    assert inquiry.confirmation_sent_at is None
    # …and it is in the CAO queue of an analyst who signs in during the outage.
    cao, response = _sign_in(stack, make_staff(Role.CAO_ANALYST).username)
    assert response.status_code == 302, response.text[:500]
    queue = cao.get(stack.base_url + "/casework/", timeout=30)
    assert queue.status_code == 200 and inquiry.reference in queue.text

    # The outreach registration form takes a registration.
    registered = _register(stack, engagement.pk, email="rosa@example.org")
    assert registered.status_code == 200 and "You are registered" in registered.text, registered.text[:1000]
    registration = Registration.objects.get(email="rosa@example.org")

    # The IVR answers a signed call and takes a form order (its text message waits for the broker).
    call = SimulatedCall(
        from_number="+12135550142",
        transport=http_transport(stack.base_url),
        public_base_url=stack.base_url,
        token=stack.env["TWILIO_AUTH_TOKEN"],
    )
    assert call.start().status == 200
    for digits in ("1", "2", "765"):
        assert call.press(digits).status == 200
    ordered = call.press("1")
    assert ordered.status == 200
    assert "We will send a text message with a link to Form I-765" in ordered.text
    order = FormOrder.objects.get()
    assert order.status == FormOrderStatus.PENDING

    # The form's hourly limit still counts, in the database cache: the fourth from this address is refused.
    for n in range(2, FORM_PER_HOUR + 1):
        assert _send_inquiry(stack, public, email=f"writer{n}@example.com", subject=f"Try {n}").status_code == 200
    refused = _send_inquiry(stack, public, email="writer4@example.com", subject="One too many")
    assert refused.status_code == 429
    assert "Too many inquiries were sent from this connection" in refused.text
    assert Inquiry.objects.count() == FORM_PER_HOUR

    # Sign-in lockout still counts: the limit's third wrong password shows the lockout page.
    for _attempt in range(2):
        assert _sign_in(stack, csr.username, "wrong password")[1].status_code == 200
    locked = _sign_in(stack, csr.username, "wrong password")[1]
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.text

    # No request of the outage failed.
    assert " 500 " not in stack.web_log.read_text(), stack.logs()

    redis_up.start()
    assert wait_for(lambda: stack.get("/healthz")[0] == 200, timeout=30), stack.logs()
    assert stack.mails() == []
    status, body = stack.get("/healthz")
    assert json.loads(body)["checks"]["cache_backend"] == "redis"
    # The web processes' broker connections come back too: a new inquiry's confirmation goes straight
    # to the worker, without waiting for a sweep. This address has used its hour's limit, and a web
    # process may still be in its few seconds of leaving Redis alone (counting in the database cache),
    # so the writer comes in a new hour: the outage's counts are cleared.
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM ncsc_cache")
    after = _send_inquiry(stack, requests.Session(), email="after@example.com", subject="After the outage")
    assert after.status_code == 200, after.text[:1000]
    after_reference = Inquiry.objects.get(correspondent__email="after@example.com").reference
    assert wait_for(lambda: len(stack.mails(after_reference)) == 1, timeout=30), stack.logs()
    # The outage lasted more than the sweeps' grace minute (they leave alone what was just enqueued).
    two_minutes_ago = timezone.now() - timedelta(minutes=2)
    Inquiry.objects.update(created_at=two_minutes_ago)
    Registration.objects.update(updated_at=two_minutes_ago)
    FormOrder.objects.update(created_at=two_minutes_ago)
    _sweep_as_beat_would(stack)

    def delivered() -> bool:
        return (
            len(stack.mails(inquiry.reference)) == 1
            and len(stack.mails("To: rosa@example.org")) == 1
            and FormOrder.objects.filter(pk=order.pk, status=FormOrderStatus.SENT).exists()
        )

    assert wait_for(delivered, timeout=60), stack.logs()
    assert wait_for(lambda: not Inquiry.objects.filter(confirmation_sent_at__isnull=True).exists(), timeout=30)
    # Beat's next round finds nothing left to send.
    _sweep_as_beat_would(stack)

    def swept_twice() -> bool:
        lines = stack.worker_log.read_text().splitlines()
        return all(sum(f"Task {name}[" in line and " succeeded " in line for line in lines) == 2 for name in SWEEPS)

    assert wait_for(swept_twice, timeout=30), stack.logs()
    assert len(stack.mails(inquiry.reference)) == 1
    assert len(stack.mails("Subject: We received your inquiry")) == FORM_PER_HOUR + 1
    assert len(stack.mails("To: rosa@example.org")) == 1
    registration.refresh_from_db()
    assert registration.confirmed_status == registration.status
