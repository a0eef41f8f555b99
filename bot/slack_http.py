"""The door of ``POST /slack/events``: nothing reaches Bolt before it is
proven to come from Slack.

Bolt checks signatures itself, but its check raises on a timestamp that is
not a number (``int("abc")`` in slack_sdk's ``SignatureVerifier``), and Bolt
then hands the unverified body to ``@app.error``, which answers to the
``response_url`` or channel the sender chose.  So the door verifies first,
strictly, with slack_sdk's ``SignatureVerifier``: any doubt is a 401 and
nothing runs.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable

from flask import Request, Response, jsonify
from slack_bolt import App, BoltRequest
from slack_bolt.adapter.flask.handler import to_flask_response
from slack_sdk.signature import SignatureVerifier

from handlers.i18n import t

log = logging.getLogger(__name__)
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")


class _Clock:
    """The injected clock in the shape ``SignatureVerifier`` wants."""

    def __init__(self, now: Callable[[], float]):
        self.now = now


class SlackDoor:
    """Verifies, then hands a request to the Bolt app."""

    def __init__(self, bolt: App, signing_secret: str, lang: str, clock: Callable[[], float] = time.time):
        self.bolt, self.lang, self.clock = bolt, lang, clock
        self.verifier = SignatureVerifier(signing_secret, clock=_Clock(clock))

    def handle(self, request: Request) -> Response:
        body = self._verified_body(request)
        if body is None:
            log.warning("refused a Slack request that failed verification from %s", request.remote_addr)
            return _error(t("error.slack_unverified", self.lang), 401)
        bolt_request = _parsed(body, request)
        if bolt_request is None:  # signed, yet not the JSON or form Slack sends
            return _error(t("error.bad_request", self.lang), 400)
        return to_flask_response(self.bolt.dispatch(bolt_request))

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


def _error(message: str, status: int) -> Response:
    response = jsonify({"error": message})
    response.status_code = status
    return response
