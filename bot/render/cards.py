"""Delivered messages as Adaptive Cards (1.5) for Microsoft Teams, and the
card that replaces one after its recipient acted on it.

The text is the Slack and e-mail message's (``bot.render.messages``).  Teams
renders a TextBlock's text as a Markdown subset (bold, italics, lists,
``[links](…)``) and substitutes ``{{DATE(…)}}``; so, as for Slack, every
value people typed is escaped (``card_text``) before our templates are put
around it: a title can never add a link, a list, a mention or a button.
Mentions need an ``msteams.entities`` entry, which no card carries.

Each ``Action.Execute`` carries its verb (also as ``data.action``, which the
Teams SDK routes on) and the delivery's link token: an HMAC that names the
delivery and cannot be made up or moved to another one.  The token alone
proves nothing about who presses: ``bot.teams_actions`` admits only the
delivery's recipient.
"""

from __future__ import annotations

import dataclasses
import re

from bot.render import digest
from bot.render.messages import has_buttons, header, message_lines
from handlers import calendar
from handlers.clock import parse
from handlers.deliveries import Outgoing
from handlers.enums import DeliveryState, Kind, Tier
from handlers.i18n import t

SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"
ACKNOWLEDGE, FORWARD, REPLY = "acknowledge", "forward", "reply"
KL_FORWARDED, APPOINTEE = "appointment_forwarded", "appointee"
REPLY_INPUT = "reply"
APPOINTEE_INPUTS = ("name", "title", "workplace", "email", "phone", "region")
CHAIR_INPUT = "chair"
# Keys whose values are machine values the templates read (a kind, a date, a
# catalogue key, a place code), not text.
_MACHINE = frozenset({"kind", "deadline", "municipal_deadline", "key", "purpose", "state", "collection", "region",
                      "municipality", "maybe_sent_since", "ack_token"})

_INLINE = re.compile(r"([\\`*_\[\]<>~|])")
_LINE_START = re.compile(r"^(\s*)([#+\-=]|\d+[.)])", re.MULTILINE)


def card_text(text: str) -> str:
    """``text`` as a TextBlock shows it literally: Markdown's inline
    characters backslash-escaped (CommonMark), a line's opening ``#``,
    ``-``, ``+`` or ``1.`` made no heading or list, and ``{{`` broken
    with a word joiner so that no date function runs."""
    text = _INLINE.sub(r"\\\1", text)
    text = _LINE_START.sub(lambda m: m[1] + "\\" + m[2] if not m[2][0].isdigit() else
                           m[1] + m[2][:-1] + "\\" + m[2][-1], text)
    return text.replace("{{", "{\u2060{")


def escaped(value, key: str | None = None):
    """A copy of ``value`` with every text in it escaped for a card: dicts
    (their values, but not machine values such as ``kind`` or a deadline),
    lists and dataclasses, to any depth."""
    if isinstance(value, str):
        return value if key in _MACHINE else card_text(value)
    if isinstance(value, dict):
        return {name: escaped(item, name) for name, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(escaped(item) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(value, **{f.name: escaped(getattr(value, f.name), f.name)
                                             for f in dataclasses.fields(value) if f.init})
    return value


def notice_card(item: Outgoing, lang: str, *, acknowledged: bool = False, notes: tuple[str, ...] = (),
                reply_text: str = "", public_url: str = "") -> dict:
    """The message as a card: header, the message's lines, the reply box of
    a hearing, ``notes`` (already escaped: see the ``*_note`` functions) and
    the recipient's buttons (no Acknowledge once ``acknowledged``).
    ``public_url``: the base of the links to our own pages."""
    if digest.is_digest(item):
        return digest_card(item, lang, public_url)
    safe = escaped(item)
    body = [_text(header(safe.broadcast, lang), size="Medium", weight="Bolder")]
    title = f"*{safe.broadcast['title']}*"
    for line in message_lines(safe, lang):
        if line == title:
            body.append(_text(safe.broadcast["title"], weight="Bolder"))
        else:
            body.extend(_text(part) for part in line.split("\n"))
    if has_buttons(item) and item.broadcast["kind"] == Kind.HEARING:
        body.append(_reply_box(item, lang, reply_text))
    body.extend(_text(note, color="Good", separator=True) for note in notes)
    card = {"type": "AdaptiveCard", "$schema": SCHEMA, "version": VERSION, "body": body}
    actions = _actions(item, lang, acknowledged) + _calendar_link(item, lang, public_url)
    if actions:
        card["actions"] = actions
    return card


def digest_card(item: Outgoing, lang: str, public_url: str) -> dict:
    """The weekly digest: what waits for the recipient, part by part, and
    no buttons (nothing in it is acknowledged); the link to stop it, as the
    e-mail has, opens the recipient's digest page."""
    body = [_text(digest.header(item, lang), size="Medium", weight="Bolder")]
    gap = False
    for line in digest.lines(escaped(item), lang):
        if not line:
            gap = True
            continue
        body.append(_text(line, spacing="Medium") if gap else _text(line))
        gap = False
    card = {"type": "AdaptiveCard", "$schema": SCHEMA, "version": VERSION, "body": body}
    if public_url:
        card["actions"] = [{"type": "Action.OpenUrl", "title": t("digest.stop_button", lang),
                            "url": f"{public_url.rstrip('/')}/digest/{item.ack_token}"}]
    return card


def card_after(item: Outgoing, delivery: dict, lang: str, notes: tuple[str, ...] = (), reply_text: str = "",
               public_url: str = "") -> dict:
    """The card that replaces the notice after an action: drawn from the
    delivery as it stands now, so a retried action gets the same card.  An
    acknowledged delivery's card says by whom and when, and loses its
    Acknowledge button; the other buttons stay."""
    acknowledged = delivery.get("state") == DeliveryState.ACKNOWLEDGED
    if acknowledged:
        notes = (acknowledged_note(delivery, lang), *notes)
    return notice_card(item, lang, acknowledged=acknowledged, notes=notes, reply_text=reply_text,
                       public_url=public_url)


def acknowledged_card(item: Outgoing, delivery: dict, lang: str) -> dict:
    """The card after Kvittér."""
    return card_after(item, delivery, lang)


def acknowledged_note(delivery: dict, lang: str) -> str:
    return t("page.acknowledged", lang, by=card_text(delivery.get("acknowledged_by") or ""),
             when=parse(delivery["acknowledged_at"]))


def forwarded_notes(item: Outgoing, delivery: dict, lang: str) -> tuple[str, ...]:
    """What a forward has done, from the KKR contact's delivery: when it was
    forwarded, and the municipalities without a contact person."""
    if not delivery.get("forwarded_at"):
        return ()
    notes = [t("teams.forwarded", lang, region=card_text(item.region_name), when=parse(delivery["forwarded_at"]))]
    if delivery.get("unreachable"):
        notes.append(t("forward.unreachable", lang, names=", ".join(map(card_text, delivery["unreachable"]))))
    return tuple(notes)


def reply_note(saved: dict, lang: str) -> str:
    return t("hearing.saved_late" if saved.get("late") else "hearing.saved", lang)


def appointee_note(name: str, lang: str) -> str:
    return t("appointment.appointee_done", lang, name=card_text(name))


def kl_forwarded_note(lang: str) -> str:
    return t("appointment.forwarded_done", lang)


def _actions(item: Outgoing, lang: str, acknowledged: bool) -> list[dict]:
    data = {"token": item.ack_token}
    found = []
    if has_buttons(item):
        if not acknowledged:
            found.append(_execute(t("msg.ack_button", lang), ACKNOWLEDGE, data, style="positive"))
        if item.broadcast["kind"] == Kind.APPOINTMENT:
            found += [_execute(t("msg.appoint_forwarded_button", lang), KL_FORWARDED, data),
                      _appointee_form(lang, data)]
        else:
            if item.broadcast["kind"] == Kind.HEARING:
                found.append(_execute(t("msg.reply_button", lang), REPLY, data))
            if item.tier == Tier.REGION:
                found.append(_execute(t("msg.forward_button", lang), FORWARD, data))
    link = item.broadcast.get("link") or ""
    if link.lower().startswith(("https://", "http://")):
        found.append({"type": "Action.OpenUrl", "title": t("teams.open_link", lang), "url": link})
    return found


def _calendar_link(item: Outgoing, lang: str, public_url: str) -> list[dict]:
    """The recipient's own deadline event to download (as under the Slack
    DM, ``bot.render.calendar.download_block``), when the message carries one."""
    if not public_url or calendar.method_for(item) is None:
        return []
    return [{"type": "Action.OpenUrl", "title": t("teams.calendar", lang),
             "url": f"{public_url.rstrip('/')}/ack/{item.ack_token}/calendar.ics"}]


def _reply_box(item: Outgoing, lang: str, text: str) -> dict:
    label = t("page.reply_label_consolidated" if item.tier == Tier.REGION else "page.reply_label", lang)
    return {"type": "Input.Text", "id": REPLY_INPUT, "label": label, "isMultiline": True, "maxLength": 20_000,
            "value": text}


def _appointee_form(lang: str, data: dict) -> dict:
    """KL's "report an appointee": the page's form, unfolded on the card."""
    fields = [{"type": "Input.Text", "id": name, "label": t(f"page.field.{name}", lang),
               "isRequired": name in ("name", "email", "region"), "errorMessage": t("teams.field_required", lang)}
              for name in APPOINTEE_INPUTS]
    fields.append({"type": "Input.Toggle", "id": CHAIR_INPUT, "title": t("page.field.chair", lang),
                   "valueOn": "true", "valueOff": "false", "value": "false"})
    form = {"type": "AdaptiveCard", "body": fields,
            "actions": [_execute(t("page.appointee_button", lang), APPOINTEE, data)]}
    return {"type": "Action.ShowCard", "title": t("msg.appointee_button", lang), "card": form}


def _execute(title: str, verb: str, data: dict, style: str | None = None) -> dict:
    action = {"type": "Action.Execute", "title": title, "verb": verb, "data": {**data, "action": verb}}
    if style:
        action["style"] = style
    return action


def _text(text: str, **style) -> dict:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}
