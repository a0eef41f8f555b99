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
# The act of each command (handlers.permissions), as its Slack listener declares it;
# anything else asks the directory or gets a hint.
ACTS = {"/kkr": Act.READ_DIRECTORY, "/rkkp-status": Act.READ_STATUS, "/rkkp-report": Act.READ_REPORT,
        "/rkkp-close": Act.CLOSE_HEARING, "/rkkp-broadcast": Act.BROADCAST, "/rkkp-appoint": Act.APPOINT}
LISTED = 10  # /rkkp-status without a number lists the newest, as in Slack


class Terminal:
    """The prompts of a form (``bot.shell_forms``) on the shell's input and output."""

    def __init__(self, stdin, stdout, interactive: bool):
        self.stdin, self.stdout, self.interactive = stdin, stdout, interactive

    def ask(self, prompt: str) -> str | None:
        # In a pipe each prompt is a line of its own, so the answers read as a transcript.
        print(prompt, end="" if self.interactive else "\n", file=self.stdout, flush=True)
        line = self.stdin.readline()
        return line.rstrip("\n") if line else None

    def say(self, line: str) -> None:
        print(line, file=self.stdout, flush=True)


class _NoInput:
    """Forms without a terminal: cancelled at the first prompt."""

    def ask(self, prompt: str) -> None:
        return None

    def say(self, line: str) -> None:
        pass


def answer(store, line: str, lang: str, actor: str | None = None, prompter=None) -> str:
    """The shell's answer to one line, as text; reads and changes are
    audited as ``actor``, the local operator (``permissions.operator``).
    ``prompter`` asks a form's fields (``/rkkp-broadcast``, ``/rkkp-appoint``)."""
    name, _, rest = line.strip().partition(" ")
    now = datetime.now(UTC)
    actor = actor or "shell"
    try:
        permissions.admit(permissions.operator(actor), ACTS.get(name, Act.READ_DIRECTORY))
        if name in ("/rkkp-broadcast", "/rkkp-appoint", "/rkkp-close"):
            return _change(store, name, rest, lang, actor, now, prompter or _NoInput())
        if name == "/kkr":
            reply = commands.kkr(store, rest, actor, now)
        elif name == "/rkkp-status":
            from bot.render import deliveries  # here, not above: the look-up starts faster without them
            from handlers import broadcasts

            found = broadcasts.status(store, rest, actor, now) if rest.strip() else None
            return "\n".join(deliveries.status_lines(found, lang) if found
                             else deliveries.list_lines(broadcasts.list_broadcasts(store)[:LISTED], lang))
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


def _change(store, name: str, rest: str, lang: str, actor: str, now: datetime, prompter) -> str:
    """The commands that change something, through the handlers Slack's listeners call."""
    from bot import shell_forms
    from bot.render import hearings as render_hearings
    from handlers import hearings

    if name == "/rkkp-broadcast":
        return shell_forms.broadcast(store, rest, lang, actor, now, prompter)
    if name == "/rkkp-appoint":
        return shell_forms.appoint(store, rest, lang, actor, now, prompter)
    wanted, _, message = rest.strip().partition(" ")
    number = hearings.hearing_number(wanted)
    closing = hearings.close_hearing(store, number, message, now, by=actor)
    return "\n".join(render_hearings.closed_lines(number, closing, lang))


def run(store, lang: str, stdin=None, stdout=None) -> int:
    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout
    interactive = stdin.isatty()
    actor = f"shell:{getpass.getuser()}"
    terminal = Terminal(stdin, stdout, interactive)
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
        print(answer(store, line, lang, actor, terminal), file=stdout, flush=True)
    return 0
