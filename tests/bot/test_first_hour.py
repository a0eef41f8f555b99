"""The first hour of a new user, followed through the real processes:
``python -m bot serve --port N`` and the CLI as subprocesses."""

import email
import email.policy
import subprocess
import sys

from tests.support.http import call
from tests.support.procs import ROOT, bot_env, make_token, wait_healthy
from tests.support.smtp import free_port
from tests.support.waiting import wait_until

HEARING = {"kind": "hearing", "database": "DHRD", "title": "Høring", "deadline": "2099-12-15"}


def serve_on(db_path, port: int, **env):
    """``python -m bot serve --port PORT`` with neither PORT nor KKRBOT_PUBLIC_URL set."""
    environment = bot_env(db_path, **env)
    for name in ("PORT", "KKRBOT_PUBLIC_URL"):
        environment.pop(name, None)
    process = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--port", str(port)], cwd=ROOT,
                               env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_healthy(f"http://127.0.0.1:{port}", process=process)
    return process


def test_emailed_links_point_at_the_port_the_server_runs_on(tmp_path):
    db_path = tmp_path / "kkrbot.json"
    token = make_token(db_path, "consultant")
    port = free_port()
    process = serve_on(db_path, port)
    try:
        code, _ = call("POST", f"http://127.0.0.1:{port}/api/broadcasts", {**HEARING},
                       {"Authorization": f"Bearer {token}"})
        assert code == 201
        outbox = tmp_path / "outbox"
        first = wait_until(lambda: sorted(outbox.glob("*.eml")) if outbox.exists() else [])[0]
        text = email.message_from_bytes(first.read_bytes(), policy=email.policy.default).get_body().get_content()
        assert f"http://localhost:{port}/ack/" in text
    finally:
        process.terminate()
        process.wait(timeout=10)


def run_cli(db_path, *args, **env):
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, env=bot_env(db_path, **env),
                          capture_output=True, text=True, timeout=60)


def test_scheduler_once_says_what_it_did(tmp_path):
    db_path = tmp_path / "kkrbot.json"
    token = make_token(db_path, "consultant")
    from api import create_app
    from api.config import Settings

    client = create_app(Settings(db_path=str(db_path))).test_client()
    assert client.post("/api/broadcasts", json=HEARING, headers={"Authorization": f"Bearer {token}"}).status_code == 201
    done = run_cli(db_path, "scheduler", "--once")
    assert done.returncode == 0, done.stderr
    assert "Påmindelser sat i kø: 0" in done.stdout
    assert "Beskeder forsøgt sendt: 5" in done.stdout and "0 nye forsøg" in done.stdout
    assert "Næste påmindelse: " in done.stdout  # the reminder to acknowledge, 2 working days on
    again = run_cli(db_path, "scheduler", "--once", KKRBOT_LANG="en")
    assert "Messages tried: 0" in again.stdout
