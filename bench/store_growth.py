"""Does recording an acknowledgement get slower as history grows?

Builds 10 years of synthetic history (about 50 broadcasts a year, each with
its 5 KKR deliveries and ~95 municipal ones: ≈50,000 records) and measures,
against a near-empty store in the same run, the latency of the two hot
operations: recording an acknowledgement and reading a broadcast's status.

    python -m bench.store_growth [YEARS]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from data import Store
from handlers import ack_tokens, broadcasts, deliveries
from handlers.broadcasts import INDEX, new_delivery, part_of
from handlers.clock import stamp
from handlers.seeding import seed_directory

PER_YEAR = 50
MUNICIPAL = 95


def now() -> datetime:
    return datetime.now(UTC)


def synthetic_history(store: Store, count: int) -> None:
    """``count`` past broadcasts, written straight into their parts."""
    moment = stamp(now())
    with store.write(INDEX) as tx:
        for n in range(count):
            tx.insert("broadcasts", {"kind": "info", "database": "DHRD", "title": f"Old {n}", "state": "closed",
                                     "created_at": moment, "key": None})
    for broadcast_id in range(1, count + 1):
        with store.write(part_of(broadcast_id)) as tx:
            tx.put("broadcast", 1, {"kind": "info", "database": "DHRD", "title": "Old", "created_at": moment})
            person = {"name": "Kontakt", "email": "kontakt@kommune.example.dk", "role": "municipal"}
            for tier, region, count_ in ((1, "1082", 5), (2, "1082", MUNICIPAL)):
                for _ in range(count_):
                    tx.insert("deliveries", {**new_delivery(tier, region, person), "state": "acknowledged",
                                             "sent_at": moment, "acknowledged_at": moment})


def one_live_broadcast(store: Store) -> tuple[int, list[int]]:
    status, _ = broadcasts.create_broadcast(store, {"kind": "info", "database": "DHRD", "title": "Live"}, by="b",
                                            now=now())
    for item in deliveries.claim_due(store, now(), ack_tokens.server_secret(store)):
        deliveries.record_sent(store, item, "email", {}, now())
    return status["id"], [row["delivery"] for row in status["regions"]]


def measure(store: Store, rounds: int = 10) -> dict[str, float]:
    writes, reads = [], []
    for _ in range(rounds):
        broadcast_id, ids = one_live_broadcast(store)
        for delivery_id in ids:
            started = time.perf_counter()
            deliveries.acknowledge(store, broadcast_id, delivery_id, now())
            writes.append(time.perf_counter() - started)
    for _ in range(50):
        started = time.perf_counter()
        broadcasts.status(store, broadcast_id)
        reads.append(time.perf_counter() - started)
    return {"ack_ms": statistics.median(writes) * 1000, "status_ms": statistics.median(reads) * 1000}


def main(years: int = 10) -> dict:
    results = {}
    for label, count in (("near-empty", 0), (f"{years} years", years * PER_YEAR)):
        with tempfile.TemporaryDirectory() as folder:
            store = Store(Path(folder) / "kkrbot.json")
            seed_directory(store, now())
            synthetic_history(store, count)
            records = count * (5 + MUNICIPAL)
            results[label] = {**measure(store), "records": records}
            print(f"{label:>11}: {records:>6} history records; record an acknowledgement "
                  f"{results[label]['ack_ms']:.2f} ms, read a status {results[label]['status_ms']:.2f} ms (medians)")
    empty, full = results["near-empty"], results[f"{years} years"]
    print(f"ratio {years} years / near-empty: acknowledgement {full['ack_ms'] / empty['ack_ms']:.2f}, "
          f"status {full['status_ms'] / empty['status_ms']:.2f}")
    return results


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
