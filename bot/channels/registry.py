"""The channels by name, as ``KKRBOT_CHANNELS`` names them, and the list the
dispatcher tries in that order.

A new channel is one module with a class to the contract of
``bot.channels.base`` and a ``configured(setup)`` that returns it, or None
when it is not configured; and one line in ``FACTORIES``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.channels import mail, outbox, slack
from bot.channels.base import Channel, Setup
from handlers.errors import Invalid

log = logging.getLogger(__name__)

FACTORIES: dict[str, Callable[[Setup], Channel | None] | None] = {
    "slack": slack.configured,
    "teams": lambda setup: setup.teams.channel if setup.teams is not None else None,  # see _teams_note
    "email": mail.configured,  # SMTP with SMTP_URL, else the outbox
    "outbox": outbox.configured,
}


# _teams_note: Teams' channel (bot.teams_channel) is built with the Teams bot, which exists only when
# TEAMS_APP_ID is set; importing its module here would load the Teams SDK for everyone.


def channels_of(setup: Setup) -> list[Channel]:
    """The configured channels in the order of ``settings.channels``; a
    channel not configured is skipped, one that is there already (``email``
    as the outbox beside ``outbox``) too.  An unknown name, or an order in
    which no channel is configured, stops the start."""
    order = setup.settings.channels
    unknown = [name for name in order if name not in FACTORIES]
    if unknown or not order:
        raise Invalid("channels.unknown" if unknown else "channels.none", name=", ".join(unknown),
                      given=", ".join(order), known=", ".join(FACTORIES), extra={"field": "KKRBOT_CHANNELS"})
    found: list[Channel] = []
    for name in order:
        factory = FACTORIES[name]
        channel = factory(setup) if factory else None
        if channel is None:
            log.info("channel %s is not configured; skipped", name)
        elif channel.name not in {c.name for c in found}:
            found.append(channel)
    if not found:
        raise Invalid("channels.none_configured", given=", ".join(order), extra={"field": "KKRBOT_CHANNELS"})
    return found
