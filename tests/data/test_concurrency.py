"""The store across processes: concurrent writers lose no update, and a
writer killed with SIGKILL at any moment leaves a file that parses and holds
every write it had reported done."""

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from data import Store
from data.storage import TEMP_PREFIX

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def writer(db_path, tag, count):
    return subprocess.Popen([sys.executable, "-m", "tests.support.writer", str(db_path), tag, str(count)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def journal(db_path):
    data = json.loads(Path(db_path).with_name("kkrbot.journal.json").read_text())
    return data.get("entries", {}), data.get("counter", {}).get("1", {}).get("value", 0)


def test_concurrent_writer_processes_lose_no_update(tmp_path):
    db_path = tmp_path / "kkrbot.json"
    writers = [writer(db_path, f"w{n}", 60) for n in range(4)]
    for process in writers:
        assert process.wait(timeout=120) == 0, process.stderr.read()
    entries, counter = journal(db_path)
    assert counter == 240
    assert len(entries) == 240
    for n in range(4):
        assert sorted(e["n"] for e in entries.values() if e["tag"] == f"w{n}") == list(range(60))
    assert sorted(int(key) for key in entries) == list(range(1, 241))  # no id handed out twice


def test_a_writer_killed_mid_write_leaves_a_readable_store_with_every_answered_write(tmp_path):
    db_path = tmp_path / "kkrbot.json"
    rng = random.Random(7)
    acknowledged = {}
    deadline = time.monotonic() + 25
    kills = 0
    while kills < 40 and time.monotonic() < deadline:
        tag = f"run{kills}"
        process = writer(db_path, tag, 100_000)
        process.stdout.readline()  # it is writing
        time.sleep(rng.uniform(0.0, 0.15))
        process.send_signal(signal.SIGKILL)
        out, _ = process.communicate()
        lines = [int(line) for line in out.split() if line.strip().isdigit()]
        acknowledged[tag] = max(lines) + 1 if lines else 1  # the first readline was a done write too
        kills += 1
        entries, counter = journal(db_path)  # parses after every kill
        for done_tag, count in acknowledged.items():
            written = {e["n"] for e in entries.values() if e["tag"] == done_tag}
            assert set(range(count)) <= written, f"{done_tag}: a write answered as done was lost"
        assert counter == len(entries)
    assert kills >= 20
    Store(db_path).remove_stray_temp_files()
    assert not list(tmp_path.glob(TEMP_PREFIX + "*"))
    os.sync()
