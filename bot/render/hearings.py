"""Block Kit for hearings: the reply modal and the report in Slack."""

from __future__ import annotations

from bot.render.deliveries import section
from bot.render.modals import input_block, modal
from bot.render.mrkdwn import escaped
from handlers.enums import Tier
from handlers.i18n import t
from handlers.report import to_markdown

REPLY_MODAL = "kkr_reply_modal"
REPLY_BLOCK = "reply"
SLACK_TEXT_LIMIT = 2900


def reply_modal(context: dict, metadata: str, lang: str) -> dict:
    """The title and the municipal replies so far (mrkdwn, escaped) above the
    reply box, which is plain text and starts with the reply as written."""
    shown = escaped(context)
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": f"*{shown['title']}*"}}]
    if shown["municipal_replies"]:
        lines = [f"• *{r['municipality']}* ({r['by']}): {r['text']}" for r in shown["municipal_replies"]]
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": (
            f"*{t('modal.reply_municipal', lang)}*\n" + "\n".join(lines))[:SLACK_TEXT_LIMIT]}})
    element = {"type": "plain_text_input", "multiline": True, "max_length": 3000}
    if context["text"]:
        element["initial_value"] = context["text"][:3000]
    label = t("modal.reply_label_consolidated" if context["tier"] == Tier.REGION else "modal.reply_label", lang)
    blocks.append(input_block(REPLY_BLOCK, label, element))
    return modal(REPLY_MODAL, t("modal.reply_title", lang), blocks, lang, metadata=metadata)


def reply_text(view: dict) -> str:
    return view["state"]["values"][REPLY_BLOCK]["value"].get("value") or ""


def report_message(report: dict, lang: str) -> dict:
    """The report (``handlers.report.hearing_report``) as a Slack message,
    replies and names escaped; long reports are cut, with the API's full
    Markdown and CSV a command away."""
    markdown = to_markdown(escaped(report), lang)
    text = markdown if len(markdown) <= SLACK_TEXT_LIMIT else markdown[:SLACK_TEXT_LIMIT] + "\n…"
    return section([text])


def closed_message(hearing_id: int, closing: dict, lang: str) -> dict:
    """What ``/rkkp-close`` answers: how many get the closing message, and
    whom the hearing never reached (``hearings.close_hearing``'s record)."""
    return section(closed_lines(hearing_id, escaped(closing), lang))


def closed_lines(hearing_id: int, closing: dict, lang: str) -> list[str]:
    """The same as lines of text (the shell's answer; Slack's escaped first)."""
    missing = closing["not_reached"]
    lines = [t("hearing.closed_sent", lang, id=hearing_id, count=closing["queued"])]
    for key in ("regions_not_delivered", "regions_not_forwarded", "municipalities_not_delivered"):
        if missing[key]:
            lines.append(t(f"hearing.closed_{key}", lang, names=", ".join(item["name"] for item in missing[key])))
    if missing["municipalities_without_contact"]:
        lines.append(t("hearing.closed_without_contact", lang, count=len(missing["municipalities_without_contact"])))
    return lines
