"""Slack through real gunicorn workers (Slack's Web API is the fake on
loopback): Slack down or unreachable while gunicorn starts does not stop
the workers, and a request replayed to several workers runs once."""

import threading
import time
from contextlib import ExitStack

import pytest

from tests.support.http import call
from tests.support.procs import gunicorn, make_token
from tests.support.servers import serve_in_thread
from tests.support.slack_fake import FakeSlack, fake_slack
from tests.support.slack_signing import signed_post, slash_command
from tests.support.smtp import free_port

pytestmark = pytest.mark.slow
SECRET = "signing-secret"


def slack_env(api_port: int) -> dict:
    return {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": f"http://127.0.0.1:{api_port}/api/"}


def assert_site_serves(base: str, token: str) -> None:
    assert call("GET", base + "/api/health") == (200, {"status": "ok"})
    code, contact = call("GET", base + "/api/regions/Midtjylland/contact", headers={"Authorization": f"Bearer {token}"})
    assert code == 200 and "Jonas" in str(contact)
    code, page = call("GET", base + "/ack/not-a-real-token")
    assert code in (403, 404) and "<html" in page.lower()


def kkr_is_answered(fake: FakeSlack, base: str, name: str) -> str:
    code, _ = slash_command(base + "/slack/events", SECRET, "/kkr", "Midtjylland", "UANNE",
                            f"{fake.url}/response/{name}")
    assert code == 200
    return fake.wait_for("response_url")[-1]["text"]


@pytest.mark.parametrize("outage", ["answers 503", "unreachable"])
def test_workers_boot_while_slack_is_out_and_slack_recovers_by_itself(tmp_path, outage):
    db_path = tmp_path / "kkrbot.json"
    token = make_token(db_path, "reader")
    fake, port = FakeSlack(), free_port()
    fake.down = outage == "answers 503"
    with ExitStack() as running:
        if fake.down:
            fake.url = running.enter_context(serve_in_thread(fake.app(), port=port))
        base, _master = running.enter_context(gunicorn(db_path, workers=2, threads=2, env=slack_env(port)))
        for attempt in range(4):  # several, so that each worker is likely asked
            assert_site_serves(base, token)
            if fake.down:  # Slack reaches us but its API fails: the person is told so
                code, answer = slash_command(base + "/slack/events", SECRET, "/kkr", "Viborg", "UANNE",
                                             f"{fake.url}/response/during{attempt}")
                assert code == 200 and "kan ikke få forbindelse til Slack" in answer

        if fake.down:
            fake.down = False
        else:
            fake.url = running.enter_context(serve_in_thread(fake.app(), port=port))
        assert "Jonas Thor Björnson, jt@viborg.dk" in kkr_is_answered(fake, base, "back")


def test_a_request_replayed_to_several_workers_runs_once(tmp_path):
    with fake_slack() as fake:
        env = slack_env(int(fake.url.rsplit(":", 1)[1]))
        with gunicorn(tmp_path / "kkrbot.json", workers=3, env=env) as (base, _master):
            kkr_is_answered(fake, base, "warm")
            form = f"command=/kkr&text=Viborg&user_id=UANNE&team_id=T1&response_url={fake.url}/response/replayed"
            codes, signed_at = [], int(time.time())

            def replay():
                codes.append(signed_post(base + "/slack/events", form, SECRET, "application/x-www-form-urlencoded",
                                         timestamp=signed_at)[0])

            replays = [threading.Thread(target=replay) for _ in range(12)]
            for thread in replays:
                thread.start()
            for thread in replays:
                thread.join(timeout=30)
            assert codes == [200] * 12
            fake.wait_for("response_url", 2)
            time.sleep(0.5)
            assert [c["name"] for c in fake.of("response_url")] == ["warm", "replayed"]
