"""The store's promises within one process."""

import json

import pytest

from data import Store
from data.storage import TEMP_PREFIX


def test_a_failed_transaction_writes_nothing(tmp_path):
    store = Store(tmp_path / "k.json")
    with store.write() as tx:
        tx.insert("people", {"name": "Anne"})
    before = store.path.read_bytes()
    with pytest.raises(RuntimeError), store.write() as tx:
        tx.insert("people", {"name": "Bo"})
        tx.update("people", 1, {"name": "changed"})
        raise RuntimeError("half way")
    assert store.path.read_bytes() == before
    with store.read() as view:
        assert [p["name"] for p in view.all("people")] == ["Anne"]


def test_several_changes_are_one_write(tmp_path):
    store = Store(tmp_path / "k.json")
    with store.write() as tx:
        for n in range(3):
            tx.insert("people", {"n": n})
        assert not store.path.exists()  # nothing reaches the disk before the block ends
    assert len(json.loads(store.path.read_text())["people"]) == 3


def test_stray_temp_files_are_removed_and_nothing_else(tmp_path):
    store = Store(tmp_path / "k.json")
    with store.write() as tx:
        tx.insert("people", {"name": "Anne"})
    strays = [tmp_path / f"{TEMP_PREFIX}k.json.abc123", tmp_path / f"{TEMP_PREFIX}k.auth.json.x9"]
    for stray in strays:
        stray.write_text('{"half": ')
    keep = tmp_path / "notes.json"
    keep.write_text("{}")
    removed = store.remove_stray_temp_files()
    assert sorted(removed) == sorted(strays)
    assert not any(path.exists() for path in strays)
    assert keep.exists() and store.path.exists()


def test_a_second_store_object_sees_writes_and_does_not_reuse_ids(tmp_path):
    first, second = Store(tmp_path / "k.json"), Store(tmp_path / "k.json")
    with first.write() as tx:
        tx.insert("people", {"name": "Anne"})
    with second.read() as view:  # second caches this version
        assert len(view.all("people")) == 1
    with first.write() as tx:
        tx.insert("people", {"name": "Bo"})
    with second.read() as view:
        assert [p["name"] for p in view.all("people")] == ["Anne", "Bo"]
    with second.write() as tx:
        made = tx.insert("people", {"name": "Cy"})
    assert made["id"] == 3
    with first.read() as view:
        assert sorted(p["id"] for p in view.all("people")) == [1, 2, 3]


def test_reads_are_read_only(tmp_path):
    store = Store(tmp_path / "k.json")
    with store.write() as tx:
        tx.insert("people", {"name": "Anne"})
    with store.read() as view, pytest.raises(AttributeError):
        view.insert("people", {"name": "Bo"})


def test_parts_are_separate_files(tmp_path):
    store = Store(tmp_path / "kkrbot.json")
    with store.write("broadcast-7") as tx:
        tx.insert("deliveries", {"n": 1})
    assert store.file_of("broadcast-7").name == "kkrbot.broadcast-7.json"
    assert not store.path.exists()
