"""Delete the IVR's step records past their retention now, as the hourly beat task does."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from ivr import services
from ivr.models import Call, CallEvent


class Command(BaseCommand):
    help = (
        "Delete the step records (what each prompt asked and the TwiML answered) of IVR calls started "
        "more than --days days ago (default IVR_STEP_RETENTION_DAYS), a batch of calls per transaction. "
        "Each call's row and its ledger entry stay."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None)
        parser.add_argument("--dry-run", action="store_true", help="Count the calls whose steps would go.")

    def handle(self, *args, days: int | None, dry_run: bool, **options):
        days = settings.IVR_STEP_RETENTION_DAYS if days is None else days
        if days < 1:
            raise CommandError("--days must be positive (IVR_STEP_RETENTION_DAYS=0 keeps step records).")
        older_than = timezone.now() - timedelta(days=days)
        first = CallEvent.objects.order_by("call_id").values_list("call_id", flat=True).first()
        low = Call.objects.filter(pk=first).values_list("started_at", flat=True).first() if first else None
        total = Call.objects.filter(started_at__gte=low, started_at__lt=older_than).count() if low else 0
        if dry_run:
            self.stdout.write(f"{total:,} calls started before {older_than:%Y-%m-%d %H:%M} have step records.")
            return
        purged = 0
        # The command's stderr stream itself: its wrapper would end every redraw with a newline.
        with tqdm(total=total, desc="ivr_steps_purge", unit="call", file=self.stderr._out) as bar:
            while count := services.call_steps_purge(older_than=older_than):
                purged += count
                bar.update(count)
        self.stdout.write(
            self.style.SUCCESS(
                f"Deleted the step records of {purged:,} calls started before {older_than:%Y-%m-%d %H:%M}."
            )
        )
