"""Recompute the 15-minute rollups (the ledger's and the live queues') from the rows they sum."""

from __future__ import annotations

import time
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from contactcenter import services
from contactcenter.ledger import rollups


class Command(BaseCommand):
    help = (
        "Recompute the 15-minute rollups the wallboard and reports sum, a day per transaction, from the "
        "ledger: the last --days days (default 8, what the hourly reconcile covers), or --all of history."
    )

    def add_arguments(self, parser):
        scope = parser.add_mutually_exclusive_group()
        scope.add_argument("--days", type=int, default=8)
        scope.add_argument(
            "--all", dest="everything", action="store_true", help="Every interval since the ledger's first contact."
        )

    def handle(self, *args, days: int, everything: bool, **options):
        if not rollups.uses_rollups():
            raise CommandError("Rollups need Postgres; on SQLite every figure counts the ledger directly.")
        if days < 1:
            raise CommandError("--days must be positive.")
        started = time.monotonic()
        since = None if everything else timezone.now() - timedelta(days=days)
        # The command's stderr stream itself: its wrapper would end every redraw with a newline.
        with tqdm(desc="rollups_rebuild", unit="interval", file=self.stderr._out) as bar:

            def progress(done: int, total: int) -> None:
                bar.total = total
                bar.update(done - bar.n)

            intervals = services.ledger_rollups_rebuild(since=since, progress=progress)
        services.ledger_rollups_dirty_refresh()
        queue_intervals = services.queue_rollups_rebuild(since=since)
        services.queue_rollups_dirty_refresh()
        self.stdout.write(
            self.style.SUCCESS(
                f"Recomputed {intervals:,} ledger and {queue_intervals:,} queue intervals "
                f"in {time.monotonic() - started:.1f} s."
            )
        )
