"""The door of ``POST /slack/events``: nothing reaches Bolt before it is
proven to come from Slack and to be new.

Bolt checks signatures itself, but its check raises on a timestamp that is
not a number (``int("abc")`` in slack_sdk's ``SignatureVerifier``), and Bolt
then hands the unverified body to ``@app.error``, which answers to the
``response_url`` or channel the sender chose.  So the door verifies first,
strictly, with slack_sdk's ``SignatureVerifier``: any doubt is a 401 and
nothing runs.  Then it lets each request through once: an Events API event
by its ``event_id`` (Slack's retries carry the same one), anything else by
its signature and timestamp (a replay of the same signed request), across
all processes on the store (``data.seen``).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable

from flask import Request, Response, jsonify
from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.adapter.flask.handler import to_flask_response
from slack_sdk.signature import SignatureVerifier

from data.seen import SeenRequests
from handlers.i18n import t

log = logging.getLogger(__name__)
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")


class _Clock:
    """The injected clock in the shape ``SignatureVerifier`` wants."""

    def __init__(self, now: Callable[[], float]):
        self.now = now


class SlackDoor:
    """Verifies, de-duplicates, then hands a request to the Bolt app."""

    def __init__(self, bolt: App, signing_secret: str, seen: SeenRequests, lang: str,
                 clock: Callable[[], float] = time.time):
        self.bolt, self.seen, self.lang, self.clock = bolt, seen, lang, clock
        self.verifier = SignatureVerifier(signing_secret, clock=_Clock(clock))

    def handle(self, request: Request) -> Response:
        body = self._verified_body(request)
        if body is None:
            log.warning("refused a Slack request that failed verification from %s", request.remote_addr)
            return _error(t("error.slack_unverified", self.lang), 401)
        bolt_request = _parsed(body, request)
        if bolt_request is None:  # signed, yet not the JSON or form Slack sends
            return _error(t("error.bad_request", self.lang), 400)
        key = _request_key(bolt_request)
        if not self.seen.first_time(key, self.clock()):
            log.info("ignored a Slack request already taken (retry %s)", request.headers.get("X-Slack-Retry-Num"))
            return Response("", 200)
        try:
            answer = self.bolt.dispatch(bolt_request)
        except BaseException:
            self.seen.forget(key)
            raise
        if answer.status >= 500:
            self.seen.forget(key)  # nothing was done: Slack's retry of an event may run
        return to_flask_response(answer)

    def _verified_body(self, request: Request) -> str | None:
        """The body as text when the request is signed by Slack within the
        last five minutes, else None."""
        timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
        signature = request.headers.get("X-Slack-Signature", "")
        if not _TIMESTAMP.fullmatch(timestamp) or not _SIGNATURE.fullmatch(signature):
            return None
        try:
            body = request.get_data(cache=True).decode("utf-8")
        except UnicodeDecodeError:
            return None
        return body if self.verifier.is_valid(body, timestamp, signature) else None


def _parsed(body: str, request: Request) -> BoltRequest | None:
    try:
        parsed = BoltRequest(body=body, query=request.query_string.decode("latin-1"), headers=request.headers)
    except (ValueError, TypeError, AttributeError):
        return None
    return parsed if isinstance(parsed.body, dict) else None


def _request_key(request: BoltRequest) -> str:
    """What makes two requests the same: an event's id, else the signature
    (which covers the timestamp and the body) with its timestamp."""
    event_id = request.body.get("event_id") if request.body.get("type") == "event_callback" else None
    if isinstance(event_id, str) and event_id:
        return f"event:{event_id}"
    timestamp = request.headers["x-slack-request-timestamp"][0]
    return f"request:{timestamp}:{request.headers['x-slack-signature'][0]}"


def once_per_socket_event(seen: SeenRequests, clock: Callable[[], float] = time.time):
    """Bolt middleware for Socket Mode, where no door stands before Bolt:
    Slack sends an event again (same ``event_id``, a new envelope) when it
    thinks the first went unanswered, and a command or click again with the
    same ``trigger_id``; each runs once across all processes on the store."""
    def middleware(body: dict, next):  # noqa: A002 - Bolt passes it by this name
        key = _socket_key(body)
        if key and not seen.first_time(key, clock()):
            log.info("ignored a Socket Mode request already taken (%s)", key)
            return BoltResponse(status=200, body="")
        return next()

    return middleware


def _socket_key(body: dict) -> str | None:
    if body.get("type") == "event_callback" and body.get("event_id"):
        return f"socket-event:{body['event_id']}"
    return f"socket-trigger:{body['trigger_id']}" if body.get("trigger_id") else None


def _error(message: str, status: int) -> Response:
    response = jsonify({"error": message})
    response.status_code = status
    return response
