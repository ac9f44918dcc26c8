"""Background work on a real Celery worker, and the whole no-Redis stack `make run` starts."""

import json
import os
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from django.db import transaction

from contactcenter.models import WorkerHeartbeat
from contactcenter.tasks import heartbeat_record
from tests.waiting import wait_for

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_a_task_enqueued_after_commit(celery_worker_process):
    process, log = celery_worker_process
    with transaction.atomic():
        transaction.on_commit(lambda: heartbeat_record.delay())
        assert not WorkerHeartbeat.objects.exists()
    assert wait_for(lambda: WorkerHeartbeat.objects.filter(name="celery").exists()), log.read_text()
    heartbeat = WorkerHeartbeat.objects.get(name="celery")
    assert heartbeat.hostname == socket.gethostname()
    assert "contactcenter.heartbeat_record" in log.read_text()
    assert process.poll() is None


@pytest.mark.redis
@pytest.mark.django_db
def test_nothing_is_enqueued_when_the_transaction_rolls_back(django_capture_on_commit_callbacks, settings):
    """The on-commit hook, not a pause, proves it: the rolled-back block leaves no callback and the
    broker's queue stays empty; the committed block leaves exactly one, which reaches the queue."""
    import redis

    from contactcenter.common.background import enqueue_on_commit

    queue = redis.Redis.from_url(settings.REDIS_URL)
    queue.delete(settings.CELERY_TASK_DEFAULT_QUEUE)
    with (
        django_capture_on_commit_callbacks(execute=True) as rolled_back,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        enqueue_on_commit("contactcenter.heartbeat_record")
        assert queue.llen(settings.CELERY_TASK_DEFAULT_QUEUE) == 0  # not sent before the commit
        raise RuntimeError("rolled back")
    assert rolled_back == []
    assert queue.llen(settings.CELERY_TASK_DEFAULT_QUEUE) == 0

    with django_capture_on_commit_callbacks(execute=True) as committed, transaction.atomic():
        enqueue_on_commit("contactcenter.heartbeat_record")
    assert len(committed) == 1
    sent = queue.lrange(settings.CELERY_TASK_DEFAULT_QUEUE, 0, -1)
    queue.delete(settings.CELERY_TASK_DEFAULT_QUEUE)
    assert len(sent) == 1 and json.loads(sent[0])["headers"]["task"] == "contactcenter.heartbeat_record"
    assert not WorkerHeartbeat.objects.exists()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow_stack
def test_the_demo_stack_runs_without_redis_or_postgres(tmp_path):
    """What `make run` serves on a bare machine: SQLite, the filesystem broker, a worker and beat."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(
        DJANGO_SETTINGS_MODULE="contactcenter.settings.local",
        DATABASE_URL=f"sqlite:///{tmp_path / 'stack.sqlite3'}",
        CELERY_FILESYSTEM_FOLDER=str(tmp_path / "broker"),
        CELERY_TASK_DEFAULT_QUEUE="stack-test",
    )
    manage = [sys.executable, "manage.py"]
    for command in (
        ["migrate", "--noinput"],
        ["createcachetable"],
        ["seed_demo", "--contacts", "20", "--cases", "200", "--password", "demo-Password-1"],
    ):
        subprocess.run(manage + command, cwd=ROOT, env=env, check=True, capture_output=True, timeout=180)
    out = (tmp_path / "stack.log").open("w")
    stack = subprocess.Popen(
        [*manage, "runstack", "--bind", f"127.0.0.1:{port}", "--web-workers", "1", "--concurrency", "1"],
        cwd=ROOT,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    try:

        def healthy():
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    return json.load(response)["checks"]["worker_last_seen"] is not None
            except OSError:
                return False

        # Beat sends the heartbeat at start; the worker takes it through the filesystem broker.
        assert wait_for(healthy, timeout=90, interval=1), (tmp_path / "stack.log").read_text()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/cases/EAC2190000001/", timeout=5) as response:
            assert "Sign in" in response.read().decode()
        search = f"http://127.0.0.1:{port}/casework/?q=Maria+Lopez+maria%40example.org&page=2"
        with urllib.request.urlopen(search, timeout=5) as response:
            assert response.status == 200
    finally:
        stack.terminate()
        stack.wait(timeout=30)
    log = (tmp_path / "stack.log").read_text()
    assert stack.returncode == 0, log
    # The access log recorded the request with the receipt number masked.
    assert "/cases/EAC******0001/" in log
    assert "EAC2190000001" not in log
    # What was typed into a search is not in it; the allow-listed page number is.
    assert '"GET /casework/?q=[redacted]&page=2 HTTP/1.1" 302' in log, log
    assert "Maria" not in log and "maria" not in log and "example.org" not in log
