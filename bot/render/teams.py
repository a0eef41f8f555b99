"""What Teams shows besides the cards: the notification text of a notice.

Answers to questions are plain text (``bot.teams_ask``), sent with
``textFormat: plain`` so that nothing anyone typed is read as Markdown."""

from __future__ import annotations

from bot.render import digest
from bot.render.messages import header
from handlers.deliveries import Outgoing


def notice_text(item: Outgoing, lang: str) -> str:
    """The line Teams shows in the notification and the chat list."""
    if digest.is_digest(item):
        return digest.header(item, lang)
    return header(item.broadcast, lang)
