"""Block Kit for hearings: the reply modal and the report in Slack."""

from __future__ import annotations

from bot.render.deliveries import section
from bot.render.modals import input_block, modal
from handlers.i18n import t

REPLY_MODAL = "kkr_reply_modal"
REPLY_BLOCK = "reply"
SLACK_TEXT_LIMIT = 2900


def reply_modal(context: dict, metadata: str, lang: str) -> dict:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": f"*{context['title']}*"}}]
    if context["municipal_replies"]:
        lines = [f"• *{r['municipality']}* ({r['by']}): {r['text']}" for r in context["municipal_replies"]]
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": (
            f"*{t('modal.reply_municipal', lang)}*\n" + "\n".join(lines))[:SLACK_TEXT_LIMIT]}})
    element = {"type": "plain_text_input", "multiline": True, "max_length": 3000}
    if context["text"]:
        element["initial_value"] = context["text"][:3000]
    blocks.append(input_block(REPLY_BLOCK, t("modal.reply_label", lang), element))
    return modal(REPLY_MODAL, t("modal.reply_title", lang), blocks, lang, metadata=metadata)


def reply_text(view: dict) -> str:
    return view["state"]["values"][REPLY_BLOCK]["value"].get("value") or ""


def report_message(markdown: str) -> dict:
    """The report as a Slack message; long reports are cut, with the API's
    full Markdown and CSV a command away."""
    text = markdown if len(markdown) <= SLACK_TEXT_LIMIT else markdown[:SLACK_TEXT_LIMIT] + "\n…"
    return section([text])
