"""Reading what a person submitted in a Slack modal."""

from __future__ import annotations


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
