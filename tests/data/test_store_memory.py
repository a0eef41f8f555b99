"""A process's memory does not grow with the history: reading the parts of
hundreds of old records keeps only the most recently read in memory, while
reads still see each part as it is on disk."""

import gc
import tracemalloc

from data import Store
from handlers.lifecycle import new_delivery

DELIVERY = {"state": "acknowledged", "recipient": {"name": "Kontakt", "email": "kontakt@kommune.example.dk"},
            "region": "1082", "municipality": "0791", "sent_at": "2026-11-23T09:00:00+01:00"}


def write_records(store, count):
    for n in range(1, count + 1):
        with store.write(f"broadcast-{n}") as tx:
            tx.put("broadcast", 1, {"kind": "info", "title": f"Udsendelse {n}"})
            for _ in range(40):
                tx.insert("deliveries", DELIVERY)


def held_after_reading(store, ids) -> int:
    for n in ids:
        with store.read(f"broadcast-{n}") as view:
            assert view.get("broadcast", 1)["title"] == f"Udsendelse {n}"
            assert view.count("deliveries") == 40
    gc.collect()
    return tracemalloc.get_traced_memory()[0]


def test_reading_the_whole_history_keeps_a_bounded_amount_in_memory(tmp_path):
    store = Store(tmp_path / "kkrbot.json")
    write_records(store, 400)
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        after_200 = held_after_reading(store, range(1, 201)) - base  # more than the copies kept (1 MiB of files)
        after_400 = held_after_reading(store, range(1, 401)) - base
    finally:
        tracemalloc.stop()
    assert after_400 < 1.3 * after_200, (after_200, after_400)


def test_a_part_read_again_after_it_left_memory_is_read_as_it_is_now(tmp_path):
    store = Store(tmp_path / "kkrbot.json")
    write_records(store, 200)
    held_after_reading(store, range(1, 201))
    with Store(tmp_path / "kkrbot.json").write("broadcast-1") as tx:  # another process
        tx.insert("deliveries", DELIVERY)
    with store.read("broadcast-1") as view:
        assert view.count("deliveries") == 41


def test_the_copies_kept_are_bounded_in_size_not_in_number(tmp_path):
    """Broadcasts of the product's size (103 deliveries, each with the
    fields the lifecycle writes): however many a process reads, what it
    keeps of them stays within a few MiB (a gunicorn worker's memory at
    1,000 broadcasts grew 1.5-fold while it kept 64 of them)."""
    store = Store(tmp_path / "kkrbot.json")
    stamp = "2026-11-23T09:00:00.123456+00:00"
    sent = {"state": "acknowledged", "channel": "email", "sent_at": stamp, "acknowledged_at": stamp,
            "acknowledged_by": "Kontakt", "last_error": None, "next_attempt_at": None, "claimed_at": stamp,
            "lease_owner": "worker-1234", "ref": {"message_id": "<delivery-1@kkr-bot>"}}
    with store.write("broadcast-1") as tx:
        tx.put("broadcast", 1, {"kind": "info", "title": "Udsendelse 1"})
        for n in range(103):
            person = {"name": f"Kontakt {n}", "email": f"kontakt{n}@kommune.example.dk", "role": "municipal"}
            tx.insert("deliveries", {**new_delivery(2, "1082", person, municipality=f"{n:04d}"), **sent})
    text = store.file_of("broadcast-1").read_text(encoding="utf-8")
    for n in range(2, 101):
        store.file_of(f"broadcast-{n}").write_text(text.replace("Udsendelse 1", f"Udsendelse {n}"), encoding="utf-8")
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        for n in range(1, 101):
            with store.read(f"broadcast-{n}") as view:
                assert view.get("broadcast", 1)["title"] == f"Udsendelse {n}" and view.count("deliveries") == 103
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()
    assert held < 6 * 2**20, f"{held / 2**20:.1f} MiB held"
