"""Scenario 7: the documented backup (deploy/backup.sh, pg_dump -Fc) restores into an empty database
with every table's rows, its sequences, its audit trigger and a schema the code accepts; the drill
an operator runs (`make backup-drill` = `manage.py backup_drill`) says so, and the restore refuses
what it must refuse. Against a small seeded database of the test's own on the local Postgres."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

pytestmark = [pytest.mark.postgres]

ROOT = Path(__file__).resolve().parents[2]
SERVER = "postgres://postgres@127.0.0.1:5432"


def _sql(database: str, sql: str, params=()) -> list[tuple]:
    import psycopg2

    db = psycopg2.connect(f"{SERVER}/{database}")
    db.autocommit = True
    try:
        with db.cursor() as cursor:
            cursor.execute(sql, params or None)
            return cursor.fetchall() if cursor.description else []
    finally:
        db.close()


def _env(database: str) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))},
        "DJANGO_SETTINGS_MODULE": "contactcenter.settings.test",
        "DATABASE_URL": f"{SERVER}/{database}",
    }


def _manage(database: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=_env(database), capture_output=True, text=True, timeout=600
    )


@pytest.fixture(scope="module")
def seeded_database():
    name = f"ncsc_backup_{uuid.uuid4().hex[:8]}"
    _sql("postgres", f'CREATE DATABASE "{name}"')
    try:
        for command in (("migrate", "--noinput", "-v0"), ("seed_reference", "--cases", "30", "--surgeons", "20")):
            result = _manage(name, *command)
            assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        # A call with its steps, as the IVR writes them, beside the reference data and its audit rows.
        _sql(
            name,
            "INSERT INTO ivr_call (call_sid, from_number, to_number, language, caller_time_zone, started_at, outcome, "
            "twilio_status, state, step, path, receipt_numbers, self_served) VALUES ('CAbackup', '+12135550142', '', "
            "'es', 'America/Los_Angeles', now(), 'in_progress', '', '{}', 1, '[]', '[]', false)",
        )
        _sql(
            name,
            "INSERT INTO ivr_callevent (call_id, step, node, option, input_masked, result, twiml, created_at) "
            "SELECT id, s, 'main', '', '', 'menu', '<Response/>', now() FROM ivr_call, generate_series(0, 1) AS s",
        )
        yield name
    finally:
        _sql("postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _fingerprint(database: str) -> dict[str, object]:
    """What must come back besides the counts: the audit trail's content, where the sequences stand,
    and the append-only trigger."""
    return {
        "audit": _sql(database, "SELECT md5(string_agg(t::text, '|' ORDER BY id)) FROM contactcenter_auditevent t")[0],
        "cases": _sql(database, "SELECT md5(string_agg(t::text, '|' ORDER BY id)) FROM contactcenter_benefitcase t")[0],
        "sequences": _sql(database, "SELECT sequencename, last_value FROM pg_sequences ORDER BY 1"),
        "triggers": _sql(
            database, "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgrelid::regclass::text LIKE '%audit%'"
        ),
    }


def test_backup_drill_restores_every_row_into_an_empty_database(seeded_database, tmp_path):
    counted = _sql(seeded_database, "SELECT count(*) FROM contactcenter_auditevent")[0][0]
    cases = _sql(seeded_database, "SELECT count(*) FROM contactcenter_benefitcase")[0][0]
    assert counted > 0 and cases >= 30

    result = _manage(seeded_database, "backup_drill", "--keep", "--backup-dir", str(tmp_path))
    print(result.stdout[-1500:])
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "backup drill passed: every table's rows came back" in result.stdout
    assert "migrate --check on the restore: no migration missing" in result.stdout
    assert "DIFFERS" not in result.stdout
    tables = _sql(
        seeded_database, "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
    )[0][0]
    assert re.search(rf"backup drill: {tables} tables, \d+ rows in {seeded_database}", result.stdout)
    # Each table's line shows the same count twice; the seeded ones are there with their rows.
    assert re.search(rf"public\.contactcenter_benefitcase\s+{cases}\s+{cases}\n", result.stdout)
    assert re.search(r"public\.ivr_callevent\s+2\s+2\n", result.stdout)
    assert re.search(rf"public\.contactcenter_auditevent\s+{counted}\s+{counted}\n", result.stdout)

    restored = re.search(r"restored into (\S+) ", result.stdout).group(1)
    try:
        assert _fingerprint(restored) == _fingerprint(seeded_database)
    finally:
        _sql("postgres", f'DROP DATABASE IF EXISTS "{restored}" WITH (FORCE)')
    # The dump and its checksum, as the nightly job leaves them.
    dumps = sorted(tmp_path.glob("ncsc-*.dump"))
    assert len(dumps) == 1 and (tmp_path / f"{dumps[0].name}.sha256").exists()


def test_backup_keeps_35_days_and_restore_refuses_a_damaged_dump_or_a_used_database(seeded_database, tmp_path):
    env = {**os.environ, "BACKUP_DIR": str(tmp_path)}
    old = time.time() - 40 * 86400
    for name, age in (("ncsc-20200101T000000Z.dump", old), ("ncsc-20200101T000000Z.dump.sha256", old)):
        (tmp_path / name).write_text("expired")
        os.utime(tmp_path / name, (age, age))
    recent = tmp_path / "ncsc-recent.dump"
    recent.write_text("thirty days old")
    os.utime(recent, (time.time() - 30 * 86400,) * 2)

    backup = subprocess.run(
        [str(ROOT / "deploy/backup.sh"), f"{SERVER}/{seeded_database}"], env=env, capture_output=True, text=True
    )
    assert backup.returncode == 0, backup.stderr
    assert "kept 35 days" in backup.stdout
    assert not (tmp_path / "ncsc-20200101T000000Z.dump").exists()
    assert recent.exists()
    dump = next(path for path in tmp_path.glob("ncsc-2*.dump"))

    # Into a database that already has tables: refused, and nothing in it changed.
    before = _fingerprint(seeded_database)
    used = subprocess.run(
        [str(ROOT / "deploy/restore.sh"), str(dump), f"{SERVER}/{seeded_database}"], capture_output=True, text=True
    )
    assert used.returncode == 1 and "refused: the target database already has" in used.stderr
    assert _fingerprint(seeded_database) == before

    # A dump that no longer matches its checksum: refused before anything is written.
    target = f"ncsc_restore_{uuid.uuid4().hex[:8]}"
    _sql("postgres", f'CREATE DATABASE "{target}"')
    try:
        damaged = bytearray(dump.read_bytes())
        damaged[len(damaged) // 2] ^= 0xFF
        dump.write_bytes(bytes(damaged))
        refused = subprocess.run(
            [str(ROOT / "deploy/restore.sh"), str(dump), f"{SERVER}/{target}"], capture_output=True, text=True
        )
        assert refused.returncode != 0 and "FAILED" in (refused.stdout + refused.stderr)
        assert _sql(target, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")[0][0] == 0
    finally:
        _sql("postgres", f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
