"""Requests signed the way Slack signs them (v0 HMAC-SHA256)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.parse

from tests.support.http import call


def signed_post(url: str, body: str, secret: str, content_type: str, timestamp: int | None = None,
                signature: str | None = None, headers: dict | None = None):
    timestamp = int(time.time()) if timestamp is None else timestamp
    base = f"v0:{timestamp}:{body}".encode()
    signature = signature or "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return call("POST", url, body.encode(), {"Content-Type": content_type, "X-Slack-Request-Timestamp": str(timestamp),
                                             "X-Slack-Signature": signature, **(headers or {})})


def slash_command(url, secret, command, text, user_id, response_url, **extra):
    form = {"token": "x", "team_id": "T1", "channel_id": "C1", "user_id": user_id, "user_name": user_id.lower(),
            "command": command, "text": text, "response_url": response_url, "trigger_id": "trig-1", **extra}
    return signed_post(url, urllib.parse.urlencode(form), secret, "application/x-www-form-urlencoded")


def interaction(url, secret, payload: dict, **kwargs):
    body = urllib.parse.urlencode({"payload": json.dumps(payload)})
    return signed_post(url, body, secret, "application/x-www-form-urlencoded", **kwargs)


def event(url, secret, event_body: dict, event_id="Ev1", **kwargs):
    body = json.dumps({"token": "x", "team_id": "T1", "api_app_id": "A1", "type": "event_callback",
                       "event_id": event_id, "event_time": int(time.time()), "event": event_body,
                       "authorizations": [{"user_id": "UBOT", "is_bot": True, "team_id": "T1"}]})
    return signed_post(url, body, secret, "application/json", **kwargs)


def block_action(user_id, action_id, value, response_url, message_blocks=None):
    return {"type": "block_actions", "team": {"id": "T1"}, "user": {"id": user_id, "name": user_id.lower()},
            "api_app_id": "A1", "trigger_id": "trig-2", "response_url": response_url,
            "channel": {"id": "D" + user_id[1:]}, "container": {"type": "message"},
            "message": {"ts": "1700000000.000001", "blocks": message_blocks or []},
            "actions": [{"action_id": action_id, "block_id": "b", "value": value, "type": "button"}]}


def view_submission(user_id, callback_id, values: dict, private_metadata="", view_id="V1"):
    state = {block: {"value": value} for block, value in values.items()}
    return {"type": "view_submission", "team": {"id": "T1"}, "user": {"id": user_id, "name": user_id.lower()},
            "api_app_id": "A1", "trigger_id": "trig-3",
            "view": {"id": view_id, "type": "modal", "callback_id": callback_id, "private_metadata": private_metadata,
                     "state": {"values": state}}}
