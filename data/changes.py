"""How many times a store's part files have been replaced, shared by its processes.

A read of a part asked the file system whether the file had changed (a
``stat`` per read).  Under load each such system call hands the GIL to
another thread and cost a contact look-up dearly, so the processes of a
store instead count the files they replace, in a small file mapped into
each one's memory (``kkrbot.changes``): a part read before is looked at
again only if the count has moved since, which costs no system call.

A writer counts twice, under an ``flock`` on that file and a thread lock (so
the count only grows): before it replaces a file and after.  A reader keeps
what it read with the count it saw *before* it looked at the file; any
replacement that could have come after that look moves the count past it.
A writer killed between its replacement and its second count leaves a
reader that looked in between with the old file: and files changed by
anything but the store (a person, a restored backup) are not counted at
all.  So a reader looks at the file at least every ``RECHECK_SECONDS``
whatever the count says.
"""

from __future__ import annotations

import contextlib
import fcntl
import mmap
import os
import struct
import threading
from collections.abc import Iterator
from pathlib import Path

from data.locks import RECHECK_SECONDS, renew_after_fork

__all__ = ["RECHECK_SECONDS", "Changes"]
_COUNT = struct.Struct("<Q")  # 8 aligned bytes at the start of the file


class Changes:
    """The shared count of one store (its file: ``path``)."""

    def __init__(self, path: Path):
        self.path = path
        self._renew()
        renew_after_fork(self)

    def seen(self) -> int | None:
        """The count now (None before any writer made the file)."""
        shared = self._map if self._map is not None else self._shared(create=False)
        if shared is None:
            return None
        first = _COUNT.unpack_from(shared)[0]
        return first if first == _COUNT.unpack_from(shared)[0] else None  # a read torn by a writer

    @contextlib.contextmanager
    def replacing(self) -> Iterator[None]:
        """Around the replacement of a part file."""
        self._step()
        try:
            yield
        finally:
            self._step()

    def _step(self) -> None:
        shared = self._shared(create=True)
        with self._threads:
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            try:
                _COUNT.pack_into(shared, 0, _COUNT.unpack_from(shared)[0] + 1)
            finally:
                fcntl.flock(self._fd, fcntl.LOCK_UN)

    def _shared(self, create: bool) -> mmap.mmap | None:
        with self._threads:
            if self._map is None:
                if not create and not self.path.exists():
                    return None
                self.path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
                if os.fstat(fd).st_size < _COUNT.size:
                    os.ftruncate(fd, _COUNT.size)
                self._fd, self._map = fd, mmap.mmap(fd, _COUNT.size)
            return self._map

    def _renew(self) -> None:
        self._threads = threading.RLock()
        self._fd: int | None = None
        self._map: mmap.mmap | None = None

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            if self._map is not None:
                self._map.close()
                os.close(self._fd)

    def _after_fork(self) -> None:
        # A child's flock on the parent's open file description would be the parent's.
        if self._map is not None:
            self._map.close()
            os.close(self._fd)
        self._renew()
