"""The channel contract: what every way of delivering a message implements.

The dispatcher (``bot.dispatch``) holds an ordered list of channels, built
from ``KKRBOT_CHANNELS`` by ``bot.channels.registry``, and gives each claimed
delivery to them in turn until one takes it.  A channel is any object with:

``name: str``
    What the delivery's record says delivered it (``slack``, ``email``,
    ``outbox``, ...); shown in the broadcast's status.  Unique within the
    dispatcher's list.

``send(item: Outgoing, deadline: float | None = None) -> dict | None``
    Deliver ``item`` (``handlers.deliveries.Outgoing``: the recipient, the
    broadcast, the link token, ...) and return a reference to what was sent
    (JSON-able, stored with the delivery: a Slack ``ts``, a ``Message-ID``,
    a file name).  The three outcomes:

    - a dict: delivered; no later channel is asked;
    - ``None``: this channel cannot reach this recipient (no Slack user for
      the e-mail, no Teams conversation with the person); nothing was sent
      and the next channel is tried.  It is not an error; when no channel
      reaches the recipient the try fails with "no channel reaches this
      recipient";
    - an exception: the try failed (the service is down, it refused).  The
      dispatcher records it with its error and retries the delivery after a
      back-off (30 s, 1 min, 2 min ... hourly, 12 tries), starting again
      from the first channel; it does not fall through to the next channel,
      as the message may have reached the person anyway.

    ``deadline`` is a ``time.monotonic()`` time after which the send must not
    start: the lease on the delivery runs out then.  A channel that paces
    itself (``bot.pacing``) waits for its slot inside ``send`` and raises
    ``bot.pacing.TooLate`` rather than wait past the deadline.  Pacing and
    retries within one try (slack_sdk's retry handlers) belong to the
    channel, never to the dispatcher.

    ``send`` may be called again for a delivery an earlier try may have
    sent (its process died, or its answer was lost): ``item.maybe_sent_since``
    is then the time that try began, so a channel that can look (Slack reads
    the DM) returns the earlier message instead of sending it again.
    ``send`` is called from one dispatcher thread per process, but several
    processes send at once (each delivery by one of them, under a lease).

``records_may_trail: bool`` (optional, default False)
    True when a message sent through this channel can be found again after
    a crash (a Slack DM carries its delivery's IDs), so that its record may
    be written behind the next sends instead of before them.

``recorded(item: Outgoing, ref: dict, now: datetime) -> None`` (optional)
    Called once the delivery's record as sent (with ``ref``) is stored, for
    what follows from it in the channel (Slack republishes the recipient's
    Home tab).  It must return at once and never raise.

A channel reads no environment: its module's ``configured(setup)`` builds it
from ``Setup`` (the settings, the store, the Slack client) or returns None
when it is not configured (no Slack token, no Teams app), and the registry
skips it.  ``bot.channels.memory.MemoryChannel`` is the contract's reference
implementation, for tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from api.config import Settings
from handlers.deliveries import Outgoing


@runtime_checkable
class Channel(Protocol):
    """A way to deliver a message; see the module's docstring."""

    name: str

    def send(self, item: Outgoing, deadline: float | None = None) -> dict | None: ...


@dataclass(frozen=True)
class Setup:
    """What a channel's ``configured`` may build it from."""

    settings: Settings
    store: Any = None
    slack_client: Any = None  # the slack_sdk WebClient the Slack app shares; None without Slack
    teams: Any = None  # the Teams bot (bot.teams.TeamsBot) when TEAMS_APP_ID is set; None without Teams

    @property
    def public_url(self) -> str:
        """Where the links in e-mails point."""
        return self.settings.link_base


class Unreachable(RuntimeError):
    """No channel in the list reaches the recipient."""
