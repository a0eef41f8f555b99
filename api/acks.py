"""``/ack/<token>``: the one-click acknowledgement page of an e-mail.

Mail security scanners (Microsoft Safe Links and the like) open every link
in an e-mail, so GET only shows what is being acknowledged; the POST from
the page's button records it.  Errors here are pages, not JSON: a person
with a browser reads them.
"""

import functools
from email.utils import parseaddr

from flask import Blueprint, Response, current_app, render_template, request

from api.web import lang as _lang
from api.web import now, store
from bot.render import ack_page
from bot.render.messages import forward_notes
from handlers import appointments, calendar, deliveries, forwarding, hearings, permissions
from handlers.clock import parse
from handlers.collections import APPOINTMENTS, BROADCASTS, DIGESTS
from handlers.enums import Kind, Purpose
from handlers.errors import Forbidden, KkrError, NotFound
from handlers.i18n import t

bp = Blueprint("acks", __name__, url_prefix="/ack")


@bp.errorhandler(KkrError)
def _error(error: KkrError):
    return render_template("ack.html", lang=_lang(), title=ack_page.title(_lang()), notes=[],
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


@bp.get("/<token>/calendar.ics")
@on_link(permissions.Act.READ_MESSAGE)
def calendar_file(token):
    """The recipient's own deadline event, the one their e-mail would carry
    (linked under the Slack message)."""
    item, _ = deliveries.by_token(store(), token)
    found = calendar.for_delivery(item, parseaddr(current_app.config["SETTINGS"].mail_from)[1], _lang())
    if found is None:
        raise NotFound("cal.none")
    return Response(found[0], mimetype="text/calendar",
                    headers={"Content-Disposition": f"attachment; filename={t('cal.filename', _lang())}"})


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
    """The page of the link's delivery as it stands now (``bot.render.ack_page``)."""
    item, delivery = deliveries.by_token(store(), token, now())
    lang, facts = _lang(), {}
    if item.broadcast["kind"] == Kind.HEARING and not item.broadcast.get("closed_at"):
        facts["reply_context"] = hearings.reply_context(store(), item.broadcast_id, item.notice_id)
    if item.collection == APPOINTMENTS.name and item.purpose == Purpose.NOTICE:
        facts.update(appointment=appointments.status(store(), item.broadcast_id), regions=_regions())
    return render_template("ack.html", lang=lang, title=ack_page.title(lang),
                           notes=ack_page.page_notes(delivery, notes, lang), error=None,
                           item=ack_page.message_view(item, delivery, lang, **facts), token=token)


def _regions() -> list[dict]:
    with store().read("directory") as view:
        return sorted(view.all("regions"), key=lambda r: r["code"])
