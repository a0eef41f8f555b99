"""A fake Slack Web API over real HTTP on loopback.

Point ``SLACK_API_URL`` (``Settings.slack_api_url``) at ``url + "/api/"``.
It records every call, answers the methods kkr-bot uses, and can be told to
rate-limit (429 with ``Retry-After``), to fail, or to be down (HTTP 503).
``/response/<id>`` stands in for a slash command's or action's
``response_url``.

``rate_per_second`` models Slack's rate limits, which are per method: each
method may be called that many times in any one second, and a call beyond
is answered 429 with ``Retry-After: 1`` (and does not count).
``channel_rate_per_second`` adds Slack's limit on ``chat.postMessage`` per
channel (about one message a second).

Posted messages are kept per channel (a DM to ``U…`` lands in ``D…``) with
their ``metadata``, and ``conversations.open`` / ``conversations.history``
answer from them the way Slack does: newest first, ``oldest`` (exclusive),
``limit`` and ``cursor``, metadata only with ``include_all_metadata``.
``post_delay`` makes ``chat.postMessage`` wait that many seconds *after* it
has recorded the message and before it answers: a sender killed in that
window has posted without learning it.
"""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict
from contextlib import contextmanager

from flask import Flask, jsonify, request

from tests.support.servers import serve_in_thread


class FakeSlack:
    def __init__(self):
        self.calls: list[tuple[str, dict, int]] = []  # method, parameters, HTTP status answered
        self.users_by_email: dict[str, str] = {}
        self.emails_by_user: dict[str, str] = {}
        self.scripted: dict[str, list[tuple[int, dict, dict]]] = defaultdict(list)
        self.rate_per_second: float | None = None
        self.down = False
        self.post_delay = 0.0
        self.messages: dict[str, list[dict]] = defaultdict(list)  # channel → messages, oldest first
        self._lock = threading.Lock()
        self.channel_rate_per_second: float | None = None
        self._windows: dict[tuple[str, str], list[float]] = defaultdict(list)  # accepted calls' moments
        self._ts = 0
        self.url = ""
        self.socket_url = ""  # what apps.connections.open answers (tests.support.slack_socket)
        self.homes: dict[str, dict] = {}  # user → the Home tab last published for them (views.publish)

    # -- setup -------------------------------------------------------------
    def add_user(self, user_id: str, email: str) -> None:
        self.users_by_email[email] = user_id
        self.emails_by_user[user_id] = email

    def script(self, method: str, status: int = 200, body: dict | None = None, headers: dict | None = None,
               times: int = 1) -> None:
        """The next ``times`` calls of ``method`` get this answer."""
        for _ in range(times):
            self.scripted[method].append((status, body or {"ok": False, "error": "internal_error"}, headers or {}))

    def rate_limited(self, method: str, times: int = 1, retry_after: int = 1) -> None:
        self.script(method, 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)}, times)

    # -- reading what happened -----------------------------------------------
    def of(self, method: str) -> list[dict]:
        """The calls of ``method`` that were answered with success."""
        with self._lock:
            return [params for name, params, status in self.calls if name == method and status == 200]

    def attempts(self, method: str) -> int:
        """How often ``method`` was called, refused calls included."""
        with self._lock:
            return sum(name == method for name, _params, _status in self.calls)

    def refusals(self) -> dict[str, int]:
        """How many calls of each method were answered 429."""
        with self._lock:
            found: dict[str, int] = defaultdict(int)
            for name, _params, status in self.calls:
                if status == 429:
                    found[name] += 1
            return dict(found)

    def in_channel(self, channel: str) -> list[dict]:
        """The messages posted to ``channel`` (``D…`` for a DM), oldest first."""
        with self._lock:
            return list(self.messages[channel])

    def home_of(self, user: str) -> dict | None:
        """The Home tab last published for ``user``."""
        with self._lock:
            return self.homes.get(user)

    def posted(self) -> int:
        """How many messages were posted, answered or not."""
        with self._lock:
            return sum(len(found) for found in self.messages.values())

    def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.of(method)
            if len(found) >= count:
                return found
            time.sleep(0.02)
        raise AssertionError(f"expected {count} calls of {method}, got {len(self.of(method))}")

    # -- the HTTP app ------------------------------------------------------------
    def app(self) -> Flask:
        app = Flask("fake-slack")

        @app.route("/api/<method>", methods=["GET", "POST"])
        def api(method):
            params = {**request.args, **request.form, **(request.get_json(silent=True) or {})}
            status, body, headers = (503, None, {}) if self.down else self._canned(method, params) or (200, None, {})
            with self._lock:
                self.calls.append((method, params, status))
            if status == 503:
                return "Service Unavailable", 503
            answer = body or self._answer(method, params)
            if method == "chat.postMessage" and status == 200:
                time.sleep(self.post_delay)
            return jsonify(answer), status, headers

        @app.post("/response/<path:name>")
        def response_url(name):
            with self._lock:
                self.calls.append(("response_url", {"name": name, **(request.get_json(silent=True) or {})}, 200))
            return "ok"

        return app

    def _canned(self, method: str, params: dict):
        with self._lock:
            if self.scripted[method]:
                return self.scripted[method].pop(0)
            windows = [((method, ""), self.rate_per_second)]
            if method == "chat.postMessage":
                windows.append(((method, _dm(str(params.get("channel", "")))), self.channel_rate_per_second))
            if not self._admitted(windows):
                return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "1"}
        return None

    def _admitted(self, windows) -> bool:
        """Whether each (window, rate) has room in the last second; if so the call counts in each."""
        now = time.monotonic()
        limited = [(key, rate) for key, rate in windows if rate]
        for key, rate in limited:
            self._windows[key] = [moment for moment in self._windows[key] if now - moment < 1.0]
            if len(self._windows[key]) >= rate:
                return False
        for key, _rate in limited:
            self._windows[key].append(now)
        return True

    def _answer(self, method: str, params: dict) -> dict:
        if method == "auth.test":
            return {"ok": True, "user_id": "UBOT", "bot_id": "BBOT", "team_id": "T1", "user": "kkr-bot"}
        if method == "users.lookupByEmail":
            user = self.users_by_email.get(params.get("email", ""))
            return {"ok": True, "user": {"id": user}} if user else {"ok": False, "error": "users_not_found"}
        if method == "users.info":
            email = self.emails_by_user.get(params.get("user", ""), "")
            return {"ok": True, "user": {"id": params.get("user"), "profile": {"email": email}}}
        if method in ("chat.postMessage", "chat.update"):
            channel = _dm(params.get("channel", ""))
            message = {"type": "message", "user": "UBOT", "bot_id": "BBOT", "text": params.get("text"),
                       "blocks": _blocks(params)}
            if params.get("metadata"):
                message["metadata"] = _json(params["metadata"])
            with self._lock:
                # Slack's ts: seconds since the epoch, unique in a channel.
                self._ts = max(self._ts + 1, int(time.time() * 1_000_000))
                message["ts"] = f"{self._ts // 1_000_000}.{self._ts % 1_000_000:06d}"
                if method == "chat.postMessage":
                    self.messages[channel].append(message)
            return {"ok": True, "channel": channel, "ts": message["ts"], "message": message}
        if method == "conversations.open":
            user = str(params.get("users", "")).split(",")[0]
            return {"ok": True, "channel": {"id": _dm(user)}}
        if method == "conversations.history":
            return self._history(params)
        if method == "apps.connections.open":
            return {"ok": True, "url": self.socket_url} if self.socket_url else {"ok": False, "error": "not_allowed"}
        if method == "views.open":
            return {"ok": True, "view": {"id": "V123", **(params.get("view") or {})}}
        if method == "views.publish":
            view = _json(params.get("view")) or {}
            with self._lock:
                self.homes[params.get("user_id", "")] = view
            return {"ok": True, "view": {"id": "VHOME", **view}}
        return {"ok": True}

    def _history(self, params: dict) -> dict:
        oldest = float(params.get("oldest") or 0)
        limit, start = int(params.get("limit") or 100), int(params.get("cursor") or 0)
        with_metadata = str(params.get("include_all_metadata", "")).lower() in ("1", "true")
        with self._lock:
            found = [m for m in reversed(self.messages[params.get("channel", "")]) if float(m["ts"]) > oldest]
        page = [m if with_metadata else {k: v for k, v in m.items() if k != "metadata"}
                for m in found[start:start + limit]]
        more = start + limit < len(found)
        return {"ok": True, "messages": page, "has_more": more,
                "response_metadata": {"next_cursor": str(start + limit) if more else ""}}


def _dm(channel: str) -> str:
    """The DM channel of a user ID; any other channel as it is."""
    return "D" + channel[1:] if channel.startswith("U") else channel


def _json(value):
    return json.loads(value) if isinstance(value, str) else value


def _blocks(params: dict):
    return _json(params.get("blocks"))


@contextmanager
def fake_slack():
    """A running fake; ``fake.url`` is its base URL."""
    fake = FakeSlack()
    with serve_in_thread(fake.app()) as url:
        fake.url = url
        yield fake
