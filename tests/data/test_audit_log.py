"""The audit trail's promises within one process, and what recovery makes of
what a killed process leaves behind (the crash itself: test_audit_trail)."""

import json

import pytest

from data import Store


def entry(n: int, at: str = "2026-11-23T09:00:00.000001+01:00") -> dict:
    return {"at": at, "actor": "a", "action": "set_contact", "target": f"t{n}"}


def lines(store: Store, month: str = "2026-11") -> list[str]:
    return store.audit.file_of(month).read_text(encoding="utf-8").splitlines()


def test_a_transaction_s_entries_are_stored_with_its_change_or_not_at_all(tmp_path):
    store = Store(tmp_path / "kkrbot.json")
    with pytest.raises(RuntimeError), store.write("auth") as tx:
        tx.insert("tokens", {"name": "lost"})
        tx.audit.append(entry(1))
        raise RuntimeError("half way")
    assert list(store.audit.entries()) == []
    with store.write("auth") as tx:
        tx.insert("tokens", {"name": "kept"})
        tx.audit.append(entry(2))
        tx.audit.append(entry(3))
    assert [(e["target"], e["seq"]) for e in store.audit.entries()] == [("t2", 1), ("t3", 2)]
    assert set(json.loads(store.file_of("auth").read_text())) == {"tokens"}  # nothing left pending
    assert not list(tmp_path.glob("*.audit-pending"))


def test_numbering_goes_on_after_a_lost_counter_and_a_line_cut_short(tmp_path):
    store = Store(tmp_path / "kkrbot.json")
    for n in range(3):
        store.audit.append(entry(n))
    (tmp_path / "kkrbot.audit.seq").unlink()  # as a power cut may lose it
    with open(store.audit.file_of("2026-11"), "a", encoding="utf-8") as handle:
        handle.write('{"at": "2026-11-23T09:00:01.000000+01:00", "seq": 4, "act')  # a crash cut it short
    later = Store(tmp_path / "kkrbot.json")
    later.audit.append(entry(9))
    assert [e["seq"] for e in later.audit.entries()] == [1, 2, 3, 4]
    assert json.loads(lines(later)[-1])["target"] == "t9"  # on a line of its own


def test_entries_a_killed_writer_left_pending_are_appended_once_at_start(tmp_path):
    store = Store(tmp_path / "kkrbot.json")
    already = store.audit.append(entry(1))  # killed after appending, before clearing the part
    missing = {**entry(2), "id": "f" * 32}  # killed before appending
    part = {"tokens": {"1": {"name": "x"}}, "audit_pending": {"1": {**entry(1), "id": already["id"]}, "2": missing}}
    store.file_of("auth").write_text(json.dumps(part))
    (tmp_path / "kkrbot.auth.json.audit-pending").touch()

    Store(tmp_path / "kkrbot.json").recover()
    assert [(e["target"], e["seq"]) for e in store.audit.entries()] == [("t1", 1), ("t2", 2)]
    assert json.loads(store.file_of("auth").read_text()) == {"tokens": {"1": {"name": "x"}}}
    assert not list(tmp_path.glob("*.audit-pending"))


def test_a_write_appends_what_its_part_has_pending_before_its_own_entries(tmp_path):
    store = Store(tmp_path / "kkrbot.json")
    store.file_of("auth").write_text(json.dumps({"audit_pending": {"1": {**entry(1), "id": "e" * 32}}}))
    with store.write("auth") as tx:
        tx.audit.append(entry(2))
    assert [(e["target"], e["seq"]) for e in store.audit.entries()] == [("t1", 1), ("t2", 2)]


def test_a_process_keeps_appending_to_the_month_file_erasure_replaced(tmp_path):
    server = Store(tmp_path / "kkrbot.json")  # a process that keeps its month file open
    server.audit.append(entry(1))
    cli = Store(tmp_path / "kkrbot.json")  # another, erasing a person
    assert cli.audit.rewrite(lambda e: {**e, "actor": "person-0123456789"}) == 1
    server.audit.append(entry(2))
    assert [(e["actor"], e["target"]) for e in Store(tmp_path / "kkrbot.json").audit.entries()] == [
        ("person-0123456789", "t1"), ("a", "t2")]


def test_after_a_writer_killed_mid_line_the_next_entry_starts_on_a_line_of_its_own(tmp_path):
    server = Store(tmp_path / "kkrbot.json")
    server.audit.append(entry(1))
    # What a writer killed half way through its line leaves: the line cut
    # short, and the counter file's mark that lines were being written.
    with open(server.audit.file_of("2026-11"), "a", encoding="utf-8") as handle:
        handle.write('{"at": "2026-11-23T09:00:01.000000+01:00", "act')
    with open(tmp_path / "kkrbot.audit.seq", "r+b") as counter:
        counter.seek(40)
        counter.write(b"1")
    server.audit.append(entry(3))
    assert [(e["target"], e["seq"]) for e in server.audit.entries()] == [("t1", 1), ("t3", 2)]
    assert json.loads(lines(server)[-1])["target"] == "t3"


def newest(store: Store) -> list[str]:
    return [e["target"] for _, e in store.audit.newest_first()]


def test_a_store_an_older_version_left_reads_whole_its_pending_entries_and_counter_included(tmp_path):
    """An older version marked a part's pending entries only beside the part
    and kept no generation in the counter file (its bytes 41-63 are NUL)."""
    store = Store(tmp_path / "kkrbot.json")
    for n, month in enumerate(("2026-09", "2026-10", "2026-11")):
        store.audit.append(entry(n, f"{month}-23T09:00:00.000001+01:00"))
    with open(tmp_path / "kkrbot.audit.seq", "r+b") as counter:
        counter.seek(41)
        counter.write(b"\0" * 23)
    pending = {**entry(7, "2026-10-23T10:00:00.000001+01:00"), "id": "d" * 32}
    store.file_of("auth").write_text(json.dumps({"audit_pending": {"1": pending}}))
    (tmp_path / "kkrbot.auth.json.audit-pending").touch()

    upgraded = Store(tmp_path / "kkrbot.json")  # no recover(): its first read looks for the marks
    assert newest(upgraded) == ["t7", "t2", "t1", "t0"]
    assert not list(tmp_path.glob("*.audit-pending"))
    upgraded.audit.append(entry(8, "2026-09-23T11:00:00.000001+01:00"))  # late, in an older month
    assert newest(upgraded) == ["t8", "t7", "t2", "t1", "t0"]


def test_a_page_kept_across_reads_still_shows_first_what_another_process_wrote_late_or_in_a_new_month(tmp_path):
    reader = Store(tmp_path / "kkrbot.json")
    writer = Store(tmp_path / "kkrbot.json")  # another process's view: its own appender, the same files
    for n, month in enumerate(("2026-09", "2026-10", "2026-11")):
        writer.audit.append(entry(n, f"{month}-23T09:00:00.000001+01:00"))
    assert newest(reader) == ["t2", "t1", "t0"]
    writer.audit.append(entry(3, "2026-11-24T09:00:00.000001+01:00"))  # the month last written
    assert newest(reader) == ["t3", "t2", "t1", "t0"]
    writer.audit.append(entry(4, "2026-09-24T09:00:00.000001+01:00"))  # late, in the oldest month
    assert newest(reader)[:2] == ["t4", "t3"]
    writer.audit.append(entry(5, "2026-12-01T09:00:00.000001+01:00"))  # a new month file
    assert newest(reader)[:3] == ["t5", "t4", "t3"]
    writer.audit.append(entry(6, "2026-12-01T10:00:00.000001+01:00"))
    assert newest(reader) == ["t6", "t5", "t4", "t3", "t2", "t1", "t0"]
    places = [place for place, _ in reader.audit.newest_first()]
    assert [e["target"] for _, e in reader.audit.newest_first(before=places[2])] == ["t3", "t2", "t1", "t0"]
