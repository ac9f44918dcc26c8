"""Reading reference CSV files for the import commands (not a command: the underscore hides it)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from django.core.management.base import CommandError
from tqdm import tqdm

from contactcenter import services
from contactcenter.audit.context import AuditContext


def numbered_rows(handle: TextIO) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) pairs; the number is the row's line in the file, header being line 1."""
    reader = csv.DictReader(handle)
    for row in reader:
        yield reader.line_num, row


def import_csv(
    *, context: AuditContext, kind: str, path: Path, dry_run: bool = False, create_only: bool = False
) -> services.ImportReport:
    if not path.is_file():
        raise CommandError(f"{path} is not a file.")
    # utf-8-sig: spreadsheets save CSV with a byte-order mark.
    with path.open(encoding="utf-8-sig", newline="") as handle:
        total = max(sum(1 for _ in handle) - 1, 0)
        handle.seek(0)
        rows = tqdm(numbered_rows(handle), total=total, desc=f"{kind} ({path.name})", unit="row", disable=None)
        return services.reference_rows_import(
            context=context, kind=kind, rows=rows, dry_run=dry_run, create_only=create_only
        )
