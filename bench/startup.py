"""How long a terminal command takes, against the interpreter importing TinyDB.

Times ``echo '/kkr Viborg' | python -m bot shell`` (start, open the store,
answer, audit the read, exit) against ``python -c "import tinydb"`` (start
and import the store's one library), alternating, median of RUNS each, in
the same run.  Bytecode caches are allowed (as an installed app has them):
a first untimed run of each writes them.

    python -m bench.startup [RUNS]
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = 10
SHELL = [sys.executable, "-m", "bot", "shell"]
BASELINE = [sys.executable, "-c", "import tinydb"]


def timed(command: list[str], env: dict, stdin: str = "") -> float:
    started = time.perf_counter()
    done = subprocess.run(command, input=stdin, capture_output=True, text=True, cwd=ROOT, env=env, check=True)
    elapsed = time.perf_counter() - started
    assert "Jonas Thor Björnson" in done.stdout or command is BASELINE, done.stdout + done.stderr
    return elapsed


def benchmark(runs: int = RUNS) -> float:
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "KKRBOT_DB": str(Path(folder) / "kkrbot.json")}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        timed(SHELL, env, "/kkr Viborg\n")  # seeds the store, writes bytecode caches
        timed(BASELINE, env)
        shell, baseline = [], []
        for _ in range(runs):
            shell.append(timed(SHELL, env, "/kkr Viborg\n"))
            baseline.append(timed(BASELINE, env))
    ratio = statistics.median(shell) / statistics.median(baseline)
    print(f"echo '/kkr Viborg' | python -m bot shell: median {statistics.median(shell) * 1000:.0f} ms; "
          f"python -c \"import tinydb\": median {statistics.median(baseline) * 1000:.0f} ms; ratio {ratio:.2f} "
          f"(target <= 3; {runs} runs each, alternating)")
    return ratio


if __name__ == "__main__":
    benchmark(int(sys.argv[1]) if len(sys.argv) > 1 else RUNS)
