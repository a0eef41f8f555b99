"""Turning handler results into what a person reads: Block Kit for Slack,
plain lines for the terminal.  This package is the only place that builds
Block Kit; this module renders the directory, ``deliveries`` the broadcasts."""

from __future__ import annotations

import copy

from bot.render.mrkdwn import escape, escaped
from handlers.errors import KkrError, NotFound
from handlers.i18n import t
from handlers.models import ContactAnswer, Reply


def lines(reply: Reply, lang: str) -> list[str]:
    """The reply as lines of plain text (Slack mrkdwn is plain enough)."""
    if reply.kind == "help":
        return t("reply.help", lang).split("\n")
    if reply.kind == "overview":
        return [t("reply.overview.title", lang), *(_overview_line(a, lang) for a in reply.answers)]
    if reply.kind == "roster":
        return roster_lines(reply.roster, lang)
    return [line for answer in reply.answers for line in contact_lines(answer, lang)]


def contact_lines(answer: ContactAnswer, lang: str) -> list[str]:
    out = []
    region = answer.region.name if lang == "da" else answer.region.name_en
    if not answer.exact:
        place = answer.municipality.name if answer.municipality else region
        out.append(t("reply.fuzzy", lang, place=place, query=answer.query))
    if answer.municipality:
        out.append(t("reply.municipality", lang, municipality=answer.municipality.official_name, region=region))
    if answer.contact:
        out.append(t("reply.contact.active", lang, region=region, **_who(answer.contact)))
    else:
        out.append(t("reply.contact.pending", lang, region=region))
        out.append(t("reply.contact.route_via", lang, **_who(answer.route_via)) if answer.route_via
                   else t("reply.contact.no_route", lang))
    if answer.municipality and answer.municipality.contact:
        out.append(t("reply.municipality.contact", lang, **_who(answer.municipality.contact)))
    return out


def roster_lines(roster: dict, lang: str) -> list[str]:
    out = [t("reply.roster.title", lang, database=roster["database"]["name"], filled=roster["filled"],
             seats=roster["seats"])]
    for member in roster["representatives"]:
        out.append(t("reply.roster.member", lang, region=member["region"]["name"], name=member["name"],
                     title=member["title"] or "–", workplace=member["workplace"] or "–", email=member["email"]))
    if roster["chair"]:
        out.append(t("reply.roster.chair", lang, name=roster["chair"]["name"], email=roster["chair"]["email"]))
    if roster["regions_without_representative"]:
        out.append(t("reply.roster.gap", lang, names=", ".join(roster["regions_without_representative"])))
    if roster["justification"]:
        out.append(t("reply.roster.justification", lang, text=roster["justification"]))
    elif not roster["complete"]:
        out.append(t("reply.roster.incomplete", lang))
    return out


def error_lines(error: KkrError, lang: str) -> list[str]:
    out = [error.message(lang)]
    if isinstance(error, NotFound):
        if error.suggestions:
            out.append(t("reply.suggestions", lang, names=", ".join(error.suggestions)))
        out.append(t("reply.try_help", lang))
    return out


def text(reply: Reply, lang: str) -> str:
    return "\n".join(lines(reply, lang))


def slack(reply: Reply, lang: str) -> dict:
    """``text`` (for notifications and screen readers) plus Block Kit, with
    every name and typed place escaped for mrkdwn."""
    reply = escaped(reply)
    if reply.kind == "contact":
        blocks = [_section(contact_lines(answer, lang)) for answer in reply.answers]
    elif reply.kind == "overview":
        title, *rows = lines(reply, lang)
        blocks = [{"type": "header", "text": {"type": "plain_text", "text": title}}, _section(rows)]
    elif reply.kind == "help":
        # The help's own text shows placeholders in angle brackets, which mrkdwn would read as links.
        rows = [escape(row) for row in lines(reply, lang)]
        return {"text": "\n".join(rows), "blocks": [_section(rows)]}
    else:
        blocks = [_section(lines(reply, lang))]
    return {"text": text(reply, lang), "blocks": blocks}


def slack_error(error: KkrError, lang: str) -> dict:
    """The error as a message; its parameters (what someone typed) escaped."""
    safe = copy.copy(error)
    safe.params, safe.extra = escaped(error.params), escaped(error.extra)
    found = error_lines(safe, lang)
    return {"text": "\n".join(found), "blocks": [_section(found)]}


def _section(rows: list[str]) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(rows)}}


def _overview_line(answer: ContactAnswer, lang: str) -> str:
    region = answer.region.name if lang == "da" else answer.region.name_en
    if answer.contact:
        return "• " + t("reply.contact.active", lang, region=region, **_who(answer.contact))
    if answer.route_via:
        return "• " + t("reply.overview.pending", lang, region=region, **_who(answer.route_via))
    return "• " + t("reply.overview.pending_no_route", lang, region=region)


def _who(person) -> dict:
    return {"name": person.name, "email": person.email}
