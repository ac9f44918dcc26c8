"""Fault 6, the attachments' disk full or not writable, on a real stack: gunicorn under the settings
`make run` uses, with MEDIA_ROOT on a real file system that refuses the write.

As root the folder is a small tmpfs, filled to the last byte (ENOSPC), filled but for room for one of
the two attachments sent (the first is written, the second is not), or mounted read-only (EROFS);
otherwise a folder without write permission (EACCES).

Outcome: the public form with an attachment says plainly, in English and in Spanish, that the
inquiry was not sent and why, shows everything typed again, and leaves nothing half-saved: no
inquiry row, no attachment row, no file. Once the disk takes writes again the same form goes through."""

from __future__ import annotations

import errno
import html
import os
import re
import subprocess
from pathlib import Path

import pytest
import requests
from django.db import connection

from tests.faults.private_stack import PrivateRedis, Stack

pytestmark = [pytest.mark.postgres, pytest.mark.slow_stack, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n" + b"0" * 60_000 + b"\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 60_000
TYPED = {
    "name": "Ana Ruiz",
    "email": "ana@example.com",
    "role": "applicant",
    "receipt_number": "EAC2190000001",
    "subject": "Card not received",
    "message": "My card was sent to my old address on 3 March.",
}
ROOM_FOR_ONE = 100 * 1024
# (how the folder refuses, the visitor's language)
CASES = (
    [("full tmpfs", "en"), ("nearly full tmpfs", "en"), ("read-only tmpfs", "es")]
    if os.geteuid() == 0
    else [("read-only directory", "en"), ("read-only directory", "es")]
)
SAYS = {
    "en": (
        "Your inquiry was not sent: we cannot store attached files at the moment. Everything you typed is "
        "still here. Try again in a few minutes, or send it without the attachments.",
        "Attach your files again: they could not be kept for your next try.",
    ),
    "es": (
        "Su consulta no se envió: en este momento no podemos guardar archivos adjuntos. Todo lo que escribió "
        "sigue aquí. Inténtelo de nuevo en unos minutos o envíela sin los archivos adjuntos.",
        "Vuelva a adjuntar sus archivos: no se pudieron guardar para su próximo intento.",
    ),
}


class RefusingFolder:
    """A folder whose file system refuses new files, and can be made to take them again."""

    def __init__(self, folder: Path, mechanism: str) -> None:
        self.folder, self.mechanism = folder, mechanism
        self.filler = folder / "filler"

    def refuse(self) -> None:
        if self.mechanism == "read-only directory":
            self.folder.chmod(0o555)
            return
        options = "size=512k,ro" if self.mechanism == "read-only tmpfs" else "size=512k"
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(self.folder)], capture_output=True)
        if done.returncode != 0:
            pytest.fail(f"as root this test mounts a small tmpfs (needs CAP_SYS_ADMIN): {done.stderr.decode()}")
        if self.mechanism in ("full tmpfs", "nearly full tmpfs"):
            with self.filler.open("wb", buffering=0) as out:
                try:
                    while True:
                        out.write(b"x" * 4096)
                except OSError as error:
                    assert error.errno == errno.ENOSPC
            if self.mechanism == "nearly full tmpfs":
                os.truncate(self.filler, self.filler.stat().st_size - ROOM_FOR_ONE)

    def accept(self) -> None:
        if self.mechanism == "read-only directory":
            self.folder.chmod(0o755)
        elif self.mechanism in ("full tmpfs", "nearly full tmpfs"):
            self.filler.unlink()
        else:
            subprocess.run(["mount", "-o", "remount,rw", str(self.folder)], check=True)

    def release(self) -> None:
        if self.mechanism == "read-only directory":
            self.folder.chmod(0o755)
        else:
            subprocess.run(["umount", str(self.folder)], check=False)

    def files(self) -> list[str]:
        return sorted(
            str(p.relative_to(self.folder)) for p in self.folder.rglob("*") if p.is_file() and p != self.filler
        )


@pytest.fixture(scope="module")
def private_redis(tmp_path_factory):
    server = PrivateRedis(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def media(mechanism, tmp_path):
    folder = RefusingFolder(tmp_path / "media", mechanism)
    folder.folder.mkdir()
    try:
        folder.refuse()
        yield folder
    finally:
        folder.release()


@pytest.fixture
def stack(django_db_setup, django_db_blocker, private_redis, media, tmp_path):
    db = connection.settings_dict
    user, host, port = db.get("USER") or "postgres", db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    private_redis.flush()
    stack = Stack(
        folder=tmp_path,
        database_url=f"postgres://{user}@{host}:{port}/{db['NAME']}",
        redis_url=private_redis.url,
        media_root=media.folder,
    )
    with django_db_blocker.unblock():
        stack.start(worker=False)
    yield stack
    stack.stop()


def _send(stack: Stack, session: requests.Session, language: str) -> requests.Response:
    headers = {"Accept-Language": language}
    page = session.get(stack.base_url + "/casework/write/", headers=headers, timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    return session.post(
        stack.base_url + "/casework/write/",
        data={"csrfmiddlewaretoken": token, **TYPED},
        files=[
            ("attachments", ("letter.pdf", PDF, "application/pdf")),
            ("attachments", ("scan.png", PNG, "image/png")),
        ],
        headers=headers,
        allow_redirects=False,
        timeout=30,
    )


def _nothing_saved(media: RefusingFolder) -> None:
    from casework.models import Attachment, Correspondent, Inquiry
    from contactcenter.models import Interaction

    assert Inquiry.objects.count() == 0
    assert Attachment.objects.count() == 0
    assert Correspondent.objects.count() == 0
    assert Interaction.objects.count() == 0
    assert media.files() == []


@pytest.mark.parametrize(("mechanism", "language"), CASES, ids=[f"{m}-{lang}" for m, lang in CASES])
def test_public_form_with_attachments_on_a_refusing_disk_says_so_keeps_the_text_and_saves_nothing(
    stack, media, language
):
    from casework.models import Inquiry

    says, attach_again = SAYS[language]
    session = requests.Session()
    refused = _send(stack, session, language)

    assert refused.status_code == 503, refused.text[:2000]
    page = html.unescape(refused.text)
    assert says in page
    assert attach_again in page
    # Everything typed is in the form again.
    for field in ("name", "email", "receipt_number", "subject"):
        assert re.search(rf'name="{field}"[^>]*value="{re.escape(TYPED[field])}"', page), field
    assert re.search(rf'<textarea name="message"[^>]*>\s*{re.escape(TYPED["message"])}</textarea>', page)
    assert " 500 " not in stack.web_log.read_text(), stack.logs()
    _nothing_saved(media)

    # The disk takes writes again: the same form goes through, with its file.
    media.accept()
    sent = _send(stack, session, language)
    assert sent.status_code == 302, sent.text[:2000]
    inquiry = Inquiry.objects.get()
    letter, scan = inquiry.attachments.order_by("pk")
    assert [(a.filename, a.size) for a in (letter, scan)] == [("letter.pdf", len(PDF)), ("scan.png", len(PNG))]
    assert media.files() == sorted([letter.file.name, scan.file.name])
    assert (media.folder / letter.file.name).read_bytes() == PDF
