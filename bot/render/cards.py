"""A minimal Adaptive Card of a notice (placeholder: the cards helper's
version, with its Action.Execute buttons, replaces this one at the merge)."""

from __future__ import annotations

from handlers.deliveries import Outgoing
from handlers.messages import header, message_lines


def notice_card(item: Outgoing, lang: str) -> dict:
    """The notice as an Adaptive Card 1.5: its header and its lines as text."""
    lines = [line.replace("*", "") for line in message_lines(item, lang)]
    return {"type": "AdaptiveCard", "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "version": "1.5",
            "body": [{"type": "TextBlock", "text": header(item.broadcast, lang), "weight": "Bolder", "wrap": True},
                     *({"type": "TextBlock", "text": line, "wrap": True} for line in lines if line.strip())]}
