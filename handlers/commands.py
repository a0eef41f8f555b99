"""The ``/kkr`` command and questions put to the bot in a mention or DM.

Both channels (Slack and the shell) parse nothing themselves: they pass the
text here and render the ``Reply`` they get back.
"""

from __future__ import annotations

import re
from datetime import datetime

from handlers import steering
from handlers.directory import all_regions, find_contact
from handlers.matching import fold
from handlers.models import Reply

HELP_WORDS = frozenset({"help", "hjaelp", "h", "?", "hjaelp mig", "help me"})
_MENTION = re.compile(r"<@[A-Z0-9]+(\|[^>]*)?>")


def kkr(store, text: str | None, actor: str | None = None, now: datetime | None = None) -> Reply:
    """``/kkr`` alone: all five regions; ``/kkr help``; ``/kkr <place>``.
    ``actor`` and ``now`` put the read in the audit trail."""
    text = (text or "").strip()
    if not text:
        return Reply("overview", tuple(all_regions(store, actor, now)))
    if text == "?" or fold(text) in HELP_WORDS:
        return Reply("help")
    first, _, rest = text.partition(" ")
    if first.lower() in ("reps", "repr", "styregruppe") and rest.strip():
        return Reply("roster", roster=steering.roster(store, rest.strip(), actor, now))
    return Reply("contact", (find_contact(store, text, actor, now),))


def question(store, text: str | None, actor: str | None = None, now: datetime | None = None) -> Reply:
    """A free-text question such as "hvem er KKR-kontakt for Viborg?"."""
    text = _MENTION.sub(" ", text or "").strip()
    return kkr(store, text, actor, now)
