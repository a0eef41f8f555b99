"""The system calls made while holding a lock that other processes wait
for, made without letting go of Python's GIL.

CPython releases the GIL around every system call (``os.write``,
``fcntl.flock``) so that other threads may run meanwhile.  When the call
returns, the thread must take the GIL back, and if another thread of the
process is running it waits until that thread is asked to give it up: up to
the switch interval, 5 ms.  A wait like that while holding the audit lock
is every process's wait: with gunicorn's threads busy, it is what bounded
the look-up's throughput and its p99.  Taking a free lock or writing a
line to the page cache takes microseconds, so these calls keep the GIL
(functions called through ``ctypes.PyDLL`` do not release it); a lock held
by someone else is waited for as usual, with the GIL released.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os

_libc = ctypes.PyDLL(None, use_errno=True)
_flock = _libc.flock
_flock.argtypes, _flock.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
_write = _libc.write
_write.argtypes, _write.restype = (ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t), ctypes.c_ssize_t


def lock(fd: int) -> None:
    """An exclusive ``flock`` on ``fd``: at once if it is free, else waited for with the GIL released."""
    if _flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB) == 0:
        return
    failure = ctypes.get_errno()
    if failure not in (errno.EWOULDBLOCK, errno.EINTR):
        raise OSError(failure, os.strerror(failure))
    fcntl.flock(fd, fcntl.LOCK_EX)


def unlock(fd: int) -> None:
    if _flock(fd, fcntl.LOCK_UN) != 0:
        failure = ctypes.get_errno()
        raise OSError(failure, os.strerror(failure))


def write(fd: int, data: bytes) -> None:
    """All of ``data`` written to ``fd``."""
    while data:
        written = _write(fd, data, len(data))
        if written < 0:
            failure = ctypes.get_errno()
            if failure == errno.EINTR:
                continue
            raise OSError(failure, os.strerror(failure))
        data = data[written:]
