"""Fan one broadcast out to the 5 KKR contacts and all 98 municipalities
(103 Slack DMs) through the fake Slack Web API of the tests, which allows
RATE calls of each method in any one second and one post a second per DM,
and answers 429 (Retry-After: 1) beyond.  kkr-bot is told these limits
(``SLACK_RATE_LIMITS``), as an operator is told a workspace's.

The baseline, measured in the same run: an ideal pacer.  It makes the same
103 posts (kkr-bot's own messages, replayed to other users) from a bare
slack_sdk client that sends each one exactly when the limit allows it (it
sleeps until a second after the answer to the post RATE posts before, the
earliest moment the fake cannot refuse), so it never sees a 429; it has no
store and looks nobody up.  Three repetitions; prints each run and the
median ratio, the 429s each saw, and how many messages were lost or
duplicated (both must be 0).

    python -m bench.fanout [RATE]
"""

from __future__ import annotations

import logging
import statistics
import sys
import tempfile
import time
from collections import deque
from datetime import UTC, datetime
from pathlib import Path

from slack_sdk import WebClient

from api.config import Settings
from bot.slack import web_client
from bot.web import build_dispatcher
from data import Store
from data.seed import load_seed
from handlers import broadcasts, forwarding
from handlers.directory_admin import set_municipality_contact, set_region_contact
from handlers.seeding import seed_directory
from tests.support.slack_fake import fake_slack

REPETITIONS = 3
LIMITED = ("chat.postMessage", "users.lookupByEmail", "conversations.open", "conversations.history", "views.publish")


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


def ideal_pacer(client: WebClient, posts: list[dict], rate: int) -> float:
    """The baseline: ``posts`` sent as fast as a limit of ``rate`` posts in
    any second allows, each exactly when a post leaves that second."""
    answered: deque[float] = deque(maxlen=rate)
    started = time.perf_counter()
    for n, post in enumerate(posts):
        if len(answered) == rate:
            wait = answered[0] + 1.0 - time.monotonic()
            if wait > 0:
                time.sleep(wait)
        client.chat_postMessage(**{**post, "channel": f"UIDEAL{n}"})
        answered.append(time.monotonic())
    return time.perf_counter() - started


def refused(fake) -> int:
    return sum(fake.refusals().values())


def once(rate: int) -> dict:
    """One repetition: kkr-bot's fan-out, then the ideal pacer, on a fresh fake Slack."""
    with tempfile.TemporaryDirectory() as folder, fake_slack() as fake:
        store = Store(Path(folder) / "kkrbot.json")
        expected = prepare(store, fake)
        fake.rate_per_second, fake.channel_rate_per_second = rate, 1
        settings = Settings(db_path=str(store.path), slack_bot_token="xoxb-bench", slack_signing_secret="s",
                            slack_api_url=fake.url + "/api/",
                            slack_rate_limits=", ".join(f"{method}={rate}/s" for method in LIMITED))
        dispatcher = build_dispatcher(store, settings, now, web_client(settings))
        seconds = fan_out(store, dispatcher)
        posts = fake.of("chat.postMessage")
        delivered = {post["channel"] for post in posts}
        kkr_refused = refused(fake)
        time.sleep(1.1)  # let the rate windows empty
        bare = WebClient(token="xoxb-bench", base_url=settings.slack_api_url)
        ideal = ideal_pacer(bare, [{k: v for k, v in post.items() if k != "channel"} for post in posts], rate)
        return {"seconds": seconds, "ideal": ideal, "ratio": seconds / ideal, "429s": kkr_refused,
                "ideal 429s": refused(fake) - kkr_refused, "lost": expected - len(delivered),
                "duplicates": len(posts) - len(delivered), "messages": expected}


def main(rate: int = 20) -> dict:
    runs = []
    print(f"fan-out of 103 Slack DMs; the fake allows {rate} calls a second of each method, one post a second per DM")
    for n in range(1, REPETITIONS + 1):
        run = once(rate)
        runs.append(run)
        print(f"run {n}: kkr-bot {run['seconds']:.2f} s, ideal pacer {run['ideal']:.2f} s, ratio {run['ratio']:.3f}; "
              f"429s {run['429s']} (ideal pacer {run['ideal 429s']}); lost {run['lost']}; "
              f"duplicates {run['duplicates']}")
    result = {key: statistics.median(run[key] for run in runs) for key in ("seconds", "ideal", "ratio")}
    result.update({key: sum(run[key] for run in runs) for key in ("429s", "ideal 429s", "lost", "duplicates")})
    result.update(rate=rate, runs=runs)
    ratios = [run["ratio"] for run in runs]
    print(f"median at {rate}/s: kkr-bot {result['seconds']:.2f} s, ideal pacer {result['ideal']:.2f} s, "
          f"ratio {result['ratio']:.3f} (runs {min(ratios):.3f}-{max(ratios):.3f}); "
          f"in all {len(runs)} runs: 429s {result['429s']} (ideal pacer {result['ideal 429s']}), "
          f"lost {result['lost']}, duplicates {result['duplicates']}")
    return result


if __name__ == "__main__":
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the fake's request log
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
