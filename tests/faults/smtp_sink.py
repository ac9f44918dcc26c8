"""A real SMTP server for fault tests: accepts, refuses, or holds a message before accepting it.

Like a real server, a message counts as delivered only once the server has answered 250 to the
end of its DATA; a client that vanishes before that answer delivered nothing."""

from __future__ import annotations

import select
import socket
import socketserver
import threading
from email import message_from_bytes
from email.message import Message


class SmtpSink:
    def __init__(self, port: int = 0) -> None:
        self.mode = "accept"  # or "refuse" (554 at the end of DATA) or "hold" (no answer until released)
        self.only = ""  # when set, refuse or hold only messages whose Message-ID contains it
        self.delivered: list[Message] = []
        self.attempts = 0  # messages whose DATA the server received, whatever it answered
        self.holding = threading.Event()  # a held message waits for its answer
        self.release = threading.Event()
        self.dropped = 0  # held messages whose client went away before the answer
        sink = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                sink._session(self.connection, self.rfile, self.wfile)

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def messages(self, header: str = "", value: str = "") -> list[Message]:
        return [m for m in self.delivered if not header or value in (m.get(header) or "")]

    def _session(self, connection: socket.socket, rfile, wfile) -> None:
        def say(line: str) -> None:
            wfile.write(line.encode() + b"\r\n")
            wfile.flush()

        say("220 sink.test ESMTP")
        while True:
            line = rfile.readline()
            if not line:
                return
            verb = line.decode(errors="replace").strip().upper()
            if verb.startswith(("EHLO", "HELO")):
                say("250 sink.test")
            elif verb.startswith(("MAIL", "RCPT", "RSET", "NOOP")):
                say("250 OK")
            elif verb == "DATA":
                say("354 End data with <CR><LF>.<CR><LF>")
                data = bytearray()
                while (chunk := rfile.readline()) not in (b".\r\n", b""):
                    data += chunk[1:] if chunk.startswith(b"..") else chunk
                self.attempts += 1
                message = message_from_bytes(bytes(data))
                mode = self.mode if self.only in (message.get("Message-ID") or "") else "accept"
                if mode == "refuse":
                    say("554 5.7.1 Transaction failed: refused by policy")
                    continue
                if mode == "hold" and not self._held_until_released(connection):
                    self.dropped += 1
                    return
                self.delivered.append(message)
                say("250 2.0.0 Ok: queued")
            elif verb == "QUIT":
                say("221 Bye")
                return
            else:
                say("502 Command not implemented")

    def _held_until_released(self, connection: socket.socket) -> bool:
        """Wait for the test's release; False when the client's side closes first (killed)."""
        self.holding.set()
        while not self.release.is_set():
            readable, _, _ = select.select([connection], [], [], 0.1)
            try:
                if readable and not connection.recv(1, socket.MSG_PEEK):
                    return False
            except OSError:
                return False
        return True


def closed_port() -> int:
    """A port on which nothing listens (bound then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
