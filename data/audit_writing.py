"""Appending to the audit trail: numbered under the audit lock, in batches.

Under load, what limits a contact look-up is the audit lock: every read's
entry is numbered and appended under it, by one process at a time.  Each
system call releases Python's GIL, and getting it back can take another
thread of the same process up to the switch interval (5 ms), all the while
holding the lock every process waits for.  So the locked part makes few
system calls (the counter's and the month files' descriptors stay open; a
month file replaced by erasure is noticed by its inode), and a process
writes the entries of all its threads that are waiting in one batch (group
commit): one lock, one counter update and one write per month file, however
many look-ups arrived meanwhile.

The last ``seq`` is kept in the counter file (written before the lines, so a
crash in between leaves a gap, never a number twice); each process checks it
once against the trail's last lines, in case a power cut lost it.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Callable
from pathlib import Path

from data.locks import ProcessLock, renew_after_fork

SEQ_DIGITS = 20
OPEN_MONTHS = 3  # month files kept open (this month's, and an older one's for a late entry)


class _Waiting:
    """A thread's entries, written by whichever thread of the process writes next."""

    __slots__ = ("entries", "durable", "numbered", "error", "done")

    def __init__(self, entries: list[dict], durable: bool):
        self.entries, self.durable = entries, durable
        self.numbered: list[dict] = []
        self.error: BaseException | None = None
        self.done = False


class Appender:
    """One process's way into the trail of one store."""

    def __init__(self, lock: ProcessLock, seq_file: Path, file_of: Callable[[str], Path],
                 last_in_trail: Callable[[], int], new_id: Callable[[], str]):
        self._lock, self._seq_file, self._file_of = lock, seq_file, file_of
        self._last_in_trail, self._new_id = last_in_trail, new_id
        self._seq_checked = False
        self._renew()
        renew_after_fork(self)

    def append_all(self, entries: list[dict], durable: bool) -> list[dict]:
        """``entries`` numbered and appended, as written; durable (fsynced)
        if asked.  Returns once they are in the files."""
        waiting = _Waiting(entries, durable)
        with self._queue_guard:
            self._queue.append(waiting)
        with self._turn:  # one thread of the process writes at a time
            if not waiting.done:
                with self._queue_guard:
                    batch, self._queue = self._queue, []
                self._write_batch(batch)
        if waiting.error is not None:
            raise waiting.error
        return waiting.numbered

    def _write_batch(self, batch: list[_Waiting]) -> None:
        try:
            numbered = self._append([e for w in batch for e in w.entries], any(w.durable for w in batch))
        except BaseException as error:  # each waiting thread raises it
            for waiting in batch:
                waiting.error, waiting.done = error, True
            return
        start = 0
        for waiting in batch:
            waiting.numbered, waiting.done = numbered[start:start + len(waiting.entries)], True
            start += len(waiting.entries)

    def _append(self, entries: list[dict], durable: bool) -> list[dict]:
        seq_fd = self._counter()
        with self._lock:  # creates the folder if need be
            seq = self._last_seq(os.pread(seq_fd, 64, 0).strip())
            numbered = []
            for entry in entries:
                seq += 1
                numbered.append({**entry, "id": entry.get("id") or self._new_id(), "seq": seq})
            # Overwritten in place, fixed width: one small write the page cache
            # keeps through a kill; a power cut is what _last_seq checks for.
            os.pwrite(seq_fd, str(seq).zfill(SEQ_DIGITS).encode("ascii"), 0)
            by_month: dict[str, list[str]] = {}
            for entry in numbered:
                by_month.setdefault(entry["at"][:7], []).append(json.dumps(entry, ensure_ascii=False, sort_keys=True))
            for month, lines in by_month.items():
                self._write(month, "".join(line + "\n" for line in lines).encode("utf-8"), durable)
        return numbered

    def _last_seq(self, saved: bytes) -> int:
        last = int(saved) if saved.isdigit() else 0
        if not self._seq_checked or not saved.isdigit():
            last = max(last, self._last_in_trail())
            self._seq_checked = True
        return last

    def _counter(self) -> int:
        """The counter file's descriptor, opened again if the file was removed
        (checked before the lock: only a power cut or a person removes it)."""
        try:
            current = os.stat(self._seq_file)
            if self._seq_fd is not None and (current.st_dev, current.st_ino) == self._seq_inode:
                return self._seq_fd
        except FileNotFoundError:
            self._seq_file.parent.mkdir(parents=True, exist_ok=True)
        self._close(self._seq_fd)
        self._seq_fd = os.open(self._seq_file, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        stat = os.fstat(self._seq_fd)
        self._seq_inode = (stat.st_dev, stat.st_ino)
        return self._seq_fd

    def _write(self, month: str, text: bytes, durable: bool) -> None:
        """Append ``text`` to the month's file (under the audit lock)."""
        path = self._file_of(month)
        try:
            stat = os.stat(path)
        except FileNotFoundError:
            stat = None
        fd, inode = self._months.pop(month, (None, None))
        if stat is None or (stat.st_dev, stat.st_ino) != inode:  # new, or replaced by erasure
            self._close(fd)
            fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600)
            stat = os.fstat(fd)
        self._months[month] = (fd, (stat.st_dev, stat.st_ino))
        while len(self._months) > OPEN_MONTHS:
            self._close(self._months.pop(next(iter(self._months)))[0])
        if stat.st_size and os.pread(fd, 1, stat.st_size - 1) != b"\n":
            text = b"\n" + text  # after a line a crash cut short
        os.write(fd, text)
        if durable:
            os.fsync(fd)

    def _renew(self) -> None:
        self._queue: list[_Waiting] = []
        self._queue_guard, self._turn = threading.Lock(), threading.Lock()
        self._seq_fd: int | None = None
        self._seq_inode: tuple[int, int] | None = None
        self._months: dict[str, tuple[int, tuple[int, int]]] = {}  # month -> (descriptor, inode), oldest first

    def _after_fork(self) -> None:
        self._close_all()
        self._renew()

    def _close_all(self) -> None:
        for fd in [self._seq_fd, *(fd for fd, _ in self._months.values())]:
            self._close(fd)
        self._seq_fd, self._months = None, {}

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self._close_all()

    @staticmethod
    def _close(fd: int | None) -> None:
        if fd is not None:
            os.close(fd)
