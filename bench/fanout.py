"""Fan one broadcast out to the 5 KKR contacts and all 98 municipalities
through a fake Slack Web API that allows RATE posts a second and answers
429 (Retry-After: 1) beyond that.

Prints the total time divided by the floor the rate limit imposes
(messages / RATE), and how many messages were lost (must be 0).

    python -m bench.fanout [RATE]
"""

from __future__ import annotations

import logging
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from api.config import Settings
from bot.slack import web_client
from bot.web import build_dispatcher
from data import Store
from data.seed import load_seed
from handlers import broadcasts, forwarding
from handlers.directory_admin import set_municipality_contact, set_region_contact
from handlers.seeding import seed_directory
from tests.support.slack_fake import fake_slack


def now() -> datetime:
    return datetime.now(UTC)


def prepare(store: Store, fake) -> int:
    """Every region and municipality with a contact on Slack; returns how
    many messages one broadcast makes."""
    seed_directory(store, now())
    set_region_contact(store, "1084", {"name": "Kim Kofod", "email": "kim@kkr-h.dk"}, now())
    set_region_contact(store, "1085", {"name": "Anne Hansen", "email": "anne@kkr-s.dk"}, now())
    for email, user in (("jt@viborg.dk", "U1082"), ("mima@haderslev.dk", "U1083"), ("php@aalborg.dk", "U1081"),
                        ("kim@kkr-h.dk", "U1084"), ("anne@kkr-s.dk", "U1085")):
        fake.add_user(user, email)
    municipalities = load_seed("municipalities")
    for muni in municipalities:
        email = f"kontakt{muni['code']}@kommune.example.dk"
        set_municipality_contact(store, muni["code"], {"name": f"Kontakt {muni['name']}", "email": email}, now())
        fake.add_user(f"UM{muni['code']}", email)
    return 5 + len(municipalities)


def fan_out(store: Store, dispatcher) -> float:
    started = time.perf_counter()
    status, _ = broadcasts.create_broadcast(store, {"kind": "info", "database": "DHRD", "title": "Bench"}, by="bench",
                                            now=now())
    dispatcher.drain()
    for region in ("1081", "1082", "1083", "1084", "1085"):
        forwarding.forward(store, status["id"], region, now(), by="bench")
    dispatcher.drain()
    return time.perf_counter() - started


def bare_client(client, count: int) -> float:
    """The baseline: the same number of posts straight from slack_sdk's
    client (with the same retry handlers), no store, no look-ups."""
    started = time.perf_counter()
    for n in range(count):
        client.chat_postMessage(channel=f"UBARE{n}", text="bench")
    return time.perf_counter() - started


def main(rate: int = 20) -> dict:
    with tempfile.TemporaryDirectory() as folder, fake_slack() as fake:
        store = Store(Path(folder) / "kkrbot.json")
        expected = prepare(store, fake)
        fake.rate_per_second = rate
        settings = Settings(db_path=str(store.path), slack_bot_token="xoxb-bench", slack_signing_secret="s",
                            slack_api_url=fake.url + "/api/")
        dispatcher = build_dispatcher(store, settings, now, web_client(settings))
        elapsed = fan_out(store, dispatcher)
        delivered = {m["channel"] for m in fake.of("chat.postMessage")}
        posted, attempts = len(fake.of("chat.postMessage")), fake.attempts("chat.postMessage")
        time.sleep(1.1)  # let the rate window empty
        baseline = bare_client(web_client(settings), expected)
        floor = expected / rate
        result = {"messages": expected, "rate": rate, "seconds": elapsed, "floor": floor, "ratio": elapsed / floor,
                  "baseline": baseline, "lost": expected - len(delivered), "duplicates": posted - len(delivered),
                  "429s": attempts - posted}
    print(f"fan-out of {expected} messages at {rate}/s: {elapsed:.2f} s; floor {floor:.2f} s; "
          f"ratio to floor {result['ratio']:.2f}; bare slack_sdk client, same posts: {baseline:.2f} s "
          f"(ratio {elapsed / baseline:.2f}); lost {result['lost']}; duplicates {result['duplicates']}; "
          f"429 answers waited out {result['429s']}")
    return result


if __name__ == "__main__":
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the fake's request log
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
