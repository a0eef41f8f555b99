"""A process killed in the middle of a fan-out loses no message: the next
one sends what was left, at once."""

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.http import call
from tests.support.procs import start_serve
from tests.support.smtp import free_port, smtp_server
from tests.support.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def delivery_ids(mailbox):
    return [int(re.search(r"/ack/\d+-(\d+)-", m.get_body(("plain",)).get_content()).group(1))
            for m in list(mailbox.messages)]


def test_restart_in_the_middle_of_a_fan_out(tmp_path):
    with smtp_server() as (mailbox, smtp_url):
        mailbox.delay = 0.4
        port = free_port()
        env = {**os.environ, "KKRBOT_DB": str(tmp_path / "kkrbot.json"), "PORT": str(port), "SMTP_URL": smtp_url,
               "KKRBOT_PUBLIC_URL": f"http://127.0.0.1:{port}"}
        for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"):
            env.pop(name, None)
        token = subprocess.run([sys.executable, "-m", "bot", "token", "create", "--role", "consultant", "--name",
                                "Anne"], cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout.strip()
        server, base = start_serve(env)
        try:
            status, body = call("POST", base + "/api/broadcasts",
                                {"kind": "info", "database": "DHRD", "title": "Nyt om DHRD"},
                                {"Authorization": f"Bearer {token}"})
            assert status == 201
            mailbox.wait_for(2)
            server.send_signal(signal.SIGKILL)
            server.wait(timeout=10)
            assert len(mailbox.messages) < 5, "the fan-out finished before the kill; nothing was tested"

            server, base = start_serve(env)
            wait_until(lambda: set(delivery_ids(mailbox)) == {1, 2, 3, 4, 5}, timeout=20, what="all five delivered")
            auth = {"Authorization": f"Bearer {token}"}

            def states():
                regions = call("GET", f"{base}/api/broadcasts/{body['id']}", headers=auth)[1]["regions"]
                return {r["state"] for r in regions}

            wait_until(lambda: states() == {"sent"}, what="every delivery recorded as sent")
            # At most the one message in flight at the kill is sent again.
            assert len(delivery_ids(mailbox)) <= 6
        finally:
            server.kill()
            server.wait(timeout=10)
