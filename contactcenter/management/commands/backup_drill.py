"""`manage.py backup_drill` (make backup-drill): prove that last night's kind of backup restores.

1. Opens a read-only snapshot of the database and counts every table's rows in it.
2. Dumps that same snapshot with deploy/backup.sh (pg_dump -Fc), so the counts and the dump agree
   however busy the database is.
3. Creates a new, empty database beside it and restores the dump with deploy/restore.sh.
4. Counts every table of the restored database, compares table by table, and runs
   `manage.py migrate --check` against it (the restored schema is the code's).
5. Drops the restored database (unless --keep) and exits 1 when anything differs.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

DEPLOY = Path(settings.BASE_DIR) / "deploy"
TABLES = """
SELECT quote_ident(schemaname) || '.' || quote_ident(tablename)
FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1
"""


def _url(params: dict, database: str) -> str:
    """A libpq URL without the password (that goes in PGPASSWORD, out of the process list)."""
    user = quote(params.get("USER") or "", safe="")
    host = params.get("HOST") or "127.0.0.1"
    port = params.get("PORT") or "5432"
    return f"postgresql://{user + '@' if user else ''}{host}:{port}/{quote(database, safe='')}"


def _row_counts(cursor) -> dict[str, int]:
    cursor.execute(TABLES)
    tables = [row[0] for row in cursor.fetchall()]
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - names quoted by quote_ident
        counts[table] = cursor.fetchone()[0]
    return counts


class Command(BaseCommand):
    help = (
        "Back up the database (deploy/backup.sh), restore it into a new empty database "
        "(deploy/restore.sh), and check every table's row count and the migrations on the restore."
    )

    def add_arguments(self, parser):
        parser.add_argument("--keep", action="store_true", help="keep the restored database and the dump")
        parser.add_argument(
            "--backup-dir", default="", help="where the drill's dump is written (default: a temporary directory)"
        )

    def handle(self, *args, keep: bool, backup_dir: str, **options):
        database = connections[DEFAULT_DB_ALIAS]
        if database.vendor != "postgresql":
            raise CommandError("the backup drill needs Postgres (DATABASE_URL=postgres://...)")
        params = database.settings_dict
        source = params["NAME"]
        target = f"{source[:40]}_drill_{time.strftime('%Y%m%d%H%M%S', time.gmtime())}"
        env = {**os.environ, "PGPASSWORD": params.get("PASSWORD") or "", "PGCONNECT_TIMEOUT": "10"}
        scratch = Path(backup_dir) if backup_dir else Path(tempfile.mkdtemp(prefix="ncsc-backup-drill-"))

        import psycopg2

        started = time.monotonic()
        # Counted and dumped as of one snapshot, held open by this session until the dump is done.
        source_db = psycopg2.connect(_url(params, source), password=params.get("PASSWORD") or None)
        try:
            source_db.set_session(isolation_level="REPEATABLE READ", readonly=True)
            with source_db.cursor() as cursor:
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
                before = _row_counts(cursor)
                self._run(
                    [str(DEPLOY / "backup.sh"), _url(params, source)],
                    {**env, "BACKUP_DIR": str(scratch), "BACKUP_SNAPSHOT": snapshot},
                )
        finally:
            source_db.close()
        dump = max(scratch.glob("ncsc-*.dump"), key=lambda path: path.stat().st_mtime)
        dump_bytes = dump.stat().st_size
        dumped = time.monotonic()

        admin = psycopg2.connect(_url(params, "postgres"), password=params.get("PASSWORD") or None)
        admin.autocommit = True
        try:
            with admin.cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{target}" TEMPLATE template0')
            try:
                self._run([str(DEPLOY / "restore.sh"), str(dump), _url(params, target)], env)
                restored = time.monotonic()
                target_db = psycopg2.connect(_url(params, target), password=params.get("PASSWORD") or None)
                try:
                    with target_db.cursor() as cursor:
                        after = _row_counts(cursor)
                finally:
                    target_db.close()
                check = subprocess.run(
                    [sys.executable, "manage.py", "migrate", "--check", "--plan"],
                    cwd=settings.BASE_DIR,
                    env={**env, "DATABASE_URL": self._django_url(params, target)},
                    capture_output=True,
                    text=True,
                    check=False,
                )
            finally:
                if not keep:
                    with admin.cursor() as cursor:
                        cursor.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        finally:
            admin.close()
        if not keep and not backup_dir:
            for path in scratch.iterdir():
                path.unlink()
            scratch.rmdir()
        return self._report(
            source=source,
            target=target,
            dump=dump,
            dump_bytes=dump_bytes,
            before=before,
            after=after,
            check=check,
            seconds=(dumped - started, restored - dumped),
            keep=keep,
        )

    def _run(self, command: list[str], env: dict[str, str]) -> None:
        result = subprocess.run(  # noqa: S603 - the project's own scripts, arguments built here
            command, cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, check=False
        )
        self.stdout.write(result.stdout.rstrip())
        if result.returncode != 0:
            raise CommandError(f"{Path(command[0]).name} failed ({result.returncode}): {result.stderr.strip()}")

    @staticmethod
    def _django_url(params: dict, database: str) -> str:
        """DATABASE_URL for the settings (django-environ's form, password included: never printed)."""
        password = params.get("PASSWORD") or ""
        user = quote(params.get("USER") or "", safe="")
        credentials = f"{user}:{quote(password, safe='')}@" if password else (f"{user}@" if user else "")
        return f"postgres://{credentials}{params.get('HOST') or '127.0.0.1'}:{params.get('PORT') or 5432}/{database}"

    def _report(self, *, source, target, dump, dump_bytes, before, after, check, seconds, keep) -> None:
        differing = sorted(table for table in set(before) | set(after) if before.get(table, -1) != after.get(table, -1))
        self.stdout.write(f"{'table':<52}{'source':>12}{'restored':>12}")
        for table in sorted(set(before) | set(after)):
            mark = "  *** DIFFERS ***" if table in differing else ""
            self.stdout.write(f"{table:<52}{before.get(table, '-')!s:>12}{after.get(table, '-')!s:>12}{mark}")
        self.stdout.write(
            f"backup drill: {len(before)} tables, {sum(before.values())} rows in {source}; dump {dump.name} "
            f"{dump_bytes / 1e6:.1f} MB in {seconds[0]:.1f} s; restored into {target} in {seconds[1]:.1f} s"
            + (" (kept)" if keep else " (dropped)")
        )
        failures = []
        if differing:
            failures.append(f"{len(differing)} tables differ: {', '.join(differing[:10])}")
        if check.returncode != 0:
            failures.append(f"migrate --check failed on the restore:\n{check.stdout}{check.stderr}")
        else:
            self.stdout.write("migrate --check on the restore: no migration missing")
        if failures:
            raise CommandError("backup drill FAILED: " + "; ".join(failures))
        self.stdout.write(self.style.SUCCESS("backup drill passed: every table's rows came back"))
