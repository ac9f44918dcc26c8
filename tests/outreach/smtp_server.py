"""A real SMTP server on localhost for mailing tests (aiosmtpd): it keeps what it accepts, with its
envelope, and refuses at RCPT the addresses it is told to, with the reply it is given."""

from __future__ import annotations

import email
import socket
from email import policy
from email.message import EmailMessage


class Collector:
    """An SMTP server's handler: keeps what it accepts and refuses the addresses it is told to."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.refuse: dict[str, str] = {}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [
            email.message_from_bytes(content, policy=policy.default)
            for _sender, rcpts, content in self.messages
            if address in rcpts
        ]

    def envelope_senders(self, address: str) -> list[str]:
        return [sender for sender, rcpts, _content in self.messages if address in rcpts]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
