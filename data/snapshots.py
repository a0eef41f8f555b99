"""Reading a store's parts: parsed copies of their files, shared by a
process's readers, and ``View``, which reads one.

A part file is only ever replaced whole, so one parsed copy (and what
readers derive from it, ``View.memo``) serves every read until the file is
replaced.  Whether it was, a read learns from the store's count of replaced
files (``data.changes``), and looks at the file itself (``stat``) only when
that count has moved or ``RECHECK_SECONDS`` have passed.

Copies of the parts of single records (``broadcast-17``: a name ending in
``-<number>``) are kept for the most recently read only, up to
``CACHED_RECORD_BYTES`` of their files, so a process's memory grows neither
with the history nor with the size of its records; the directory and the
indexes stay.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.table import Document

from data.changes import RECHECK_SECONDS, Changes
from data.storage import FrozenStorage, load

# Parsed, a file takes about four times its size, so about 4 MiB (some 15 broadcasts of 103 deliveries).
CACHED_RECORD_BYTES = 2**20
_RECORD_PART = re.compile(r".+-\d+")
_NOT_RECORDS: set[str] = set()  # the parts seen not to be record parts (the directory, the tokens ...)


class Snapshots:
    """The copies one store keeps in one process."""

    def __init__(self, changes: Changes):
        self._changes = changes
        self._guard = threading.Lock()
        # part -> (its file's inode, size and mtime; data; memo; the count before the look; when)
        self._kept: dict[str, tuple[tuple, dict, dict, int | None, float]] = {}
        self._recent: OrderedDict[str, int] = OrderedDict()  # record parts kept (file sizes), least recent first
        self._recent_bytes = 0

    def get(self, part: str, path: Path) -> tuple[dict, dict]:
        """The part's parsed data and memo as its file is now (empty if there is none)."""
        kept = self._kept.get(part)
        count = self._changes.seen()
        if kept is not None and count is not None and kept[3] == count and time.monotonic() - kept[4] < RECHECK_SECONDS:
            self._used(part, kept[0][1])  # no part file replaced since it was looked at
            return kept[1], kept[2]
        try:
            stat = os.stat(path)
        except FileNotFoundError:
            return {}, {}
        # A write replaces the file, so a new inode, size or mtime means new content.
        key = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
        if kept and kept[0] == key:
            data, memo = kept[1], kept[2]
        else:
            data, memo = load(path) or {}, {}
        self._kept[part] = (key, data, memo, count, time.monotonic())
        self._used(part, stat.st_size)
        return data, memo

    def _used(self, part: str, size: int) -> None:
        """Note a read of ``part`` (its file of ``size`` bytes); forget the
        least recently read record parts beyond ``CACHED_RECORD_BYTES`` (the
        last one read stays, however large)."""
        if part in _NOT_RECORDS or not _is_record_part(part):
            return
        with self._guard:
            self._recent_bytes += size - self._recent.pop(part, 0)
            self._recent[part] = size
            while self._recent_bytes > CACHED_RECORD_BYTES and len(self._recent) > 1:
                stale, stale_size = self._recent.popitem(last=False)
                self._recent_bytes -= stale_size
                self._kept.pop(stale, None)


def _is_record_part(part: str) -> bool:
    if _RECORD_PART.fullmatch(part):
        return True
    _NOT_RECORDS.add(part)
    return False


class View:
    """Read access to the collections of one part.  Documents come back as
    plain dicts with their key under ``"id"``."""

    def __init__(self, db: TinyDB | None, memo: dict | None = None, data: dict | None = None):
        """Over ``db``, or over the parsed ``data`` of a file (a TinyDB over it
        is made only if a read needs one: many reads need only the memo)."""
        self._tinydb = db
        self._data = data
        self._memo = {} if memo is None else memo

    def __enter__(self) -> "View":
        return self

    def __exit__(self, *exc) -> None:
        return None

    @property
    def _db(self) -> TinyDB:
        if self._tinydb is None:
            data = self._data
            self._tinydb = TinyDB(storage=lambda: FrozenStorage(data))
        return self._tinydb

    def memo(self, name: str, build):
        """``build(self)``, computed once per version of the file: for derived
        structures (such as a name index) that many reads share."""
        if name not in self._memo:
            self._memo[name] = build(self)
        return self._memo[name]

    def get(self, collection: str, key: int) -> dict | None:
        doc = self._db.table(collection).get(doc_id=key)
        return plain(doc) if doc is not None else None

    def all(self, collection: str) -> list[dict]:
        return [plain(doc) for doc in self._db.table(collection).all()]

    def find(self, collection: str, **fields: Any) -> list[dict]:
        """Documents whose fields equal all the given values."""
        def matches(doc: dict) -> bool:
            return all(doc.get(name) == value for name, value in fields.items())

        return [plain(doc) for doc in self._db.table(collection).all() if matches(doc)]

    def count(self, collection: str) -> int:
        return len(self._db.table(collection))

    def tables(self) -> list[str]:
        """The names of the part's collections (for erasure, which must see them all)."""
        return sorted(self._db.tables())


def plain(doc: Document) -> dict:
    """A document as a plain dict with its key under ``"id"``."""
    return {**doc, "id": doc.doc_id}
