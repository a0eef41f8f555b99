"""``python -m bot serve`` with ``SLACK_APP_TOKEN``: Slack reaches the bot
over Socket Mode (a WebSocket the bot opens) instead of HTTP, so no signing
secret is needed and ``POST /slack/events`` is not served."""

import time

import pytest

from tests.support.http import call
from tests.support.procs import bot_env, start_serve
from tests.support.slack_fake import fake_slack
from tests.support.slack_socket import fake_socket_mode
from tests.support.smtp import free_port
from tests.support.waiting import wait_until

pytestmark = pytest.mark.slow


@pytest.fixture
def socket_mode(tmp_path):
    with fake_slack() as fake, fake_socket_mode() as socket:
        fake.socket_url = socket.url
        env = bot_env(tmp_path / "kkrbot.json", PORT=free_port(), SLACK_BOT_TOKEN="xoxb-test",
                      SLACK_APP_TOKEN="xapp-test", SLACK_API_URL=fake.url + "/api/")
        process, base = start_serve(env)
        try:
            yield {"fake": fake, "socket": socket, "base": base}
        finally:
            process.kill()
            process.wait(timeout=10)


def test_a_slash_command_over_socket_mode_is_acked_and_answered(socket_mode):
    fake, socket = socket_mode["fake"], socket_mode["socket"]
    socket.push("slash_commands", {"command": "/kkr", "text": "Midtjylland", "user_id": "UANNE", "team_id": "T1",
                                   "channel_id": "C1", "trigger_id": "1.2",
                                   "response_url": fake.url + "/response/socket"}, envelope_id="E1")
    assert socket.ack_of("E1")["envelope_id"] == "E1"
    answer = wait_until(lambda: [c for c in fake.of("response_url") if c["name"] == "socket"])[0]
    assert "Jonas Thor Björnson, jt@viborg.dk" in answer["text"]
    assert len(fake.of("apps.connections.open")) == 1


def test_socket_mode_replaces_the_http_endpoint(socket_mode):
    assert call("POST", socket_mode["base"] + "/slack/events", {"type": "url_verification"})[0] == 404


def test_an_event_slack_sends_again_over_socket_mode_is_answered_once(socket_mode):
    """Slack re-sends an event (same ``event_id``, a new envelope) when it
    thinks the first went unanswered; the mention is answered once."""
    fake, socket = socket_mode["fake"], socket_mode["socket"]
    event = {"type": "event_callback", "team_id": "T1", "event_id": "Ev0SOCKET", "event_time": 1,
             "event": {"type": "app_mention", "user": "UANNE", "channel": "C1", "ts": "1.000001",
                       "text": "<@UBOT> hvem er KKR-kontakt for Viborg?"}}
    for envelope in ("E10", "E11"):
        socket.push("events_api", event, envelope_id=envelope)
        assert socket.ack_of(envelope)["envelope_id"] == envelope
    wait_until(lambda: fake.of("chat.postMessage"), what="the answer to the mention")
    time.sleep(1.0)  # room for a second answer, which must not come
    assert len(fake.of("chat.postMessage")) == 1
