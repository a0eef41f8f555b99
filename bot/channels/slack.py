"""Slack: a DM to the recipient's Slack user, found by e-mail.

The channel ``slack`` of ``KKRBOT_CHANNELS`` (contract: ``bot.channels.base``);
configured when Slack is (``SLACK_BOT_TOKEN`` and a way to hear from Slack)."""

from __future__ import annotations

import logging
import threading
import time

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.channels.base import Setup
from bot.home_refresh import HomeRefresher
from bot.pacing import Pacer
from bot.render import deliveries as render
from bot.slack_limits import pacer_of
from handlers.clock import parse
from handlers.deliveries import Outgoing

log = logging.getLogger(__name__)

LOOKUP_TTL = 3600
METADATA_EVENT = "kkr_delivery"
UNLOOKABLE = frozenset({"missing_scope", "not_allowed_token_type", "no_permission"})
CLOCK_SKEW = 300  # seconds looked back before the earlier try began, for clocks that differ from Slack's


def _metadata(item: Outgoing) -> dict:
    """What marks a DM as this delivery's, for ``posted_before``."""
    return {"event_type": METADATA_EVENT,
            "event_payload": {f"{item.collection}_id": item.broadcast_id, "delivery_id": item.delivery_id}}


class SlackChannel:
    """Slack DMs to recipients found by e-mail (``users.lookupByEmail``),
    with the look-ups cached for an hour.

    Each DM carries the delivery's IDs as message metadata.  A delivery that
    an earlier try may have posted (``Outgoing.maybe_sent_since``: that try's
    process died, or its answer was lost) is first looked for in the
    recipient's DM, and a message found there is the one recorded instead of
    a second post.  First tries post at once.

    Every call waits for its slot in the pacer (``bot.slack_limits``) that
    the client's 429s are told to, so Slack need not refuse it; ``deadline``
    (a ``time.monotonic`` time) is when a send must give up waiting.
    """

    name = "slack"
    records_may_trail = True  # a DM carries its delivery's IDs: after a crash it is found, not posted again

    def __init__(self, client: WebClient, lang: str, pacer: Pacer | None = None, public_url: str = "",
                 homes: HomeRefresher | None = None):
        self.client, self.lang, self.public_url, self.homes = client, lang, public_url, homes
        self.pacer = pacer or pacer_of(client)
        self._users: dict[str, tuple[str | None, float]] = {}
        self._guard = threading.Lock()

    def user_for(self, email: str, deadline: float | None = None) -> str | None:
        with self._guard:
            cached = self._users.get(email)
        if cached and cached[1] > time.monotonic():
            return cached[0]
        try:
            with self.pacer.call("users.lookupByEmail", deadline=deadline):
                user = self.client.users_lookupByEmail(email=email)["user"]["id"]
        except SlackApiError as error:
            if error.response.get("error") != "users_not_found":
                raise
            user = None
        with self._guard:
            self._users[email] = (user, time.monotonic() + LOOKUP_TTL)
        return user

    def send(self, item: Outgoing, deadline: float | None = None) -> dict | None:
        """Post the message; None when the recipient has no Slack user."""
        user = item.recipient.get("slack_id") or self.user_for(item.recipient["email"], deadline)
        if not user:
            return None
        if item.maybe_sent_since:
            found = self.posted_before(user, item, deadline)
            if found:
                log.info("delivery %s/%s was posted before (ts %s); recorded, not posted again",
                         item.broadcast_id, item.delivery_id, found["ts"])
                return found
        with self.pacer.call("chat.postMessage", user, deadline):
            sent = self.client.chat_postMessage(channel=user, metadata=_metadata(item),
                                                **render.slack_message(item, self.lang, self.public_url))
        return {"user": user, "channel": sent["channel"], "ts": sent["ts"]}

    def recorded(self, item: Outgoing, ref: dict, now) -> None:
        """The DM is in the store: the recipient's Home tab lists it now."""
        if self.homes is not None and ref.get("user"):
            self.homes.refresh(ref["user"], now)

    def posted_before(self, user: str, item: Outgoing, deadline: float | None = None) -> dict | None:
        """The DM this delivery was posted as, if an earlier try posted it:
        the recipient's DM since that try began, read with metadata."""
        oldest = parse(item.maybe_sent_since).timestamp() - CLOCK_SKEW
        wanted = _metadata(item)
        try:
            with self.pacer.call("conversations.open", deadline=deadline):
                channel = self.client.conversations_open(users=user)["channel"]["id"]
            cursor = None
            while True:
                with self.pacer.call("conversations.history", deadline=deadline):
                    page = self.client.conversations_history(channel=channel, oldest=f"{oldest:.6f}", limit=200,
                                                             include_all_metadata=True, cursor=cursor)
                for message in page.get("messages", []):
                    if message.get("metadata") == wanted:
                        return {"user": user, "channel": channel, "ts": message["ts"]}
                cursor = (page.get("response_metadata") or {}).get("next_cursor")
                if not cursor:
                    return None
        except SlackApiError as error:
            # Without the scopes to look, a possible second DM beats a notice that is never delivered;
            # any other error is retried like a failed post.
            if error.response.get("error") not in UNLOOKABLE:
                raise
            log.warning("cannot look for delivery %s/%s in the DM (%s); posting it",
                        item.broadcast_id, item.delivery_id, error.response.get("error"))
        return None


def configured(setup: Setup) -> SlackChannel | None:
    """The Slack channel over the app's Web API client; None without Slack."""
    if setup.slack_client is None:
        return None
    homes = HomeRefresher(setup.slack_client, setup.store, setup.settings) if setup.store is not None else None
    return SlackChannel(setup.slack_client, setup.settings.lang, public_url=setup.public_url, homes=homes)
