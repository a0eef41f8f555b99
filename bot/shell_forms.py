"""The Slack modals of ``/rkkp-broadcast`` and ``/rkkp-appoint`` as prompts
in the shell: the same fields, labels and choices, read one line each.

What is typed goes to the same handler as the modal's submission, and a
field the handler refuses is shown with the handler's error and asked
again, as the modal shows the error under its field.  An error that no
field can mend (a full roster) ends the form.  End of input (a pipe that
runs dry, Ctrl-D) or Ctrl-C cancels: nothing is created.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot import render
from handlers import appointments, broadcasts, databases
from handlers.errors import KkrError
from handlers.i18n import t

# Both languages' words, whatever KKRBOT_LANG is: "ja" is no typo for "yes".
YES, NO = frozenset({"ja", "j", "yes", "y"}), frozenset({"nej", "n", "no"})


class Prompter(Protocol):
    def ask(self, prompt: str) -> str | None:
        """Show ``prompt``; the line typed, or None at the end of input."""

    def say(self, line: str) -> None:
        """Show a line between prompts."""


class Cancelled(Exception):
    """The input ended (or Ctrl-C) before the form was sent."""


@dataclass(frozen=True)
class Field:
    name: str                  # the modal's block id, the handler's field
    label: str                 # the modal's label (catalogue key)
    optional: bool = False
    choices: tuple[str, ...] = ()  # values; their labels are ``choice_label`` + value
    choice_label: str = ""
    default: str = ""
    hint: str = ""             # how to type it (catalogue key), e.g. a date's format


BROADCAST = (
    Field("kind", "modal.kind", choices=broadcasts.KINDS, choice_label="kind.", default=broadcasts.KINDS[0]),
    Field("database", "modal.database", default="DHRD"),
    Field("title", "modal.title_field"),
    Field("link", "modal.link", optional=True),
    Field("body", "modal.body", optional=True),
    Field("deadline", "modal.deadline", optional=True, hint="shell.date"),
    Field("municipal_deadline", "modal.municipal_deadline", optional=True, hint="shell.date"),
)
APPOINTMENT = (
    Field("disease_area", "modal.appoint_disease_area"),
    Field("representatives", "modal.appoint_representatives", default="5"),
    Field("justification", "modal.appoint_justification", optional=True),
    Field("competencies", "modal.appoint_competencies", optional=True),
    Field("chair", "modal.appoint_chair", default="no", hint="shell.yes_no"),
    Field("next_meeting", "modal.appoint_next_meeting", optional=True, hint="shell.date"),
)


def broadcast(store, rest: str, lang: str, actor: str, now: datetime, prompter: Prompter) -> str:
    """``/rkkp-broadcast``: the modal's fields, then ``broadcasts.create_broadcast``."""
    def submit(raw: dict) -> str:
        made, _ = broadcasts.create_broadcast(store, raw, by=actor, now=now)
        return t("broadcast.created", lang, id=made["id"])

    return _fill(BROADCAST, submit, lang, prompter, _broadcast_values)


def appoint(store, rest: str, lang: str, actor: str, now: datetime, prompter: Prompter) -> str:
    """``/rkkp-appoint [database]``: the database is checked first, as
    before Slack opens the modal; then its fields and ``appointments.open_request``."""
    with store.read(databases.PART) as view:
        code = databases.known(view, rest.strip() or "DHRD")["code"]

    def submit(raw: dict) -> str:
        opened, _ = appointments.open_request(store, code, raw, now, by=actor, creator={"name": actor})
        return t("appointment.opened", lang, id=opened["id"])

    return _fill(APPOINTMENT, submit, lang, prompter, _appointment_values)


def _fill(fields: tuple[Field, ...], submit: Callable[[dict], str], lang: str, prompter: Prompter,
          convert: Callable[[dict], dict]) -> str:
    """Ask every field, submit, and ask again each field the handler refuses."""
    by_name = {field.name: field for field in fields}
    try:
        typed = {field.name: _ask(field, lang, prompter) for field in fields}
        while True:
            try:
                return submit(convert(typed))
            except KkrError as error:
                field = by_name.get(error.extra.get("field", ""))
                if field is None:
                    raise
                for line in render.error_lines(error, lang):
                    prompter.say(line)
                typed[field.name] = _ask(field, lang, prompter)
    except Cancelled:
        return t("shell.cancelled", lang)


def _ask(field: Field, lang: str, prompter: Prompter) -> str:
    if field.choices:
        options = "  ".join(f"{n}) {t(field.choice_label + value, lang)}" for n, value in enumerate(field.choices, 1))
        prompter.say(f"  {options}")
    hint = (t(field.hint, lang) if field.hint else "") + (
        t("shell.optional", lang) if field.optional else
        t("shell.default", lang, value=_shown(field, field.default, lang)) if field.default else "")
    try:
        line = prompter.ask(f"{t(field.label, lang)}{hint}: ")
    except KeyboardInterrupt:
        raise Cancelled from None
    if line is None:
        raise Cancelled
    return line.strip() or field.default


def _shown(field: Field, value: str, lang: str) -> str:
    if field.choices:
        return t(field.choice_label + value, lang)
    return t(f"shell.{value}", lang) if field.hint == "shell.yes_no" else value


def _broadcast_values(typed: dict) -> dict:
    """A choice's number as its value; empty optional fields as not given."""
    raw = {name: value or None for name, value in typed.items()}
    kind = typed["kind"]
    if kind.isdigit() and 1 <= int(kind) <= len(broadcasts.KINDS):
        raw["kind"] = broadcasts.KINDS[int(kind) - 1]
    return raw


def _appointment_values(typed: dict) -> dict:
    """The seats as a number and the chair wish as yes or no, as the modal
    submits them; anything else goes to the handler, which refuses it."""
    raw = {name: value or None for name, value in typed.items()}
    seats, chair = typed["representatives"], typed["chair"].lower()
    raw["representatives"] = int(seats) if seats.isdigit() else seats
    raw["chair"] = True if chair in YES else False if chair in NO else typed["chair"]
    return raw
