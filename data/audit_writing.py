"""Appending to the audit trail: numbered under the audit lock, in batches.

Under load, what limits a contact look-up is the audit lock: every read's
entry is numbered and appended under it, by one process at a time, and
every system call made while holding it hands Python's GIL to another
thread of the process, which may keep it a while, all the time holding the
lock every process waits for.  So the locked part makes one system call, the
write: the counter and what the writers tell each other live in a shared
memory mapping of the counter file, the month files stay open, and the
lock file is checked before it is locked.  And a process writes the entries
of all its threads that are waiting in one batch (group commit): one lock,
one counter update and one write per month file, however many look-ups
arrived meanwhile.

The counter file (``kkrbot.audit.seq``) holds, in ASCII: the last ``seq``
(bytes 0-19, written before the lines, so a crash in between leaves a gap,
never a number twice; each process checks it once against the trail's last
lines, in case a power cut lost it); how many times erasure has replaced the
month files (20-39: a process then opens them again); and, at 40, ``1``
while a writer is writing lines: a writer killed then may have cut a line
short, so the next one looks at the file's end before it writes (as each
process does at its first write to a month file).  At 41-56 a generation
and at 57-63 the month last written (``2026-11``): a batch that writes to
any other month (a new month, or a late entry in an older one) makes the
generation odd before its lines and even after them (a seqlock), so a
reader that sees the same even generation as before knows that only the
month last written has grown since (``data.audit_reading``).  A writer
killed in between leaves it odd (readers then trust nothing kept) until the
next batch, which treats it as a change of month.
"""

from __future__ import annotations

import contextlib
import json
import mmap
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from data.locks import RECHECK_SECONDS, ProcessLock, renew_after_fork

SEQ_DIGITS = 20
SEQ, REPLACED, WRITING, MAPPED = slice(0, 20), slice(20, 40), 40, 64  # the counter file's parts (see above)
GENERATION, LAST_MONTH = slice(41, 57), slice(57, 64)
# One encoder for every line: json.dumps with options builds a new one per call.
_LINE = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode
_TEXT = json.encoder.encode_basestring  # how that encoder writes a string (ensure_ascii=False)
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
        numbered = [{**entry, "id": entry.get("id") or self._new_id()} for entry in entries]
        lines = [(entry["at"][:7], *halves(entry)) for entry in numbered]
        with self._lock:  # creates the folder if need be
            seqs = self.append_locked(lines, durable)
        for entry, seq in zip(numbered, seqs, strict=True):
            entry["seq"] = seq
        return numbered

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold this process's turn and the audit lock (for ``append_locked``)."""
        with self._turn, self._lock:
            yield

    def append_locked(self, lines: list[tuple[str, str, str]], durable: bool) -> list[int]:
        """Number and append lines already made: (month, the entry's JSON up
        to its seq, the rest).  Only under the audit lock.  Returns their seqs."""
        shared = self._counter()
        texts: dict[str, list[str]] = {}
        first = seq = self._last_seq(shared[SEQ].strip())
        for month, head, tail in lines:
            seq += 1
            texts.setdefault(month, []).append(f"{head}{seq}{tail}")
        if shared[REPLACED] != self._replaced:  # erasure replaced the month files
            self._close_months()
            self._replaced = shared[REPLACED]
        unsure = shared[WRITING] == ord("1")
        # Memory writes to the shared page: they survive a kill, hand no GIL
        # away, and a power cut is what _last_seq checks for.
        shared[SEQ] = str(seq).zfill(SEQ_DIGITS).encode("ascii")
        shared[WRITING] = ord("1")
        moving = _generation(shared) is None or any(_month_bytes(m) != shared[LAST_MONTH] for m in texts)
        if moving:
            odd = _next_generation(shared, odd=True)
            shared[GENERATION] = str(odd).zfill(16).encode("ascii")
        for month, month_lines in texts.items():
            self._write(month, "".join(month_lines).encode("utf-8"), durable, unsure)
        if moving:
            shared[LAST_MONTH] = _month_bytes(list(texts)[-1])
            shared[GENERATION] = str(odd + 1).zfill(16).encode("ascii")
        shared[WRITING] = ord("0")
        return list(range(first + 1, seq + 1))

    def generation(self) -> tuple[int, str] | None:
        """The trail's generation and the month last written, if no writer is
        changing month now (None then, or before a writer has set them)."""
        shared = self._counter(create=False)
        if shared is None:
            return None
        before, last = _generation(shared), bytes(shared[LAST_MONTH])
        if before is None or _generation(shared) != before:
            return None
        return before, last.decode("ascii")

    def replaced(self) -> None:
        """Tell every process that the month files were replaced (under the audit lock)."""
        shared = self._counter()
        count = shared[REPLACED].strip(b"\0 ")
        shared[REPLACED] = str(int(count) + 1 if count.isdigit() else 1).zfill(20).encode("ascii")
        shared[GENERATION] = str(_next_generation(shared, odd=False)).zfill(16).encode("ascii")

    def _last_seq(self, saved: bytes) -> int:
        last = int(saved) if saved.isdigit() else 0
        if not self._seq_checked or not saved.isdigit():
            last = max(last, self._last_in_trail())
            self._seq_checked = True
        return last

    def _counter(self, create: bool = True) -> mmap.mmap | None:
        """The counter file, mapped; mapped again if the file was removed
        (checked before the lock and at most once a second, as lock files are:
        only a power cut or a person removes it).  None if there is none and
        ``create`` is false."""
        with self._counter_guard:  # readers' threads ask too
            return self._mapped(create)

    def _mapped(self, create: bool) -> mmap.mmap | None:
        if self._seq_map is not None:
            if time.monotonic() - self._seq_checked_at < RECHECK_SECONDS:
                return self._seq_map
            self._seq_checked_at = time.monotonic()
            if os.fstat(self._seq_fd).st_nlink:
                return self._seq_map
        self._close_counter()
        if not create and not self._seq_file.exists():
            return None
        self._seq_file.parent.mkdir(parents=True, exist_ok=True)
        self._seq_fd = os.open(self._seq_file, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        if os.fstat(self._seq_fd).st_size < MAPPED:
            os.ftruncate(self._seq_fd, MAPPED)  # NUL bytes: read as "unknown", so the trail is asked
        self._seq_map = mmap.mmap(self._seq_fd, MAPPED)
        self._seq_checked_at = time.monotonic()
        return self._seq_map

    def _write(self, month: str, text: bytes, durable: bool, unsure: bool) -> None:
        """Append ``text`` to the month's file (under the audit lock)."""
        fd = self._months.pop(month, None)
        if fd is None:
            fd = os.open(self._file_of(month), os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600)
            unsure = True
        self._months[month] = fd  # the most recently used last
        while len(self._months) > OPEN_MONTHS:
            self._close(self._months.pop(next(iter(self._months))))
        if unsure:
            size = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":
                text = b"\n" + text  # after a line a crash cut short
        os.write(fd, text)
        if durable:
            os.fsync(fd)

    def _renew(self) -> None:
        self._queue: list[_Waiting] = []
        self._queue_guard, self._turn, self._counter_guard = threading.Lock(), threading.Lock(), threading.Lock()
        self._seq_fd: int | None = None
        self._seq_map: mmap.mmap | None = None
        self._replaced: bytes | None = None
        self._months: dict[str, int] = {}  # month -> descriptor, the most recently used last

    def _after_fork(self) -> None:
        self._close_all()
        self._renew()

    def _close_counter(self) -> None:
        if self._seq_map is not None:
            self._seq_map.close()
        self._close(self._seq_fd)
        self._seq_fd, self._seq_map = None, None

    def _close_months(self) -> None:
        for fd in self._months.values():
            self._close(fd)
        self._months = {}

    def _close_all(self) -> None:
        self._close_counter()
        self._close_months()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self._close_all()

    @staticmethod
    def _close(fd: int | None) -> None:
        if fd is not None:
            os.close(fd)


# A read's entry as handlers.audit.record makes it: only ``at`` and ``id``
# differ between the look-ups of one caller, so the rest of its line is kept.
_READ_KEYS = frozenset({"action", "actor", "at", "id", "target"})
_READ_PARTS: dict[tuple[str, str, str], tuple[str, str]] = {}
MAX_READ_PARTS = 1024


def halves(entry: dict) -> tuple[str, str]:
    """An entry's JSON line (keys sorted, as the trail has always been
    written) cut where its ``seq`` goes: so a line is made before the lock is
    taken, or in a journal, and numbered under it."""
    if entry.keys() == _READ_KEYS and all(type(value) is str for value in entry.values()):
        words = entry["action"], entry["actor"], entry["target"]
        parts = _READ_PARTS.get(words)
        if parts is None:
            if len(_READ_PARTS) >= MAX_READ_PARTS:
                _READ_PARTS.clear()
            parts = _READ_PARTS[words] = (f'{{"action": {_TEXT(words[0])}, "actor": {_TEXT(words[1])}, "at": ',
                                          f', "target": {_TEXT(words[2])}}}\n')
        return f'{parts[0]}{_TEXT(entry["at"])}, "id": {_TEXT(entry["id"])}, "seq": ', parts[1]
    head = _LINE({k: v for k, v in entry.items() if k < "seq"})
    tail = _LINE({k: v for k, v in entry.items() if k > "seq"})
    return head[:-1] + (", " if len(head) > 2 else "") + '"seq": ', (", " + tail[1:] if len(tail) > 2 else "}") + "\n"


def _generation(shared: mmap.mmap) -> int | None:
    """The generation, if it is even (no writer changing month); None if odd or not yet set."""
    text = shared[GENERATION]
    return int(text) if text.isdigit() and not int(text) % 2 else None


def _next_generation(shared: mmap.mmap, odd: bool) -> int:
    text = shared[GENERATION]
    current = int(text) if text.isdigit() else 0
    return current + 1 + (current % 2 == odd)


def _month_bytes(month: str) -> bytes:
    return month.encode("ascii", "replace")[:7].ljust(7, b" ")
