"""What the benchmarks share: their own throw-away databases on the local Postgres, percentiles,
and (for the HTTP benchmarks, bench_ivr and bench_peak) gunicorn on a free port with the bench
settings, and the CPU each process on the machine used."""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

SERVER = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
ROOT = Path(__file__).resolve().parents[2]
SETTINGS = "contactcenter.settings.bench"
HOST = "127.0.0.1"


def recreate_database(name: str) -> None:
    """Drop and create the benchmark's database (never the project's: each bench names its own)."""
    import psycopg2

    admin = psycopg2.connect(f"{SERVER}/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def percentile_ms(ordered: list[float], fraction: float) -> float:
    """Of latencies in seconds, already sorted: the percentile in milliseconds (NaN when none)."""
    if not ordered:
        return float("nan")
    return 1000 * ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


# --- the server under load ---------------------------------------------------------------------------
def server_env(port: int, **extra: str) -> dict[str, str]:
    """The environment of the bench settings (contactcenter.settings.bench): whatever DATABASE_URL or
    REDIS_URL the caller exported is dropped; `extra` are BENCH_ knobs (BENCH_DATABASE, …)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(DJANGO_SETTINGS_MODULE=SETTINGS, BENCH_PORT=str(port), PYTHONPATH=str(ROOT), **extra)
    return env


def run(command: list[str], env: dict[str, str], *, show: bool = False) -> str:
    """Runs a manage.py command (or any) in the project and returns what it printed; `show` lets its
    output (a progress bar) through instead."""
    if show:
        result = subprocess.run(command, cwd=ROOT, env=env, check=False)
        if result.returncode != 0:
            raise SystemExit(f"failed: {' '.join(command)}")
        return ""
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.stdout.write(result.stdout[-4000:])
        sys.stderr.write(result.stderr[-4000:])
        raise SystemExit(f"failed: {' '.join(command)}")
    return result.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_server(port: int, workers: int, env: dict[str, str], log_path: str) -> subprocess.Popen:
    gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or "gunicorn"
    log = open(log_path, "w")  # noqa: SIM115 - closed with the process
    server = subprocess.Popen(
        [
            gunicorn,
            "contactcenter.wsgi:application",
            # The project's gunicorn.conf.py routes the access log to stdout; the (empty) tests.load
            # package as the config leaves every setting to this command line.
            "--config",
            "python:tests.load",
            "--bind",
            f"{HOST}:{port}",
            "--worker-class",
            "sync",
            "--workers",
            str(workers),
            "--timeout",
            "30",
            "--graceful-timeout",
            "10",
            "--access-logfile",
            # A diagnosis aid: BENCH_ACCESS_LOG=path writes each request with its server-side time.
            os.environ.get("BENCH_ACCESS_LOG", "/dev/null"),
            "--access-logformat",
            '%(t)s %(p)s "%(r)s" %(s)s %(D)sus',
            "--error-logfile",
            "-",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    log.close()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}; see {log_path}")
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=5)
            connection.request("GET", "/healthz")
            response = connection.getresponse()
            response.read()
            connection.close()
            if response.status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.25)
    stop_server(server)
    raise SystemExit(f"gunicorn did not answer /healthz with 200 within 60 s; see {log_path}")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# --- the machine ---------------------------------------------------------------------------------------
_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_of(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICKS  # utime + stime
    except (OSError, IndexError, ValueError):
        return 0.0


def server_pids(master: int) -> list[int]:
    try:
        with open(f"/proc/{master}/task/{master}/children") as children:
            return [master, *map(int, children.read().split())]
    except OSError:
        return [master]


def database_pids(database: str) -> list[int]:
    """The Postgres backends serving `database` (the server's persistent connections)."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                    if f" {database} ".encode() in cmdline.read():
                        pids.append(int(entry))
            except OSError:
                pass
    return pids


def machine_seconds() -> tuple[float, float]:
    """From /proc/stat, all cores: user + system CPU seconds of every process (interrupt time, the
    loopback's own work, left out as it is for the per-process figures), and the time the
    hypervisor gave to other machines (steal)."""
    with open("/proc/stat") as stat:
        fields = [int(value) for value in stat.readline().split()[1:]]
    return (fields[0] + fields[1] + fields[2]) / _TICKS, fields[7] / _TICKS


_SLOW_LOG = os.environ.get("BENCH_SLOW_LOG", "")


def slow_note(path: str, started: float, sent: float, ended: float) -> None:
    """A diagnosis aid: BENCH_SLOW_LOG=path notes each request slower than 250 ms — when it was
    sent (wall clock), how late the load generator sent it, and how long the answer took."""
    if not _SLOW_LOG or ended - started < 0.25:
        return
    wall = time.time() - (time.perf_counter() - sent)
    with open(_SLOW_LOG, "a") as log:
        log.write(f"{wall:.3f} late={sent - started:.3f} answer={ended - sent:.3f} pid={os.getpid()} {path}\n")
