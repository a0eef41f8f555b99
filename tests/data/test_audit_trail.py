"""The audit trail across processes: a change and its entry are kept or lost
together however a writer is killed, and entries are numbered (``seq``)
and timed to the microsecond so their order can be recovered."""

import json
import random
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest

from data import Store
from handlers.seeding import seed_directory
from tests.conftest import NOW
from tests.support.audit_writer import CODES
from tests.support.procs import bot_env

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow
KILLS = 40


def writer(db_path, tag, count=None):
    return subprocess.Popen([sys.executable, "-m", "tests.support.audit_writer", str(db_path), tag,
                             *([str(count)] if count else [])],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def trail(folder: Path) -> list[dict]:
    """Every entry in the files, in file order (a line cut short is skipped)."""
    entries = []
    for path in sorted(folder.glob("kkrbot.audit-*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                entries.append(json.loads(line))
            except ValueError:
                continue
    return entries


def stored(folder: Path, part: str, table: str) -> list[dict]:
    path = folder / (f"kkrbot.{part}.json" if part != "directory" else "kkrbot.json")
    return list(json.loads(path.read_text(encoding="utf-8")).get(table, {}).values())


def test_a_writer_killed_at_random_never_keeps_a_change_without_its_entry_or_an_entry_without_its_change(tmp_path):
    db_path = tmp_path / "kkrbot.json"
    seed_directory(Store(db_path), NOW)
    watcher = Store(db_path)  # a process running all along: it looked for durable marks at its first read
    list(watcher.audit.newest_first())
    rng, pending_found = random.Random(16), 0
    for kill in range(KILLS):
        process = writer(db_path, f"run{kill}")
        process.stdout.readline()  # it is changing the store
        time.sleep(rng.uniform(0.0, 0.08))
        process.send_signal(signal.SIGKILL)
        process.communicate()
        # Its next read finds, by the quick marks alone, every entry the kill left pending.
        left = len(list(tmp_path.glob("*.audit-pending")))
        seen = {entry["id"] for _, entry in watcher.audit.newest_first()}
        assert not list(tmp_path.glob("*.audit-pending")), "a pending entry a running process's read missed"
        assert seen == {entry["id"] for entry in trail(tmp_path)}
        pending_found += left
    assert pending_found, "no kill left an entry pending: the test proves nothing"
    # What the app does at start (here through the CLI's open_store) recovers what the kills left.
    subprocess.run([sys.executable, "-m", "bot", "token", "list"], cwd=ROOT, env=bot_env(db_path), check=True,
                   capture_output=True)
    entries = trail(tmp_path)

    tokens = stored(tmp_path, "auth", "tokens")
    created = Counter(e["target"] for e in entries if e["action"] == "token_create")
    assert len(tokens) >= KILLS
    assert created == Counter(f"token:{t['hash'][:12]}" for t in tokens), "a token without exactly one entry"

    contacts = {c["municipality"]: c for c in stored(tmp_path, "directory", "contacts") if c["role"] == "municipal"}
    for code in CODES:
        chain = [e for e in entries if e["action"] == "set_contact" and e["target"] == f"municipal:{code}"]
        before = None
        for entry in chain:  # each change's old value is the new value of the one before it
            assert entry.get("old") == before, f"municipal:{code}: an entry missing, doubled or without its change"
            before = entry["new"]
        assert before is not None and before["name"] == contacts[code]["name"], f"municipal:{code}: last change"


def test_concurrent_writers_get_strictly_increasing_seq_and_microsecond_times(tmp_path):
    db_path = tmp_path / "kkrbot.json"
    seed_directory(Store(db_path), NOW)
    rounds, tags = 40, [f"w{n}" for n in range(4)]
    writers = [writer(db_path, tag, rounds) for tag in tags]
    for process in writers:
        assert process.wait(timeout=180) == 0, process.stderr.read()
    entries = trail(tmp_path)
    assert len(entries) == len(tags) * rounds * 2  # a change and a read per round

    seqs = [e["seq"] for e in entries]
    assert seqs == sorted(set(seqs)), "seq is not strictly increasing through the trail"
    assert all(re.search(r"T\d\d:\d\d:\d\d\.\d{6}", e["at"]) for e in entries), "`at` without microseconds"
    assert len({e["id"] for e in entries}) == len(entries)
    for tag in tags:
        own = sorted((e for e in entries if e["actor"] == tag), key=lambda e: e["seq"])
        names = [e.get("name") or e["new"]["name"] for e in own if e["action"] != "read_contacts"]
        assert names == [f"{tag}-{n}" for n in range(rounds)], f"{tag}: seq order is not the writer's order"
        times = [datetime.fromisoformat(e["at"]) for e in own]
        assert times == sorted(times), f"{tag}: seq order is not the writer's time order"
