"""A sender killed after Slack took a message but before it heard back
leaves exactly one DM: the process that takes the delivery over finds the
message by its metadata instead of posting it again."""

import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from data import Store
from handlers import broadcasts
from handlers.seeding import seed_directory
from tests.support.factories import slack_dispatcher_after_a_failed_try
from tests.support.procs import bot_env
from tests.support.slack_fake import fake_slack
from tests.support.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow
KKR = {"UPETER": "php@aalborg.dk", "UJONAS": "jt@viborg.dk", "UMIA": "mima@haderslev.dk", "ULISE": "lht@kl.dk"}


def scheduler_once(env) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "bot", "scheduler", "--once"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def test_a_delivery_posted_before_a_kill_is_found_not_sent_again(tmp_path):
    db_path = tmp_path / "kkrbot.json"
    store = Store(db_path)
    seed_directory(store, datetime.now(UTC))
    created, _ = broadcasts.create_broadcast(store, {"kind": "info", "database": "DHRD", "title": "Nyt om DHRD"},
                                             by="Anne", now=datetime.now(UTC))
    with fake_slack() as fake:
        for user, email in KKR.items():
            fake.add_user(user, email)
        env = bot_env(db_path, SLACK_BOT_TOKEN="xoxb-test", SLACK_SIGNING_SECRET="secret",
                      SLACK_API_URL=fake.url + "/api/")
        fake.post_delay = 5.0
        first = scheduler_once(env)
        try:
            wait_until(lambda: fake.posted() >= 1, timeout=30, what="the first DM posted")
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
        assert fake.posted() == 1, "more than the one message in flight was posted; nothing was tested"
        assert fake.attempts("conversations.history") == 0  # a first attempt does not look

        fake.post_delay = 0.0
        second = scheduler_once(env)
        assert second.wait(timeout=60) == 0, second.stderr.read()

        with store.read(broadcasts.part_of(created["id"])) as view:
            deliveries = view.all("deliveries")
        assert [d["state"] for d in deliveries] == ["sent"] * 5
        assert {user: len(fake.in_channel("D" + user[1:])) for user in KKR} == {
            "UPETER": 1, "UJONAS": 1, "UMIA": 1, "ULISE": 2}  # KL answers for Sjælland and Hovedstaden
        for delivery in deliveries:
            ref = delivery["ref"]
            same = [m["ts"] for m in fake.in_channel(ref["channel"])
                    if (m.get("metadata") or {}).get("event_payload", {}).get("delivery_id") == delivery["id"]]
            assert same == [ref["ts"]], delivery
        assert fake.attempts("conversations.history") == 5  # the five deliveries the dead process held


def test_a_retry_is_posted_when_the_dm_history_cannot_be_read(store, db_path):
    """A workspace that did not grant ``im:history`` answers the look-up
    with missing_scope; the retry must still reach the person (at worst a
    second DM), not fail on every retry until it gives up."""
    with fake_slack() as fake:
        dispatcher, clock = slack_dispatcher_after_a_failed_try(store, db_path, fake)
        fake.script("conversations.history", 200, {"ok": False, "error": "missing_scope"}, times=5)
        clock.advance(timedelta(minutes=1))
        assert dispatcher.run_once() == 5
        with store.read(broadcasts.part_of(1)) as view:
            assert [d["state"] for d in view.all("deliveries")] == ["sent"] * 5
        assert fake.posted() == 5
