"""The pacer with an injected clock and sleeper: tokens come back a window
after their call was answered, a refusal blocks its name until Retry-After
and lowers its allowance, and no wait passes a deadline."""

from time import monotonic

import pytest

from api.config import Settings
from bot.pacing import Limit, Pacer, TooLate, parse_limits
from bot.slack import web_client
from bot.web import build_dispatcher
from handlers.broadcasts import create_broadcast, part_of
from tests.bot.test_slack_pacing import FakeTime
from tests.conftest import NOW
from tests.support.factories import HEARING
from tests.support.smtp import smtp_server


def paced(limits):
    time = FakeTime()
    return time, Pacer(limits, clock=time.clock, sleep=time.sleep)


def call(pacer, time, name="m", channel=None, takes=0.1, **kwargs) -> float:
    """One call that takes ``takes`` seconds to be answered; returns when it started."""
    with pacer.call(name, channel, **kwargs):
        started = time.now
        time.now += takes
    return started


def test_tokens_come_back_a_window_after_each_answer():
    time, pacer = paced({"m": Limit(3, 1.0)})
    assert [call(pacer, time) for _ in range(3)] == [1000.0, 1000.1, 1000.2]  # the burst goes at once
    assert call(pacer, time) == pytest.approx(1001.1)  # the first call was answered at 1000.1
    assert call(pacer, time) == pytest.approx(1001.2)
    assert call(pacer, time) == pytest.approx(1001.3)
    assert call(pacer, time) == pytest.approx(1002.2)
    assert call(pacer, time, "other") == pytest.approx(1002.3)  # another name has its own limit (none)


def test_each_channel_has_its_own_slot_within_the_method():
    time, pacer = paced({"post": Limit(10, 1.0), "post@channel": Limit(1, 1.0)})
    assert call(pacer, time, "post", "U1") == 1000.0
    assert call(pacer, time, "post", "U2") == pytest.approx(1000.1)
    assert call(pacer, time, "post", "U1") == pytest.approx(1001.1)
    assert call(pacer, time, "post") == pytest.approx(1001.2)  # a call without channel waits for none


def test_a_refusal_blocks_the_name_until_retry_after_and_lowers_its_allowance():
    time, pacer = paced({"m": Limit(4, 1.0)})
    assert pacer.refused("m", 3) == 1003.0
    assert call(pacer, time, "n") == 1000.0  # other names go on
    assert [call(pacer, time, takes=0) for _ in range(3)] == [1003.0, 1003.0, 1003.0]
    assert call(pacer, time, takes=0) == 1004.0  # three a window now, not four
    time.now = 1010.0  # quiet windows give the calls back, one a window
    assert [call(pacer, time, takes=0) for _ in range(4)] == [1010.0] * 4


def test_a_refusal_of_a_name_without_a_limit_only_blocks_it():
    time, pacer = paced({})
    pacer.refused("views.open", 2)
    assert call(pacer, time, "views.open", takes=0) == 1002.0
    assert [call(pacer, time, "views.open", takes=0) for _ in range(5)] == [1002.0] * 5


def test_no_wait_passes_the_deadline():
    time, pacer = paced({"m": Limit(1, 60.0)})
    call(pacer, time)
    with pytest.raises(TooLate):
        call(pacer, time, deadline=1030.0)
    assert time.slept == []  # refused at once, not after waiting
    pacer.refused("n", 50)
    with pytest.raises(TooLate):
        call(pacer, time, "n", deadline=1030.0)
    assert call(pacer, time, deadline=1061.0) == pytest.approx(1060.1)


def test_a_token_held_by_a_call_not_yet_answered_is_not_handed_out():
    time, pacer = paced({"m": Limit(1, 1.0)})
    with pacer.call("m"), pytest.raises(TooLate):
        call(pacer, time, deadline=1000.5)


def test_limits_are_read_from_text():
    assert parse_limits("chat.postMessage=20/s, users.lookupByEmail=50/min chat.postMessage@channel=1/s;"
                        "x=100/10s") == {"chat.postMessage": Limit(20, 1.0), "users.lookupByEmail": Limit(50, 60.0),
                                          "chat.postMessage@channel": Limit(1, 1.0), "x": Limit(100, 10.0)}
    assert parse_limits("") == {} and parse_limits(None) == {}
    for bad in ("chat.postMessage=fast", "chat.postMessage=0/s", "chat.postMessage=5/fortnight", "=5/s"):
        with pytest.raises(ValueError, match="NAME=CALLS/PERIOD"):
            parse_limits(bad)


def test_a_bad_slack_rate_limits_setting_stops_the_start():
    settings = Settings.from_env({"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "s",
                                  "SLACK_RATE_LIMITS": "chat.postMessage=lots"})
    with pytest.raises(ValueError, match="chat.postMessage=lots"):
        web_client(settings)


def test_e_mail_is_paced_to_smtp_per_minute_and_never_past_a_batch_lease(store, db_path):
    """``SMTP_PER_MINUTE=2``: the five KKR e-mails of a broadcast go two a
    minute; the fifth would wait past its batch's lease (two minutes, less
    the margin), so it is recorded as failed, to be retried, not sent late."""
    with smtp_server() as (mailbox, smtp_url):
        settings = Settings.from_env({"KKRBOT_DB": str(db_path), "SMTP_URL": smtp_url, "SMTP_PER_MINUTE": "2"})
        dispatcher = build_dispatcher(store, settings, lambda: NOW)
        time = FakeTime(monotonic())  # the batch's deadline is a time.monotonic() time
        pacer = dispatcher.channel("email").pacer
        pacer.clock, pacer.sleep = time.clock, time.sleep
        create_broadcast(store, HEARING, by="Anne Nakano", now=NOW)
        assert dispatcher.run_once() == 5
        assert len(mailbox.messages) == 4 and time.slept == [pytest.approx(60, abs=0.5)]
        with store.read(part_of(1)) as view:
            fifth = view.get("deliveries", 5)
        assert fifth["state"] == "failed" and "TooLate" in fifth["last_error"] and fifth["next_attempt_at"]
