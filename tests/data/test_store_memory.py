"""A process's memory does not grow with the history: reading the parts of
hundreds of old records keeps only the most recently read in memory, while
reads still see each part as it is on disk."""

import gc
import tracemalloc

from data import Store

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
        after_100 = held_after_reading(store, range(1, 101)) - base
        after_400 = held_after_reading(store, range(1, 401)) - base
    finally:
        tracemalloc.stop()
    assert after_400 < 1.3 * after_100, (after_100, after_400)


def test_a_part_read_again_after_it_left_memory_is_read_as_it_is_now(tmp_path):
    store = Store(tmp_path / "kkrbot.json")
    write_records(store, 200)
    held_after_reading(store, range(1, 201))
    with Store(tmp_path / "kkrbot.json").write("broadcast-1") as tx:  # another process
        tx.insert("deliveries", DELIVERY)
    with store.read("broadcast-1") as view:
        assert view.count("deliveries") == 41
