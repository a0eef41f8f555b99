"""Slack modals: the shell and input blocks every modal of kkr-bot is built
from, and reading what a person submitted in one."""

from __future__ import annotations

from handlers.i18n import t

TITLE_LIMIT = 24  # Slack refuses a modal whose title is longer


def modal(callback_id: str, title: str, blocks: list[dict], lang: str, metadata: str | None = None) -> dict:
    """A modal with Submit and Cancel; ``metadata`` comes back on submission."""
    view = {"type": "modal", "callback_id": callback_id,
            "title": {"type": "plain_text", "text": title[:TITLE_LIMIT]},
            "submit": {"type": "plain_text", "text": t("modal.submit", lang)},
            "close": {"type": "plain_text", "text": t("modal.cancel", lang)}, "blocks": blocks}
    if metadata is not None:
        view["private_metadata"] = metadata
    return view


def input_block(block_id: str, label: str, element: dict, optional: bool = False, hint: str | None = None) -> dict:
    """An input block whose element answers as ``value`` (what ``values`` reads)."""
    block = {"type": "input", "block_id": block_id, "optional": optional,
             "label": {"type": "plain_text", "text": label}, "element": {**element, "action_id": "value"}}
    if hint:
        block["hint"] = {"type": "plain_text", "text": hint}
    return block


def values(view: dict) -> dict:
    """The submitted values by block: text, the selected option's value, the
    date, and checkboxes as a bool."""
    out = {}
    for block_id, actions in view["state"]["values"].items():
        element = actions.get("value", {})
        if "selected_options" in element:
            out[block_id] = bool(element["selected_options"])
        else:
            out[block_id] = (element.get("value") or (element.get("selected_option") or {}).get("value")
                             or element.get("selected_date"))
    return out
