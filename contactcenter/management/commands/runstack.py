"""Serve the whole system from one terminal: gunicorn, a Celery worker and Celery beat."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from contactcenter.common.broker import ensure_filesystem_broker_folders


class Command(BaseCommand):
    help = "Run web (gunicorn), a Celery worker and beat together; Ctrl+C stops all three."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default="127.0.0.1:8000")
        parser.add_argument("--web-workers", type=int, default=2 * (os.cpu_count() or 1))  # as gunicorn.conf.py
        parser.add_argument("--concurrency", type=int, default=2)

    def handle(self, *args, bind: str, web_workers: int, concurrency: int, **options):
        ensure_filesystem_broker_folders()
        (settings.VAR_DIR / "log").mkdir(parents=True, exist_ok=True)
        python = sys.executable
        bin_dir = os.path.dirname(python)
        commands = {
            "web": [
                os.path.join(bin_dir, "gunicorn"),
                "contactcenter.wsgi:application",
                "--bind",
                bind,
                "--workers",
                str(web_workers),
                "--access-logfile",
                "-",
                "--graceful-timeout",
                "5",
            ],
            "worker": [
                python,
                "-m",
                "celery",
                "-A",
                "contactcenter",
                "worker",
                "--loglevel",
                "INFO",
                "--concurrency",
                str(concurrency),
                "--hostname",
                "worker@%h",
            ],
            "beat": [
                python,
                "-m",
                "celery",
                "-A",
                "contactcenter",
                "beat",
                "--loglevel",
                "INFO",
                "--schedule",
                str(settings.VAR_DIR / "celerybeat-schedule"),
            ],
        }
        broker = settings.CELERY_BROKER_URL.split("://", 1)[0]
        self.stdout.write(f"Broker: {broker}; database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}")
        processes: dict[str, subprocess.Popen] = {}
        for name, command in commands.items():
            processes[name] = subprocess.Popen(command, env=os.environ.copy())
            self.stdout.write(f"started {name} (pid {processes[name].pid})")
        self.stdout.write(self.style.SUCCESS(f"NCSC Contact Center on http://{bind}/ — Ctrl+C to stop."))

        stopping = False

        def stop(*_):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        exit_code = 0
        while not stopping:
            for name, process in processes.items():
                if process.poll() is not None:
                    self.stderr.write(f"{name} exited with {process.returncode}; stopping the stack.")
                    exit_code = process.returncode or 1
                    stopping = True
                    break
            time.sleep(0.5)
        for process in processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in processes.values():
            try:
                process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                process.kill()
        if exit_code:
            sys.exit(exit_code)
