"""`manage.py import_reference KIND FILE.csv [--dry-run]`: validate and upsert agency reference data."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from contactcenter.audit.context import AuditContext
from contactcenter.management.commands._reference_csv import import_csv
from contactcenter.models import AuditChannel
from contactcenter.services import REFERENCE_KINDS


class Command(BaseCommand):
    help = (
        "Import reference data from a CSV file with a header row. Each row is validated; bad rows are "
        "reported with their line number and skipped, good rows are upserted by natural key. Exits non-zero "
        "when any row failed."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=REFERENCE_KINDS)
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Validate and count, then roll everything back.")
        parser.add_argument("--only-new", action="store_true", help="Add missing rows; leave rows on file unchanged.")

    def handle(self, *args, kind: str, file: Path, dry_run: bool, only_new: bool, **options):
        context = AuditContext.system(channel=AuditChannel.COMMAND)
        report = import_csv(context=context, kind=kind, path=file, dry_run=dry_run, create_only=only_new)
        for error in report.errors:
            self.stderr.write(f"{file.name}:{error.line}: {error.field or 'row'}: {error.message}")
        if report.rows == 0 and report.ok:
            self.stderr.write(f"{file.name}: no rows to import.")
        self.stdout.write(report.summary())
        if not report.ok:
            raise CommandError(f"{report.failed} row(s) of {file.name} failed; the others were {_done(dry_run)}.")


def _done(dry_run: bool) -> str:
    return "checked (dry run, nothing written)" if dry_run else "imported"
