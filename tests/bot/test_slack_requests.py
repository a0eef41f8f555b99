"""The door of ``POST /slack/events``: a request that does not prove it comes
from Slack gets 401 and runs nothing, and one Slack request, replayed or
retried, has one effect.  Real HTTP to a served app; Slack's Web API and
``response_url`` are the fake on loopback."""

import hashlib
import hmac
import json
import threading
import time
import urllib.parse

import pytest

from api.config import Settings
from bot.web import create_web_app
from tests.support.http import call
from tests.support.servers import serve_in_thread
from tests.support.slack_fake import FakeSlack, fake_slack
from tests.support.slack_signing import event, slash_command
from tests.support.smtp import free_port

SECRET = "signing-secret"


@pytest.fixture
def fake():
    with fake_slack() as fake:
        yield fake


def served(fake, store, db_path):
    settings = Settings(db_path=str(db_path), slack_bot_token="xoxb-test", slack_signing_secret=SECRET,
                        slack_api_url=fake.url + "/api/")
    return serve_in_thread(create_web_app(settings, store=store, dispatch=False))


@pytest.fixture
def events(fake, store, db_path):
    with served(fake, store, db_path) as base:
        yield base + "/slack/events"


def command_body(fake, name: str) -> str:
    """A /kkr command whose answer would go to the fake's ``response_url`` ``name``."""
    return urllib.parse.urlencode({"team_id": "T1", "channel_id": "C1", "user_id": "UMAL", "command": "/kkr",
                                   "text": "Midtjylland", "response_url": f"{fake.url}/response/{name}",
                                   "trigger_id": "t"})


def mention_body(channel: str, event_id: str = "EvMallory") -> str:
    return json.dumps({"team_id": "T1", "api_app_id": "A1", "type": "event_callback", "event_id": event_id,
                       "event": {"type": "app_mention", "user": "UMAL", "channel": channel, "ts": "9.000001",
                                 "text": "<@UBOT> Midtjylland"},
                       "authorizations": [{"user_id": "UBOT", "is_bot": True, "team_id": "T1"}]})


def post(url, body, content_type, headers: dict):
    """A POST with exactly these Slack headers (none added)."""
    data = body if isinstance(body, bytes) else body.encode()
    return call("POST", url, data, {"Content-Type": content_type, **headers})


def valid_headers(body: str, timestamp=None) -> dict:
    """Headers as Slack would sign ``body`` (taken from the signing helper)."""
    timestamp = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(SECRET.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": "v0=" + digest}


def bad_headers(body: str) -> dict[str, dict]:
    good = valid_headers(body)
    now = int(time.time())
    return {
        "timestamp not a number": {**good, "X-Slack-Request-Timestamp": "abc"},
        "timestamp empty": {**good, "X-Slack-Request-Timestamp": ""},
        "timestamp in exponent form": {**good, "X-Slack-Request-Timestamp": "1e9"},
        "timestamp missing": {"X-Slack-Signature": good["X-Slack-Signature"]},
        "signature missing": {"X-Slack-Request-Timestamp": good["X-Slack-Request-Timestamp"]},
        "signature wrong": {**good, "X-Slack-Signature": "v0=" + "0" * 64},
        "signature garbled": {**good, "X-Slack-Signature": "v0=ü"},
        "stale": valid_headers(body, now - 6 * 60),
        "from the future": valid_headers(body, now + 6 * 60),
        "nothing": {},
    }


CASES = list(bad_headers("x"))


@pytest.mark.parametrize("case", CASES)
def test_an_unverified_request_gets_401_and_nothing_is_posted(fake, events, case):
    command, mention = command_body(fake, "mallory"), mention_body("CMALLORY")
    codes = [post(events, body, content_type, bad_headers(body)[case])[0]
             for body, content_type in ((command, "application/x-www-form-urlencoded"), (mention, "application/json"))
             for _attempt in range(3)]
    # A genuine request afterwards: once it is answered, anything the refused ones started would have been too.
    slash_command(events, SECRET, "/kkr", "Midtjylland", "UANNE", fake.url + "/response/anne")
    fake.wait_for("response_url")
    time.sleep(0.2)
    assert [c["name"] for c in fake.of("response_url")] == ["anne"]
    assert fake.attempts("chat.postMessage") == 0
    assert codes == [401] * 6


def test_a_body_other_than_the_signed_one_or_not_utf8_is_refused(fake, events):
    command = command_body(fake, "mallory")
    signed_for_other = valid_headers(command_body(fake, "other"))
    assert post(events, command, "application/x-www-form-urlencoded", signed_for_other)[0] == 401
    latin1 = command.replace("Midtjylland", "S%F8nderborg").encode().replace(b"%F8", b"\xf8")
    assert post(events, latin1, "application/x-www-form-urlencoded", valid_headers(latin1.decode("latin-1")))[0] == 401
    time.sleep(0.3)
    assert fake.attempts("response_url") == fake.attempts("chat.postMessage") == 0


@pytest.mark.parametrize(("body", "content_type"), [
    ('{"type": "event_callback", "event": ', "application/json"),
    ("[1, 2]", "application/json"),
    ("payload=%7Bnot+json", "application/x-www-form-urlencoded"),
])
def test_a_signed_body_slack_would_not_send_is_refused_without_a_server_error(fake, events, body, content_type):
    code, answer = post(events, body, content_type, valid_headers(body))
    assert code == 400 and "error" in answer
    assert fake.attempts("response_url") == fake.attempts("chat.postMessage") == 0


def test_a_replayed_slash_command_is_answered_once(fake, events):
    body = command_body(fake, "once")
    headers = valid_headers(body)
    assert post(events, body, "application/x-www-form-urlencoded", headers)[0] == 200
    assert post(events, body, "application/x-www-form-urlencoded", headers) == (200, "")
    fake.wait_for("response_url")
    slash_command(events, SECRET, "/kkr", "Viborg", "UANNE", fake.url + "/response/barrier")
    fake.wait_for("response_url", 2)
    time.sleep(0.2)
    assert sorted(c["name"] for c in fake.of("response_url")) == ["barrier", "once"]


def test_a_slash_command_replayed_at_once_by_many_clients_is_answered_once(fake, events):
    body = command_body(fake, "race")
    headers = valid_headers(body)
    codes = []
    threads = [threading.Thread(target=lambda: codes.append(post(events, body, "application/x-www-form-urlencoded",
                                                                 headers)[0])) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert codes == [200] * 8
    fake.wait_for("response_url")
    time.sleep(0.5)
    assert len(fake.of("response_url")) == 1


def test_the_same_command_typed_twice_is_answered_twice(fake, events):
    """Two commands with the same text are two requests (new timestamp, new signature)."""
    body = command_body(fake, "twice")
    post(events, body, "application/x-www-form-urlencoded", valid_headers(body, int(time.time()) - 1))
    post(events, body, "application/x-www-form-urlencoded", valid_headers(body))
    fake.wait_for("response_url", 2)


def test_a_retried_mention_is_answered_once(fake, events):
    mention = {"type": "app_mention", "user": "U1", "channel": "C9", "ts": "1.000001",
               "text": "<@UBOT> hvem er KKR-kontakt for Syddanmark?"}
    assert event(events, SECRET, mention, event_id="EvRetry")[0] == 200
    fake.wait_for("chat.postMessage")
    code, body = event(events, SECRET, mention, event_id="EvRetry",
                       headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
    assert (code, body) == (200, "")
    event(events, SECRET, {**mention, "ts": "2.000001", "channel": "CBARRIER"}, event_id="EvBarrier")
    fake.wait_for("chat.postMessage", 2)
    time.sleep(0.2)
    assert [c["channel"] for c in fake.of("chat.postMessage")] == ["C9", "CBARRIER"]


def test_the_memory_of_handled_requests_is_shared_by_processes_on_one_store(fake, store, db_path):
    """Two apps over the same store folder stand in for two gunicorn workers:
    a replay that reaches the other one is not run again."""
    body = command_body(fake, "shared")
    headers = valid_headers(body)
    with served(fake, store, db_path) as first, served(fake, store, db_path) as second:
        assert post(first + "/slack/events", body, "application/x-www-form-urlencoded", headers)[0] == 200
        assert post(second + "/slack/events", body, "application/x-www-form-urlencoded", headers) == (200, "")
        mention = {"type": "app_mention", "user": "U1", "channel": "C9", "ts": "1.000001", "text": "<@UBOT> Viborg"}
        event(first + "/slack/events", SECRET, mention, event_id="EvShared")
        event(second + "/slack/events", SECRET, mention, event_id="EvShared", headers={"X-Slack-Retry-Num": "1"})
        fake.wait_for("response_url")
        fake.wait_for("chat.postMessage")
        time.sleep(0.3)
    assert len(fake.of("response_url")) == 1 and len(fake.of("chat.postMessage")) == 1



def test_a_retry_of_an_event_never_taken_is_answered(fake, events):
    mention = {"type": "app_mention", "user": "U1", "channel": "C7", "ts": "4.000001", "text": "<@UBOT> Viborg"}
    assert event(events, SECRET, mention, event_id="EvLost", headers={"X-Slack-Retry-Num": "2"})[0] == 200
    assert fake.wait_for("chat.postMessage")[0]["channel"] == "C7"


def test_an_event_that_failed_while_slack_was_unreachable_runs_on_slacks_retry(store, db_path):
    """Nothing was done, so the event is not remembered as taken."""
    port = free_port()
    settings = Settings(db_path=str(db_path), slack_bot_token="xoxb-test", slack_signing_secret=SECRET,
                        slack_api_url=f"http://127.0.0.1:{port}/api/")
    mention = {"type": "app_mention", "user": "U1", "channel": "C8", "ts": "5.000001", "text": "<@UBOT> Viborg"}
    with serve_in_thread(create_web_app(settings, store=store, dispatch=False)) as base:
        assert event(base + "/slack/events", SECRET, mention, event_id="EvOutage")[0] >= 500
        fake = FakeSlack()
        with serve_in_thread(fake.app(), port=port) as fake.url:
            retry = event(base + "/slack/events", SECRET, mention, event_id="EvOutage",
                          headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_error"})
            assert retry[0] == 200
            assert fake.wait_for("chat.postMessage")[0]["channel"] == "C8"


def test_a_command_that_failed_while_the_web_api_was_unreachable_is_not_remembered(fake, store, db_path):
    """Bolt answers 500 (its apology went to the ``response_url``): nothing
    was done, so the same request may run once the Web API is back."""
    port = free_port()
    settings = Settings(db_path=str(db_path), slack_bot_token="xoxb-test", slack_signing_secret=SECRET,
                        slack_api_url=f"http://127.0.0.1:{port}/api/")
    body = command_body(fake, "outage")
    headers = valid_headers(body)
    with serve_in_thread(create_web_app(settings, store=store, dispatch=False)) as base:
        assert post(base + "/slack/events", body, "application/x-www-form-urlencoded", headers)[0] == 500
        assert "Noget gik galt" in fake.wait_for("response_url")[0]["text"]
        with serve_in_thread(FakeSlack().app(), port=port):
            assert post(base + "/slack/events", body, "application/x-www-form-urlencoded", headers)[0] == 200
            assert "Jonas Thor Björnson" in fake.wait_for("response_url", 2)[1]["text"]
