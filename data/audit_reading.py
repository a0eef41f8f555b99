"""Reading the audit trail newest first, as lazily as a page allows.

Entries are ordered by ``seq``, highest first.  Each month file is in seq
order, so it is read backwards from its end (``data.jsonl``); the month
files are merged, because a late entry (one a killed writer left pending,
or from a clock behind) may sit in an older month than entries stored
before it.  A month file is opened only once its newest entry could come
next: that entry's key is remembered per file while the file is unchanged
(same inode, size and time), so the newest page of a trail of many months
opens one or two files, not all of them.

A *place* names an entry's position, for the next page to start after:
its seq, or for an entry from before numbering began (those all come after
the numbered ones, newer months first) its month and how many entries
precede it in its file: ``"2026-10.57"``.
"""

from __future__ import annotations

import heapq
import itertools
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from data.jsonl import lines_backwards, parsed, start_of_seq

PLACE = re.compile(r"(?P<seq>[1-9]\d{0,18})|(?P<month>\d{4})-(?P<mm>\d{2})\.(?P<index>\d{1,9})")
UNKNOWN = (2**63, 0, 0)  # above every key: a month whose newest entry is not known must be opened

Key = tuple[int, int, int]  # (seq, 0, 0), or (0, YYYYMM, index) before numbering began


def is_place(text: str) -> bool:
    return PLACE.fullmatch(text) is not None


def key_of(place: str) -> Key:
    found = PLACE.fullmatch(place)
    if found is None:
        raise ValueError(place)
    if found["seq"]:
        return int(found["seq"]), 0, 0
    return 0, int(found["month"] + found["mm"]), int(found["index"])


def place_of(key: Key) -> str:
    return str(key[0]) if key[0] else f"{key[1] // 100:04d}-{key[1] % 100:02d}.{key[2]}"


class NewestFirst:
    """The trail's reader for one ``AuditLog`` (``file_of(month)`` names a month's file)."""

    def __init__(self, file_of: Callable[[str], Path]):
        self._file_of = file_of
        self._paths: dict[str, str] = {}
        self._newest: dict[str, tuple[tuple, Key]] = {}  # month -> (its file's stat, its newest entry's key)

    def read(self, months: list[str], bound: Key | None,
             containing: tuple[bytes, ...] = ()) -> Iterator[tuple[Key, dict]]:
        """(key, entry) of these months' files, highest key first, below
        ``bound``; with ``containing``, only entries whose line holds each of
        those bytes (checked before a line is parsed)."""
        waiting = sorted(((self._ceiling(month), month) for month in months), reverse=True)
        heap: list = []
        order = itertools.count()

        def take(stream: Iterator) -> None:
            item = next(stream, None)
            if item is not None:
                heapq.heappush(heap, (tuple(-k for k in item[0]), next(order), item, stream))

        while True:
            while waiting and (not heap or waiting[0][0] >= heap[0][2][0]):
                take(self._month(waiting.pop(0)[1], bound, containing))
            if not heap:
                return
            _, _, item, stream = heapq.heappop(heap)
            yield item
            take(stream)

    def _ceiling(self, month: str) -> Key:
        known = self._newest.get(month)
        if known is not None:
            try:
                if _stat_key(os.stat(self._path(month))) == known[0]:
                    return known[1]
            except FileNotFoundError:
                pass
        return UNKNOWN

    def _path(self, month: str) -> str:
        if month not in self._paths:
            self._paths[month] = os.fspath(self._file_of(month))
        return self._paths[month]

    def _month(self, month: str, bound: Key | None, containing: tuple[bytes, ...]) -> Iterator[tuple[Key, dict]]:
        with open(self._path(month), "rb") as handle:
            stat = os.fstat(handle.fileno())
            end = stat.st_size if bound is None else start_of_seq(handle, stat.st_size, max(bound[0], 1))
            entries = _backwards(handle, end, int(month.replace("-", "")), containing)
            for n, (key, entry) in enumerate(entries):
                if n == 0 and end == stat.st_size and not containing:
                    self._newest[month] = (_stat_key(stat), key)
                if bound is None or key < bound:
                    yield key, entry


def _backwards(handle: BinaryIO, end: int, yyyymm: int, containing: tuple[bytes, ...]) -> Iterator[tuple[Key, dict]]:
    """(key, entry) of a month file's entries before ``end``, last first."""
    lines = lines_backwards(handle, end)
    for line in lines:
        if containing and not all(text in line for text in containing):
            continue
        entry = parsed(line)
        if entry is not None and entry.get("seq"):
            yield (int(entry["seq"]), 0, 0), entry
        elif entry is not None:
            # From before numbering began: the rest of the file, each placed
            # by how many entries precede it in the file (all of them count).
            older = [entry, *filter(None, map(parsed, lines))]
            keyed = [((int(e.get("seq") or 0), 0 if e.get("seq") else yyyymm, len(older) - n - 1), e)
                     for n, e in enumerate(older)]
            yield from sorted(keyed, key=lambda pair: pair[0], reverse=True)


def _stat_key(stat: os.stat_result) -> tuple:
    return stat.st_ino, stat.st_size, stat.st_mtime_ns
