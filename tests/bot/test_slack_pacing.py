"""A fan-out paced to Slack's rate limits: the fake Slack Web API on
loopback limits every method per second (and chat.postMessage per channel),
and kkr-bot, told those limits, sends everything without being refused."""

from collections import Counter
from datetime import timedelta

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from api.config import Settings
from bot.pacing import Limit, Pacer
from bot.slack import web_client
from bot.slack_limits import PacedRateLimitRetryHandler
from bot.web import build_dispatcher
from data.seed import load_seed
from handlers import broadcasts, forwarding
from handlers.directory_admin import set_municipality_contact
from tests.conftest import NOW
from tests.support.factories import slack_dispatcher_after_a_failed_try
from tests.support.servers import Clock
from tests.support.slack_fake import fake_slack

KKR = {"UPETER": "php@aalborg.dk", "UJONAS": "jt@viborg.dk", "UMIA": "mima@haderslev.dk", "ULISE": "lht@kl.dk"}
LIMITED = ("chat.postMessage", "users.lookupByEmail", "conversations.open", "conversations.history", "views.publish")


class FakeTime:
    def __init__(self, start: float = 1000.0):
        self.now = start
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))
        self.now += seconds


def municipal_contacts(store, fake, regions) -> int:
    """A Slack user as contact for every municipality of ``regions``; returns how many."""
    count = 0
    for muni in load_seed("municipalities"):
        if muni["region"] in regions:
            email = f"kontakt{muni['code']}@kommune.example.dk"
            set_municipality_contact(store, muni["code"], {"name": f"Kontakt {muni['name']}", "email": email}, NOW)
            fake.add_user(f"UM{muni['code']}", email)
            count += 1
    return count


def test_a_paced_fan_out_is_never_refused_and_loses_nothing(store, db_path):
    with fake_slack() as fake:
        for user, email in KKR.items():
            fake.add_user(user, email)
        municipal = municipal_contacts(store, fake, ("1081", "1082"))
        fake.rate_per_second, fake.channel_rate_per_second = 10, 1
        env = {"KKRBOT_DB": str(db_path), "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "s",
               "SLACK_API_URL": fake.url + "/api/", "SLACK_RATE_LIMITS": ", ".join(f"{m}=10/s" for m in LIMITED)}
        settings = Settings.from_env(env)
        clock = Clock(NOW)
        dispatcher = build_dispatcher(store, settings, clock, web_client(settings))
        created, _ = broadcasts.create_broadcast(store, {"kind": "info", "database": "DHRD", "title": "Nyt"},
                                                 by="Anne", now=NOW)
        dispatcher.drain()
        for region in ("1081", "1082"):
            forwarding.forward(store, created["id"], region, NOW, by="Anne")
        dispatcher.drain()

        with store.read(broadcasts.part_of(created["id"])) as view:
            deliveries = view.all("deliveries")
        assert len(deliveries) == 5 + municipal == 35
        assert {d["state"] for d in deliveries} <= {"sent", "acknowledged"}  # forwarding acknowledges
        assert all(d["sent_at"] for d in deliveries)
        posted = Counter(m["channel"] for m in fake.of("chat.postMessage"))
        # Lise (KL) stands in for the two regions without a KKR contact: two DMs, a second apart.
        assert posted["ULISE"] == 2 and set(posted.values()) <= {1, 2} and sum(posted.values()) == 35
        assert len({(d["ref"]["channel"], d["ref"]["ts"]) for d in deliveries}) == 35  # each its own DM
        assert fake.refusals() == {}


def test_a_429_blocks_the_method_for_exactly_retry_after_and_lowers_its_pace():
    time = FakeTime()
    pacer = Pacer({"chat.postMessage": Limit(4, 1.0)}, clock=time.clock, sleep=time.sleep)
    with fake_slack() as fake:
        client = WebClient(token="xoxb-test", base_url=fake.url + "/api/",
                           retry_handlers=[PacedRateLimitRetryHandler(pacer)])
        fake.rate_limited("chat.postMessage", times=1, retry_after=2)
        with pacer.call("chat.postMessage", "U1"):
            client.chat_postMessage(channel="U1", text="one")
        assert time.slept == [2.0]  # Retry-After, without slack_sdk's extra second at random
        assert fake.attempts("chat.postMessage") == 2 and len(fake.of("chat.postMessage")) == 1

        for n in range(2):  # lowered from 4 to 3 calls a second, the retried one included
            with pacer.call("chat.postMessage"):
                client.chat_postMessage(channel=f"U{n}", text="again")
        assert time.slept == [2.0]
        with pacer.call("chat.postMessage"):
            client.chat_postMessage(channel="U9", text="fourth")
        assert time.slept == [2.0, 1.0]


def test_a_retry_that_would_outlast_the_deadline_is_left_to_the_dispatcher():
    time = FakeTime()
    pacer = Pacer({}, clock=time.clock, sleep=time.sleep)
    with fake_slack() as fake:
        client = WebClient(token="xoxb-test", base_url=fake.url + "/api/",
                           retry_handlers=[PacedRateLimitRetryHandler(pacer)])
        fake.rate_limited("chat.postMessage", times=1, retry_after=30)
        with pytest.raises(SlackApiError) as refused_call, pacer.call("chat.postMessage", deadline=time.now + 10):
            client.chat_postMessage(channel="U1", text="one")
        assert refused_call.value.response.status_code == 429
        assert time.slept == [] and fake.attempts("chat.postMessage") == 1
        with pacer.call("chat.postMessage"):  # every sender waits for the block to end
            client.chat_postMessage(channel="U2", text="two")
        assert time.slept == [30.0]


def test_a_resend_finds_its_dm_on_a_later_page_of_the_history(store, db_path):
    """The look-up for a delivery an earlier try may have posted reads the
    DM page by page (each page paced) until it finds the message."""
    with fake_slack() as fake:
        dispatcher, clock = slack_dispatcher_after_a_failed_try(store, db_path, fake)
        # Jonas's DM was posted all the same (the answer was lost), then 250 messages came after it.
        posted_at = NOW.timestamp() + 1
        fake.messages["DJONAS"].append({"type": "message", "ts": f"{posted_at:.6f}", "text": "Nyt", "metadata": {
            "event_type": "kkr_delivery", "event_payload": {"broadcast_id": 1, "delivery_id": 2}}})
        fake.messages["DJONAS"].extend({"type": "message", "ts": f"{posted_at + n:.6f}", "text": f"hej {n}"}
                                       for n in range(1, 251))
        clock.advance(timedelta(minutes=1))
        assert dispatcher.run_once() == 5
        with store.read(broadcasts.part_of(1)) as view:
            jonas = view.get("deliveries", 2)
        assert jonas["state"] == "sent" and jonas["ref"]["ts"] == f"{posted_at:.6f}"
        assert len(fake.in_channel("DJONAS")) == 251  # not posted again
        assert len([c for c in fake.of("conversations.history") if c["channel"] == "DJONAS"]) == 2
