import os
import re
import subprocess
import sys
from pathlib import Path

import yaml
from django.core.management import call_command
from django.test import Client, override_settings

ROOT = Path(__file__).resolve().parents[2]


def test_healthz_reports_database_and_broker(db):
    response = Client().get("/healthz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"] == "ok"


@override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0")
def test_healthz_is_503_when_the_broker_is_down(db):
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"] == {
        "database": "ok",
        "cache": "ok",
        "cache_backend": "LocMemCache",
        "broker": "unavailable",
        "broker_transport": "redis",
        "worker_last_seen": None,
    }
    assert response.json()["status"] == "degraded"
    assert response.json()["degraded"] == ["broker"]
    assert response.json()["message"].startswith("Broker unavailable: background work")


def _production_env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "SECRET_KEY"))}
    env.update(
        DJANGO_SETTINGS_MODULE="contactcenter.settings.production",
        SECRET_KEY="p" * 20 + "-production-check-" + "q" * 30,
        DATABASE_URL="sqlite:////tmp/ncsc-deploy-check.sqlite3",
        ALLOWED_HOSTS="ncsc.example.gov",
        **extra,
    )
    return env


def test_check_deploy_is_clean_under_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = _production_env()
    env.pop("SECRET_KEY")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_migrations_are_complete(db):
    call_command("makemigrations", check=True, dry_run=True, verbosity=0)


def test_compose_stack_is_complete_and_parses():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"web", "worker", "beat", "postgres", "redis"} <= set(services)
    for name in ("web", "worker", "postgres", "redis"):
        assert "healthcheck" in services[name], name
    assert "gunicorn" in " ".join(
        services["web"].get("command", [])
        if isinstance(services["web"].get("command"), list)
        else [str(services["web"].get("command", "")), (ROOT / "Dockerfile").read_text()]
    )
    for name in ("web", "worker", "beat"):
        assert ".env" in str(services[name].get("env_file")), name


def test_env_example_lists_every_variable_the_settings_read():
    settings_source = "\n".join(p.read_text() for p in (ROOT / "contactcenter" / "settings").glob("*.py"))
    read = set(re.findall(r"env(?:\.\w+)?\(\s*\"([A-Z_]+)\"", settings_source))
    read |= set(re.findall(r"os\.environ\.get\(\"([A-Z_]+)\"", settings_source))
    # Test and bench knobs, read only by the test and bench settings.
    read = {name for name in read if not name.startswith(("BENCH_", "TEST_"))}
    example = (ROOT / ".env.example").read_text()
    listed = set(re.findall(r"^#?\s*([A-Z_]+)=", example, re.MULTILINE))
    assert read - listed == set()
    assert "CHANGE-ME" in example or "change-me" in example.lower()
