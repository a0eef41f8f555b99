"""Reading the audit trail newest first, as lazily as a page allows.

Entries are ordered by ``seq``, highest first.  Each month file is in seq
order, so it is read backwards from its end (``data.jsonl``); the month
files are merged, because a late entry (one a killed writer left pending,
or from a clock behind) may sit in an older month than entries stored
before it.  A month file is opened only once its newest entry could come
next.  The list of month files and each one's newest key are kept for as
long as the trail's generation (``data.audit_writing``) stays the same:
until then every entry written went to the month last written, which is
opened first.  So the newest page of a trail of many months lists no
folder, stats no file and opens one or two, however many months there are;
the store's folder is listed, and every month file's end read, only after
a batch wrote to another month than the one before (a new month, a late
entry), once per process.

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
    """The trail's reader for one ``AuditLog``: ``months()`` lists the month
    files, ``file_of(month)`` names one, ``generation()`` is the appender's."""

    def __init__(self, months: Callable[[], list[str]], file_of: Callable[[str], Path],
                 generation: Callable[[], tuple[int, str] | None]):
        self._months, self._file_of, self._generation = months, file_of, generation
        self._paths: dict[str, str] = {}
        self._kept: tuple[int, list[str], dict[str, Key]] | None = None  # generation, months, their newest keys

    def read(self, since: str | None, until: str | None, bound: Key | None,
             containing: tuple[bytes, ...] = ()) -> Iterator[tuple[Key, dict]]:
        """(key, entry) of the months from ``since`` to ``until`` (ISO),
        highest key first, below ``bound``; with ``containing``, only entries
        whose line holds each of those bytes (checked before a line is parsed)."""
        months, ceilings = self._ceilings()
        months = [m for m in months if not ((since and m < since[:7]) or (until and m > until[:7]))]
        waiting = sorted(((ceilings.get(month, UNKNOWN), month) for month in months), reverse=True)
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

    def months(self) -> list[str]:
        """The month files, oldest first (as kept while the generation stays)."""
        return self._ceilings()[0]

    def _ceilings(self) -> tuple[list[str], dict[str, Key]]:
        """The month files and a key at or above each one's newest entry."""
        generation = self._generation()
        kept = self._kept
        if generation is None or kept is None or kept[0] != generation[0]:
            months = self._months()
            kept = (generation[0] if generation else -1, months, {m: self._newest_key(m) for m in months})
            if generation is not None and self._generation() == generation:  # no writer changed month meanwhile
                self._kept = kept
            else:
                return months, kept[2]
        return kept[1], {**kept[2], generation[1]: UNKNOWN}  # the month last written may have grown since

    def _path(self, month: str) -> str:
        if month not in self._paths:
            self._paths[month] = os.fspath(self._file_of(month))
        return self._paths[month]

    def _newest_key(self, month: str) -> Key:
        """The key of the month file's last entry, or one above it: entries
        from before numbering began are counted only when read."""
        try:
            with open(self._path(month), "rb") as handle:
                for line in lines_backwards(handle, handle.seek(0, os.SEEK_END)):
                    entry = parsed(line)
                    if entry is not None and entry.get("seq"):
                        return int(entry["seq"]), 0, 0
                    if entry is not None:
                        return 0, int(month.replace("-", "")), 2**62
        except FileNotFoundError:
            pass
        return 0, 0, 0

    def _month(self, month: str, bound: Key | None, containing: tuple[bytes, ...]) -> Iterator[tuple[Key, dict]]:
        try:
            handle = open(self._path(month), "rb")  # noqa: SIM115 (closed below)
        except FileNotFoundError:  # removed by hand since it was listed
            return
        with handle:
            size = handle.seek(0, os.SEEK_END)
            end = size if bound is None else start_of_seq(handle, size, max(bound[0], 1))
            for key, entry in _backwards(handle, end, int(month.replace("-", "")), containing):
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
