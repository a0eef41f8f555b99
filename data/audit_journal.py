"""Journals of reads: a read's entry in the OS before the answer, numbered later.

What limited a contact look-up under load was its audit entry: numbered and
appended under the lock every process shares, with system calls made while
holding it, each of which hands the GIL to another thread of the process.  A
web process (``AuditLog.journal_reads``) therefore copies the entries of
reads into a journal of its own: a file mapped into its memory, so the copy
is in the OS's page cache, where it survives the process being killed (as a
written line does), made with no system call and no shared lock.  Entries
of changes are not journalled: they are fsynced in the trail at once.

Journals are moved into the trail, numbered there under the audit lock like
every entry, by a thread of the owning process every ``MOVE_SECONDS``, by a
writer that finds its journal full, at exit, and before any process reads
the trail (``move_all``: every journal in the folder, a running process's
too), so a search shows every read made before it.  A read's ``seq`` is
therefore given when it is moved: the order in which entries reached the
trail, as before; ``at`` is when the read happened.

A journal (``kkrbot.audit-journals/<pid>-<random>``) starts with a header
(``HEADER`` bytes of ASCII: how far it has been moved, and while a move is
being written how far that move goes, so that a move killed in between is
finished by the entries' ids, never written twice).  Each entry follows as
one line, ``<month> <crc32> <JSON up to seq>\\t<the rest>``; a line counts once
its checksum holds, which it does only when all of it has been copied (a
mover reads another process's memory).  The owner keeps an ``flock`` on its
journal while it lives: a journal whose lock can be taken is a dead
process's, moved whole and removed.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import logging
import mmap
import os
import random
import threading
import time
import weakref
import zlib
from collections.abc import Callable
from pathlib import Path

from data.audit_writing import Appender, halves

JOURNAL_BYTES = 1 << 20  # about 4,000 reads; a full journal is moved by the writer that found it full
HEADER = 64
MOVED, MOVING = slice(8, 24), slice(24, 40)  # the header's fields (after an 8-byte tag)
TAG = b"kkrjrnl1"
MOVE_SECONDS = 0.1

log = logging.getLogger(__name__)


class Journal:
    """This process's journal for one trail (made at its first entry)."""

    def __init__(self, folder: Path, appender: Appender, known_ids: Callable[[list[dict]], set[str]]):
        self.folder, self._appender, self._known_ids = folder, appender, known_ids
        self._guard = threading.Lock()  # one writer of the mapping at a time in the process
        self._open: tuple[int, mmap.mmap, Path] | None = None
        self._end = HEADER  # where the next line goes
        self._forks = _FORKS[0]
        self._watched = False  # by this process's mover thread

    def append(self, entry: dict) -> None:
        """Copy ``entry`` (with its ``id`` and ``at``) into the journal."""
        head, tail = halves(entry)
        text = f"{head}\t{tail[:-1]}".encode()
        line = b"%s %08x %s\n" % (entry["at"][:7].encode("ascii"), zlib.crc32(text), text)
        if len(line) > JOURNAL_BYTES // 4:  # an odd, huge entry: straight into the trail
            self._appender.append_all([entry], durable=False)
            return
        with self._guard:
            if self._open is None or self._forks != _FORKS[0]:  # not os.getpid(): a system call per read
                self._create()
            while self._end + len(line) > JOURNAL_BYTES:
                self._guard.release()  # lock order: the audit lock, then this guard
                try:
                    self.move()
                finally:
                    self._guard.acquire()
            _, mapped, _ = self._open
            mapped[self._end:self._end + len(line)] = line
            self._end += len(line)
        if not self._watched:
            _MOVER.watch(self)
            self._watched = True

    def move(self, locked: bool = False) -> int:
        """Move this process's journal into the trail and start it afresh
        (``locked``: the caller holds ``Appender.locked()``)."""
        if self._open is None:
            return 0
        with contextlib.nullcontext() if locked else self._appender.locked(), self._guard:
            moved = _move(self._open[1], self._appender, self._known_ids, self._end)
            _, mapped, _ = self._open
            if _field(mapped, MOVED) >= self._end:  # all of it is in the trail: start again at the top
                mapped[HEADER:self._end] = bytes(self._end - HEADER)
                mapped[MOVED] = _number(HEADER)
                self._end = HEADER
        return moved

    def pending(self) -> bool:
        return self._open is not None and self._end > HEADER

    def path(self) -> Path | None:
        return self._open[2] if self._open is not None else None

    def _create(self) -> None:
        """A new journal file, locked and set up before it gets its name,
        so that no mover ever sees it without its owner."""
        self._forks, self._end = _FORKS[0], HEADER
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"{os.getpid()}-{random.getrandbits(48):012x}"
        temporary = self.folder / f".{name}"
        fd = os.open(temporary, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, JOURNAL_BYTES)
        mapped = mmap.mmap(fd, JOURNAL_BYTES)
        mapped[:HEADER] = TAG + _number(HEADER) + _number(0) + b" " * (HEADER - 40)
        os.rename(temporary, self.folder / name)
        self._open = (fd, mapped, self.folder / name)

    def close(self) -> None:
        """Stop journalling (at exit, once moved): the file goes, as nothing is left in it."""
        if self._open is not None and self._forks == _FORKS[0]:
            fd, mapped, path = self._open
            if _field(mapped, MOVED) >= self._end:
                path.unlink(missing_ok=True)
            mapped.close()
            os.close(fd)
        self._open = None

    def __del__(self) -> None:
        with contextlib.suppress(Exception):  # its lock goes with it: a mover may then remove what is left
            self.close()

    def forget_after_fork(self) -> None:
        """In a forked child: the parent's journal stays the parent's (closing
        the child's copy of the descriptor leaves the parent's lock held)."""
        if self._open is not None:
            fd, mapped, _ = self._open
            mapped.close()
            os.close(fd)
        self._open, self._end, self._guard, self._watched = None, HEADER, threading.Lock(), False


def move_all(folder: Path, appender: Appender, known_ids: Callable[[list[dict]], set[str]],
             own: Journal | None, locked: bool = False) -> int:
    """Move every journal in ``folder`` into the trail (removing dead
    processes'); return how many entries were moved.  ``locked``: the
    caller holds ``Appender.locked()`` (erasure, which must leave no read
    of the person it pseudonymises waiting in a journal)."""
    try:
        names = [n for n in os.listdir(folder) if not n.startswith(".")]
    except FileNotFoundError:
        return 0
    with contextlib.nullcontext() if locked else appender.locked():
        moved = own.move(locked=True) if own is not None and own.pending() else 0
        mine = own.path() if own is not None else None
        for name in names:
            if folder / name != mine:
                moved += _move_other(folder / name, appender, known_ids)
    return moved


def _move_other(path: Path, appender: Appender, known_ids) -> int:
    try:
        fd = os.open(path, os.O_RDWR | os.O_CLOEXEC)
    except FileNotFoundError:  # its owner's last move removed it
        return 0
    try:
        dead = _lock_if_free(fd)
        if os.fstat(fd).st_size < JOURNAL_BYTES:
            return 0
        with mmap.mmap(fd, JOURNAL_BYTES) as mapped:
            if mapped[:8] != TAG:
                return 0
            moved = _move(mapped, appender, known_ids)
        if dead:
            path.unlink(missing_ok=True)
        return moved
    finally:
        os.close(fd)


def _lock_if_free(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _move(mapped: mmap.mmap, appender: Appender, known_ids, written: int | None = None) -> int:
    """Append a journal's whole lines after MOVED to the trail (under the audit
    lock).  ``written``: where its lines end, given by its owner, who holds
    the guard over its copies, so that none is half-copied."""
    start, moving = _field(mapped, MOVED), _field(mapped, MOVING)
    if moving > start:  # a move killed while writing: what of it is missing
        lines, _ = _lines(mapped, start, moving)
        entries = [(line, _entry(line)) for line in lines]
        found = known_ids([entry for _, entry in entries if entry is not None])
        appender.append_locked([line for line, entry in entries if entry is not None and entry["id"] not in found],
                               durable=False)
        mapped[MOVED], mapped[MOVING] = _number(moving), _number(0)
        mapped[start:moving] = bytes(moving - start)
        start = moving
    if written is None:
        lines, end = _lines(mapped, start, JOURNAL_BYTES)
    else:
        lines, end = _written(mapped, start, written), written
    if lines:
        mapped[MOVING] = _number(end)
        appender.append_locked(lines, durable=False)
        mapped[MOVED], mapped[MOVING] = _number(end), _number(0)
        mapped[start:end] = bytes(end - start)  # what the trail now holds leaves the journal (erasure scrubs the trail)
    return len(lines)


def _lines(mapped: mmap.mmap, start: int, stop: int) -> tuple[list[tuple[str, str, str]], int]:
    """The whole lines from ``start`` on, and where they end (a line ends at
    its newline; the first NUL byte is where nothing has been copied yet; the
    first line whose checksum does not hold is still being copied, or was cut
    by a kill)."""
    unwritten = mapped.find(b"\0", start, stop)
    found, at = [], start
    for line in mapped[start:stop if unwritten < 0 else unwritten].split(b"\n")[:-1]:  # the last: no newline yet
        text = line[17:]
        if len(line) < 18 or line[8:16] != b"%08x" % zlib.crc32(text):
            break
        head, _, tail = text.decode().partition("\t")
        found.append((line[:7].decode("ascii"), head, tail + "\n"))
        at += len(line) + 1
    return found, at


def _written(mapped: mmap.mmap, start: int, end: int) -> list[tuple[str, str, str]]:
    """The lines from ``start`` to ``end``, all whole (the owner's): decoded
    at once, as their first 17 characters (month and checksum) are ASCII."""
    lines = []
    for line in mapped[start:end].decode().split("\n")[:-1]:
        head, _, tail = line[17:].partition("\t")
        lines.append((line[:7], head, tail + "\n"))
    return lines


def _entry(line: tuple[str, str, str]) -> dict | None:
    import json

    try:
        return json.loads(f"{line[1]}0{line[2]}")
    except ValueError:
        return None


def _field(mapped: mmap.mmap, where: slice) -> int:
    text = mapped[where]
    return int(text) if text.isdigit() else 0


def _number(value: int) -> bytes:
    return str(value).zfill(16).encode("ascii")


class _Mover:
    """One thread per process that moves its journals into the trail soon
    after they are written to (and everything left at exit)."""

    def __init__(self):
        self._journals: weakref.WeakSet[Journal] = weakref.WeakSet()
        self._thread: threading.Thread | None = None
        self._guard = threading.Lock()

    def watch(self, journal: Journal) -> None:
        """Move ``journal`` from now on (started on a process's first)."""
        with self._guard:
            self._journals.add(journal)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="audit-journal", daemon=True)
                self._thread.start()

    def move_all_now(self) -> None:
        for journal in list(self._journals):
            with contextlib.suppress(Exception):  # a store's folder removed meanwhile
                journal.move()
                journal.close()

    def _run(self) -> None:
        while True:
            time.sleep(MOVE_SECONDS)
            for journal in list(self._journals):
                try:
                    if journal.pending():
                        journal.move()
                except FileNotFoundError:  # its store was removed (tests' folders)
                    self._journals.discard(journal)
                except Exception:  # noqa: BLE001 (the next round tries again; a reader moves it too)
                    log.exception("moving the audit journal failed")

    def after_fork(self) -> None:
        _FORKS[0] += 1
        for journal in list(self._journals):
            journal.forget_after_fork()
        self._journals, self._thread, self._guard = weakref.WeakSet(), None, threading.Lock()


_FORKS = [0]  # how many forks this process descends by (a child's journal is its own)
_MOVER = _Mover()
atexit.register(_MOVER.move_all_now)
os.register_at_fork(after_in_child=_MOVER.after_fork)
