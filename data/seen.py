"""The memory of Slack requests already taken, shared by every process on
one store.

Slack retries an event it thinks went unanswered, and anyone who captured a
signed request can send it again while its signature is still accepted (five
minutes).  One event must have one effect however many gunicorn workers see
it, so the memory cannot live in a process: each request taken leaves a
marker file in a folder beside the store, created with ``O_CREAT | O_EXCL``.
The kernel lets exactly one process create a given name, so of two workers
racing with the same request exactly one goes on; no lock and no store
write is needed.  Markers are empty (no personal data) and are pruned once
they are older than ``KEEP_SECONDS``.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

# Longer than the five minutes a signature is accepted and than Slack's
# retries of an event (at once, after 1 minute, after 5 minutes).
KEEP_SECONDS = 10 * 60
PRUNE_EVERY_SECONDS = 60


class SeenRequests:
    """Markers of requests taken, by key (an event id, a signature)."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self._pruned_at: float | None = None

    @classmethod
    def beside(cls, store_path: str | Path) -> "SeenRequests":
        """The folder ``<store>.slack-requests`` next to the store's files."""
        path = Path(store_path)
        return cls(path.with_name(f"{path.stem}.slack-requests"))

    def first_time(self, key: str, now: float) -> bool:
        """Mark ``key`` as taken at ``now`` (epoch seconds); False when some
        process took it already, within ``KEEP_SECONDS``."""
        self._prune(now)
        marker = self._marker(key)
        try:
            descriptor = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            return False
        except FileNotFoundError:
            self.folder.mkdir(parents=True, exist_ok=True)
            return self.first_time(key, now)
        os.close(descriptor)
        os.utime(marker, (now, now))  # the caller's clock, so pruning uses one clock
        return True

    def forget(self, key: str) -> None:
        """Un-take ``key``, so that Slack's retry of a request we failed runs."""
        self._marker(key).unlink(missing_ok=True)

    def _marker(self, key: str) -> Path:
        return self.folder / hashlib.sha256(key.encode()).hexdigest()

    def _prune(self, now: float) -> None:
        if self._pruned_at is not None and now - self._pruned_at < PRUNE_EVERY_SECONDS:
            return
        self._pruned_at = now
        try:
            markers = list(self.folder.iterdir())
        except FileNotFoundError:
            return
        for marker in markers:
            try:
                if marker.stat().st_mtime < now - KEEP_SECONDS:
                    marker.unlink()
            except FileNotFoundError:
                pass  # another process pruned it first
