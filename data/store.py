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

Reads need no lock because files are only ever replaced whole; a parsed copy
is shared between readers until the file changes on disk.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from filelock import FileLock
from tinydb import TinyDB
from tinydb.table import Document

from data.audit import AuditLog
from data.storage import TEMP_PREFIX, AtomicJSONStorage, FrozenStorage, load, remove_stray_temp_files

LOCK_TIMEOUT_SECONDS = 30


class Store:
    """A folder of TinyDB files, one per part, named after ``path``."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._locks: dict[str, FileLock] = {}
        self._guard = threading.Lock()
        self._snapshots: dict[str, tuple[tuple, dict, dict]] = {}
        self.audit = AuditLog(self.path)

    def file_of(self, part: str) -> Path:
        """The directory part is ``path`` itself; others sit beside it."""
        if part == "directory":
            return self.path
        return self.path.with_name(f"{self.path.stem}.{part}{self.path.suffix or '.json'}")

    def lock_of(self, part: str) -> FileLock:
        with self._guard:
            if part not in self._locks:
                lock_path = self.file_of(part).with_name(self.file_of(part).name + ".lock")
                lock_path.parent.mkdir(parents=True, exist_ok=True)
                self._locks[part] = FileLock(lock_path, timeout=LOCK_TIMEOUT_SECONDS)
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
            strays = self.path.parent.glob(TEMP_PREFIX + self.path.stem + "*")
            names = {self.part_of_file(p.name[len(TEMP_PREFIX):].rsplit(".", 1)[0]) for p in strays}
        else:
            names = {part}
        removed = []
        for name in sorted(n for n in names if n):
            with self.lock_of(name):
                removed += remove_stray_temp_files(self.file_of(name))
        return removed

    @contextmanager
    def write(self, part: str = "directory") -> Iterator["Transaction"]:
        """Change one part all-or-nothing, serialised across processes."""
        with self.lock_of(part):
            storage = AtomicJSONStorage(self.file_of(part))
            storage.hold()
            try:
                yield Transaction(TinyDB(storage=lambda: storage))
            except BaseException:
                storage.discard()
                raise
            storage.commit()

    @contextmanager
    def read(self, part: str = "directory") -> Iterator["View"]:
        """A read-only view of the part as it is on disk now."""
        data, memo = self._snapshot(part)
        yield View(TinyDB(storage=lambda: FrozenStorage(data)), memo)

    def _snapshot(self, part: str) -> tuple[dict, dict]:
        path = self.file_of(part)
        try:
            stat = path.stat()
        except FileNotFoundError:
            return {}, {}
        # A write replaces the file, so a new inode, size or mtime means new content.
        key = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
        cached = self._snapshots.get(part)
        if cached and cached[0] == key:
            return cached[1], cached[2]
        data = load(path) or {}
        self._snapshots[part] = (key, data, {})
        return data, self._snapshots[part][2]


class View:
    """Read access to the collections of one part.  Documents come back as
    plain dicts with their key under ``"id"``."""

    def __init__(self, db: TinyDB, memo: dict | None = None):
        self._db = db
        self._memo = {} if memo is None else memo

    def memo(self, name: str, build):
        """``build(self)``, computed once per version of the file: for derived
        structures (such as a name index) that many reads share."""
        if name not in self._memo:
            self._memo[name] = build(self)
        return self._memo[name]

    def get(self, collection: str, key: int) -> dict | None:
        doc = self._db.table(collection).get(doc_id=key)
        return _plain(doc) if doc is not None else None

    def all(self, collection: str) -> list[dict]:
        return [_plain(doc) for doc in self._db.table(collection).all()]

    def find(self, collection: str, **fields: Any) -> list[dict]:
        """Documents whose fields equal all the given values."""
        def matches(doc: dict) -> bool:
            return all(doc.get(name) == value for name, value in fields.items())

        return [_plain(doc) for doc in self._db.table(collection).all() if matches(doc)]

    def count(self, collection: str) -> int:
        return len(self._db.table(collection))

    def tables(self) -> list[str]:
        """The names of the part's collections (for erasure, which must see them all)."""
        return sorted(self._db.tables())


class Transaction(View):
    """Read and write access to one part, inside ``Store.write``."""

    def put(self, collection: str, key: int, doc: dict) -> dict:
        """Insert or replace the document stored under ``key``."""
        body = {name: value for name, value in doc.items() if name != "id"}
        self._db.table(collection).upsert(Document(body, doc_id=key))
        return {**body, "id": key}

    def insert(self, collection: str, doc: dict) -> dict:
        body = {name: value for name, value in doc.items() if name != "id"}
        key = self._db.table(collection).insert(body)
        return {**body, "id": key}

    def update(self, collection: str, key: int, fields: dict) -> dict:
        table = self._db.table(collection)
        table.update({k: v for k, v in fields.items() if k != "id"}, doc_ids=[key])
        return _plain(table.get(doc_id=key))

    def remove(self, collection: str, key: int) -> None:
        self._db.table(collection).remove(doc_ids=[key])


def _plain(doc: Document) -> dict:
    return {**doc, "id": doc.doc_id}
