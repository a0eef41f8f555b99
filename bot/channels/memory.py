"""The in-memory channel: the channel contract's reference implementation,
for tests of the dispatcher and of anything that sends.

    chat = MemoryChannel("chat", unreachable={"bo@viborg.dk"})
    mail = MemoryChannel("mail").fail(2, ConnectionError("down"))
    Dispatcher(store, clock, [chat, mail]).run_once()
    chat.sent       # the Outgoing items it delivered, in order
    mail.tried      # every item it was given, failed tries included
    chat.to("jt@viborg.dk")

It reaches every recipient but those in ``unreachable`` (``send`` returns
None, so the dispatcher tries the next channel), and raises on its next
``fail(times, error)`` tries (a failed try, recorded and retried).  Not in
``KKRBOT_CHANNELS``: a test builds it and hands it to the dispatcher.
"""

from __future__ import annotations

import threading

from handlers.deliveries import Outgoing


class MemoryChannel:
    """Keeps what it is given; reaches everyone but ``unreachable`` (e-mails)."""

    def __init__(self, name: str = "memory", *, unreachable=(), records_may_trail: bool = False):
        self.name = name
        self.unreachable = {email.lower() for email in unreachable}
        self.records_may_trail = records_may_trail
        self.sent: list[Outgoing] = []
        self.tried: list[Outgoing] = []
        self.deadlines: list[float | None] = []
        self._failures: list[Exception] = []
        self._lock = threading.Lock()

    def fail(self, times: int, error: Exception | None = None) -> "MemoryChannel":
        """Raise ``error`` (default ``ConnectionError``) on the next ``times``
        tries that reach a recipient; returns the channel."""
        with self._lock:
            self._failures.extend([error or ConnectionError(f"{self.name} is down")] * times)
        return self

    def send(self, item: Outgoing, deadline: float | None = None) -> dict | None:
        if item.recipient["email"].lower() in self.unreachable:
            return None
        with self._lock:
            self.tried.append(item)
            self.deadlines.append(deadline)
            if self._failures:
                raise self._failures.pop(0)
            self.sent.append(item)
            return {"memory": len(self.sent), "broadcast": item.broadcast_id, "delivery": item.delivery_id}

    def to(self, email: str) -> list[Outgoing]:
        """What was delivered to ``email``."""
        with self._lock:
            return [item for item in self.sent if item.recipient["email"] == email.lower()]
