"""The audit trail: an append-only log of who read or changed what.

JSON Lines, one file per month beside the store (``kkrbot.audit-2026-11.jsonl``),
so the trail grows without making any write slower: entries are written
to the end of a file under a cross-process lock (``data.locks``), by
``data.audit_writing``: few system calls under the lock, and the entries of
a process's waiting threads in one batch.  The newest entries are read
from the files' ends (``data.audit_reading``), so a page of the trail costs
the same however long it grows (and however many months it spans).

Each entry gets a unique ``id`` and, under that lock, a ``seq`` one higher
than any entry before it in any process, so the order of the trail is
recoverable even where two processes' clocks (``at``) interleave.  The last
``seq`` is kept in ``kkrbot.audit.seq`` (written before the lines, so a
crash in between leaves a gap, never a number twice); each process checks it
once against the last line of every month file, in case a power cut lost it.

Entries of changes are fsynced; entries of reads are not (a power cut may
lose the last few; a killed process loses none), so that reading contact
data stays fast.  A web process journals its reads instead of appending
them (``journal_reads``, ``data.audit_journal``): each is in the OS when the
look-up answers and is numbered once moved into the trail, which every
reader of the trail does first.  A line cut short by a crash is skipped when reading, and
the next append starts on a new line.  Only erasure (``rewrite``) ever
changes what is written, to pseudonymise a person.
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from data import audit_reading
from data.audit_writing import Appender
from data.locks import ProcessLock
from data.storage import write_atomically_text

TAIL_BYTES = 64 * 1024


def new_id() -> str:
    """128 random bits as 32 hex digits: unique, which is all an id must be (the
    generator is seeded anew in each process, also a forked one; the uuid
    module would cost the CLI's start-up, and os.urandom each read a system call)."""
    return f"{random.getrandbits(128):032x}"


class AuditLog:
    def __init__(self, store_path: Path, before_reading: Callable[[], object] | None = None):
        """``before_reading`` runs before the trail is read or rewritten: the
        store appends there what killed writers left pending."""
        self.folder = store_path.parent
        self.stem = store_path.stem
        self._files: dict[str, Path] = {}
        self._lock = ProcessLock(self.folder / f"{self.stem}.audit.lock")
        self._store_before_reading = before_reading or (lambda: None)
        self._appender = Appender(self._lock, self.folder / f"{self.stem}.audit.seq", self.file_of,
                                  self._last_seq_in_trail, new_id)
        self._reading = audit_reading.NewestFirst(self.months, self.file_of, self._appender.generation)
        self._journals = self.folder / f"{self.stem}.audit-journals"
        self._journal = None

    def journal_reads(self) -> None:
        """Entries of reads (``durable=False``) go through this process's
        journal (``data.audit_journal``): in the OS before ``append``
        returns, numbered when moved into the trail.  For the web process,
        whose look-ups each record one."""
        from data.audit_journal import Journal

        self._journal = self._journal or Journal(self._journals, self._appender, self.known_ids)

    def move_journals(self, locked: bool = False) -> int:
        """Move every process's journalled reads into the trail (the reader
        of the trail sees every read made before it); return how many.
        ``locked``: the caller holds the appender's lock."""
        if self._journal is None and not self._journals.exists():
            return 0
        from data.audit_journal import move_all

        return move_all(self._journals, self._appender, self.known_ids, self._journal, locked)

    def _before_reading(self) -> None:
        self._store_before_reading()
        self.move_journals()

    def file_of(self, month: str) -> Path:
        found = self._files.get(month)
        if found is None:
            found = self._files[month] = self.folder / f"{self.stem}.audit-{month}.jsonl"
        return found

    def append(self, entry: dict, durable: bool = True) -> dict:
        """Add ``entry`` (which has an ISO ``at``) to its month's file; return
        it as written, with its ``id`` and ``seq``.

        Once this returns, the entry survives the process being killed;
        ``durable`` also fsyncs it, so that it survives a power cut.
        """
        if not durable and self._journal is not None:  # a look-up's: the shortest way
            entry = {**entry, "id": entry.get("id") or new_id()}
            self._journal.append(entry)
            return entry
        return self.append_all([entry], durable)[0]

    def append_all(self, entries: Iterable[dict], durable: bool = True) -> list[dict]:
        """Add ``entries`` in their order, numbered one after another (see
        ``data.audit_writing``: threads of a process are written in batches).
        Reads a process journals come back with an ``id`` but no ``seq`` yet."""
        if not durable and self._journal is not None:
            return [self.append(entry, durable) for entry in entries]
        return self._appender.append_all(list(entries), durable)

    def known_ids(self, entries: Iterable[dict]) -> set[str]:
        """Which of these entries' ids the trail already holds (the months of their ``at``)."""
        wanted = {e["id"]: e["at"][:7] for e in entries}
        found = set()
        for month in set(wanted.values()):
            if self.file_of(month).exists():
                found |= {e.get("id") for e in self._raw(self.file_of(month))} & wanted.keys()
        return found

    def months(self) -> list[str]:
        prefix, suffix = f"{self.stem}.audit-", ".jsonl"
        try:
            names = os.listdir(self.folder)
        except FileNotFoundError:
            return []
        return sorted(n[len(prefix):-len(suffix)] for n in names if n.startswith(prefix) and n.endswith(suffix))

    def entries(self, since: str | None = None, until: str | None = None) -> Iterator[dict]:
        """Entries in order, those of the months from ``since`` to ``until`` (ISO)."""
        self._before_reading()
        for month in self.months():
            if (since and month < since[:7]) or (until and month > until[:7]):
                continue
            yield from self._raw(self.file_of(month))

    def newest_first(self, since: str | None = None, until: str | None = None, before: str | None = None,
                     containing: tuple[str, ...] = ()) -> Iterator[tuple[str, dict]]:
        """(place, entry) of the months from ``since`` to ``until``, the
        highest ``seq`` first, from after the place ``before`` (one this gave
        earlier; see ``is_place``) on.  Read lazily from the files' ends, so
        the newest few cost the same however long the trail is.  Lines that
        do not hold each text of ``containing`` (as JSON writes it) are
        passed over unparsed: a search's filters, which it still applies."""
        bound = audit_reading.key_of(before) if before is not None else None
        texts = tuple(json.dumps(text, ensure_ascii=False)[1:-1].encode("utf-8") for text in containing)
        self._before_reading()
        for key, entry in self._reading.read(since, until, bound, texts):
            yield audit_reading.place_of(key), entry

    @staticmethod
    def is_place(text: str) -> bool:
        """Whether ``text`` is a place ``newest_first`` gives (what a page's ``before`` must be)."""
        return audit_reading.is_place(text)

    def rewrite(self, change: Callable[[dict], dict]) -> int:
        """Pass every entry through ``change`` (erasure); return how many changed."""
        self._before_reading()  # outside the audit lock: it takes part locks first
        changed = 0
        with self._appender.locked():
            self.move_journals(locked=True)  # a read journalled since: none may keep the old name
            for month in self.months():
                path = self.file_of(month)
                old = list(self._raw(path))
                new = [change(entry) for entry in old]
                changed += sum(a != b for a, b in zip(old, new, strict=True))
                if old != new:
                    text = "".join(json.dumps(e, ensure_ascii=False, sort_keys=True) + "\n" for e in new)
                    write_atomically_text(path, text)
            self._appender.replaced()
        return changed

    def _last_seq_in_trail(self) -> int:
        return max((_last_seq_in(self.file_of(month)) for month in self.months()), default=0)

    @staticmethod
    def _raw(path: Path) -> Iterator[dict]:
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                try:
                    yield json.loads(line)
                except ValueError:
                    continue  # a line a crash cut short


def _last_seq_in(path: Path) -> int:
    """The ``seq`` of the last whole entry of a month file (0 before numbering began)."""
    with open(path, "rb") as handle:
        size = handle.seek(0, os.SEEK_END)
        start = max(size - TAIL_BYTES, 0)
        while True:
            handle.seek(start)
            lines = handle.read(size - start).splitlines()
            for line in reversed(lines[1:] if start else lines):
                try:
                    return int(json.loads(line).get("seq", 0))
                except (ValueError, AttributeError):
                    continue
            if not start:
                return 0
            start = max(start - TAIL_BYTES, 0)

