"""A progress bar for long CLI work (``rich``), drawn only on a terminal.

In a pipe or a file, where a bar would be noise in what a script reads,
nothing is shown, and ``rich`` is not even imported.  The bar goes to
standard error, so standard output stays the command's answer.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

# ``update(done, total)``: how far the work is, as the handler counts it.
Update = Callable[[int, int], None]


@contextmanager
def bar(description: str, stream=None, in_bytes: bool = False) -> Iterator[Update]:
    """``in_bytes``: the work is counted in bytes (shown as kB, MB)."""
    stream = stream or sys.stderr
    if not stream.isatty():
        yield lambda done, total: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    count = DownloadColumn() if in_bytes else MofNCompleteColumn()
    columns = (TextColumn("{task.description}"), BarColumn(), count, TimeRemainingColumn())
    with Progress(*columns, console=Console(file=stream)) as progress:
        task = progress.add_task(description, total=None)
        yield lambda done, total: progress.update(task, completed=done, total=total)
