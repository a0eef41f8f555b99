"""The e-mailed page of a delivery (``/ack/<token>``, served by
``api/acks.py``): what it shows, as ``api/templates/ack.html`` takes it.

The message reads as in Slack and the e-mail (``bot.render.messages``);
the page adds the recipient, the buttons, the reply form of a hearing and
KL's form of an appointment request.  The API view fetches the facts and
passes them in, so this module reads no store."""

from __future__ import annotations

from bot.render.messages import header, message_lines
from handlers.appointments import APPOINTEE_FIELDS
from handlers.clock import parse
from handlers.deliveries import Outgoing
from handlers.enums import DeliveryState, Tier
from handlers.i18n import t


def title(lang: str) -> str:
    return t("page.title", lang)


def message_view(item: Outgoing, delivery: dict, lang: str, *, reply_context: dict | None = None,
                 appointment: dict | None = None, regions: list[dict] = ()) -> dict:
    """The message and its forms.  ``reply_context`` (``hearings.reply_context``)
    for an open hearing; ``appointment`` (``appointments.status``) and the
    ``regions`` for KL's notice of an appointment request."""
    view = {
        "header": header(item.broadcast, lang),
        "lines": [line.replace("*", "") for line in message_lines(item, lang)],
        "to": t("page.to", lang, name=item.recipient["name"], email=item.recipient["email"]),
        "can_ack": delivery["state"] != DeliveryState.ACKNOWLEDGED,
        "ack_label": t("page.ack_button", lang),
        "forward_label": t("page.forward_button", lang, region=item.region_name) if item.tier == Tier.REGION else None,
    }
    if reply_context is not None:
        view.update(_reply_form(item, reply_context, lang))
    if appointment is not None:
        view.update(_appointment_form(appointment, regions, lang))
    return view


def page_notes(delivery: dict, notes: list[str] | None, lang: str) -> list[str]:
    """What the page says above the message: what was just done (``notes``),
    else when it was acknowledged; and a forward on the region's behalf."""
    if delivery["state"] == DeliveryState.ACKNOWLEDGED and not notes:
        notes = [t("page.acknowledged", lang, when=parse(delivery["acknowledged_at"]),
                   by=delivery["acknowledged_by"])]
    if delivery.get("forwarded_on_behalf"):
        notes = [*(notes or []), t("page.forwarded_on_behalf", lang, when=parse(delivery["forwarded_at"]),
                                   by=delivery["forwarded_by"])]
    return notes or []


def _reply_form(item: Outgoing, context: dict, lang: str) -> dict:
    """The reply box, with the reply so far; a KKR contact also sees the
    replies of the region's municipalities, to consolidate them."""
    label = t("page.reply_label_consolidated" if item.tier == Tier.REGION else "page.reply_label", lang)
    return {"reply_label": label, "reply_button": t("page.reply_button", lang),
            "reply_text": context["text"], "municipal_title": t("modal.reply_municipal", lang),
            "municipal_replies": [f"{r['municipality']} ({r['by']}): {r['text']}"
                                  for r in context["municipal_replies"]]}


def _appointment_form(state: dict, regions: list[dict], lang: str) -> dict:
    """KL's steps: mark the request forwarded to the KKRs, report appointees."""
    return {"appointment": {
        "kkr_button": None if state["forwarded_to_kkr_at"] else t("page.kkr_button", lang),
        "title": t("page.appointee_title", lang), "button": t("page.appointee_button", lang),
        "open": not state["complete"],
        "fields": [(name, t(f"page.field.{name}", lang)) for name in APPOINTEE_FIELDS if name != "region"],
        "region_label": t("page.field.region", lang), "chair_label": t("page.field.chair", lang),
        "regions": [(r["code"], r["name"]) for r in regions],
        "appointees": [f"{a['name']} ({a['email']})" for a in state["appointees"]],
    }}
