"""The document store: TinyDB files made safe for several processes.

Each *part* of the store (the directory, the API tokens, and later each kind
of history) lives in its own TinyDB file, so that writing to one part does
not rewrite, or wait for, the others and the directory stays small however
much history accumulates.

Every change happens inside ``store.write(part)``: it takes the part's
cross-process file lock, reads the file afresh through a new TinyDB instance
(so no per-process query cache or next-id can be stale), lets the caller
change it, and writes the file once, atomically, when the block ends.  An
exception inside the block writes nothing.

Reads need no lock because files are only ever replaced whole: a parsed copy
is shared between readers until the file changes on disk, which a read
learns from a count the store's writers keep in shared memory
(``data.changes``) rather than from a ``stat`` per read; the copies, and
``View``, which reads them, are ``data.snapshots``'.

A transaction also carries the audit entries of its change (``tx.audit``):
they are written in the same atomic file write as the change, in the part's
``audit_pending`` table, then appended to the audit trail, then removed from
the part, all under the part's lock.  So a change and its entries are kept or
lost together: entries a killed writer left pending are appended (once: by
their ids) by the next write of that part, at start (``recover``) and before
the trail is read.  Lock order: a part's lock, then the audit lock.

Such a part is marked twice: by a file beside it (``kkrbot.auth.json.audit-pending``),
made durable with the change, and by a file named after the part in a small
folder (``kkrbot.pending-audit/auth``), which is not fsynced.  Before each
read of the trail only that folder is listed, not the store's folder of
thousands of record files: a killed process's hints survive, and a power
cut, which may lose them, restarts every process, whose first look (at
``recover``) lists the store's folder for the durable marks (as older
versions left them, too).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from tinydb import TinyDB
from tinydb.table import Document

from data.audit import AuditLog, new_id
from data.changes import Changes
from data.locks import ProcessLock
from data.snapshots import Snapshots, View, plain
from data.storage import TEMP_PREFIX, AtomicJSONStorage, load, remove_stray_temp_files, write_atomically

PENDING = "audit_pending"  # a part's table of audit entries on their way to the trail
MARK = ".audit-pending"  # beside a part file that may hold such entries, so they are found without reading all
CHANGES = ".changes"  # after the store's stem: the count of replaced part files (data.changes)
HINTS = ".pending-audit"  # the folder (after the store's stem) of the same marks, not durable, quick to list
class Store:
    """A folder of TinyDB files, one per part, named after ``path``."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._locks: dict[str, ProcessLock] = {}
        self._guard = threading.Lock()
        self._changes = Changes(self.path.with_name(self.path.stem + CHANGES))
        self._snapshots = Snapshots(self._changes)
        self._files: dict[str, Path] = {}
        self._hints = self.path.with_name(self.path.stem + HINTS)
        self._marks_listed = False  # whether this process has looked for durable marks (once is enough)
        self.audit = AuditLog(self.path, before_reading=self.publish_pending_audit)

    def file_of(self, part: str) -> Path:
        """The directory part is ``path`` itself; others sit beside it."""
        found = self._files.get(part)
        if found is None:
            found = self.path if part == "directory" else self.path.with_name(
                f"{self.path.stem}.{part}{self.path.suffix or '.json'}")
            self._files[part] = found
        return found

    def lock_of(self, part: str) -> ProcessLock:
        with self._guard:
            if part not in self._locks:
                self._locks[part] = ProcessLock(self.file_of(part).with_name(self.file_of(part).name + ".lock"))
            return self._locks[part]

    def part_of_file(self, name: str) -> str | None:
        """The part whose file is called ``name``, if it is one of ours."""
        suffix = self.path.suffix or ".json"
        if name == self.path.name:
            return "directory"
        prefix = self.path.stem + "."
        if name.startswith(prefix) and name.endswith(suffix):
            return name[len(prefix):-len(suffix)] or None
        return None

    def remove_stray_temp_files(self, part: str | None = None) -> list[Path]:
        """Delete what killed writers left of ``part`` (default: every part).

        Takes each part's lock, so no live writer's temp file is touched.
        """
        if part is None:
            try:
                strays = [n for n in os.listdir(self.path.parent) if n.startswith(TEMP_PREFIX + self.path.stem)]
            except FileNotFoundError:
                strays = []
            names = {self.part_of_file(name[len(TEMP_PREFIX):].rsplit(".", 1)[0]) for name in strays}
        else:
            names = {part}
        removed = []
        for name in sorted(n for n in names if n):
            with self.lock_of(name):
                removed += remove_stray_temp_files(self.file_of(name))
        return removed

    def recover(self) -> None:
        """What a process does at start: delete what killed writers left
        behind, and append the audit entries they left pending."""
        self.remove_stray_temp_files()
        self.publish_pending_audit()
        self.audit.move_journals()  # what killed processes journalled

    def publish_pending_audit(self) -> int:
        """Append to the trail the entries killed writers left pending in any
        part; return how many were missing from it.  The hints' folder is
        listed each time; the store's folder only at a process's first call."""
        parts = set(_names_in(self._hints))
        durable = not self._marks_listed
        if durable:
            parts |= {self.part_of_file(name[:-len(MARK)]) for name in _names_in(self.path.parent)
                      if name.endswith(MARK)}
        published = 0
        for part in sorted(p for p in parts if p):
            with self.lock_of(part):
                published += self._publish_leftovers(part, load(self.file_of(part)) or {})
        self._marks_listed = True
        return published

    @contextmanager
    def write(self, part: str = "directory") -> Iterator["Transaction"]:
        """Change one part all-or-nothing, serialised across processes; the
        audit entries added to ``tx.audit`` are kept if and only if the change is.
        What the block registered with ``tx.after_commit`` runs once the
        change is stored, still under the part's lock."""
        with self.lock_of(part):
            storage = AtomicJSONStorage(self.file_of(part))
            storage.hold()
            if PENDING in storage.read():
                self._publish_leftovers(part, storage.read())
            tx = Transaction(TinyDB(storage=lambda: storage))
            try:
                yield tx
            except BaseException:
                storage.discard()
                raise
            entries = tx.audit.entries
            if entries:
                self._hint(part)
                self._mark(part).touch()  # made durable by the commit's fsync of the folder
                tx.stage_audit()
            data = storage.read()
            with self._changes.replacing():
                storage.commit()
            if entries:
                self.audit.append_all(entries)
                self._clear_pending(part, data)
            for follow_up in tx.follow_ups:
                follow_up()

    def _publish_leftovers(self, part: str, data: dict) -> int:
        """Append the part's pending entries the trail lacks, then clear them
        (``data`` is the part as on disk; the caller holds its lock)."""
        pending = data.get(PENDING) or {}
        entries = [pending[key] for key in sorted(pending, key=int)]
        missing = [e for e in entries if e["id"] not in self.audit.known_ids(entries)] if entries else []
        if missing:
            self.audit.append_all(missing)
        self._clear_pending(part, data)
        return len(missing)

    def _clear_pending(self, part: str, data: dict) -> None:
        if data.pop(PENDING, None) is not None:
            # Not durable: should a power cut undo it, the entries are found by id.
            with self._changes.replacing():
                write_atomically(self.file_of(part), data, sync_folder=False)
        self._mark(part).unlink(missing_ok=True)
        (self._hints / part).unlink(missing_ok=True)

    def _mark(self, part: str) -> Path:
        path = self.file_of(part)
        return path.with_name(path.name + MARK)

    def _hint(self, part: str) -> None:
        """Leave the quick mark of a part whose change carries audit entries."""
        try:
            (self._hints / part).touch()
        except FileNotFoundError:
            self._hints.mkdir(parents=True, exist_ok=True)
            (self._hints / part).touch()

    def read(self, part: str = "directory") -> "View":
        """A read-only view of the part as it is on disk now, used as
        ``with store.read(part) as view:`` (the view is its own context
        manager: a look-up makes two reads, and a generator's costs more)."""
        data, memo = self._snapshots.get(part, self.file_of(part))
        return View(None, memo, data)

    def remove(self, part: str) -> None:
        """Delete a part's file (a migration's), as every process will notice."""
        with self.lock_of(part), self._changes.replacing():
            self.file_of(part).unlink(missing_ok=True)


class Transaction(View):
    """Read and write access to one part, inside ``Store.write``.

    ``audit`` takes the audit entries of the change, like ``Store.audit``
    (``tx.audit.append(entry)``), but they reach the trail with the change."""

    def __init__(self, db: TinyDB):
        super().__init__(db)
        self.audit = PendingAudit()
        self.follow_ups: list[Callable[[], None]] = []

    def after_commit(self, follow_up: Callable[[], None]) -> None:
        """Run ``follow_up()`` once the change is stored, before the part's
        lock is released (not at all if the change is not stored): for an
        index that must never say less than the part, see ``handlers.due``."""
        self.follow_ups.append(follow_up)

    def stage_audit(self) -> None:
        """Put the audit entries into the part, to be written with the change."""
        self._db.table(PENDING).insert_multiple(self.audit.entries)

    def put(self, collection: str, key: int, doc: dict) -> dict:
        """Insert or replace the document stored under ``key``."""
        self._memo.clear()  # what was derived from the part before the change
        body = {name: value for name, value in doc.items() if name != "id"}
        self._db.table(collection).upsert(Document(body, doc_id=key))
        return {**body, "id": key}

    def insert(self, collection: str, doc: dict) -> dict:
        self._memo.clear()
        body = {name: value for name, value in doc.items() if name != "id"}
        key = self._db.table(collection).insert(body)
        return {**body, "id": key}

    def update(self, collection: str, key: int, fields: dict) -> dict:
        self._memo.clear()
        table = self._db.table(collection)
        table.update({k: v for k, v in fields.items() if k != "id"}, doc_ids=[key])
        return plain(table.get(doc_id=key))

    def remove(self, collection: str, key: int) -> None:
        self._memo.clear()
        self._db.table(collection).remove(doc_ids=[key])


class PendingAudit:
    """The audit entries of one transaction, each with its id already, so
    that appending them again after a crash can be recognised."""

    def __init__(self):
        self.entries: list[dict] = []

    def append(self, entry: dict, durable: bool = True) -> None:
        """Entries of changes are always made durable."""
        self.entries.append({**entry, "id": entry.get("id") or new_id()})


def _names_in(folder: Path) -> list[str]:
    try:
        return os.listdir(folder)
    except FileNotFoundError:
        return []

