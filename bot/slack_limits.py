"""Slack's rate limits, paced (``bot.pacing``), and the retry handler that
tells the pacer when Slack refused a call all the same.

Slack limits each Web API method per app and workspace by tier (Tier 3:
50+ per minute, Tier 4: 100+ per minute); ``chat.postMessage`` allows about
one message per second per channel within a workspace-wide limit that Slack
does not state.  ``SLACK_RATE_LIMITS`` (``Settings.slack_rate_limits``)
overrides these defaults name by name, e.g. for a workspace whose limits
are known: ``chat.postMessage=20/s, users.lookupByEmail=50/min``.
"""

from __future__ import annotations

from urllib.parse import urlparse

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from bot.pacing import Limit, Pacer, parse_limits

SLACK_LIMITS = {
    "chat.postMessage": Limit(100, 60),  # unstated workspace-wide limit: Tier 4's figure, on the safe side
    "chat.postMessage@channel": Limit(1, 1),
    "users.lookupByEmail": Limit(50, 60),  # Tier 3
    "conversations.open": Limit(50, 60),  # Tier 3
    "conversations.history": Limit(50, 60),  # Tier 3 (internal apps)
    "users.info": Limit(100, 60),  # Tier 4
    "views.publish": Limit(100, 60),  # Tier 4: the Home tab (bot.home_refresh)
}


def slack_pacer(rate_limits: str | None = None) -> Pacer:
    """A pacer with Slack's limits, overridden by ``rate_limits`` (see the module)."""
    return Pacer({**SLACK_LIMITS, **parse_limits(rate_limits)})


class PacedRateLimitRetryHandler(RateLimitErrorRetryHandler):
    """slack_sdk's retry after a 429, told to the pacer: the method is
    blocked for ``Retry-After`` for every thread and its allowance lowered,
    and the retry waits for the block to end rather than ``Retry-After``
    plus up to a second at random.  A retry that would wait past the
    deadline of the paced call in progress is not made: the call fails with
    ``ratelimited`` and is retried later (the dispatcher's back-off)."""

    def __init__(self, pacer: Pacer, max_retry_count: int = 5):
        super().__init__(max_retry_count=max_retry_count)
        self.pacer = pacer

    def can_retry(self, *, state: RetryState, request: HttpRequest, response: HttpResponse | None = None,
                  error: Exception | None = None) -> bool:
        if response is None or response.status_code != 429:
            return False
        opens = self.pacer.refused(_method(request), _retry_after(response))
        return self.pacer.may_wait_until(opens) and super().can_retry(state=state, request=request,
                                                                      response=response, error=error)

    def prepare_for_next_attempt(self, *, state: RetryState, request: HttpRequest,
                                 response: HttpResponse | None = None, error: Exception | None = None) -> None:
        state.next_attempt_requested = True
        self.pacer.wait_open(_method(request))
        state.increment_current_attempt()


def pacer_of(client: WebClient) -> Pacer:
    """The pacer that ``client``'s 429s are told to; a new one with Slack's
    limits for a client made without (its 429s then only wait)."""
    for handler in client.retry_handlers:
        if isinstance(handler, PacedRateLimitRetryHandler):
            return handler.pacer
    return slack_pacer()


def _method(request: HttpRequest) -> str:
    return urlparse(request.url).path.rsplit("/", 1)[-1]


def _retry_after(response: HttpResponse) -> float:
    for name, values in response.headers.items():
        if name.lower() == "retry-after":
            value = values[0] if isinstance(values, list) else values
            try:
                return max(float(value), 0.0)
            except ValueError:
                break
    return 1.0
