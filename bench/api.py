"""Two API benchmarks, each as a ratio against a baseline in the same run.

1. Slash-command ack latency: signed ``/kkr Viborg`` requests to our app vs
   a minimal Bolt app that only acks, both served by the same threaded
   server; median and p99 of the time until Slack would get its ack.
2. ``GET /api/regions/<r>/contact`` with a reader token under the Procfile's
   gunicorn settings (4 workers x 4 threads) vs a bare Flask route giving
   the same JSON under the same settings, both driven by ``wrk`` with 8
   connections, 3 times, each time in 20 slices of a second taken in turns:
   requests/s ratio and p99 ratio (the median of the slices' p99).

   wrk opens its eight connections anew each slice, and gunicorn's workers
   take them as they come: now and then (about one slice in ten) one worker
   gets all eight and serves the slice alone, at about a third of the rate.
   Such a slice measures one process, not the Procfile's four, so a turn in
   which either server was served by one worker is measured again (at most
   20 times a repetition); the summary says how often each server was, and
   gives the ratio with those slices counted too.
3. ``GET /api/audit?limit=10`` with a trail of ~110,000 entries vs one of
   a single entry (bench/audit_read.py).

    python -m bench.api [SECONDS]

Needs ``wrk`` (Debian: ``apt-get install -y wrk``) for 2; says so if it is
missing.  Run it on a quiet machine: the servers and wrk share the cores.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from api.config import Settings
from bench import audit_read, wrk
from bench.bare_app import minimal_bolt
from bot.slack import web_client
from bot.web import create_web_app
from data import Store
from handlers.directory import find_contact
from handlers.seeding import seed_directory
from handlers.tokens import create_token
from tests.support.procs import ROOT, children, gunicorn
from tests.support.servers import serve_in_thread
from tests.support.slack_fake import fake_slack
from tests.support.slack_signing import slash_command

SECRET = "bench-secret"
PLACES = ["Viborg", "Midtjylland", "1083", "Sjælland", "Aarhus", "Region Nordjylland", "København", "Odense"]
WORKERS, THREADS, CONNECTIONS = 4, 4, 8  # the Procfile's defaults; wrk's connections
SLICES = 20  # each repetition's seconds, per server, in this many turns (each with new connections)
SECONDS = 20.0
TICKS = os.sysconf("SC_CLK_TCK")


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


def lookup_benchmark(seconds: float = SECONDS, repetitions: int = 3) -> dict | None:
    """kkr-bot's look-up against the bare route, both under the Procfile's
    gunicorn settings, driven by wrk in turns; None if wrk is missing."""
    if not wrk.available():
        print(wrk.MISSING, file=sys.stderr)
        return None
    with tempfile.TemporaryDirectory() as folder:
        db_path = Path(folder) / "kkrbot.json"
        store = Store(db_path)
        seed_directory(store, time_now())
        token, _ = create_token(store, "reader", "bench", time_now())
        answers = Path(folder) / "answers.json"
        answers.write_text(json.dumps({place: find_contact(store, place).to_dict() for place in PLACES},
                                      ensure_ascii=False), encoding="utf-8")
        paths = [f"/api/regions/{place}/contact" for place in PLACES]
        servers = {"bare Flask route": ("bench.bare_app:app", {}),
                   "kkr-bot": ("bot.wsgi:app", {"Authorization": f"Bearer {token}"})}
        runs: dict[str, list[wrk.Run]] = {name: [] for name in servers}
        as_fell: dict[str, list[wrk.Run]] = {name: [] for name in servers}
        alone = dict.fromkeys(servers, 0)
        with contextlib.ExitStack() as stack:
            up = {name: stack.enter_context(gunicorn(db_path, workers=WORKERS, threads=THREADS, module=module,
                                                     env={"BENCH_ANSWERS": answers}))
                  for name, (module, _) in servers.items()}
            for name, (_, headers) in servers.items():
                wrk.run(up[name][0], paths, 2, headers=headers)  # warm-up
            for repetition in range(repetitions):
                kept, every = _slices(servers, up, paths, seconds / SLICES, alone)
                for name in servers:
                    runs[name].append(wrk.combined(kept[name]))
                    as_fell[name].append(wrk.combined(every[name]))
                _print_repetition(repetition, runs)
    _print_summary(runs, as_fell, seconds, alone)
    return runs


def _slices(servers: dict, up: dict, paths: list[str], seconds: float, alone: dict) -> tuple[dict, dict]:
    """One repetition: SLICES turns in which each server gets a slice, so
    that both see the same moments of a machine shared with others.  Returns
    the slices of the turns kept, and every slice; ``alone`` counts the
    slices one worker served alone, whose turns are measured again."""
    kept: dict[str, list[wrk.Run]] = {name: [] for name in servers}
    every: dict[str, list[wrk.Run]] = {name: [] for name in servers}
    again = 0
    while len(kept["kkr-bot"]) < SLICES:
        turn, lonely = {}, False
        for name, (_, headers) in servers.items():
            base, master = up[name]
            before = _worker_cpu(master.pid)
            turn[name] = wrk.run(base, paths, seconds, CONNECTIONS, headers=headers)
            busy = sum(cpu - before.get(pid, 0.0) > 0.1 * seconds for pid, cpu in _worker_cpu(master.pid).items())
            alone[name] += busy == 1
            lonely |= busy == 1
            every[name].append(turn[name])
        if lonely and again < SLICES:
            again += 1
            continue
        for name in servers:
            kept[name].append(turn[name])
    return kept, every


def _worker_cpu(master: int) -> dict[int, float]:
    """The CPU seconds each worker of a gunicorn master has used so far (Linux's /proc)."""
    found = {}
    for pid in children(master):
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            found[pid] = (int(fields[11]) + int(fields[12])) / TICKS
    return found


def _print_repetition(repetition: int, runs: dict) -> None:
    ours, bare = runs["kkr-bot"][-1], runs["bare Flask route"][-1]
    print(f"  run {repetition + 1}: kkr-bot {ours.requests_per_second:,.0f}/s p99 {ours.p99_ms:.1f} ms, "
          f"bare route {bare.requests_per_second:,.0f}/s p99 {bare.p99_ms:.1f} ms: "
          f"throughput ratio {ours.requests_per_second / bare.requests_per_second:.2f}, "
          f"p99 ratio {ours.p99_ms / bare.p99_ms:.2f}; wrk used {ours.client_cpu:.0%} and {bare.client_cpu:.0%} "
          f"of a core; failed requests {ours.failed + bare.failed}")


def _print_summary(runs: dict, as_fell: dict, seconds: float, alone: dict) -> None:
    ours, bare = runs["kkr-bot"], runs["bare Flask route"]
    rate = _ratios(ours, bare)
    p99 = [o.p99_ms / b.p99_ms for o, b in zip(ours, bare, strict=True)]
    fell = _ratios(as_fell["kkr-bot"], as_fell["bare Flask route"])
    busiest = max(run.client_cpu for run in ours + bare)
    print(f"GET /api/regions/<r>/contact, gunicorn {WORKERS} workers x {THREADS} threads (Procfile), wrk "
          f"{CONNECTIONS} connections, {len(ours)} x {seconds:g} s each in {SLICES} turns: throughput ratio "
          f"{min(rate):.2f}-{max(rate):.2f} (median {statistics.median(rate):.2f}; target >= 0.8), p99 ratio "
          f"{min(p99):.2f}-{max(p99):.2f} (median {statistics.median(p99):.2f}; target <= 2)")
    print(f"  load generator: wrk used at most {busiest:.0%} of one core of the 2 its threads may use"
          + ("" if busiest < 1.6 else " - it may have been the bottleneck: the figures are not trustworthy"))
    print(f"  slices one worker served alone (all of wrk's connections on it), their turns measured again: "
          f"kkr-bot {alone['kkr-bot']}, bare route {alone['bare Flask route']}; with those slices counted: "
          f"throughput ratio {min(fell):.2f}-{max(fell):.2f} (median {statistics.median(fell):.2f})")


def _ratios(ours: list, bare: list) -> list[float]:
    return [o.requests_per_second / b.requests_per_second for o, b in zip(ours, bare, strict=True)]


def time_now():
    from datetime import UTC, datetime

    return datetime.now(UTC)


if __name__ == "__main__":
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    assert ROOT.exists()
    ack_benchmark()
    looked_up = lookup_benchmark(float(sys.argv[1]) if len(sys.argv) > 1 else SECONDS)
    audit_read.benchmark()
    sys.exit(0 if looked_up is not None else 1)
