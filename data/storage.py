"""A TinyDB ``Storage`` that never leaves a half-written file behind.

Stock ``JSONStorage`` rewrites the file in place: a process killed mid-write
leaves JSON that no longer parses.  Here every write goes to a temporary file
in the same folder, is fsynced, then atomically renamed over the old file, and
the folder itself is fsynced so the rename survives a power cut.  A write that
returned therefore survives ``kill -9`` of any process.

The storage can also *hold* writes: inside :meth:`hold` TinyDB's writes only
update memory and reach the disk once, on :meth:`commit`.  That turns several
TinyDB calls into one all-or-nothing write, so a handler that fails half way
changes nothing.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

TEMP_PREFIX = ".tmp-"


class AtomicJSONStorage(Storage):
    """JSON file storage with atomic, durable replacement of the whole file."""

    def __init__(self, path: str | os.PathLike, indent: int | None = None):
        self.path = Path(path)
        self.indent = indent
        self._held: dict[str, Any] | None = None
        self._holding = False
        self._dirty = False

    # -- TinyDB's Storage interface -------------------------------------
    def read(self) -> dict[str, Any] | None:
        if self._holding:
            if self._held is None:
                self._held = load(self.path) or {}
            return self._held
        return load(self.path)

    def write(self, data: dict[str, Any]) -> None:
        if self._holding:
            self._held = data
            self._dirty = True
        else:
            write_atomically(self.path, data, self.indent)

    # -- batching ---------------------------------------------------------
    def hold(self) -> None:
        """Keep writes in memory until :meth:`commit` (or drop them)."""
        self._holding, self._held, self._dirty = True, None, False

    def commit(self) -> bool:
        """Write what was held, if anything changed; return whether it did."""
        changed = self._dirty
        if changed:
            write_atomically(self.path, self._held, self.indent)
        self.discard()
        return changed

    def discard(self) -> None:
        self._holding, self._held, self._dirty = False, None, False


class FrozenStorage(Storage):
    """Read-only storage over an already parsed document tree.

    Readers share one parsed copy of a file (see ``data.store``); this
    storage lets TinyDB query it and refuses writes, so a read can never
    change the shared copy.
    """

    def __init__(self, data: dict[str, Any]):
        self._data = data

    def read(self) -> dict[str, Any]:
        return self._data

    def write(self, data: dict[str, Any]) -> None:
        raise PermissionError("this store view is read-only; use Store.write()")


def load(path: Path) -> dict[str, Any] | None:
    """Parse the file, or None when it does not exist yet or is empty."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except FileNotFoundError:
        return None
    if not raw.strip():
        return None
    return json.loads(raw)


def write_atomically(path: Path, data: Any, indent: int | None = None, sync_folder: bool = True) -> None:
    """Replace ``path`` with ``data`` as JSON so that a crash leaves either
    the old file or the new one, never a mixture.  Without ``sync_folder`` a
    power cut may bring back the old file (a kill never does)."""
    _replace(path, json.dumps(data, ensure_ascii=False, indent=indent).encode("utf-8"), sync_folder)


def write_atomically_text(path: Path, text: str) -> None:
    """Replace ``path`` with ``text``, as atomically as ``write_atomically``."""
    _replace(path, text.encode("utf-8"))


def _replace(path: Path, payload: bytes, sync_folder: bool = True) -> None:
    import tempfile  # here: a command that only reads starts without it (and shutil, lzma, bz2)

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=TEMP_PREFIX + path.name + ".", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        _unlink_quietly(temp)
        raise
    if sync_folder:
        fsync_folder(path.parent)


def fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove_stray_temp_files(path: Path) -> list[Path]:
    """Delete temp files a killed writer left beside ``path``.

    They may hold personal data, so they must not linger.  Only call this
    while holding the file's lock: then no live writer owns one.
    """
    try:
        names = os.listdir(path.parent)
    except FileNotFoundError:
        return []
    removed = [path.parent / name for name in names if name.startswith(TEMP_PREFIX + path.name + ".")]
    for stray in removed:
        _unlink_quietly(stray)
    return removed


def _unlink_quietly(path: str | Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
