import pytest


@pytest.fixture
def analyst(make_staff):
    from contactcenter.staff.roles import Role

    return make_staff(Role.CAO_ANALYST)


@pytest.fixture
def supervisor(make_staff):
    from contactcenter.staff.roles import Role

    return make_staff(Role.CAO_SUPERVISOR)


class CaseworkWorker:
    """A real Celery worker on a queue of its own, writing e-mail to files the test reads."""

    def __init__(self, *, queue: str, mail_dir, log_dir, database_url: str) -> None:
        self.queue, self.mail_dir, self.log_dir, self.database_url = queue, mail_dir, log_dir, database_url
        self.process = None
        self.log = None

    def start(self, *, send_delay: float = 0.0, name: str = "a"):
        import os
        import subprocess
        import sys
        import time
        from pathlib import Path

        from django.conf import settings

        self.log = self.log_dir / f"worker-{name}.log"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "contactcenter.settings.test",
            "DATABASE_URL": self.database_url,
            "REDIS_URL": settings.REDIS_URL,
            "CELERY_TASK_DEFAULT_QUEUE": self.queue,
            "TEST_EMAIL_BACKEND": "tests.casework.slow_mail.SlowFileBackend",
            "TEST_EMAIL_FILE_PATH": str(self.mail_dir),
            "CASEWORK_TEST_SEND_DELAY": str(send_delay),
        }
        with self.log.open("w") as out:
            self.process = subprocess.Popen(
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
                    f"casework-{name}-{os.getpid()}@%h",
                    "-Q",
                    self.queue,
                    "--without-gossip",
                    "--without-mingle",
                ],
                cwd=Path(__file__).resolve().parents[2],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while " ready." not in self.log.read_text():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"worker did not start:\n{self.log.read_text()}")
            time.sleep(0.2)
        return self

    def stop(self, *, kill: bool = False) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        if kill:
            self.process.kill()
        else:
            self.process.terminate()
        self.process.wait(timeout=20)

    def messages(self, containing: str = "") -> list[str]:
        found = [p.read_text() for p in sorted(self.mail_dir.glob("*.log"))]
        return [text for text in found if containing in text]


@pytest.fixture
def casework_worker(transactional_db, tmp_path):
    """Start with `casework_worker.start()`; tasks enqueued in the test go to its own queue."""
    import uuid

    from django.db import connection

    from contactcenter.celery import app

    db = connection.settings_dict
    user, host, port = db.get("USER") or "postgres", db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    queue = f"casework-test-{uuid.uuid4().hex[:8]}"
    (tmp_path / "mail").mkdir()
    worker = CaseworkWorker(
        queue=queue,
        mail_dir=tmp_path / "mail",
        log_dir=tmp_path,
        database_url=f"postgres://{user}@{host}:{port}/{db['NAME']}",
    )
    original = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    yield worker
    app.conf.task_default_queue = original
    worker.stop()
