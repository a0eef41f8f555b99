"""The terminal shell: the Slack commands typed at a prompt, no Slack needed.

Reads standard input line by line, so it also works in a pipe:
``echo '/kkr Viborg' | python -m bot shell``.
"""

from __future__ import annotations

import getpass
import sys
from datetime import UTC, datetime

from bot import render
from handlers import commands, permissions
from handlers.errors import KkrError
from handlers.i18n import t
from handlers.permissions import Act

QUIT = {"quit", "exit", "q", ":q", "farvel"}
# The act of each command (handlers.permissions); anything else asks the directory or gets a hint.
ACTS = {"/kkr": Act.READ_DIRECTORY, "/rkkp-status": Act.READ_STATUS, "/rkkp-report": Act.READ_REPORT}


def answer(store, line: str, lang: str, actor: str | None = None) -> str:
    """The shell's answer to one line, as text; reads are audited as ``actor``,
    the local operator (``permissions.operator``)."""
    name, _, rest = line.strip().partition(" ")
    now = datetime.now(UTC)
    try:
        permissions.admit(permissions.operator(actor or "shell"), ACTS.get(name, Act.READ_DIRECTORY))
        if name == "/kkr":
            reply = commands.kkr(store, rest, actor, now)
        elif name == "/rkkp-status":
            from bot.render import deliveries  # here, not above: the look-up starts faster without them
            from handlers import broadcasts

            found = broadcasts.status(store, rest, actor, now) if rest.strip() else None
            return "\n".join(deliveries.status_lines(found, lang) if found
                             else deliveries.list_lines(broadcasts.list_broadcasts(store), lang))
        elif name == "/rkkp-report":
            from handlers import report

            return report.to_markdown(report.hearing_report(store, rest, actor, now), lang).rstrip()
        elif name.lower() in ("help", "/help", "hjælp"):
            reply = commands.kkr(store, "help", actor, now)
        elif name.startswith("/"):
            return t("shell.unknown_command", lang, command=name)
        else:
            reply = commands.question(store, line, actor, now)
        return render.text(reply, lang)
    except KkrError as error:
        return "\n".join(render.error_lines(error, lang))


def run(store, lang: str, stdin=None, stdout=None) -> int:
    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout
    interactive = stdin.isatty()
    actor = f"shell:{getpass.getuser()}"
    if interactive:
        print(t("shell.welcome", lang), file=stdout)
    while True:
        if interactive:
            print("kkr> ", end="", file=stdout, flush=True)
        line = stdin.readline()
        if not line:
            break
        line = line.strip()
        if not line:
            continue
        if line.lower() in QUIT:
            if interactive:
                print(t("shell.bye", lang), file=stdout)
            break
        print(answer(store, line, lang, actor), file=stdout, flush=True)
    return 0
