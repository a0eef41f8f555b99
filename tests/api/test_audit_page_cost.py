"""The newest page of the audit trail costs the same however long the
history: ``GET /api/audit?limit=10`` over 231 month files, beside some
2,300 record files, touches the store's folder no more than over one month.

Work is counted, not timed: the files the request opens (Python's audit
events ``open``), the names of every folder it lists (``os.listdir`` and
``os.scandir`` events, each counted by how many names that folder holds)
and the paths it stats (``os.stat``, wrapped to count)."""

from __future__ import annotations

import os
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

from api import create_app
from api.config import Settings
from data import Store
from handlers.seeding import seed_directory
from handlers.tokens import create_token
from tests.conftest import NOW

_counting: list[Counter] = []  # the counter of the request being measured, if any
_folder: list[str] = []


def _hook(event: str, args: tuple) -> None:
    if not _counting or event not in ("open", "os.listdir", "os.scandir"):
        return
    path = args[0]
    if isinstance(path, (str, bytes, os.PathLike)) and os.fsdecode(path).startswith(_folder[0]):
        _counting[0]["opened" if event == "open" else "listed: " + os.fsdecode(path)] += 1


sys.addaudithook(_hook)  # stays for the process; counts only while a test measures


def history(folder: Path, months: int) -> tuple:
    """A store whose trail spans ``months`` month files (12 entries each, the
    last month November's, as the request's own entry) and ten record files
    a month beside it, as a long history leaves; an app over it and an admin."""
    db_path = folder / "kkrbot.json"
    store = Store(db_path)
    seed_directory(store, NOW)
    for month in range(months):
        when = NOW - timedelta(days=31 * (months - 1 - month))
        store.audit.append_all([{"at": (when + timedelta(seconds=n)).isoformat(), "actor": "a",
                                 "action": "read_contacts", "target": f"region:{1081 + n % 5}"} for n in range(12)])
        for n in range(10):
            store.file_of(f"broadcast-{month * 10 + n + 1}").write_text("{}", encoding="utf-8")
    token, _ = create_token(store, "admin", "auditor", NOW)
    app = create_app(Settings(db_path=str(db_path), lang="da"), store=store, clock=lambda: NOW)
    return store, app.test_client(), {"Authorization": f"Bearer {token}"}


def newest_page_work(folder: Path, months: int, monkeypatch) -> Counter:
    store, client, admin = history(folder, months)
    assert len(store.audit.months()) == months
    for _ in range(2):  # a process's first reads may fill what it keeps
        assert client.get("/api/audit?limit=10", headers=admin).status_code == 200
    work: Counter = Counter()
    real_stat = os.stat

    def stat(path, *args, **kwargs):
        if os.fsdecode(path).startswith(_folder[0]):
            work["stat-ed"] += 1
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", stat)
    _folder[:] = [str(folder)]
    _counting[:] = [work]
    try:
        response = client.get("/api/audit?limit=10", headers=admin)
    finally:
        _counting.clear()
        monkeypatch.setattr(os, "stat", real_stat)
    assert response.status_code == 200 and len(response.json) == 10
    listed = [name for name in work if name.startswith("listed: ")]
    for name in listed:  # each listing weighs as many names as its folder holds
        work["names listed"] += work.pop(name) * len(os.listdir(name[len("listed: "):]))
    return work


def test_the_newest_page_of_231_months_touches_the_folder_no_more_than_that_of_one(tmp_path, monkeypatch):
    one = newest_page_work(tmp_path / "one", 1, monkeypatch)
    long = newest_page_work(tmp_path / "long", 231, monkeypatch)
    assert long == one, f"231 months: {dict(long)}; 1 month: {dict(one)}"
