"""Turning errors into a friendly chat message, for every Slack listener.

Events (mentions, DMs) reach Bolt's ``@app.error`` (see ``bot.slack``).
Commands and button clicks ack first and then may fail; they answer inside
``answering(respond)``, because when such a listener raises right after its
ack, Bolt's threaded runner can overwrite the ack with an empty response
and Slack shows the user a failure (slack_bolt 1.30,
``listener/thread_runner.py``).
"""

from __future__ import annotations

import logging
from contextlib import contextmanager

from bot import render
from handlers.errors import KkrError

log = logging.getLogger(__name__)


def error_reply(error: Exception, lang: str) -> dict:
    """Our errors say what went wrong; anything else is logged and the user
    gets a plain apology."""
    if isinstance(error, KkrError):
        return render.slack_error(error, lang)
    log.error("Slack listener failed", exc_info=error)
    return render.slack_error(KkrError(), lang)


@contextmanager
def answering(respond, lang: str):
    """Run a listener's work after its ack; a failure becomes a reply."""
    try:
        yield
    except Exception as error:  # noqa: BLE001 - every failure is answered, ours with its reason
        respond(**error_reply(error, lang))
