"""A real SMTP server (aiosmtpd) on loopback that records what it receives
and can refuse chosen recipients."""

from __future__ import annotations

import email
import socket
import threading
import time
from contextlib import contextmanager
from email import policy

from aiosmtpd.controller import Controller


class Mailbox:
    """The aiosmtpd handler: keeps every accepted message, parsed, with the
    envelope recipients it came with (``envelopes``, in the same order).
    ``refuse`` refuses a recipient at RCPT; ``defer`` answers the DATA of a
    message to that recipient with a temporary error, keeping the message
    in ``deferred``."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[list[str]] = []
        self.deferred: list[email.message.EmailMessage] = []
        self.refuse: set[str] = set()
        self.defer: set[str] = set()
        self.delay = 0.0
        self._lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's name
        if address in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        if self.delay:
            time.sleep(self.delay)  # a slow server, on purpose blocking like a busy one
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            if self.defer & set(envelope.rcpt_tos):
                self.deferred.append(message)
                return "451 4.3.0 Try again later"
            self.messages.append(message)
            self.envelopes.append(list(envelope.rcpt_tos))
        return "250 Message accepted"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        with self._lock:
            return [m for m in self.messages if address in m["To"]]

    def wait_for(self, count: int, timeout: float = 10.0) -> list[email.message.EmailMessage]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.05)
        raise AssertionError(f"expected {count} e-mails, got {len(self.messages)}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def smtp_server():
    """Yields ``(mailbox, smtp_url)``."""
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox, f"smtp://127.0.0.1:{port}"
    finally:
        controller.stop()
