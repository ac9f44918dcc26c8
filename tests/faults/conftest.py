"""The stack under fault: a private Redis (a broker the test may stop, and a short visibility
timeout that must not touch other tests' tasks), real Celery workers the test starts and kills,
and the test's own SMTP server."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.faults.smtp_sink import SmtpSink
from tests.ivr.conftest import caller, reference  # noqa: F401 - the IVR's fixtures, for scenario 5

ROOT = Path(__file__).resolve().parents[2]
VISIBILITY_TIMEOUT = 5  # seconds; production keeps CELERY_VISIBILITY_TIMEOUT (an hour) and its sweeps


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Worker:
    def __init__(self, process: subprocess.Popen, log: Path) -> None:
        self.process, self.log = process, log

    def text(self) -> str:
        return self.log.read_text()

    def kill(self) -> None:
        """SIGKILL: no shutdown handler runs, nothing is acknowledged or handed back."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=20)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=20)


class FaultStack:
    """Start with `stack.worker(**env)`; tasks enqueued in the test go to this stack's queue."""

    def __init__(self, tmp_path: Path, database_url: str) -> None:
        self.tmp_path, self.database_url = tmp_path, database_url
        self.queue = f"faults-{uuid.uuid4().hex[:8]}"
        self.redis_port = _free_port()
        self.redis_url = f"redis://127.0.0.1:{self.redis_port}/0"
        self.redis = None
        self.workers: list[Worker] = []

    def redis_start(self) -> None:
        self.redis = subprocess.Popen(
            [
                shutil.which("redis-server"),
                *("--port", str(self.redis_port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", str(self.tmp_path)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.redis_port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("private redis did not start")

    def redis_stop(self) -> None:
        if self.redis is not None and self.redis.poll() is None:
            self.redis.terminate()
            self.redis.wait(timeout=10)

    def broker(self):
        import redis

        return redis.Redis.from_url(self.redis_url)

    def worker(self, name: str = "a", **env: str) -> Worker:
        log = self.tmp_path / f"worker-{name}.log"
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "contactcenter.settings.test",
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "CELERY_TASK_DEFAULT_QUEUE": self.queue,
            "TEST_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "TEST_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
            **env,
        }
        with log.open("w") as out:
            process = subprocess.Popen(
                [
                    *(sys.executable, "-m", "celery", "-A", "contactcenter", "worker", "--pool", "solo"),
                    *("--loglevel", "INFO", "--hostname", f"faults-{name}-{os.getpid()}@%h", "-Q", self.queue),
                    *("--without-gossip", "--without-mingle", "--without-heartbeat"),
                ],
                cwd=ROOT,
                env=environment,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        worker = Worker(process, log)
        self.workers.append(worker)
        deadline = time.monotonic() + 60
        while " ready." not in worker.text():
            if process.poll() is not None or time.monotonic() > deadline:
                worker.stop()
                raise RuntimeError(f"worker did not start:\n{worker.text()}")
            time.sleep(0.2)
        return worker

    def until_visible_again(self) -> None:
        """Wait until the broker would give the unacknowledged task to another worker: a worker
        scans for such tasks when it starts, then every unacked_restore_interval × throttle."""
        taken = [score for _tag, score in self.broker().zrange("unacked_index", 0, -1, withscores=True)]
        assert taken, "no task was taken and left unacknowledged"
        time.sleep(max(0.0, max(taken) + VISIBILITY_TIMEOUT + 0.5 - time.time()))

    def idle(self) -> bool:
        """Nothing waiting in the queue and nothing taken but unacknowledged."""
        broker = self.broker()
        return not broker.llen(self.queue) and not broker.hlen("unacked")


def _point_app_at(broker_url: str, queue: str) -> None:
    from contactcenter.celery import app

    app.conf.broker_url = broker_url
    app.conf.task_default_queue = queue
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def fault_stack(transactional_db, tmp_path):
    from django.conf import settings
    from django.db import connection

    db = connection.settings_dict
    user, host, port = db.get("USER") or "postgres", db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    stack = FaultStack(tmp_path, f"postgres://{user}@{host}:{port}/{db['NAME']}")
    stack.redis_start()
    _point_app_at(stack.redis_url, stack.queue)
    yield stack
    for worker in stack.workers:
        worker.stop()
    _point_app_at(settings.CELERY_BROKER_URL, settings.CELERY_TASK_DEFAULT_QUEUE)
    stack.redis_stop()


@pytest.fixture
def smtp_sink():
    sink = SmtpSink()
    yield sink
    sink.stop()
