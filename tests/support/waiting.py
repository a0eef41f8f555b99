"""Waiting for what a background thread or another process does."""

from __future__ import annotations

import time


def wait_until(predicate, timeout: float = 10.0, interval: float = 0.05, what: str = "condition"):
    """Call ``predicate`` until it returns something true and return that;
    fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        found = predicate()
        if found:
            return found
        assert time.monotonic() < deadline, f"{what} not met within {timeout} s"
        time.sleep(interval)
