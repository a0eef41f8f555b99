"""Does the work of a request, the dispatcher or the scheduler grow with the history?

Builds a history of finished broadcasts the way the product leaves them (each
created by the real handler with its 5 KKR deliveries, forwarded to ~95
municipalities, every message sent and acknowledged through the lifecycle's
own transitions; every fifth a hearing, closed, with its closing messages
sent), and measures, against a near-empty store in the same run:

- recording an acknowledgement and reading a broadcast's status;
- an idle dispatcher tick (nothing due), warm and as a fresh process's first (cold);
- a scheduler pass with nothing due;
- ``GET /api/broadcasts?limit=20`` and ``GET /api/audit?limit=10`` (the
  newest pages), through the Flask app in-process;
- the memory a process holds after reading every broadcast's status once;
- the resident memory (RSS) of a real gunicorn worker (the Procfile's 4
  threads) after it served every page of the list, every broadcast's
  status and the audit trail's newest page over HTTP.

The baseline is a store with one such broadcast.  Both stores also hold
three live hearings waiting for their deadline, so the index of due times
is not empty.

    python -m bench.store_growth [BROADCASTS]     (default 1000)
"""

from __future__ import annotations

import gc
import json
import os
import re
import statistics
import sys
import tempfile
import time
import tracemalloc
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

from api import create_app
from api.config import Settings
from bot import scheduler
from bot.channels.outbox import OutboxChannel
from bot.dispatch import Dispatcher
from data import Store
from handlers import ack_tokens, broadcasts, deliveries, due, hearings, lifecycle
from handlers.collections import BROADCASTS
from handlers.lifecycle import new_delivery
from handlers.seeding import seed_directory
from handlers.tokens import create_token
from tests.support.http import call
from tests.support.procs import children, gunicorn

THREADS = 4  # the Procfile's threads per worker

MUNICIPAL = 98  # each broadcast reaches 5 KKR contacts and 98 municipalities: 103 deliveries
TZ = "Europe/Copenhagen"
PERSON = {"name": "Kontakt", "email": "kontakt@kommune.example.dk", "role": "municipal"}


def now() -> datetime:
    return datetime.now(UTC)


def synthetic_history(store: Store, count: int) -> None:
    """``count`` finished broadcasts, one a week back in time, oldest first."""
    for n in range(count):
        moment = now() - timedelta(weeks=count - n)
        hearing = n % 5 == 0
        raw = {"kind": "hearing" if hearing else "info", "database": "DHRD", "title": f"Tidligere {n}"}
        if hearing:
            raw["deadline"] = (moment + timedelta(days=21)).date().isoformat()
        created, _ = broadcasts.create_broadcast(store, raw, by="Anne Nakano", now=moment)
        _deliver_all(store, created["id"], moment, forward=True)
        if hearing:
            closed = moment + timedelta(days=28)
            hearings.close_hearing(store, created["id"], "De endelige indikatorer", closed, by="Anne Nakano")
            _deliver_all(store, created["id"], closed)


def _deliver_all(store: Store, broadcast_id: int, moment: datetime, forward: bool = False) -> None:
    """Queue the municipal notices (``forward``), then send and acknowledge
    everything still queued, by the lifecycle's transitions (each
    acknowledgement with its audit entry, as the product writes it), in one write."""
    with due.changing(store, BROADCASTS, broadcast_id, moment) as tx:
        for n in range(MUNICIPAL if forward else 0):
            lifecycle.queue(tx, new_delivery(2, "1082", PERSON, municipality=f"{n:04d}"), moment)
        for delivery in tx.all("deliveries"):
            if delivery["state"] == lifecycle.DeliveryState.QUEUED:
                lifecycle.claim(tx, delivery["id"], "bench", moment)
                sent = lifecycle.sent(tx, delivery["id"], "email", {}, moment)
                deliveries.acknowledge_in(tx, broadcast_id, sent, moment)  # with its audit entry


def live_hearings(store: Store) -> None:
    """Three hearings sent and waiting for their deadline (reminders still to come)."""
    for n in range(3):
        raw = {"kind": "hearing", "database": "DHRD", "title": f"Aktuel {n}",
               "deadline": (now() + timedelta(days=60)).date().isoformat()}
        created, _ = broadcasts.create_broadcast(store, raw, by="Anne Nakano", now=now())
        _deliver_all(store, created["id"], now())


def one_live_broadcast(store: Store) -> tuple[int, list[int]]:
    status, _ = broadcasts.create_broadcast(store, {"kind": "info", "database": "DHRD", "title": "Live"}, by="b",
                                            now=now())
    for item in deliveries.claim_due(store, now(), ack_tokens.server_secret(store)):
        deliveries.record_sent(store, item, "email", {}, now())
    return status["id"], [row["delivery"] for row in status["regions"]]


def median_ms(action, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def dispatcher_of(store: Store, folder: Path) -> Dispatcher:
    return Dispatcher(store, now, [OutboxChannel(folder / "outbox", "kkr-bot@localhost",
                                                 "http://localhost:3000", "da")])


def measure(store: Store, folder: Path, rounds: int = 10) -> dict[str, float]:
    writes = []
    for _ in range(rounds):
        broadcast_id, ids = one_live_broadcast(store)
        for delivery_id in ids:
            started = time.perf_counter()
            deliveries.acknowledge(store, broadcast_id, delivery_id, now())
            writes.append(time.perf_counter() - started)
    status_ms = median_ms(lambda: broadcasts.status(store, broadcast_id), 50)
    dispatcher = dispatcher_of(store, folder)
    assert dispatcher.run_once() == 0, "the bench's dispatcher tick must find nothing due"
    tick_ms = median_ms(dispatcher.run_once, 200)
    # A fresh process's first tick: nothing cached yet.
    cold_ms = median_ms(lambda: dispatcher_of(Store(store.path), folder).run_once(), 20)
    pass_ms = median_ms(lambda: scheduler.tick(store, dispatcher, now, TZ), 200)
    tokens = {role: create_token(store, role, f"bench {role}", now())[0] for role in ("reader", "admin")}
    return {"ack_ms": statistics.median(writes) * 1000, "status_ms": status_ms, "tick_ms": tick_ms,
            "cold_ms": cold_ms, "pass_ms": pass_ms, **api_medians(store, tokens),
            "held_mib": held_after_reading_all(store.path), "rss_mib": worker_rss_mib(store.path, tokens)}


def api_medians(store: Store, tokens: dict) -> dict[str, float]:
    """The newest page of the list of broadcasts and of the audit trail, through the Flask app in-process."""
    client = create_app(Settings(db_path=str(store.path)), store=store).test_client()
    found = {}
    for key, url, role in (("list_ms", "/api/broadcasts?limit=20", "reader"), ("audit_ms", "/api/audit?limit=10",
                                                                                "admin")):
        def get(url=url, role=role):
            assert client.get(url, headers={"Authorization": f"Bearer {tokens[role]}"}).status_code == 200

        median_ms(get, 20)  # warm
        found[key] = median_ms(get, 200)
    return found


def worker_rss_mib(path: Path, tokens: dict) -> float:
    """MiB resident in a real gunicorn worker (one, with the Procfile's
    threads) after it served every page of the list of broadcasts, every
    broadcast's status and the audit trail's newest page."""
    reader = {"Authorization": f"Bearer {tokens['reader']}"}
    with gunicorn(path, workers=1, threads=THREADS) as (base, master):
        worker, = children(master.pid)
        ids, url = [], "/api/broadcasts?limit=20"
        while url:
            code, page, link = get_with_link(base + url, reader)
            assert code == 200, page
            ids += [entry["id"] for entry in page]
            url = link
        for broadcast_id in ids:
            assert call("GET", f"{base}/api/broadcasts/{broadcast_id}", headers=reader)[0] == 200
        admin = {"Authorization": f"Bearer {tokens['admin']}"}
        assert call("GET", base + "/api/audit?limit=10", headers=admin)[0] == 200
        status = Path(f"/proc/{worker}/status").read_text()
    return int(re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)[1]) / 1024


def get_with_link(url: str, headers: dict) -> tuple[int, list, str | None]:
    """(status, JSON, the path of the ``rel="next"`` link or None)."""
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as response:
        link = re.search(r'<([^>]+)>;\s*rel="next"', response.headers.get("Link") or "")
        return response.status, json.loads(response.read()), link[1] if link else None


def held_after_reading_all(path: Path) -> float:
    """MiB a fresh process holds after reading every broadcast's status once."""
    tracemalloc.start()
    try:
        fresh = Store(path)
        for entry in broadcasts.list_broadcasts(fresh):
            broadcasts.status(fresh, entry["id"])
        gc.collect()
        return tracemalloc.get_traced_memory()[0] / 2**20
    finally:
        tracemalloc.stop()


RATIOS = {"ack_ms": "acknowledgement", "status_ms": "status", "list_ms": "GET /api/broadcasts?limit=20",
          "audit_ms": "GET /api/audit?limit=10", "tick_ms": "idle dispatcher tick", "cold_ms": "cold tick",
          "pass_ms": "scheduler pass", "rss_mib": "worker RSS"}


def main(count: int = 1000) -> dict:
    results = {}
    for label, size in (("1 broadcast", 1), (f"{count} broadcasts", count)):
        with tempfile.TemporaryDirectory() as name:
            folder = Path(name)
            store = Store(folder / "kkrbot.json")
            seed_directory(store, now())
            built = time.perf_counter()
            synthetic_history(store, size)
            live_hearings(store)
            built = time.perf_counter() - built
            os.sync()  # time the store, not the kernel still flushing the history just written
            records = size * (5 + MUNICIPAL) + (size + 4) // 5 * (5 + MUNICIPAL)
            entries = sum(1 for _ in store.audit.entries())
            results[label] = found = {**measure(store, folder), "records": records}
            print(f"{label:>16}: {records:>6} delivery records, {entries} audit entries (built in {built:.0f} s); "
                  f"acknowledgement {found['ack_ms']:.2f} ms, status {found['status_ms']:.2f} ms, "
                  f"list page {found['list_ms']:.2f} ms, audit page {found['audit_ms']:.2f} ms, idle dispatcher "
                  f"tick {found['tick_ms']:.3f} ms (cold {found['cold_ms']:.2f} ms), scheduler pass "
                  f"{found['pass_ms']:.3f} ms (medians); {found['held_mib']:.1f} MiB held after reading every "
                  f"status; gunicorn worker RSS {found['rss_mib']:.1f} MiB")
    small, full = results["1 broadcast"], results[f"{count} broadcasts"]
    print(f"ratio {count} broadcasts / 1 (targets: times <= 1.5, worker RSS <= 1.3): " + ", ".join(
        f"{name} {full[key] / small[key]:.2f}" for key, name in RATIOS.items()))
    return results


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
