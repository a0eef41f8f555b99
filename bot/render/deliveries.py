"""Broadcast messages, their status and the broadcast modal, for Slack and e-mail."""

from __future__ import annotations

from bot.render import digest
from bot.render.calendar import download_block
from bot.render.messages import consultant_of, deadline_line, forward_notes, has_buttons, header, message_lines
from bot.render.modals import input_block, modal
from bot.render.mrkdwn import escaped
from handlers.broadcasts import KINDS
from handlers.clock import day, parse
from handlers.collections import APPOINTMENTS
from handlers.deliveries import Outgoing
from handlers.enums import DeliveryState, Kind, Tier
from handlers.i18n import t

ICONS = {DeliveryState.QUEUED: "⏳", DeliveryState.SENDING: "⏳", DeliveryState.SENT: "📨", DeliveryState.FAILED: "⚠️",
         DeliveryState.ACKNOWLEDGED: "✅"}
ACK, FORWARD, REPLY = "kkr_ack", "kkr_forward", "kkr_reply"
APPOINT_FORWARDED, APPOINTEE = "kkr_appoint_forwarded", "kkr_appointee"
MODAL = "kkr_broadcast"


def slack_message(item: Outgoing, lang: str, public_url: str = "") -> dict:
    """The DM: the header (plain text), the message in mrkdwn with the
    broadcast's and the people's texts escaped, the buttons, and a link to
    the recipient's deadline event when it carries one (``public_url``)."""
    if digest.is_digest(item):
        return digest.slack_message(item, lang)
    safe = escaped(item)
    lines = message_lines(safe, lang)
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": header(item.broadcast, lang)[:150]}},
        {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)[:3000]}},
    ]
    if has_buttons(item):
        blocks.append({"type": "actions", "block_id": _block_id(item),
                       "elements": _buttons(item, lang)})
    event = download_block(item, public_url, lang)
    if event:
        blocks.append(event)
    return {"text": f"{header(safe.broadcast, lang)}: {lines[0].strip('*')}", "blocks": blocks}


def _block_id(item: Outgoing) -> str:
    if item.collection == APPOINTMENTS.name:
        return f"appointment-{item.broadcast_id}-delivery-{item.delivery_id}"
    return f"delivery-{item.broadcast_id}-{item.delivery_id}"


def ack_value(item: Outgoing) -> str:
    """The Acknowledge button's value: ``12:3`` for a broadcast's notice 3,
    ``a12:3`` for an appointment request's (as in its link token)."""
    return f"{'a' if item.collection == APPOINTMENTS.name else ''}{item.broadcast_id}:{item.notice_id}"


def read_ack_value(value: str) -> tuple[str, int, int]:
    """(collection, record, delivery) of an Acknowledge button's value."""
    record, _, delivery = value.partition(":")
    collection = "appointment" if record.startswith("a") else "broadcast"
    return collection, int(record.lstrip("a")), int(delivery)


def _buttons(item: Outgoing, lang: str) -> list[dict]:
    notice = f"{item.broadcast_id}:{item.notice_id}"
    buttons = [_button(t("msg.ack_button", lang), ACK, ack_value(item), primary=True)]
    if item.broadcast["kind"] == Kind.APPOINTMENT:
        return [*buttons, _button(t("msg.appoint_forwarded_button", lang), APPOINT_FORWARDED, notice),
                _button(t("msg.appointee_button", lang), APPOINTEE, notice)]
    if item.broadcast["kind"] == Kind.HEARING:
        buttons.append(_button(t("msg.reply_button", lang), REPLY, notice))
    if item.tier == Tier.REGION:
        buttons.append(_button(t("msg.forward_button", lang), FORWARD, f"{item.broadcast_id}:{item.region}"))
    return buttons


def email_text(item: Outgoing, public_url: str, lang: str) -> tuple[str, str]:
    if digest.is_digest(item):
        return digest.email_text(item, public_url, lang)
    b = item.broadcast
    subject = t("msg.subject", lang, database=b["database"], kind=t(f"kind.{b['kind']}", lang), title=b["title"])
    lines = [header(b, lang), "", *(line.replace("*", "") for line in message_lines(item, lang)), ""]
    if has_buttons(item):
        lines.append(t("msg.email_ack", lang, url=f"{public_url}/ack/{item.ack_token}"))
        if item.broadcast["kind"] == Kind.HEARING:
            lines.append(t("msg.email_reply", lang))
        if item.tier == Tier.REGION:
            lines.append(t("msg.email_forward", lang))
    lines += ["", signature(item, lang)]
    return subject, "\n".join(lines) + "\n"


def signature(item: Outgoing, lang: str) -> str:
    """The one sign-off of an e-mail: the consultant's own for an
    appointment request's messages, else kkr-bot's for RKKP."""
    consultant = consultant_of(item)
    return t("msg.signature_consultant", lang, name=consultant["name"]) if consultant else t("msg.signature", lang)


def reply_to(item: Outgoing) -> dict | None:
    """Whom answers to the e-mail should reach: the consultant of an
    appointment request, when their e-mail is known."""
    consultant = consultant_of(item)
    return consultant if consultant and "@" in (consultant.get("email") or "") else None


def acknowledged_blocks(blocks: list[dict], note: str) -> list[dict]:
    """The original message without its Acknowledge button (Forward stays),
    and a note of the acknowledgement."""
    kept = []
    for block in blocks:
        if block.get("type") == "actions":
            block = {**block, "elements": [e for e in block["elements"] if e.get("action_id") != ACK]}
            if not block["elements"]:
                continue
        if block.get("type") != "context":
            kept.append(block)
    return [*kept, {"type": "context", "elements": [{"type": "mrkdwn", "text": note}]}]


def status_lines(status: dict, lang: str) -> list[str]:
    out = [t("status.title", lang, id=status["id"], kind=t(f"kind.{status['kind']}", lang),
             database=status["database"], title=status["title"])]
    if status.get("deadline"):
        out.append(deadline_line("status.deadline", status, lang))
    if status.get("municipal_deadline"):
        out.append(t("status.municipal_deadline", lang, municipal_deadline=day(status["municipal_deadline"])))
    out.append(" ".join(t(key, lang) for key in _lifecycle_keys(status)))
    missing = []
    for row in status["regions"]:
        out.append(_status_row(row, lang))
        if row["state"] != DeliveryState.ACKNOWLEDGED:
            missing.append(row["region"]["name"])
    out.append(t("status.missing", lang, names=", ".join(missing)) if missing else t("status.all_acknowledged", lang))
    return out


def _lifecycle_keys(status: dict) -> list[str]:
    """Whether the broadcast is still in progress, and where a hearing stands."""
    keys = [f"status.lifecycle.{status.get('state') or 'open'}"]
    if status.get("hearing_state"):
        keys.append(f"status.hearing.{status['hearing_state']}")
    return keys


def _status_row(row: dict, lang: str) -> str:
    recipient = (row["recipient"] or {}).get("name", "–")
    if row["fallback"]:
        recipient += f" ({t('status.fallback', lang)})"
    state = t(f"status.state.{row['state']}", lang, error=row.get("last_error") or "",
              by=row.get("acknowledged_by") or "", when=parse(row.get("acknowledged_at")))
    line = t("status.row", lang, icon=ICONS[row["state"]], region=row["region"]["name"], recipient=recipient,
             state=state)
    if row["forwarded_at"]:
        m = row["municipalities"]
        forwarded = t("status.forwarded_on_behalf", lang, when=parse(row["forwarded_at"]), by=row["forwarded_by"]) \
            if row.get("forwarded_on_behalf") else t("status.forwarded", lang, when=parse(row["forwarded_at"]))
        line += f"; {forwarded}, " + t(
            "status.municipalities", lang, reached=m["reached"], total=m["total"], acknowledged=m["acknowledged"])
    return line


def list_lines(broadcasts: list[dict], lang: str) -> list[str]:
    if not broadcasts:
        return [t("status.none_open", lang)]
    return [t("status.list_title", lang), *(t("status.list_row", lang, id=b["id"], kind=t(f"kind.{b['kind']}", lang),
                                               database=b["database"], title=b["title"], when=parse(b["created_at"]))
                                              for b in broadcasts)]


def status_message(status: dict, lang: str) -> dict:
    """``/rkkp-status <id>`` in Slack."""
    return section(status_lines(escaped(status), lang))


def list_message(broadcasts: list[dict], lang: str) -> dict:
    """``/rkkp-status`` in Slack."""
    return section(list_lines(escaped(broadcasts), lang))


def with_dashboard_link(message: dict, url: str, lang: str, label: str = "signin.slack_button") -> dict:
    """``message`` with a button that opens the dashboard through a sign-in
    link (``label``: the button's text key; the link may lead to a download)."""
    button = {"type": "button", "action_id": "kkr_dashboard", "url": url,
              "text": {"type": "plain_text", "text": t(label, lang)}}
    note = {"type": "context", "elements": [{"type": "plain_text", "text": t("signin.slack_note", lang)}]}
    return {**message, "blocks": [*message["blocks"], {"type": "actions", "elements": [button]}, note]}


def forward_message(done: dict, lang: str) -> dict:
    """What a forward did, for the KKR contact who pressed the button."""
    return section(forward_notes(escaped(done), lang))


def section(lines: list[str]) -> dict:
    """Lines that are already mrkdwn (user values escaped) as a message."""
    return {"text": "\n".join(lines), "blocks": [{"type": "section", "text": {"type": "mrkdwn",
                                                                               "text": "\n".join(lines)[:3000]}}]}


def broadcast_modal(lang: str) -> dict:
    kinds = [{"text": {"type": "plain_text", "text": t(f"kind.{k}", lang)}, "value": k} for k in KINDS]
    return modal(MODAL, t("modal.title", lang), [
        input_block("kind", t("modal.kind", lang),
                    {"type": "static_select", "options": kinds, "initial_option": kinds[0]}),
        input_block("database", t("modal.database", lang), {"type": "plain_text_input", "initial_value": "DHRD"}),
        input_block("title", t("modal.title_field", lang), {"type": "plain_text_input", "max_length": 200}),
        input_block("link", t("modal.link", lang), {"type": "url_text_input"}, optional=True),
        input_block("body", t("modal.body", lang), {"type": "plain_text_input", "multiline": True}, optional=True),
        input_block("deadline", t("modal.deadline", lang), {"type": "datepicker"}, optional=True,
                    hint=t("modal.deadline_hint", lang)),
        input_block("municipal_deadline", t("modal.municipal_deadline", lang), {"type": "datepicker"}, optional=True,
                    hint=t("modal.municipal_deadline_hint", lang)),
    ], lang)


def _button(text: str, action_id: str, value: str, primary: bool = False) -> dict:
    button = {"type": "button", "text": {"type": "plain_text", "text": text}, "action_id": action_id, "value": value}
    if primary:
        button["style"] = "primary"
    return button

