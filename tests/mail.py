"""A real SMTP server on 127.0.0.1 for tests (aiosmtpd): it collects what arrives, and can be
told to answer the next messages with an error (451 once to test a retry, 550 for a permanent
failure) or to refuse one recipient."""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


@dataclass
class Received:
    """One message as the server accepted it."""

    recipients: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"]).strip()

    def text(self) -> str:
        return self.message.get_body(preferencelist=("plain",)).get_content()

    def html(self) -> str:
        return self.message.get_body(preferencelist=("html",)).get_content()


class Mailbox:
    """The aiosmtpd handler: every accepted message, in order of arrival."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.answers: list[str] = []  # replies to the next DATA commands, instead of 250
        self.refused: set[str] = set()  # recipients refused at RCPT with 550
        self._lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            if self.answers:
                return self.answers.pop(0)
            message = message_from_bytes(envelope.content, policy=policy.default)
            self.received.append(Received(list(envelope.rcpt_tos), message))
        return "250 2.0.0 Message accepted"

    def to(self, address: str) -> list[Received]:
        """What arrived for one address."""
        return [r for r in self.received if address in r.recipients]

    def recipients(self) -> list[str]:
        """Every recipient of every message, sorted (one entry per message)."""
        return sorted(a for r in self.received for a in r.recipients)


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpServer:
    """A started aiosmtpd Controller around a Mailbox."""

    def __init__(self) -> None:
        self.mailbox = Mailbox()
        self.port = free_port()
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()
