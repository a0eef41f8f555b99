"""Reads that keep a part instead of asking the file system each time
(data/changes.py) never show a part older than a write that has returned,
in any process; files changed behind the store's back are read within a
second; and a look-up repeated stats no file."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from api import create_app
from api.config import Settings
from data import Store
from data.changes import RECHECK_SECONDS
from data.storage import write_atomically
from handlers.seeding import seed_directory
from handlers.tokens import create_token
from tests.conftest import NOW

ROOT = Path(__file__).resolve().parents[2]
WRITER = """
import sys
from data import Store
store = Store(sys.argv[1])
for n in range(1, 301):
    with store.write(sys.argv[2]) as tx:
        tx.insert("values", {"n": n})
    print(n, flush=True)
"""


def count(store: Store, part: str) -> int:
    with store.read(part) as view:
        return len(view.all("values"))


@pytest.mark.slow
def test_every_write_another_process_returned_is_read_at_once(tmp_path):
    db_path = tmp_path / "kkrbot.json"
    reader = Store(db_path)
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(db_path), part], cwd=ROOT,
                                stdout=subprocess.PIPE, text=True) for part in ("probe-a", "probe-b")]
    checked = 0
    for line in writers[0].stdout:  # the other writer changes another part meanwhile
        assert count(reader, "probe-a") >= int(line), "a write that had returned was not read"
        checked += 1
    for writer in writers:
        writer.communicate(timeout=60)
    assert checked == 300 and count(reader, "probe-b") == 300


def test_a_part_removed_or_replaced_through_the_store_is_read_at_once(tmp_path):
    db_path = tmp_path / "kkrbot.json"
    here, there = Store(db_path), Store(db_path)  # two processes' stores: nothing shared in memory
    with there.write("probe") as tx:
        tx.insert("values", {"n": 1})
    assert count(here, "probe") == 1
    with there.write("probe") as tx:
        tx.insert("values", {"n": 2})
    assert count(here, "probe") == 2
    there.remove("probe")
    assert count(here, "probe") == 0


def test_a_file_changed_behind_the_store_s_back_is_read_within_a_second(tmp_path):
    store = Store(tmp_path / "kkrbot.json")
    with store.write("probe") as tx:
        tx.insert("values", {"n": 1})
    assert count(store, "probe") == 1
    write_atomically(store.file_of("probe"), {"values": {"1": {"n": 1}, "2": {"n": 2}}})  # a person, a backup
    time.sleep(RECHECK_SECONDS + 0.1)
    assert count(store, "probe") == 2


def test_a_look_up_asked_again_and_again_stats_no_file(tmp_path, monkeypatch):
    db_path = tmp_path / "kkrbot.json"
    store = Store(db_path)
    seed_directory(store, NOW)
    token, _ = create_token(store, "reader", "stats", NOW)
    client = create_app(Settings(db_path=str(db_path)), store=store).test_client()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/regions/Viborg/contact", headers=headers).status_code == 200
    stats = []
    real_stat = os.stat
    monkeypatch.setattr(os, "stat", lambda path, *a, **k: stats.append(path) or real_stat(path, *a, **k))
    started = time.monotonic()
    for _ in range(50):
        assert client.get("/api/regions/Viborg/contact", headers=headers).status_code == 200
    if time.monotonic() - started < RECHECK_SECONDS:  # else the once-a-second look is due (a slow machine)
        assert [p for p in stats if str(p).startswith(str(tmp_path))] == []
