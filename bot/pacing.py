"""Pacing: calls to a service with rate limits are spaced so that the
service never has to refuse them.

A ``Limit`` says how many calls a name (a Slack method, ``smtp``) may make
in any ``per`` seconds, the way Slack states its tiers ("50+ per minute");
``NAME@channel`` limits each channel of that name on its own (Slack's "one
message per second per channel").  The ``Pacer`` keeps a token bucket of
``calls`` tokens per limit (and channel): a call takes a token, and the
token comes back ``per`` seconds after the call was *answered*.  Counting
from the answer, not the start, means network delay can never make two
calls look closer together to the service than to us, so the pacer can
wait for exactly the moment a token comes back and still never be refused.

When the service refuses all the same (HTTP 429 with ``Retry-After``),
``refused`` blocks the name until then and lowers its allowance by a
quarter; each window without a refusal gives one call back.  Time comes
from the injected ``clock`` and ``sleep``.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

POLL = 0.02  # seconds between looks while every token is held by a call still unanswered
PERIODS = {"s": 1.0, "sec": 1.0, "min": 60.0, "h": 3600.0}
_LIMIT = re.compile(r"^\s*([\w.]+(?:@channel)?)\s*=\s*(\d+)\s*/\s*(\d*(?:\.\d+)?)\s*([a-z]+)\s*$")


@dataclass(frozen=True)
class Limit:
    """At most ``calls`` calls in any ``per`` seconds."""

    calls: int
    per: float


class TooLate(Exception):
    """The next free slot (or the end of a block after a refusal) comes
    after the caller's deadline, e.g. after the lease of what it sends."""


def parse_limits(text: str | None) -> dict[str, Limit]:
    """``"chat.postMessage=20/s, users.lookupByEmail=50/min, chat.postMessage@channel=1/s"``
    as limits by name; a period may carry a number (``100/10s``)."""
    limits = {}
    for part in filter(str.strip, re.split(r"[,;\s]+(?=[\w.@]+\s*=)", text or "")):
        found = _LIMIT.match(part.strip(" ,;"))
        if not found or found.group(4) not in PERIODS or int(found.group(2)) < 1:
            raise ValueError(f"a rate limit is NAME=CALLS/PERIOD (e.g. users.lookupByEmail=50/min), not {part!r}")
        name, calls, count, unit = found.groups()
        limits[name] = Limit(int(calls), float(count or 1) * PERIODS[unit])
    return limits


class _Window:
    """The calls of one name (or one name's channel) within its limit."""

    def __init__(self, limit: Limit | None):
        self.limit = limit
        self.calls: list[list[float | None]] = []  # [started, answered or None while in flight]
        self.lowered: int | None = None  # the allowance after a refusal, until quiet windows restore it
        self.refused_at = 0.0
        self.blocked_until = 0.0

    def allowance(self, now: float) -> int:
        if self.lowered is None:
            return self.limit.calls
        regained = self.lowered + max(0, int((now - self.refused_at) // self.limit.per))
        if regained >= self.limit.calls:
            self.lowered = None
        return min(regained, self.limit.calls)

    def ready_at(self, now: float) -> float | None:
        """When the next call may start; None while that waits for the
        answer of a call in flight."""
        if self.limit is None:
            return max(now, self.blocked_until)
        per = self.limit.per
        self.calls = [c for c in self.calls if c[1] is None or c[1] + per > now]
        leaving = len(self.calls) - self.allowance(now) + 1  # calls that must leave the window first
        if leaving <= 0:
            return max(now, self.blocked_until)
        answered = sorted(c[1] for c in self.calls if c[1] is not None)
        if len(answered) < leaving:
            return None
        return max(answered[leaving - 1] + per, self.blocked_until)

    def take(self, now: float) -> list[float | None]:
        entry: list[float | None] = [now, None]
        if self.limit is not None:
            self.calls.append(entry)
        return entry

    def refuse(self, now: float, retry_after: float) -> None:
        self.blocked_until = max(self.blocked_until, now + retry_after)
        if self.limit is not None:
            self.lowered = max(1, self.allowance(now) * 3 // 4)
            self.refused_at = self.blocked_until  # windows count as quiet from the end of the block

    def idle(self, now: float) -> bool:
        return not self.calls and self.blocked_until <= now


class Pacer:
    """Waits before each call until its limits allow it (see the module)."""

    def __init__(self, limits: Mapping[str, Limit] | None = None, *, clock=time.monotonic, sleep=time.sleep):
        self.limits = dict(limits or {})
        self.clock, self.sleep = clock, sleep
        self._windows: dict[tuple[str, str | None], _Window] = {}
        self._lock = threading.Lock()
        self._local = threading.local()

    @contextmanager
    def call(self, name: str, channel: str | None = None, deadline: float | None = None) -> Iterator[None]:
        """Wait for a slot of ``name`` (and of ``channel``), then make the
        call in the block; its tokens come back a window after it ends.
        ``TooLate`` when the slot comes after ``deadline`` (a ``clock`` time)."""
        held = self._take(name, channel, deadline)
        self._local.deadline = deadline
        try:
            yield
        finally:
            self._local.deadline = None
            with self._lock:
                answered = self.clock()
                for entry in held:
                    entry[1] = answered

    def refused(self, name: str, retry_after: float) -> float:
        """The service refused a call of ``name``: block it for
        ``retry_after`` seconds and lower its allowance; returns when it opens."""
        with self._lock:
            now = self.clock()
            window = self._window(name, None)
            window.refuse(now, retry_after)
            return window.blocked_until

    def may_wait_until(self, moment: float) -> bool:
        """Whether the call in progress on this thread may wait until
        ``moment`` without passing its deadline."""
        deadline = getattr(self._local, "deadline", None)
        return deadline is None or moment <= deadline

    def wait_open(self, name: str) -> None:
        """Sleep until a block of ``name`` after a refusal has ended."""
        with self._lock:
            until = self._window(name, None).blocked_until
        wait = until - self.clock()
        if wait > 0:
            self.sleep(wait)

    def _take(self, name: str, channel: str | None, deadline: float | None) -> list[list[float | None]]:
        while True:
            with self._lock:
                now = self.clock()
                windows = self._windows_for(name, channel)
                ready = [window.ready_at(now) for window in windows]
                if all(moment is not None and moment <= now for moment in ready):
                    return [window.take(now) for window in windows]
            known = [moment for moment in ready if moment is not None]
            wake = max(known, default=now)
            if None in ready:
                wake = max(wake, now + POLL)
            if deadline is not None and (wake > deadline or now >= deadline):
                raise TooLate(f"{name}: no slot before the deadline (next in {wake - now:.1f} s)")
            self.sleep(wake - now)

    def _windows_for(self, name: str, channel: str | None) -> list[_Window]:
        windows = [self._window(name, None)]
        if channel is not None and f"{name}@channel" in self.limits:
            windows.append(self._window(name, channel))
        return windows

    def _window(self, name: str, channel: str | None) -> _Window:
        key = (name, channel)
        if key not in self._windows:
            if len(self._windows) > 512:  # forget channels that have gone quiet
                now = self.clock()
                self._windows = {k: w for k, w in self._windows.items() if k[1] is None or not w.idle(now)}
            self._windows[key] = _Window(self.limits.get(name if channel is None else f"{name}@channel"))
        return self._windows[key]
