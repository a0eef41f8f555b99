"""The text of a delivered message, the same in Slack, e-mail and on the
acknowledgement page."""

from __future__ import annotations

from handlers.databases import consultant_label
from handlers.deliveries import Outgoing
from handlers.i18n import t


def header(broadcast: dict, lang: str) -> str:
    return t("msg.header", lang, kind=t(f"kind.{broadcast['kind']}", lang), database=broadcast["database"])


def message_lines(item: Outgoing, lang: str) -> list[str]:
    """Title, text, link, deadline, and why this recipient gets it; a
    reminder or closing message leads with its own text."""
    b = item.broadcast
    if item.purpose in ("summary", "welcome"):
        return [own_text(item, lang)]
    if item.purpose == "closing":
        return [t("msg.closing", lang, title=b["title"]), own_text(item, lang)]
    out = [own_text(item, lang)] if item.purpose == "reminder" else []
    out.append(f"*{b['title']}*")
    if b.get("body"):
        out.append(b["body"])
    if b.get("link"):
        out.append(t("msg.link", lang, link=b["link"]))
    if b.get("deadline"):
        out.append(t("msg.deadline", lang, deadline=b["deadline"]))
    if b["kind"] == "appointment":
        out.extend(appointment_lines(b, lang))
    elif item.tier == 2:
        out.append(t("msg.tier2", lang, municipality=item.municipality_name, region=item.region_name))
    elif item.fallback:
        out.append(t("msg.fallback", lang, region=item.region_name))
    else:
        out.append(t("msg.tier1", lang, region=item.region_name))
    return out


def appointment_lines(request: dict, lang: str) -> list[str]:
    """What KL is asked for: the seats, the chair and the management
    background the playbook wants of them, the justification for fewer
    than 5, and who at RKKP asks."""
    chair = t("msg.appointment_chair", lang) if request.get("chair_wanted") else ""
    out = [t("msg.appointment_kl", lang, seats=request["seats"], chair=chair, database=request["database_name"])]
    if request.get("chair_wanted"):
        out.append(t("msg.appointment_chair_background", lang))
    if request.get("justification"):
        out.append(t("msg.appointment_justification", lang, text=request["justification"]))
    if request.get("consultant"):
        out.append(t("msg.appointment_from", lang, database=request["database"],
                     consultant=consultant_label(request["consultant"])))
    return out


def consultant_of(item: Outgoing) -> dict | None:
    """The RKKP consultant an appointment request's messages come from (the
    sign-off, and where answers go); None for other messages."""
    return item.broadcast.get("consultant") if item.broadcast.get("kind") == "appointment" else None


def forward_notes(done: dict, lang: str) -> list[str]:
    """What a forward did, for the person who pressed the button."""
    notes = [t("forward.done", lang, count=len(done["added"]), region=done["region_name"]) if done["added"]
             else t("forward.already", lang)]
    if done["unreachable"]:
        notes.append(t("forward.unreachable", lang, names=", ".join(done["unreachable"])))
    return notes


def own_text(item: Outgoing, lang: str) -> str:
    """The text a reminder, summary or closing message carries."""
    message = item.message or {}
    if "text" in message:
        return message["text"]
    return t(message.get("key", ""), lang, title=item.broadcast["title"], region=item.region_name,
             **message.get("params", {}))


def has_buttons(item: Outgoing) -> bool:
    """Notices and their reminders can be acknowledged; summaries and
    closing messages are for information."""
    return item.purpose in ("notice", "reminder")
