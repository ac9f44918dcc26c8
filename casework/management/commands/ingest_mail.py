"""Ingest e-mailed inquiries from .eml files, mbox files or the IMAP mailbox in the settings."""

from __future__ import annotations

import contextlib
import imaplib
import mailbox
import ssl
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from casework.mail import IngestReport, imap_connect, ingest_message


class Command(BaseCommand):
    help = "Ingest e-mailed inquiries (.eml, mbox or IMAP); replies thread onto their inquiry by reference."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", type=Path, help=".eml files, mbox files or folders of .eml")
        parser.add_argument("--imap", action="store_true", help="Read unseen mail from CASEWORK_IMAP_* settings.")

    def handle(self, *args, paths: list[Path], imap: bool, **options):
        if not paths and not imap:
            raise CommandError("Give .eml/mbox paths or --imap.")
        report = IngestReport()
        messages: list[bytes] = []
        for path in paths:
            messages.extend(self._read(path))
        for raw in tqdm(messages, disable=options["verbosity"] < 2 or len(messages) < 50, unit="msg"):
            ingest_message(raw, report)
        if imap:
            self._imap(report)
        self.stdout.write(
            f"{len(report.created)} inquiries created, {len(report.threaded)} replies threaded, "
            f"{report.duplicates} already ingested, {len(report.failed)} failed"
        )
        for reference in report.created:
            self.stdout.write(f"created {reference}")
        for reference, quoted in report.linked:
            self.stdout.write(f"{reference} quotes {quoted} but is not from its correspondent: linked, not threaded")
        for line in report.failed:
            self.stderr.write(f"failed {line}")

    def _read(self, path: Path) -> list[bytes]:
        if path.is_dir():
            return [p.read_bytes() for p in sorted(path.glob("*.eml"))]
        if not path.exists():
            raise CommandError(f"{path} does not exist.")
        head = path.read_bytes()[:5]
        if head.startswith(b"From "):
            return [message.as_bytes() for message in mailbox.mbox(path)]
        return [path.read_bytes()]

    def _imap(self, report: IngestReport) -> None:
        if not settings.CASEWORK_IMAP_HOST:
            raise CommandError("CASEWORK_IMAP_HOST is not set.")
        try:
            client = imap_connect()
        except ssl.SSLError as error:
            raise CommandError(
                f"The IMAP server {settings.CASEWORK_IMAP_HOST}:{settings.CASEWORK_IMAP_PORT} was refused: "
                f"{getattr(error, 'verify_message', '') or error} (a private CA goes in CASEWORK_IMAP_CA_FILE)."
            ) from error
        try:
            client.login(settings.CASEWORK_IMAP_USER, settings.CASEWORK_IMAP_PASSWORD)
            client.select(settings.CASEWORK_IMAP_FOLDER)
            _status, data = client.uid("search", None, "UNSEEN")
            for uid in data[0].split():
                _status, parts = client.uid("fetch", uid, "(BODY.PEEK[])")
                raw = next((part[1] for part in parts if isinstance(part, tuple)), None)
                if raw is None:
                    continue
                before = len(report.failed)
                ingest_message(raw, report)
                # Marked read only once it is safely in the database (or known already there).
                if len(report.failed) == before:
                    client.uid("store", uid, "+FLAGS", "(\\Seen)")
        finally:
            with contextlib.suppress(imaplib.IMAP4.error, OSError):
                client.logout()
