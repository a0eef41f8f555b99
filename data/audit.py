"""The audit trail: an append-only log of who read or changed what.

JSON Lines, one file per month beside the store (``kkrbot.audit-2026-11.jsonl``),
so the trail grows without making any write slower: an entry is one
``write`` to the end of a file under a cross-process lock.
Entries of changes are fsynced; entries of reads are not (a power cut may
lose the last few; a killed process loses none), so that reading contact
data stays fast.  A line cut short by a crash is skipped when reading.  Only erasure
(``rewrite``) ever changes what is written, to pseudonymise a person.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from filelock import FileLock

from data.storage import write_atomically_text


class AuditLog:
    def __init__(self, store_path: Path):
        self.folder = store_path.parent
        self.stem = store_path.stem
        self._lock = FileLock(self.folder / f"{self.stem}.audit.lock", timeout=30)

    def file_of(self, month: str) -> Path:
        return self.folder / f"{self.stem}.audit-{month}.jsonl"

    def append(self, entry: dict, durable: bool = True) -> None:
        """Add ``entry`` (which has an ISO ``at``) to its month's file.

        Once ``write`` returns, the entry survives the process being killed;
        ``durable`` also fsyncs it, so that it survives a power cut.
        """
        line = (json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
        self.folder.mkdir(parents=True, exist_ok=True)
        with self._lock:
            fd = os.open(self.file_of(entry["at"][:7]), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, line)
                if durable:
                    os.fsync(fd)
            finally:
                os.close(fd)

    def months(self) -> list[str]:
        prefix = f"{self.stem}.audit-"
        return sorted(p.name[len(prefix):-len(".jsonl")] for p in self.folder.glob(f"{prefix}*.jsonl"))

    def entries(self, since: str | None = None, until: str | None = None) -> Iterator[dict]:
        """Entries in order, those of the months from ``since`` to ``until`` (ISO)."""
        for month in self.months():
            if (since and month < since[:7]) or (until and month > until[:7]):
                continue
            with open(self.file_of(month), encoding="utf-8") as handle:
                for line in handle:
                    try:
                        yield json.loads(line)
                    except ValueError:
                        continue  # a line a crash cut short

    def rewrite(self, change: Callable[[dict], dict]) -> int:
        """Pass every entry through ``change`` (erasure); return how many changed."""
        changed = 0
        with self._lock:
            for month in self.months():
                path = self.file_of(month)
                old = list(self._raw(path))
                new = [change(entry) for entry in old]
                changed += sum(a != b for a, b in zip(old, new, strict=True))
                if old != new:
                    text = "".join(json.dumps(e, ensure_ascii=False, sort_keys=True) + "\n" for e in new)
                    write_atomically_text(path, text)
        return changed

    @staticmethod
    def _raw(path: Path) -> Iterator[dict]:
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                try:
                    yield json.loads(line)
                except ValueError:
                    continue
