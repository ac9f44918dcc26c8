"""`manage.py load_zip_centroids`: every U.S. ZIP code's centroid, from the `zipcodes` package."""

from __future__ import annotations

import zipcodes
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from contactcenter import services
from contactcenter.audit.context import AuditContext
from contactcenter.models import AuditChannel


class Command(BaseCommand):
    help = "Load or refresh ZIP code centroids (about 42,000) for the nearest-office and civil-surgeon searches."

    def handle(self, *args, **options):
        report = services.zip_centroids_load(
            context=AuditContext.system(channel=AuditChannel.COMMAND),
            rows=tqdm(zipcodes.list_all(), desc="ZIP centroids", unit="zip", disable=None),
        )
        for error in report.errors[:20]:
            self.stderr.write(str(error))
        self.stdout.write(report.summary())
        if not report.ok:
            raise CommandError(f"{report.failed} ZIP code(s) could not be loaded.")
