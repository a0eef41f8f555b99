"""The dispatcher: sends what is due, in the background, after the ack.

It claims due deliveries (``handlers.deliveries.claim_due``), gives each to
its channels in the configured order (``KKRBOT_CHANNELS``, default Slack,
Teams, e-mail; the contract is ``bot.channels.base``) until one reaches the
recipient, and records which one did; a failure is recorded with its error
and retried with back-off.  Channels with rate limits wait for their slot
(``bot.pacing``) inside their ``send``, and the record of a message that
can be found again after a crash (a Slack DM) is written while the next
delivery waits for its slot or is sent, so a paced fan-out goes at the
rate limit's pace.  Each web process runs one; the leases in the
store keep them from sending the same message twice, and whatever was
queued when a process stopped is sent when one runs again.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import nullcontext
from functools import partial

from bot.channels.base import Channel, Unreachable
from handlers import ack_tokens
from handlers.deliveries import LEASE, Outgoing, claim_due, record_failure, record_sent

log = logging.getLogger(__name__)

HOST = socket.gethostname()
_owner: tuple[int, str] = (0, "")
LEASE_MARGIN = 20  # seconds of a batch's lease kept for the last answer and its record: no slot is waited for later


def current_owner() -> str:
    """Who holds a lease: this machine, this process, and a token for this
    run of it, so a later process that gets the same PID is not taken for
    it.  Worked out per PID, as gunicorn may fork after import."""
    global _owner
    if _owner[0] != os.getpid():
        _owner = (os.getpid(), f"{HOST}/{os.getpid()}/{secrets.token_hex(4)}")
    return _owner[1]


def owner_is_dead(owner: str) -> bool:
    """True when ``owner`` was a process of this machine that no longer runs."""
    host, _, rest = owner.partition("/")
    pid = rest.partition("/")[0]
    if host != HOST or not pid.isdigit() or owner == current_owner():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


class Dispatcher:
    """Sends due deliveries through ``channels``, tried in their order
    (``bot.channels.registry.channels_of`` builds them from the settings)."""

    def __init__(self, store, clock, channels: Sequence[Channel], *, interval: float = 5.0):
        self.store, self.clock = store, clock
        self.channels = list(channels)
        self.interval = interval
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self, only: int | None = None, records: "_Records | None" = None) -> int:
        """Send everything due now; return how many were tried.  Every
        outcome is recorded on return, unless ``records`` (``drain``'s) lets
        them trail into the next batch."""
        items = claim_due(self.store, self.clock(), ack_tokens.server_secret(self.store), owner=current_owner(),
                          is_dead=owner_is_dead, only=only)
        if not items:
            return 0
        # A paced send gives up (and is retried later) rather than wait past its batch's lease.
        deadline = time.monotonic() + LEASE.total_seconds() - LEASE_MARGIN
        with nullcontext(records) if records else _Records() as trailing:
            for item in items:
                trailing.check()
                self.deliver(item, deadline, trailing)
        return len(items)

    def drain(self) -> int:
        """Send batch after batch until nothing is due; return how many were tried."""
        total = 0
        with _Records() as records:
            while not self._stop.is_set() and (tried := self.run_once(records=records)):
                total += tried
        return total

    def deliver(self, item: Outgoing, deadline: float | None = None, records: "_Records | None" = None) -> None:
        """Send one delivery and record the outcome.

        With ``records`` the record of a failure, or of a message its channel
        can find again (``records_may_trail``: a Slack DM carries its
        delivery's IDs, so after a crash it is found rather than posted
        again), may trail behind the next sends.  Anything else sent (an
        e-mail) is recorded before anything more is sent, so a crash resends
        at most the one message in flight."""
        try:
            channel, ref = self.route(item, deadline)
        except Exception as error:  # noqa: BLE001 - any failure is recorded and retried
            log.warning("delivery %s/%s failed: %s", item.broadcast_id, item.delivery_id, error)
            record, trails = partial(record_failure, self.store, item, f"{type(error).__name__}: {error}",
                                     self.clock()), True
        else:
            record = partial(self._record_sent, channel, item, ref, self.clock())
            trails = getattr(channel, "records_may_trail", False)
        if records is None:
            record()
        elif trails:
            records.add(record)
        else:
            try:
                records.settle()
            finally:
                record()

    def _record_sent(self, channel: Channel, item: Outgoing, ref: dict, now) -> None:
        record_sent(self.store, item, channel.name, ref, now)
        recorded = getattr(channel, "recorded", None)
        if recorded is not None:
            recorded(item, ref, now)

    def route(self, item: Outgoing, deadline: float | None = None) -> tuple[Channel, dict]:
        """The first channel that reaches the recipient, and what it sent.
        A channel that raises ends the try: the message may have gone out."""
        for channel in self.channels:
            ref = channel.send(item, deadline=deadline)
            if ref is not None:
                return channel, ref
        raise Unreachable("no channel reaches this recipient")

    def channel(self, name: str) -> Channel:
        """The channel of that name (``KeyError`` if it is not in the list)."""
        for channel in self.channels:
            if channel.name == name:
                return channel
        raise KeyError(name)

    # -- background loop ------------------------------------------------------
    def kick(self, *_args) -> None:
        """Wake the loop now (after a broadcast or a forward was queued)."""
        self._wake.set()

    def start(self) -> "Dispatcher":
        if not self._thread:
            self._thread = threading.Thread(target=self._loop, name="kkr-dispatch", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout=10)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                self.drain()
            except Exception:  # noqa: BLE001 - the loop must outlive a bad tick
                log.exception("dispatch tick failed")
            self._wake.wait(self.interval)


class _Records:
    """Records written in order by one thread of their own, behind the sends."""

    def __init__(self):
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kkr-record")
        self._pending: list[Future] = []

    def __enter__(self) -> "_Records":
        return self

    def __exit__(self, *exc) -> None:
        try:
            if exc[0] is None:
                self.settle()
        finally:
            self._pool.shutdown(wait=True)

    def add(self, record) -> None:
        self._pending.append(self._pool.submit(record))

    def check(self) -> None:
        """Raise the error of a record that failed, as writing it inline would have."""
        for future in self._pending:
            if future.done() and future.exception():
                self.settle()

    def settle(self) -> None:
        """Wait until every record is written; raise the first error."""
        pending, self._pending = self._pending, []
        for future in pending:
            future.result()
