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
from django.db import connection
from django.utils import timezone

from tests.factories import PASSWORD
from tests.faults.private_stack import PrivateRedis, Stack
from tests.waiting import wait_for

pytestmark = [pytest.mark.celery_worker, pytest.mark.slow_stack, pytest.mark.django_db(transaction=True)]

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


def _sweep_as_beat_would(stack: Stack) -> None:
    """The message Celery beat sends every five minutes (`casework-sweep` in CELERY_BEAT_SCHEDULE),
    sent through the private broker to the stack's worker."""
    from kombu import Connection

    from contactcenter.celery import app

    with Connection(stack.env["REDIS_URL"]) as conn:
        app.send_task("casework.sweep", queue=stack.queue, connection=conn)


def test_redis_down_signs_in_takes_the_inquiry_and_sends_its_confirmation_once_redis_returns(
    stack, redis_up, make_staff
):
    from casework.models import Inquiry
    from contactcenter.roles import Role

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
    # The outage lasted more than the sweep's grace minute (it leaves alone what was just enqueued).
    Inquiry.objects.update(created_at=timezone.now() - timedelta(minutes=2))
    _sweep_as_beat_would(stack)
    assert wait_for(lambda: len(stack.mails(inquiry.reference)) == 1, timeout=60), stack.logs()
    assert wait_for(lambda: not Inquiry.objects.filter(confirmation_sent_at__isnull=True).exists(), timeout=30)
    _sweep_as_beat_would(stack)
    assert wait_for(lambda: stack.worker_log.read_text().count("casework.sweep") >= 4, timeout=30), stack.logs()
    assert len(stack.mails(inquiry.reference)) == 1
    assert len(stack.mails("Subject: We received your inquiry")) == FORM_PER_HOUR
