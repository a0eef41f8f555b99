"""What a Teams user asks the bot, answered by the same handlers as the
shell and Slack: ``kkr [place]``, ``hjælp``, ``status [nr]``, ``rapport
<nr>``, ``log ind`` (a sign-in link to the dashboard), and free questions
("hvem er KKR-kontakt for Region Sjælland?").

No Teams SDK here: the listener (``bot.teams``) passes the text with the
@mention already stripped and the ``Actor``, and sends the text it gets
back (as plain text, so nothing anyone typed is read as Markdown).
"""

from __future__ import annotations

from datetime import datetime

from bot import render
from handlers import commands, permissions, signin
from handlers.errors import KkrError
from handlers.i18n import t
from handlers.permissions import Act, Actor

HELP = frozenset({"hjælp", "hjaelp", "help", "?"})
STATUS = frozenset({"status", "/rkkp-status"})
REPORT = frozenset({"rapport", "report", "/rkkp-report"})
KKR = frozenset({"kkr", "/kkr"})
SIGN_IN = frozenset({"log ind", "login", "dashboard", "oversigt", "oversigten"})


def answer(store, text: str, actor: Actor, now: datetime, lang: str, link_base: str = "",
           personal: bool = False) -> str:
    """The answer to one message, as plain text; a refusal or an error is
    the same text the shell and Slack give.  ``link_base``: where the
    dashboard's sign-in links point; they are given only in a ``personal``
    chat, never where others read along."""
    link_base = link_base if personal else ""
    text = (text or "").strip()
    word, _, rest = text.partition(" ")
    first = word.lower()
    try:
        if first in HELP and not rest.strip():
            permissions.admit(actor, Act.OPEN)
            return t("teams.help", lang)
        if " ".join(text.lower().split()) in SIGN_IN:
            permissions.admit(actor, Act.OPEN)
            if not personal:
                return t("teams.signin_personal", lang)
            return _sign_in(store, actor, now, lang, link_base) or t("signin.sent", lang)
        if first in STATUS:
            found = _status(store, rest.strip(), permissions.admit(actor, Act.READ_STATUS), now, lang)
            link = _sign_in(store, actor, now, lang, link_base)
            return f"{found}\n\n{link}" if link else found
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


def _sign_in(store, actor: Actor, now: datetime, lang: str, link_base: str) -> str | None:
    """A single-use sign-in link to the dashboard for the person the
    directory knows by the e-mail Teams vouches for; None for anyone else
    (who then gets the sign-in form's answer, which tells nothing)."""
    person = signin.person_for_email(store, actor.email or "")
    if person is None or not link_base:
        return None
    token = signin.issue_link(store, person, now, by=actor.name)
    return t("teams.signin_link", lang, url=signin.link_url(link_base, token))
