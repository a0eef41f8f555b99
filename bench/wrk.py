"""Driving a server with ``wrk`` (Debian: ``apt-get install -y wrk``), a load
generator in C that keeps its connections open, so that it, not the
server, is never what limits the figures; and checking that it was not."""

from __future__ import annotations

import re
import resource
import shutil
import statistics
import subprocess
import tempfile
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

MISSING = ("wrk is not installed, so the look-up benchmark cannot run: it needs a load generator that is not the "
           "bottleneck (Debian: apt-get install -y wrk)")
_SCRIPT = """
local paths = {%s}
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[n %% #paths + 1])
end
"""
_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


@dataclass
class Run:
    requests_per_second: float
    p99_ms: float
    p50_ms: float
    failed: int  # answers other than 2xx/3xx, and socket errors
    client_cpu: float  # wrk's CPU time over the run's wall time: 1.0 is one core kept busy


def available() -> bool:
    return shutil.which("wrk") is not None


def run(base: str, paths: list[str], seconds: float, connections: int = 8, threads: int = 2,
        headers: dict | None = None) -> Run:
    """``wrk`` against ``base``, cycling through ``paths``."""
    quoted = ", ".join(f'"{urllib.parse.quote(path, safe="/")}"' for path in paths)
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "paths.lua"
        script.write_text(_SCRIPT % quoted, encoding="utf-8")
        command = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds:g}s", "--latency",
                   "-s", str(script)]
        for name, value in (headers or {}).items():
            command += ["-H", f"{name}: {value}"]
        before, started = resource.getrusage(resource.RUSAGE_CHILDREN), time.monotonic()
        done = subprocess.run([*command, base], capture_output=True, text=True, check=True)
        after, wall = resource.getrusage(resource.RUSAGE_CHILDREN), time.monotonic() - started
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return parse(done.stdout, cpu / wall)


def parse(report: str, client_cpu: float) -> Run:
    def latency(percent: str) -> float:
        value, unit = re.search(rf"^\s*{percent}%\s+([\d.]+)(us|ms|s)\s*$", report, re.M).groups()
        return float(value) * _UNITS[unit]

    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", report)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", report)
    failed = (int(non_2xx[1]) if non_2xx else 0) + (sum(map(int, errors.groups())) if errors else 0)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", report)[1])
    return Run(rate, latency("99"), latency("50"), failed, client_cpu)


def combined(slices: list[Run]) -> Run:
    """Equal-length runs as one: their mean rate, the median of their p99s and p50s."""
    return Run(statistics.mean(r.requests_per_second for r in slices), statistics.median(r.p99_ms for r in slices),
               statistics.median(r.p50_ms for r in slices), sum(r.failed for r in slices),
               max(r.client_cpu for r in slices))
