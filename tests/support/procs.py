"""Starting real server processes for tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from tests.support.http import call
from tests.support.smtp import free_port

ROOT = Path(__file__).resolve().parents[2]


def bot_env(db_path, **extra) -> dict:
    env = {**os.environ, "KKRBOT_DB": str(db_path), **{k: str(v) for k, v in extra.items()}}
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SMTP_URL"):
        if name not in extra:
            env.pop(name, None)
    return env


def make_token(db_path, role: str) -> str:
    done = subprocess.run([sys.executable, "-m", "bot", "token", "create", "--role", role, "--name", f"test {role}"],
                          cwd=ROOT, env=bot_env(db_path), capture_output=True, text=True, check=True)
    return done.stdout.strip()


def wait_healthy(base: str, timeout: float = 30, path: str = "/api/health",
                 process: subprocess.Popen | None = None) -> None:
    """Until ``base + path`` answers 200; fails at once if ``process`` exits."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if call("GET", base + path, timeout=1)[0] == 200:
                return
        except OSError:
            pass
        assert process is None or process.poll() is None, f"{base} exited with {process.returncode} before it came up"
        assert time.monotonic() < deadline, f"{base} did not come up"
        time.sleep(0.1)


def start_serve(env: dict) -> tuple[subprocess.Popen, str]:
    """``python -m bot serve`` on ``env["PORT"]``, once its API answers;
    returns (process, base URL). The caller stops the process."""
    process = subprocess.Popen([sys.executable, "-m", "bot", "serve"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{env['PORT']}"
    try:
        wait_healthy(base)
    except BaseException:
        process.kill()
        process.wait(timeout=10)
        raise
    return process, base


@contextmanager
def gunicorn(db_path, workers: int = 4, threads: int = 1, module: str = "bot.wsgi:app", health: bool = True,
             env: dict | None = None):
    """A real gunicorn master with ``workers`` workers and ``env`` added to
    the environment (Slack variables only from there); yields (base URL, master)."""
    port = free_port()
    master = subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", str(workers), "--threads", str(threads),
                               "--bind", f"127.0.0.1:{port}", "--graceful-timeout", "2", module],
                              cwd=ROOT, env=bot_env(db_path, **(env or {})), stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, path="/api/health" if health else "/api/regions/x/contact", process=master)
        yield base, master
    finally:
        master.send_signal(signal.SIGTERM)
        try:
            master.wait(timeout=15)
        except subprocess.TimeoutExpired:
            master.kill()
            master.wait(timeout=5)


def children(pid: int) -> list[int]:
    """The PIDs whose parent is ``pid`` (gunicorn's workers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found
