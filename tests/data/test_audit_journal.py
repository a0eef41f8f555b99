"""The web process's journal of reads (data/audit_journal.py): a read whose
``append`` returned is in the trail however its process ends, shown to any
process that reads the trail, and written there exactly once, also when a
process moving it is killed halfway."""

import json
import random
import signal
import subprocess
import sys
import time
import zlib
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from data import Store, audit_journal
from data.audit_writing import halves
from handlers.seeding import seed_directory
from tests.conftest import NOW
from tests.data.test_audit_trail import trail

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def journal_writer(db_path, tag, count, then="keep"):
    return subprocess.Popen([sys.executable, "-m", "tests.support.journal_writer", str(db_path), tag, str(count), then],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def reads_of(entries, tag):
    return Counter(e["target"] for e in entries if e["actor"] == tag and e["action"] == "read_contacts")


def journals(db_path: Path) -> list[Path]:
    folder = db_path.parent / f"{db_path.stem}.audit-journals"
    return sorted(folder.iterdir()) if folder.exists() else []


def header_of(journal: Path) -> bytes:
    """A journal's header (empty once the journal is gone: moved whole and removed)."""
    try:
        with open(journal, "rb") as handle:
            return handle.read(audit_journal.HEADER)
    except FileNotFoundError:
        return b""


def test_reads_a_killed_process_journalled_are_shown_and_kept_once(tmp_path):
    db_path = tmp_path / "kkrbot.json"
    seed_directory(Store(db_path), NOW)
    watcher = Store(db_path)
    rng, answered = random.Random(7), Counter()
    for kill in range(8):
        process = journal_writer(db_path, f"w{kill}", 100_000)
        first = process.stdout.readline()  # it is recording reads
        time.sleep(rng.uniform(0.0, 0.2))
        process.send_signal(signal.SIGKILL)
        out, _ = process.communicate()
        done = [line for line in [first, *out.splitlines()] if line.strip().isdigit()]
        assert done, "the writer was killed before it recorded anything: the test proves nothing"
        answered[f"w{kill}"] = len(done)
        # Any process that reads the trail shows every read whose append returned.
        shown = [entry for _, entry in watcher.audit.newest_first()]
        assert reads_of(shown, f"w{kill}") >= Counter(f"w{kill}-{n}" for n in range(len(done)))
    assert journals(db_path) == [], "a dead process's journal was left behind"
    entries = trail(tmp_path)
    for tag, count in answered.items():
        counted = reads_of(entries, tag)
        assert all(counted[f"{tag}-{n}"] == 1 for n in range(count)), f"{tag}: a read lost or written twice"
    seqs = [e["seq"] for e in entries]
    assert len(seqs) == len(set(seqs))


def test_a_running_process_s_reads_are_in_another_s_search_at_once(tmp_path):
    db_path = tmp_path / "kkrbot.json"
    seed_directory(Store(db_path), NOW)
    process = journal_writer(db_path, "alive", 25)
    try:
        assert process.stdout.readline()  # its first read returned
        while process.stdout.readline().strip() != "ready":
            pass
        shown = [entry for _, entry in Store(db_path).audit.newest_first()]
        assert reads_of(shown, "alive") == Counter(f"alive-{n}" for n in range(25))
        assert process.poll() is None, "the writer should still be running (its journal was moved by another)"
    finally:
        process.kill()
        process.communicate()
    assert reads_of(trail(tmp_path), "alive") == Counter(f"alive-{n}" for n in range(25))


def test_processes_journalling_at_once_have_every_read_numbered_once(tmp_path):
    db_path = tmp_path / "kkrbot.json"
    seed_directory(Store(db_path), NOW)
    writers = [journal_writer(db_path, f"p{n}", 400, then="move") for n in range(4)]
    reader = Store(db_path)
    for _ in range(5):  # meanwhile another process reads the trail, moving what it finds
        list(reader.audit.newest_first())
        time.sleep(0.02)
    for writer in writers:
        out, err = writer.communicate(timeout=60)
        assert out.splitlines()[-1] == "moved", err
    entries = trail(tmp_path)
    for n in range(4):
        assert reads_of(entries, f"p{n}") == Counter(f"p{n}-{i}" for i in range(400))
    seqs = [e["seq"] for e in entries]
    assert seqs == sorted(seqs) and len(seqs) == len(set(seqs)), "numbered out of order or twice"


def test_a_mover_killed_halfway_writes_no_read_twice_and_loses_none(tmp_path):
    db_path = tmp_path / "kkrbot.json"
    seed_directory(Store(db_path), NOW)
    halfway, tags = 0, []
    for round_ in range(5):
        tag = f"dead{round_}"
        tags.append(tag)
        before = set(journals(db_path))
        left = journal_writer(db_path, tag, 3000, then="exit")  # about 700 KB of reads left in its journal
        left.communicate(timeout=60)
        (journal,) = set(journals(db_path)) - before
        mover = subprocess.Popen([sys.executable, "-c", "import sys; from data import Store; "
                                  "Store(sys.argv[1]).audit.move_journals()", str(db_path)], cwd=ROOT)
        # Killed the moment its header says a move is being written (and before it says it is done).
        deadline = time.monotonic() + 20
        while mover.poll() is None and time.monotonic() < deadline:
            header = header_of(journal)
            if header and int(header[audit_journal.MOVING] or 0):
                mover.send_signal(signal.SIGKILL)
                break
        mover.wait()
        header = header_of(journal)
        halfway += bool(header) and int(header[audit_journal.MOVING] or 0) > int(header[audit_journal.MOVED] or 0)
    assert halfway, "no mover was killed halfway through a move: the test proves nothing"
    Store(db_path).audit.move_journals()
    entries = trail(tmp_path)
    for tag in tags:
        assert reads_of(entries, tag) == Counter(f"{tag}-{n}" for n in range(3000)), tag
    assert journals(db_path) == []


def test_a_full_journal_is_moved_by_the_read_that_found_it_full(tmp_path, monkeypatch):
    monkeypatch.setattr(audit_journal, "MOVE_SECONDS", 3600.0)  # only the writer itself moves it
    store = Store(tmp_path / "kkrbot.json")
    store.audit.journal_reads()
    count = audit_journal.JOURNAL_BYTES // 150  # more than one journal holds
    for n in range(count):
        store.audit.append({"at": datetime.now(UTC).isoformat(timespec="microseconds"), "actor": "full",
                            "action": "read_contacts", "target": f"full-{n}"}, durable=False)
    assert len(trail(tmp_path)) > 0, "nothing was moved while the journal filled"
    store.audit.move_journals()
    assert reads_of(trail(tmp_path), "full") == Counter(f"full-{n}" for n in range(count))


def test_erasure_leaves_no_journalled_read_of_the_person_in_any_file(tmp_path):
    db_path = tmp_path / "kkrbot.json"
    seed_directory(Store(db_path), NOW)
    process = journal_writer(db_path, "ida@odense.dk", 20)  # a running process's reads, still in its journal
    try:
        while process.stdout.readline().strip() != "ready":
            pass
        changed = Store(db_path).audit.rewrite(
            lambda e: {**e, "actor": "person-1", "target": e["target"].replace("ida@odense.dk", "person-1")}
            if e["actor"] == "ida@odense.dk" else e)
        assert changed == 20
        assert process.poll() is None
        left = [p.name for p in tmp_path.rglob("*") if p.is_file() and b"ida@odense.dk" in p.read_bytes()]
        assert left == [], "the person's reads are still written somewhere"
    finally:
        process.kill()
        process.communicate()


@pytest.mark.parametrize("text", ['"quoted" \\ back', "tab\there\nnewline", "\x00\x1f\x7f", "Ærø æøå ü", "\u2028\u2029",
                                  "emoji 🎉", "", "</script>", "seq", '"seq": 1'])
@pytest.mark.parametrize("details", [False, True], ids=["a look-up's words", "with details"])
@pytest.mark.parametrize("journal", [True, False], ids=["journalled", "appended"])
def test_a_journalled_read_is_written_as_the_trail_writes_every_entry(tmp_path, text, details, journal):
    store = Store(tmp_path / "kkrbot.json")
    if journal:
        store.audit.journal_reads()
    entry = {"at": datetime.now(UTC).isoformat(timespec="microseconds"), "actor": text, "action": "read_contacts",
             "target": f"region:{text}", **({"via": text} if details else {})}
    given = store.audit.append(entry, durable=False)
    store.audit.move_journals()
    (line,) = [line for path in tmp_path.glob("kkrbot.audit-*.jsonl")
               for line in path.read_text("utf-8").split("\n") if line]  # not splitlines(): U+2028 is in a line
    written = json.loads(line)
    assert written == {**entry, "id": given["id"], "seq": written["seq"]}
    assert line == json.dumps(written, ensure_ascii=False, sort_keys=True)


def _journal_line(entry: dict) -> bytes:
    """A line as a journal holds it (data/audit_journal.py's docstring)."""
    head, tail = halves(entry)
    text = f"{head}\t{tail[:-1]}".encode()
    return b"%s %08x %s\n" % (entry["at"][:7].encode("ascii"), zlib.crc32(text), text)


@pytest.mark.parametrize("cut", ["not all copied", "copied out of order"])
def test_a_dead_process_s_whole_lines_are_moved_and_the_line_its_kill_cut_is_not(tmp_path, cut):
    db_path = tmp_path / "kkrbot.json"
    seed_directory(Store(db_path), NOW)
    at = datetime.now(UTC).isoformat(timespec="microseconds")
    lines = [_journal_line({"at": at, "actor": "dead", "action": "read_contacts", "target": f"dead-{n}",
                            "id": f"{n:032x}"}) for n in range(3)]
    last = lines[2]
    # Killed while copying its third line: the copy stopped short, or (a
    # copy need not go in order) its newline is there but not all before it.
    torn = last[:len(last) // 2] if cut == "not all copied" else last[:20] + b"X" * (len(last) - 21) + b"\n"
    body = (audit_journal.TAG + b"%016d" % audit_journal.HEADER + b"%016d" % 0).ljust(audit_journal.HEADER)
    body += lines[0] + lines[1] + torn
    folder = db_path.parent / f"{db_path.stem}.audit-journals"
    folder.mkdir()
    (folder / "999999-dead").write_bytes(body.ljust(audit_journal.JOURNAL_BYTES, b"\0"))

    shown = [entry for _, entry in Store(db_path).audit.newest_first()]
    assert reads_of(shown, "dead") == Counter({"dead-0": 1, "dead-1": 1})
    assert journals(db_path) == [], "a dead process's journal was left behind"
    assert reads_of(trail(tmp_path), "dead") == Counter({"dead-0": 1, "dead-1": 1})
    for path in tmp_path.glob("kkrbot.audit-*.jsonl"):
        assert all(json.loads(line) for line in path.read_text("utf-8").split("\n") if line), "a cut line was moved"
