"""What a Teams user asks the bot, answered by the same handlers as the
shell and Slack: ``kkr [place]``, ``hjælp``, ``status [nr]``, ``rapport
<nr>``, and free questions ("hvem er KKR-kontakt for Region Sjælland?").

No Teams SDK here: the listener (``bot.teams``) passes the text with the
@mention already stripped and the ``Actor``, and sends the text it gets
back (as plain text, so nothing anyone typed is read as Markdown).
"""

from __future__ import annotations

from datetime import datetime

from bot import render
from handlers import commands, permissions
from handlers.errors import KkrError
from handlers.i18n import t
from handlers.permissions import Act, Actor

HELP = frozenset({"hjælp", "hjaelp", "help", "?"})
STATUS = frozenset({"status", "/rkkp-status"})
REPORT = frozenset({"rapport", "report", "/rkkp-report"})
KKR = frozenset({"kkr", "/kkr"})


def answer(store, text: str, actor: Actor, now: datetime, lang: str) -> str:
    """The answer to one message, as plain text; a refusal or an error is
    the same text the shell and Slack give."""
    text = (text or "").strip()
    word, _, rest = text.partition(" ")
    first = word.lower()
    try:
        if first in HELP and not rest.strip():
            permissions.admit(actor, Act.OPEN)
            return t("teams.help", lang)
        if first in STATUS:
            return _status(store, rest.strip(), permissions.admit(actor, Act.READ_STATUS), now, lang)
        if first in REPORT:
            from handlers import report

            permissions.admit(actor, Act.READ_REPORT)
            return report.to_markdown(report.hearing_report(store, rest.strip(), actor.name, now), lang).rstrip()
        permissions.admit(actor, Act.READ_DIRECTORY)
        if first in KKR:
            return render.text(commands.kkr(store, rest, actor.name, now), lang)
        return render.text(commands.question(store, text, actor.name, now), lang)
    except KkrError as error:
        return "\n".join(render.error_lines(error, lang))


def _status(store, wanted: str, actor: Actor, now: datetime, lang: str) -> str:
    from bot.render import deliveries
    from handlers import broadcasts

    if wanted:
        return "\n".join(deliveries.status_lines(broadcasts.status(store, wanted, actor.name, now), lang))
    return "\n".join(deliveries.list_lines(broadcasts.list_broadcasts(store)[:10], lang))
