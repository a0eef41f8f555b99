"""Two API benchmarks, each as a ratio against a baseline in the same run.

1. Slash-command ack latency: signed ``/kkr Viborg`` requests to our app vs
   a minimal Bolt app that only acks, both served by the same threaded
   server; median and p99 of the time until Slack would get its ack.
2. ``GET /api/regions/<r>/contact`` throughput under gunicorn (4 workers)
   vs a bare Flask route under the same gunicorn settings, 8 client threads.

    python -m bench.api [SECONDS]
"""

from __future__ import annotations

import logging
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

from api.config import Settings
from bench.bare_app import minimal_bolt
from bot.slack import web_client
from bot.web import create_web_app
from data import Store
from handlers.seeding import seed_directory
from handlers.tokens import create_token
from tests.support.http import call
from tests.support.procs import ROOT, gunicorn_app
from tests.support.servers import serve_in_thread
from tests.support.slack_fake import fake_slack
from tests.support.slack_signing import slash_command

SECRET = "bench-secret"
PLACES = ["Viborg", "Midtjylland", "1083", "Sjælland", "Aarhus", "Region Nordjylland", "København", "Odense"]


def ack_latencies(events_url: str, respond_url: str, count: int) -> list[float]:
    timings = []
    for n in range(count):
        started = time.perf_counter()
        code, _ = slash_command(events_url, SECRET, "/kkr", PLACES[n % len(PLACES)], "UBENCH", respond_url,
                                trigger_id=f"bench-{n}")  # each its own request, as from Slack (no replay)
        timings.append(time.perf_counter() - started)
        assert code == 200
    return timings


def ack_benchmark(count: int = 300) -> dict:
    with tempfile.TemporaryDirectory() as folder, fake_slack() as fake:
        settings = Settings(db_path=str(Path(folder) / "kkrbot.json"), slack_bot_token="xoxb-bench",
                            slack_signing_secret=SECRET, slack_api_url=fake.url + "/api/")
        ours = create_web_app(settings, dispatch=False)
        bare = minimal_bolt(SECRET, web_client(settings))
        results = {}
        for name, app in (("minimal Bolt app", bare), ("kkr-bot", ours)):
            with serve_in_thread(app) as base:
                ack_latencies(base + "/slack/events", fake.url + "/response/warm", 20)
                timings = sorted(ack_latencies(base + "/slack/events", fake.url + "/response/r", count))
            results[name] = {"median_ms": statistics.median(timings) * 1000,
                             "p99_ms": timings[int(len(timings) * 0.99) - 1] * 1000}
    ours_, base_ = results["kkr-bot"], results["minimal Bolt app"]
    print(f"/kkr ack latency over {count} requests: kkr-bot median {ours_['median_ms']:.2f} ms, "
          f"p99 {ours_['p99_ms']:.2f} ms; minimal Bolt app median {base_['median_ms']:.2f} ms, "
          f"p99 {base_['p99_ms']:.2f} ms; ratio median {ours_['median_ms'] / base_['median_ms']:.2f}, "
          f"p99 {ours_['p99_ms'] / base_['p99_ms']:.2f}")
    return results


def hammer(url: str, headers: dict, seconds: float, threads: int = 8) -> float:
    """Requests per second that ``threads`` clients get for ``seconds``."""
    done, stop = [], time.monotonic() + seconds

    def client(offset):
        count = 0
        while time.monotonic() < stop:
            place = urllib.parse.quote(PLACES[(offset + count) % len(PLACES)])
            status, _ = call("GET", url.format(place), headers=headers)
            assert status == 200, status
            count += 1
        done.append(count)

    workers = [threading.Thread(target=client, args=(n,)) for n in range(threads)]
    started = time.monotonic()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sum(done) / (time.monotonic() - started)


def lookup_benchmark(seconds: float = 10) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        db_path = Path(folder) / "kkrbot.json"
        store = Store(db_path)
        seed_directory(store, time_now())
        token, _ = create_token(store, "reader", "bench", time_now())
        auth = {"Authorization": f"Bearer {token}"}
        rates = {}
        for name, module, headers in (("bare Flask route", "bench.bare_app:app", {}),
                                      ("kkr-bot", "bot.wsgi:app", auth)):
            with gunicorn_app(db_path, module, workers=4) as base:
                url = base + "/api/regions/{}/contact"
                hammer(url, headers, 1)
                rates[name] = hammer(url, headers, seconds)
    print(f"GET /api/regions/<r>/contact under gunicorn, 4 workers, 8 clients, {seconds:.0f} s: "
          f"kkr-bot {rates['kkr-bot']:.0f}/s, bare Flask route {rates['bare Flask route']:.0f}/s, "
          f"ratio {rates['kkr-bot'] / rates['bare Flask route']:.2f}")
    return rates


def time_now():
    from datetime import UTC, datetime

    return datetime.now(UTC)


if __name__ == "__main__":
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    assert ROOT.exists()
    ack_benchmark()
    lookup_benchmark(float(sys.argv[1]) if len(sys.argv) > 1 else 10)
