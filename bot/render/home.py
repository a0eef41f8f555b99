"""The Slack App Home: what waits for the person, the broadcasts they sent,
quick actions and a link to the dashboard (``handlers.home`` finds them).

Its Acknowledge and Reply buttons carry the same action IDs and values as
the buttons in the DM, so the same listeners act on them."""

from __future__ import annotations

from bot.render import modals
from bot.render.deliveries import ACK, REPLY
from bot.render.mrkdwn import escaped
from handlers.clock import day
from handlers.collections import APPOINTMENTS
from handlers.enums import Kind
from handlers.i18n import t

NEW_BROADCAST, LOOKUP, DASHBOARD = "kkr_home_broadcast", "kkr_home_lookup", "kkr_home_dashboard"
LOOKUP_MODAL = "kkr_lookup"
MAX_BLOCKS = 100  # Slack refuses a view with more


def home_view(found: dict, public_url: str, lang: str) -> dict:
    """The Home tab for ``views.publish``."""
    found = escaped(found)
    blocks = [_header(t("home.title", lang)), _actions("home-actions", _quick_actions(public_url, lang)),
              _header(t("home.waiting", lang))]
    if not found["waiting"]:
        blocks.append(_section(t("home.nothing_waiting", lang)))
    for item in found["waiting"]:
        block_id = f"home-{item['collection']}-{item['record']}-{item['delivery']}"
        blocks += [_section(_item_text(item, lang)), _actions(block_id, _item_buttons(item, lang))]
    blocks.append(_header(t("home.sent", lang)))
    blocks.append(_section("\n".join(_progress_line(b, lang) for b in found["sent"]) or t("home.nothing_sent", lang)))
    if len(blocks) > MAX_BLOCKS:
        blocks = [*blocks[:MAX_BLOCKS - 1], _section(t("home.more", lang))]
    return {"type": "home", "blocks": blocks}


def _item_text(item: dict, lang: str) -> str:
    lines = [t("home.item", lang, id=item["record"], kind=t(f"kind.{item['kind']}", lang),
               database=item["database"] or "", title=item["title"] or "")]
    if item["deadline"]:
        lines.append(t("home.deadline", lang, deadline=day(item["deadline"])))
    lines.append(" ".join(t(f"home.needs.{need}", lang) for need in item["needs"]))
    return "\n".join(lines)


def _item_buttons(item: dict, lang: str) -> list[dict]:
    prefix = "a" if item["collection"] == APPOINTMENTS.name else ""
    buttons = []
    if "acknowledge" in item["needs"]:
        buttons.append(_button(t("msg.ack_button", lang), ACK, f"{prefix}{item['record']}:{item['delivery']}",
                               style="primary"))
    if "reply" in item["needs"]:
        buttons.append(_button(t("msg.reply_button", lang), REPLY, f"{item['record']}:{item['delivery']}"))
    return buttons


def _progress_line(b: dict, lang: str) -> str:
    line = t("home.progress", lang, id=b["id"], kind=t(f"kind.{b['kind']}", lang), database=b["database"],
             title=b["title"], acknowledged=b["regions_acknowledged"], regions=b["regions"],
             reached=b["municipalities_reached"], municipalities_acknowledged=b["municipalities_acknowledged"])
    if b["kind"] == Kind.HEARING:
        line += " " + t("home.progress_replies", lang, regional=b["regional_replies"],
                        municipal=b["municipal_replies"])
    return "• " + line


def _quick_actions(public_url: str, lang: str) -> list[dict]:
    return [_button(t("home.new_broadcast", lang), NEW_BROADCAST, "new"),
            _button(t("home.lookup", lang), LOOKUP, "lookup"),
            {**_button(t("home.dashboard", lang), DASHBOARD, "dashboard"), "url": f"{public_url}/status"}]


def lookup_modal(lang: str) -> dict:
    """Asks for a region or municipality, as ``/kkr`` takes it."""
    return modals.modal(LOOKUP_MODAL, t("home.lookup", lang), [
        modals.input_block("place", t("home.lookup_label", lang), {"type": "plain_text_input", "max_length": 100},
                           hint=t("home.lookup_hint", lang))], lang)


def lookup_answer(answer: dict, lang: str) -> dict:
    """The look-up's answer (``bot.render.slack``'s message) as a modal."""
    view = modals.modal(LOOKUP_MODAL, t("home.lookup", lang), answer["blocks"], lang)
    view.pop("submit")
    view["close"] = {"type": "plain_text", "text": t("home.close", lang)}
    return view


def _header(text: str) -> dict:
    return {"type": "header", "text": {"type": "plain_text", "text": text[:150]}}


def _section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}}


def _actions(block_id: str, elements: list[dict]) -> dict:
    return {"type": "actions", "block_id": block_id, "elements": elements}


def _button(text: str, action_id: str, value: str, style: str | None = None) -> dict:
    button = {"type": "button", "text": {"type": "plain_text", "text": text[:75]}, "action_id": action_id,
              "value": value}
    if style:
        button["style"] = style
    return button
