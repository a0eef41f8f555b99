"""The text of a delivered message, the same in Slack, e-mail and on the
acknowledgement page."""

from __future__ import annotations

from handlers.clock import day, from_text
from handlers.databases import consultant_label
from handlers.deliveries import Outgoing
from handlers.enums import Kind, Purpose, Tier
from handlers.i18n import t


def header(broadcast: dict, lang: str) -> str:
    return t("msg.header", lang, kind=t(f"kind.{broadcast['kind']}", lang), database=broadcast["database"])


def message_lines(item: Outgoing, lang: str) -> list[str]:
    """Title, text, link, deadline, and why this recipient gets it; a
    reminder, a change of deadline or a closing message leads with its own text."""
    b = item.broadcast
    if item.purpose in (Purpose.SUMMARY, Purpose.WELCOME):
        return [own_text(item, lang)]
    if item.purpose == Purpose.CLOSING:
        return [t("msg.closing", lang, title=b["title"]), own_text(item, lang)]
    out = [own_text(item, lang)] if item.purpose in (Purpose.REMINDER, Purpose.DEADLINE) else []
    out.append(f"*{b['title']}*")
    if b.get("body"):
        out.append(b["body"])
    if b.get("link"):
        out.append(t("msg.link", lang, link=b["link"]))
    # A municipality answers its KKR contact by its own, earlier deadline.
    if b.get("deadline") and not (item.tier == Tier.MUNICIPALITY and b.get("municipal_deadline")):
        out.append(deadline_line("msg.deadline", b, lang))
    return out + _role_lines(item, lang)


def _role_lines(item: Outgoing, lang: str) -> list[str]:
    """Why this recipient gets the message and, in a hearing, what is asked
    of them: the KKR contact consolidates, the municipality replies by its deadline."""
    b = item.broadcast
    if b["kind"] == Kind.APPOINTMENT:
        return appointment_lines(b, lang)
    hearing = b["kind"] == Kind.HEARING
    if item.tier == Tier.MUNICIPALITY:
        out = [t("msg.tier2" if item.kkr_contact else "msg.tier2_via_kl", lang,
                 municipality=item.municipality_official or item.municipality_name, region=item.region_name,
                 kkr=kkr_name(item.region_name), kkr_contact=item.kkr_contact)]
        if hearing and b.get("municipal_deadline"):
            out.append(t("msg.municipal_deadline", lang, municipal_deadline=day(b["municipal_deadline"]),
                         region=item.region_name))
        return out
    out = [t("msg.fallback" if item.fallback else "msg.tier1", lang, region=item.region_name)]
    if hearing:
        consolidate = t("msg.consolidate", lang, deadline=day(b["deadline"]))
        if b.get("municipal_deadline"):
            consolidate += " " + t("msg.consolidate_municipal_deadline", lang,
                                   municipal_deadline=day(b["municipal_deadline"]))
        out.append(consolidate)
    return out


def deadline_line(key: str, broadcast: dict, lang: str) -> str:
    """The deadline as a date: a hearing's is its høringsfrist (``key``),
    any other broadcast's a plain deadline (``key_general``)."""
    kind_key = key if broadcast["kind"] == Kind.HEARING else f"{key}_general"
    return t(kind_key, lang, deadline=day(broadcast["deadline"]))


def kkr_name(region_name: str) -> str:
    """"KKR Midtjylland" for "Region Midtjylland": the regional council of
    the municipalities, as it calls itself."""
    return "KKR " + region_name.removeprefix("Region ")


def appointment_lines(request: dict, lang: str) -> list[str]:
    """What KL is asked for: the seats, the chair and the management
    background the playbook wants of them, the justification for fewer
    than 5, and who at RKKP asks."""
    chair = t("msg.appointment_chair", lang) if request.get("chair_wanted") else ""
    out = [t("msg.appointment_kl", lang, count=request["seats"], seats=request["seats"], chair=chair,
             database=request["database_name"])]
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
    return item.broadcast.get("consultant") if item.broadcast.get("kind") == Kind.APPOINTMENT else None


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
    params = {name: from_text(value) for name, value in message.get("params", {}).items()}
    return t(message.get("key", ""), lang, title=item.broadcast["title"], region=item.region_name,
             municipality=item.municipality_name or "", **params)


def has_buttons(item: Outgoing) -> bool:
    """Notices and their reminders can be acknowledged; summaries and
    closing messages are for information."""
    return item.purpose in (Purpose.NOTICE, Purpose.REMINDER)
