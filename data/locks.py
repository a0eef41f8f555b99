"""A lock across threads and processes that waits in the kernel, not in a poll.

Each store part and the audit trail is guarded by one of these.  Threads of a
process queue on a ``threading.RLock``; the thread that gets it takes an
``fcntl.flock`` on a descriptor of the lock file the process keeps open, and
blocks in the kernel until no other process holds it: a waiter is woken the
moment the holder lets go (a polling lock sleeps up to its interval, which
became the 99th percentile of a contact look-up), and a holder that is killed
lets go when the kernel closes its descriptor.  There is no timeout: the only
holder that never lets go is a hung process, which gunicorn's own timeout
kills.

Re-entrant in one thread, as the ``filelock.FileLock`` it replaces was, so a
part's writer may read the trail (which takes part locks) without deadlock.
"""

from __future__ import annotations

import fcntl
import os
import threading
import weakref
from pathlib import Path

_EVERY_LOCK: weakref.WeakSet[ProcessLock] = weakref.WeakSet()


class ProcessLock:
    """An exclusive lock named by ``path`` (created, with its folder, when missing)."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self._threads = threading.RLock()
        self._depth = 0
        self._fd: int | None = None
        _EVERY_LOCK.add(self)

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
        while True:
            if self._fd is None:
                self._fd = self._open()
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            # Locking a file someone deleted or replaced would exclude no one
            # who opens the path now: then open it again.
            try:
                same = os.stat(self.path).st_ino == os.fstat(self._fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                return
            os.close(self._fd)
            self._fd = None

    def _open(self) -> int:
        flags = os.O_RDWR | os.O_CREAT | os.O_CLOEXEC
        try:
            return os.open(self.path, flags, 0o600)
        except FileNotFoundError:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            return os.open(self.path, flags, 0o600)

    def _forget_after_fork(self) -> None:
        # A forked child shares the parent's open file description, so its
        # flock would count as the parent's: it opens its own.  Closing the
        # shared one here does not release the parent's lock.
        if self._fd is not None:
            os.close(self._fd)
        self._fd, self._depth, self._threads = None, 0, threading.RLock()


def _after_fork_in_child() -> None:
    for lock in list(_EVERY_LOCK):
        lock._forget_after_fork()


os.register_at_fork(after_in_child=_after_fork_in_child)
