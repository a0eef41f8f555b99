"""``/ack/<token>``: the one-click acknowledgement page of an e-mail.

Mail security scanners (Microsoft Safe Links and the like) open every link
in an e-mail, so GET only shows what is being acknowledged; the POST from
the page's button records it.  Errors here are pages, not JSON: a person
with a browser reads them.
"""

from flask import Blueprint, current_app, render_template, request

from api.web import now, store
from handlers import appointments, deliveries, forwarding, hearings
from handlers.errors import Forbidden, KkrError
from handlers.i18n import t
from handlers.messages import forward_notes, header, message_lines

bp = Blueprint("acks", __name__, url_prefix="/ack")


def _lang() -> str:
    return current_app.config["LANG"]


@bp.errorhandler(KkrError)
def _error(error: KkrError):
    return render_template("ack.html", lang=_lang(), title=t("page.title", _lang()), notes=[],
                           error=error.message(_lang()), item=None, token=None), error.status


@bp.get("/<token>")
def show(token):
    return _page(token)


@bp.post("/<token>")
def acknowledge(token):
    item, _ = deliveries.by_token(store(), token)
    delivery, recorded = deliveries.acknowledge(store(), item.broadcast_id, item.delivery_id, now(),
                                                collection=item.collection)
    note = t("ack.done", _lang()) if recorded else t("ack.already", _lang(), when=delivery["acknowledged_at"])
    return _page(token, [note])


@bp.post("/<token>/reply")
def reply(token):
    item, _ = deliveries.by_token(store(), token)
    saved = hearings.reply_by_delivery(store(), _broadcast(item), item.notice_id, request.form.get("text", ""),
                                       now())
    return _page(token, [t("hearing.saved_late" if saved["late"] else "hearing.saved", _lang())])


@bp.post("/<token>/kkr")
def appointment_forwarded(token):
    item, _ = deliveries.by_token(store(), token)
    appointments.mark_forwarded(store(), _appointment(item), now(), by=item.recipient["name"])
    return _page(token, [t("appointment.forwarded_done", _lang())])


@bp.post("/<token>/appointee")
def appointee(token):
    item, _ = deliveries.by_token(store(), token)
    raw = {name: request.form.get(name, "") for name in appointments.APPOINTEE_FIELDS}
    raw["chair"] = request.form.get("chair") == "yes"
    appointments.add_appointee(store(), _appointment(item), raw, now(), by=item.recipient["name"])
    return _page(token, [t("appointment.appointee_done", _lang(), name=raw["name"])])


def _broadcast(item) -> int:
    """The broadcast of a broadcast's link; an appointment request's link
    is no hearing and forwards nothing."""
    if item.collection != "broadcast":
        raise Forbidden("forward.not_yours")
    return item.broadcast_id


def _appointment(item) -> int:
    if item.collection != "appointment":
        raise Forbidden("forward.not_yours")
    return item.broadcast_id


@bp.post("/<token>/forward")
def forward(token):
    item, _ = deliveries.by_token(store(), token)
    if item.tier != 1:
        raise Forbidden("forward.not_yours")
    done = forwarding.forward(store(), _broadcast(item), item.region, now(), by=item.recipient["name"])
    current_app.config["ON_QUEUED"](item.broadcast_id)
    return _page(token, forward_notes(done, _lang()))


def _page(token: str, notes: list[str] | None = None):
    item, delivery = deliveries.by_token(store(), token, now())
    lang = _lang()
    view = {
        "header": header(item.broadcast, lang),
        "lines": [line.replace("*", "") for line in message_lines(item, lang)],
        "to": t("page.to", lang, name=item.recipient["name"], email=item.recipient["email"]),
        "can_ack": delivery["state"] != "acknowledged",
        "ack_label": t("page.ack_button", lang),
        "forward_label": t("page.forward_button", lang, region=item.region_name) if item.tier == 1 else None,
    }
    if item.broadcast["kind"] == "hearing" and not item.broadcast.get("closed_at"):
        view.update(_reply_form(item, lang))
    if item.collection == "appointment" and item.purpose == "notice":
        view.update(_appointment_form(item, lang))
    if delivery["state"] == "acknowledged" and not notes:
        notes = [t("page.acknowledged", lang, when=delivery["acknowledged_at"], by=delivery["acknowledged_by"])]
    return render_template("ack.html", lang=lang, title=t("page.title", lang), notes=notes or [], error=None,
                           item=view, token=token)


def _reply_form(item, lang: str) -> dict:
    """The reply box, with the reply so far; a KKR contact also sees the
    replies of the region's municipalities, to consolidate them."""
    context = hearings.reply_context(store(), item.broadcast_id, item.notice_id)
    return {"reply_label": t("page.reply_label", lang), "reply_button": t("page.reply_button", lang),
            "reply_text": context["text"], "municipal_title": t("modal.reply_municipal", lang),
            "municipal_replies": [f"{r['municipality']} ({r['by']}): {r['text']}"
                                  for r in context["municipal_replies"]]}


def _appointment_form(item, lang: str) -> dict:
    state = appointments.status(store(), item.broadcast_id)
    return {"appointment": {
        "kkr_button": None if state["forwarded_to_kkr_at"] else t("page.kkr_button", lang),
        "title": t("page.appointee_title", lang), "button": t("page.appointee_button", lang),
        "open": not state["complete"],
        "fields": [(name, t(f"page.field.{name}", lang)) for name in appointments.APPOINTEE_FIELDS
                   if name != "region"],
        "region_label": t("page.field.region", lang), "chair_label": t("page.field.chair", lang),
        "regions": [(r["code"], r["name"]) for r in _regions()],
        "appointees": [f"{a['name']} ({a['email']})" for a in state["appointees"]],
    }}


def _regions() -> list[dict]:
    with store().read("directory") as view:
        return sorted(view.all("regions"), key=lambda r: r["code"])
