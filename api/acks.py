"""``/ack/<token>``: the one-click acknowledgement page of an e-mail.

Mail security scanners (Microsoft Safe Links and the like) open every link
in an e-mail, so GET only shows what is being acknowledged; the POST from
the page's button records it.  Errors here are pages, not JSON: a person
with a browser reads them.
"""

import functools

from flask import Blueprint, current_app, render_template, request

from api.web import now, store
from handlers import appointments, deliveries, forwarding, hearings, permissions
from handlers.clock import parse
from handlers.errors import Forbidden, KkrError, NotFound
from handlers.i18n import t
from handlers.messages import forward_notes, header, message_lines
from handlers.records import BROADCASTS, DIGESTS

bp = Blueprint("acks", __name__, url_prefix="/ack")


def _lang() -> str:
    return current_app.config["LANG"]


@bp.errorhandler(KkrError)
def _error(error: KkrError):
    return render_template("ack.html", lang=_lang(), title=t("page.title", _lang()), notes=[],
                           error=error.message(_lang()), item=None, token=None), error.status


def on_link(act: permissions.Act):
    """Declares the act a page performs: the link's holder is its delivery's
    recipient, admitted by the act's rule for that delivery (a KKR contact's
    forward, KL's steps of an appointment request)."""
    def declare(view):
        @functools.wraps(view)
        def admitted(token):
            item, delivery = deliveries.by_token(store(), token)
            if (item.collection == DIGESTS.name) != (act is permissions.Act.CHOOSE_DIGEST):
                raise NotFound("ack.unknown_link")  # a digest's link has its own page, and only it
            permissions.admit(permissions.link_holder(item.broadcast_id, item.delivery_id, item.collection), act,
                              permissions.Message.of(item.broadcast_id, delivery, item.broadcast.get("kind"),
                                                     item.collection))
            return view(token)

        admitted.act = act
        return admitted

    return declare


@bp.get("/<token>")
@on_link(permissions.Act.READ_MESSAGE)
def show(token):
    return _page(token)


@bp.post("/<token>")
@on_link(permissions.Act.ACKNOWLEDGE)
def acknowledge(token):
    item, _ = deliveries.by_token(store(), token)
    delivery, recorded = deliveries.acknowledge(store(), item.broadcast_id, item.delivery_id, now(),
                                                collection=item.collection)
    note = t("ack.done", _lang()) if recorded else t("ack.already", _lang(), when=parse(delivery["acknowledged_at"]))
    return _page(token, [note])


@bp.post("/<token>/reply")
@on_link(permissions.Act.REPLY)
def reply(token):
    item, _ = deliveries.by_token(store(), token)
    saved = hearings.reply_by_delivery(store(), _broadcast(item, "hearing.not_yours"), item.notice_id,
                                       request.form.get("text", ""), now())
    return _page(token, [t("hearing.saved_late" if saved["late"] else "hearing.saved", _lang())])


@bp.post("/<token>/kkr")
@on_link(permissions.Act.FORWARD_TO_KKR)
def appointment_forwarded(token):
    item, _ = deliveries.by_token(store(), token)
    appointments.mark_forwarded(store(), item.broadcast_id, now(), by=item.recipient["name"])
    return _page(token, [t("appointment.forwarded_done", _lang())])


@bp.post("/<token>/appointee")
@on_link(permissions.Act.ADD_APPOINTEE)
def appointee(token):
    item, _ = deliveries.by_token(store(), token)
    raw = {name: request.form.get(name, "") for name in appointments.APPOINTEE_FIELDS}
    raw["chair"] = request.form.get("chair") == "yes"
    appointments.add_appointee(store(), item.broadcast_id, raw, now(), by=item.recipient["name"])
    return _page(token, [t("appointment.appointee_done", _lang(), name=raw["name"])])


def _broadcast(item, reason: str) -> int:
    """The broadcast of a broadcast's link; an appointment request's link
    is no hearing's (and its deliveries are KL's and appointees', which the
    forwarding rule refuses already)."""
    if item.collection != BROADCASTS.name:
        raise Forbidden(reason)
    return item.broadcast_id


@bp.post("/<token>/forward")
@on_link(permissions.Act.FORWARD)
def forward(token):
    item, _ = deliveries.by_token(store(), token)
    done = forwarding.forward(store(), _broadcast(item, "forward.not_yours"), item.region, now(),
                              by=item.recipient["name"], as_recipient=True)
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
        notes = [t("page.acknowledged", lang, when=parse(delivery["acknowledged_at"]),
                   by=delivery["acknowledged_by"])]
    if delivery.get("forwarded_on_behalf"):
        notes = [*(notes or []), t("page.forwarded_on_behalf", lang, when=parse(delivery["forwarded_at"]),
                                   by=delivery["forwarded_by"])]
    return render_template("ack.html", lang=lang, title=t("page.title", lang), notes=notes or [], error=None,
                           item=view, token=token)


def _reply_form(item, lang: str) -> dict:
    """The reply box, with the reply so far; a KKR contact also sees the
    replies of the region's municipalities, to consolidate them."""
    context = hearings.reply_context(store(), item.broadcast_id, item.notice_id)
    label = t("page.reply_label_consolidated" if item.tier == 1 else "page.reply_label", lang)
    return {"reply_label": label, "reply_button": t("page.reply_button", lang),
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
