"""A creation killed half way is completed by its retry with the same
Idempotency-Key: each ends as one whole broadcast (or appointment request)
that is listed and sent; none is lost (404) or made twice."""

import itertools
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from data import Store
from handlers.seeding import seed_directory
from tests.conftest import NOW
from tests.support.creator import body
from tests.support.http import call
from tests.support.procs import children, gunicorn, make_token
from tests.support.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow
KILLS = 30


def appointment(key: str) -> dict:
    return {"disease_area": f"Område {key}", "representatives": 2,
            "justification": "To repræsentanter dækker forløbet."}


def interrupted_creations(db_path, seed: int) -> list[str]:
    """Kill a process creating broadcasts KILLS times at random moments;
    return the keys of every creation it started."""
    seed_directory(Store(db_path), NOW)
    rng, keys = random.Random(seed), []
    for kill in range(KILLS):
        process = subprocess.Popen([sys.executable, "-m", "tests.support.creator", str(db_path), f"run{kill}"],
                                   cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        first = process.stdout.readline()  # it is creating
        time.sleep(rng.uniform(0.0, 0.05))
        process.send_signal(signal.SIGKILL)
        out, _ = process.communicate()
        keys += [line.split()[1] for line in (first + out).splitlines() if line.startswith("start ")]
    return keys


def every_broadcast(base: str, auth: dict) -> list[dict]:
    """All pages of ``GET /api/broadcasts``."""
    found, query = [], "limit=200"
    while True:
        page = call("GET", f"{base}/api/broadcasts?{query}", headers=auth)[1]
        found += page
        if len(page) < 200:
            return found
        query = f"limit=200&before={page[-1]['id']}"


def test_a_broadcast_creation_killed_half_way_is_completed_by_its_retry(tmp_path):
    db_path = tmp_path / "kkrbot.json"
    keys = interrupted_creations(db_path, seed=18)
    auth = {"Authorization": f"Bearer {make_token(db_path, 'consultant')}"}
    with gunicorn(db_path, workers=2) as (base, _master):
        made = {}
        for key in keys:
            status, answer = call("POST", f"{base}/api/broadcasts", body(key),
                                  {**auth, "Idempotency-Key": key})
            assert status in (200, 201), f"{key}: retry answered {status} {answer}"
            assert len(answer["regions"]) == 5 and all(r["delivery"] for r in answer["regions"]), key
            made[key] = answer["id"]
        listed = Counter(b["title"] for b in every_broadcast(base, auth))
        assert listed == Counter(body(key)["title"] for key in keys), "lost or made twice"
        assert len(set(made.values())) == len(keys)

        def unsent() -> list[int]:
            return [i for i in made.values() if {r["state"] for r in
                                                 call("GET", f"{base}/api/broadcasts/{i}", headers=auth)[1]["regions"]}
                    != {"sent"}]

        wait_until(lambda: not unsent(), timeout=60, what="every broadcast sent to its 5 regions")


def test_appointment_requests_posted_while_workers_are_killed_are_each_made_once_and_sent(tmp_path):
    """Clients open requests, each retried with its key until answered, while
    gunicorn workers are killed; then each key is sent once more."""
    db_path = tmp_path / "kkrbot.json"
    auth = {"Authorization": f"Bearer {make_token(db_path, 'consultant')}"}
    rng, keys, failures, cut, stop = random.Random(19), [], [], [], threading.Event()
    with gunicorn(db_path, workers=3) as (base, master):

        def post(key: str, deadline: float):
            while time.monotonic() < deadline:
                try:
                    return call("POST", f"{base}/api/databases/DHRD/appointments", appointment(key),
                                {**auth, "Idempotency-Key": key}, timeout=5)
                except OSError:
                    cut.append(key)  # its worker was killed: retry with the same key
                    time.sleep(0.05)
            return None, None

        def client(tag: str) -> None:
            for n in itertools.count():
                if stop.is_set():
                    return
                keys.append(f"{tag}-{n}")
                status, answer = post(keys[-1], time.monotonic() + 30)
                if status not in (200, 201):
                    failures.append((keys[-1], status, answer))

        threads = [threading.Thread(target=client, args=(f"c{n}",)) for n in range(6)]
        for thread in threads:
            thread.start()
        for _kill in range(KILLS):
            time.sleep(rng.uniform(0.2, 0.6))
            workers = children(master.pid)
            if workers:
                os.kill(rng.choice(workers), signal.SIGKILL)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        assert failures == [] and len(cut) >= 5, f"{len(cut)} requests cut short"
        made = {key: post(key, time.monotonic() + 30) for key in keys}
        assert all(status == 200 for status, _ in made.values()), "a retry made a new request"
        listed = Counter(r["disease_area"] for r in call("GET", f"{base}/api/appointments", headers=auth)[1])
        assert listed == Counter(appointment(key)["disease_area"] for key in keys), "lost or made twice"

        def unsent() -> list[int]:
            return [a["id"] for _, a in made.values()
                    if (call("GET", f"{base}/api/appointments/{a['id']}", headers=auth)[1]["sent_to_kl"] or {}
                        ).get("state") != "sent"]

        wait_until(lambda: not unsent(), timeout=60, what="every request sent to KL")
