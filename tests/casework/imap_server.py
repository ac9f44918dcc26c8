"""A small IMAP4rev1 server over a real socket: just the commands `ingest_mail --imap` sends."""

from __future__ import annotations

import re
import socketserver
import ssl
import threading


class Mailbox:
    def __init__(self, messages: list[bytes]) -> None:
        self.messages = dict(enumerate(messages, start=1))
        self.seen: set[int] = set()
        self.logins: list[tuple[str, str]] = []


class _Handler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        box: Mailbox = self.server.mailbox
        self.wfile.write(b"* OK IMAP4rev1 ready\r\n")
        for line in self.rfile:
            tag, _, rest = line.decode().rstrip("\r\n").partition(" ")
            command = rest.upper()
            if command.startswith("CAPABILITY"):
                self._send(b"* CAPABILITY IMAP4rev1\r\n", tag)
            elif command.startswith("LOGIN"):
                _, user, password = rest.split(" ")
                box.logins.append((user.strip('"'), password.strip('"')))
                self._send(b"", tag)
            elif command.startswith("SELECT"):
                self._send(f"* {len(box.messages)} EXISTS\r\n".encode(), tag, "[READ-WRITE] SELECT completed")
            elif command.startswith("UID SEARCH"):
                unseen = " ".join(str(uid) for uid in box.messages if uid not in box.seen)
                self._send(f"* SEARCH {unseen}\r\n".encode(), tag)
            elif command.startswith("UID FETCH"):
                uid = int(rest.split(" ")[2])
                raw = box.messages[uid]
                head = f"* {uid} FETCH (UID {uid} BODY[] {{{len(raw)}}}\r\n".encode()
                self._send(head + raw + b")\r\n", tag)
            elif command.startswith("UID STORE"):
                uid = int(rest.split(" ")[2])
                box.seen.add(uid)
                self._send(f"* {uid} FETCH (FLAGS (\\Seen))\r\n".encode(), tag)
            elif command.startswith("LOGOUT"):
                self._send(b"* BYE\r\n", tag)
                return
            else:
                self.wfile.write(f"{tag} BAD {re.escape(command)}\r\n".encode())

    def _send(self, untagged: bytes, tag: str, text: str = "done") -> None:
        self.wfile.write(untagged + f"{tag} OK {text}\r\n".encode())


class ImapServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, mailbox: Mailbox, *, tls: ssl.SSLContext | None = None) -> None:
        """With `tls` (a server-side context holding the certificate) it speaks IMAPS."""
        super().__init__(("127.0.0.1", 0), _Handler)
        self.mailbox = mailbox
        self.tls = tls
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def get_request(self):
        connection, address = super().get_request()
        if self.tls is None:
            return connection, address
        # A client refusing the certificate fails the handshake here: an OSError socketserver drops.
        return self.tls.wrap_socket(connection, server_side=True), address

    @property
    def port(self) -> int:
        return self.server_address[1]
