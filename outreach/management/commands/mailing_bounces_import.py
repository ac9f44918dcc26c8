"""Read bounce messages (RFC 3464 delivery status notifications) and mark the mailing recipients
they name as bounced, so their address is not mailed again.

Each message is matched by the VERP tag of the address it came back to (bounces+m<id>-<hmac>@…) or
the X-NCSC-Mailing header of the returned headers; a tag that does not verify is ignored. Give
files of one message (.eml) or mbox files, or - (the default) for one message or an mbox on stdin,
as an MTA's pipe delivers it."""

from __future__ import annotations

import mailbox
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from outreach import mailings


def _messages(raw: bytes) -> Iterator[bytes]:
    """One message, or each message of an mbox (which starts with a "From " line)."""
    if not raw.startswith(b"From "):
        yield raw
        return
    with tempfile.NamedTemporaryFile(suffix=".mbox") as handle:
        handle.write(raw)
        handle.flush()
        box = mailbox.mbox(handle.name, create=False)
        try:
            for key in box.iterkeys():
                yield box.get_bytes(key)
        finally:
            box.close()


class Command(BaseCommand):
    help = "Mark mailing recipients bounced from RFC 3464 bounce messages (files, mbox files or stdin)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("paths", nargs="*", default=["-"], help="message or mbox files; - for stdin")

    def handle(self, *args, paths: list[str], **options) -> None:
        counts: Counter[str] = Counter()
        for path in paths:
            if path == "-":
                raw = sys.stdin.buffer.read()
            else:
                try:
                    raw = Path(path).read_bytes()
                except OSError as error:
                    raise CommandError(f"{path}: {error}") from error
            for message in _messages(raw):
                result = mailings.bounce_import(raw=message)
                counts[result.outcome] += 1
                if result.outcome == "bounced" and options["verbosity"] > 1:
                    self.stdout.write(f"recipient #{result.recipient_id} bounced: {result.reason}")
        summary = ", ".join(f"{outcome}: {counts[outcome]}" for outcome in sorted(counts)) or "no messages"
        self.stdout.write(summary)
