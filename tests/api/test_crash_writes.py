"""A gunicorn worker killed with SIGKILL 100 times while clients record
acknowledgements and hearing replies: afterwards every store file parses and
holds every write that was answered with success."""

import json
import os
import random
import signal
import threading
import time

import pytest

from data import Store
from data.seed import load_seed
from handlers import ack_tokens, broadcasts, deliveries, forwarding
from handlers.directory_admin import set_municipality_contact
from handlers.seeding import seed_directory
from handlers.tokens import create_token
from tests.conftest import NOW
from tests.support.http import call
from tests.support.procs import children, gunicorn
from tests.support.waiting import wait_until

pytestmark = pytest.mark.slow
KILLS = 100


def prepare(db_path):
    """A hearing delivered to the 5 regions and forwarded to all 98
    municipalities; returns the e-mail links and a consultant token."""
    store = Store(db_path)
    seed_directory(store, NOW)
    for muni in load_seed("municipalities"):
        set_municipality_contact(store, muni["code"], {"name": f"K {muni['name']}",
                                                        "email": f"k{muni['code']}@kommune.example.dk"}, NOW)
    status, _ = broadcasts.create_broadcast(store, {"kind": "hearing", "database": "DHRD", "title": "H",
                                                    "deadline": "2030-01-01"}, by="Anne", now=NOW)
    secret = ack_tokens.server_secret(store)
    for region in ("1081", "1082", "1083", "1084", "1085"):
        forwarding.forward(store, status["id"], region, NOW, by="test")
    links = {}
    for item in deliveries.claim_due(store, NOW, secret, limit=1000):
        deliveries.record_sent(store, item, "email", {}, NOW)
        links[item.delivery_id] = item.ack_token
    assert len(links) == 5 + 98
    token, _ = create_token(store, "consultant", "Anne", NOW)
    return store, status["id"], links, {"Authorization": f"Bearer {token}"}


def test_kill_workers_while_acknowledging_and_replying(tmp_path):
    db_path = tmp_path / "kkrbot.json"
    store, hearing, links, auth = prepare(db_path)
    acked, replied, attempted = set(), {}, {}
    stop = threading.Event()
    rng = random.Random(5)

    def acknowledger(ids):
        for delivery_id in ids:
            while not stop.is_set():
                try:
                    if call("POST", f"{base}/ack/{links[delivery_id]}", b"", timeout=5)[0] == 200:
                        acked.add(delivery_id)
                        break
                except OSError:
                    time.sleep(0.05)

    def replier(region):
        version = 0
        while not stop.is_set():
            version += 1
            text = f"{region} svar v{version}"
            attempted.setdefault(region, []).append(text)
            try:
                status, _ = call("POST", f"{base}/api/hearings/{hearing}/replies", {"region": region, "text": text},
                                 auth, timeout=5)
            except OSError:
                continue
            if status == 201:
                replied[region] = text

    with gunicorn(db_path, workers=3) as (base, master):
        ids = sorted(links)
        threads = [threading.Thread(target=acknowledger, args=(ids[n::3],)) for n in range(3)]
        threads += [threading.Thread(target=replier, args=(region,)) for region in ("1081", "1082", "1083")]
        for thread in threads:
            thread.start()
        kills, deadline = 0, time.monotonic() + 60
        while kills < KILLS and time.monotonic() < deadline:
            workers = children(master.pid)
            if workers:
                os.kill(rng.choice(workers), signal.SIGKILL)
                kills += 1
            time.sleep(rng.uniform(0.05, 0.25))
        # The clients go on until enough acknowledgements were answered (a busy machine answers
        # fewer while the kills go on); what is asserted is that none answered is lost.
        wait_until(lambda: len(acked) > 50, timeout=90, what="more than 50 acknowledgements answered")
        time.sleep(2)
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    assert kills == KILLS
    for path in db_path.parent.glob("kkrbot*.json"):
        json.loads(path.read_text())  # every store file parses
    with Store(db_path).read(broadcasts.part_of(hearing)) as view:
        stored = {d["id"]: d for d in view.all("deliveries")}
        replies = {r["region"]: r for r in view.all("replies")}
    assert len(acked) > 50 and all(stored[i]["state"] == "acknowledged" for i in acked)
    for region, text in replied.items():
        later = attempted[region][attempted[region].index(text):]
        assert replies[region]["text"] in later
