"""A private stack for fault tests: its own Redis server (which a test may stop and start again), and
gunicorn plus a Celery worker under the settings `make run` uses, on the test database.

The shared Redis on 6379 is never touched: other tests run against it."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _port_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def _wait(predicate, timeout: float, what: str, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not happen in {timeout:.0f} s" + (f":\n{log.read_text()[-4000:]}" if log else ""))


class PrivateRedis:
    """A redis-server of our own on a free port, without persistence: stop() and start() are the
    outage and the recovery."""

    def __init__(self, folder: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
        self.binary, self.folder, self.port = binary, folder, free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        log = self.folder / "redis.log"
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.folder,
            stdout=log.open("a"),
            stderr=subprocess.STDOUT,
        )
        _wait(lambda: _port_answers(self.port), 15, "private Redis start", log)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)
        _wait(lambda: not _port_answers(self.port), 10, "private Redis stop")

    def flush(self) -> None:
        import redis

        redis.Redis.from_url(self.url).flushall()


class Stack:
    """gunicorn and one Celery worker (solo pool), both under `contactcenter.settings.local` as
    `make run` starts them, on the test database and the private Redis (broker and cache). E-mail is
    written to files under `mail_dir`, attachments under `media_root`."""

    def __init__(self, *, folder: Path, database_url: str, redis_url: str, media_root: Path, **extra_env: str) -> None:
        self.folder, self.port = folder, free_port()
        self.mail_dir = folder / "mail"
        self.mail_dir.mkdir(exist_ok=True)
        self.queue = f"faults-{uuid.uuid4().hex[:8]}"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "TEST_"))}
        self.env.update(
            DJANGO_SETTINGS_MODULE="contactcenter.settings.local",
            DEBUG="false",
            DATABASE_URL=database_url,
            REDIS_URL=redis_url,
            CELERY_TASK_DEFAULT_QUEUE=self.queue,
            EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
            EMAIL_FILE_PATH=str(self.mail_dir),
            MEDIA_ROOT=str(media_root),
            PUBLIC_BASE_URL=self.base_url,
            TWILIO_AUTH_TOKEN="faults-twilio-token",
            LOG_FORMAT="text",
            **extra_env,
        )
        self.web: subprocess.Popen | None = None
        self.worker: subprocess.Popen | None = None
        self.web_log, self.worker_log = folder / "web.log", folder / "worker.log"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def manage(self, *args: str) -> None:
        subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, check=True, capture_output=True, timeout=120
        )

    def start(self, *, worker: bool = True) -> Stack:
        # What `make migrate` does after migrating: the database cache table the fallback uses.
        self.manage("createcachetable")
        self.web = subprocess.Popen(
            [str(BIN / "gunicorn"), "contactcenter.wsgi:application", "--workers", "2", "--timeout", "60"],
            cwd=ROOT,
            env={**self.env, "GUNICORN_BIND": f"127.0.0.1:{self.port}"},
            stdout=self.web_log.open("w"),
            stderr=subprocess.STDOUT,
        )
        if worker:
            self.worker = subprocess.Popen(
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
                    f"{self.queue}@%h",
                    "-Q",
                    self.queue,
                    "--without-gossip",
                    "--without-mingle",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=self.worker_log.open("w"),
                stderr=subprocess.STDOUT,
            )
            _wait(lambda: " ready." in self.worker_log.read_text(), 60, "Celery worker start", self.worker_log)
        _wait(lambda: self.get("/healthz")[0] in (200, 503), 60, "gunicorn start", self.web_log)
        return self

    def stop(self) -> None:
        for process in (self.web, self.worker):
            if process is not None and process.poll() is None:
                process.terminate()
        for process in (self.web, self.worker):
            if process is not None:
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.base_url + path, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()
        except OSError:
            return 0, ""

    def mails(self, containing: str = "") -> list[str]:
        """Every message the file backend wrote, one item each: a file holds several when two sends in
        one second reuse a backend's name (its timestamp and a recycled object id)."""
        texts = [
            message
            for path in sorted(self.mail_dir.glob("*.log"))
            for message in path.read_text().split("\n" + "-" * 79 + "\n")
            if message.strip()
        ]
        return [text for text in texts if containing in text]

    def logs(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text()[-3000:]}" for path in (self.web_log, self.worker_log) if path.exists()
        )
