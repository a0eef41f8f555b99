"""A lock across threads and processes that waits in the kernel, not in a poll.

Each store part and the audit trail is guarded by one of these.  Threads of a
process queue on a ``threading.RLock``; the thread that gets it takes an
``fcntl.flock`` on a descriptor of the lock file the process keeps open, and
blocks in the kernel until no other process holds it: a waiter is woken the
moment the holder lets go (a polling lock sleeps up to its interval, which
became the 99th percentile of a contact look-up), and a holder that is killed
lets go when the kernel closes its descriptor.  There is no timeout: the only
holder that never lets go is a hung process, which gunicorn's own timeout
kills.  A lock file that someone deletes is noticed within a second.

Re-entrant in one thread, as the ``filelock.FileLock`` it replaces was, so a
part's writer may read the trail (which takes part locks) without deadlock.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import time
import weakref
from pathlib import Path

RECHECK_SECONDS = 1.0  # how often a lock file (or the audit counter) is checked against its path
_RENEWED_AFTER_FORK: weakref.WeakSet = weakref.WeakSet()


def renew_after_fork(holder) -> None:
    """Call ``holder._after_fork()`` in every child this process forks: a
    child shares its parent's open file descriptions (so a flock on them
    would count as the parent's) and inherits thread locks in whatever
    state other threads held them."""
    _RENEWED_AFTER_FORK.add(holder)


class ProcessLock:
    """An exclusive lock named by ``path`` (created, with its folder, when missing)."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self._threads = threading.RLock()
        self._depth = 0
        self._fd: int | None = None
        self._inode: tuple[int, int] | None = None
        self._checked_at = time.monotonic()
        renew_after_fork(self)

    def acquire(self) -> None:
        self._threads.acquire()
        if self._depth == 0:
            try:
                self._lock_file()
            except BaseException:
                self._threads.release()
                raise
        self._depth += 1

    def release(self) -> None:
        self._depth -= 1
        if self._depth == 0:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._threads.release()

    def __enter__(self) -> ProcessLock:
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()

    def _lock_file(self) -> None:
        # A file someone deleted or replaced would exclude no one who opens
        # the path now: then open it again.  Checked before locking, so that
        # no system call lengthens the time the lock is held, and at most
        # once a second: under load each system call costs a look-up dearly.
        if self._fd is not None and time.monotonic() - self._checked_at >= RECHECK_SECONDS:
            self._checked_at = time.monotonic()
            try:
                stat = os.stat(self.path)
                current = (stat.st_dev, stat.st_ino) == self._inode
            except FileNotFoundError:
                current = False
            if not current:
                os.close(self._fd)
                self._fd = None
        if self._fd is None:
            self._fd = self._open()
            stat = os.fstat(self._fd)
            self._inode, self._checked_at = (stat.st_dev, stat.st_ino), time.monotonic()
        fcntl.flock(self._fd, fcntl.LOCK_EX)

    def _open(self) -> int:
        flags = os.O_RDWR | os.O_CREAT | os.O_CLOEXEC
        try:
            return os.open(self.path, flags, 0o600)
        except FileNotFoundError:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            return os.open(self.path, flags, 0o600)

    def __del__(self) -> None:
        if getattr(self, "_fd", None) is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)

    def _after_fork(self) -> None:
        # Closing the shared description here does not release the parent's lock.
        if self._fd is not None:
            os.close(self._fd)
        self._fd, self._depth, self._threads = None, 0, threading.RLock()


def _after_fork_in_child() -> None:
    for holder in list(_RENEWED_AFTER_FORK):
        holder._after_fork()


os.register_at_fork(after_in_child=_after_fork_in_child)
