"""Reading a month file of the audit trail from its end.

The newest entries are at the end of the newest file, so the first page of
the trail costs one small read however long the history is: lines are read
backwards in blocks (small first, larger as the reader goes on), and a page
that starts further back finds its place by binary search on ``seq``, which
grows line by line through a file (entries are appended under the audit
lock in the order they are numbered).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import BinaryIO

FIRST_BLOCK = 4 * 1024
LARGEST_BLOCK = 1024 * 1024
SCAN = 8 * 1024  # below this a binary search reads on instead of halving


def parsed(line: bytes) -> dict | None:
    """The entry on ``line``, or None for a line a crash cut short."""
    try:
        entry = json.loads(line)
    except ValueError:
        return None
    return entry if isinstance(entry, dict) else None


def lines_backwards(handle: BinaryIO, end: int) -> Iterator[bytes]:
    """The non-empty lines before byte ``end`` (a line start), last first."""
    block, position, rest = FIRST_BLOCK, end, b""
    while position > 0:
        start = max(position - block, 0)
        handle.seek(start)
        lines = (handle.read(position - start) + rest).split(b"\n")
        rest = lines[0]  # the end of a line that begins in an earlier block
        yield from (line for line in reversed(lines[1:]) if line)
        position, block = start, min(block * 2, LARGEST_BLOCK)
    if rest:
        yield rest


def start_of_seq(handle: BinaryIO, size: int, seq: int) -> int:
    """The offset of the first whole entry whose ``seq`` is at least ``seq``
    (``size`` if none): every whole entry before it has a lower one."""
    def reaches(offset: int) -> bool:  # false up to some offset, true from it on
        found = _first_entry_from(handle, offset)
        return found is None or found[1] >= seq

    low, high = 0, size
    while high - low > SCAN:
        middle = (low + high) // 2
        if reaches(middle):
            high = middle
        else:
            low = middle + 1
    found = _first_entry_from(handle, low)
    while found is not None and found[1] < seq:
        found = _first_entry_from(handle, found[2])
    return size if found is None else found[0]


def _first_entry_from(handle: BinaryIO, offset: int) -> tuple[int, int, int] | None:
    """(start, seq, end) of the first whole entry that starts at or after
    ``offset``; None if there is none.  An entry from before numbering began
    counts as ``seq`` 0."""
    handle.seek(max(offset - 1, 0))
    if offset:
        handle.readline()  # the rest of the line ``offset`` falls in
    while True:
        start = handle.tell()
        line = handle.readline()
        if not line:
            return None
        entry = parsed(line)
        if entry is not None:
            return start, int(entry.get("seq") or 0), handle.tell()
