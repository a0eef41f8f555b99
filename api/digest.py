"""``/digest/<token>``: the page of a weekly digest's link, where its
recipient stops the digest or starts it again.

Like the acknowledgement page, opening the link only shows the page (mail
scanners open every link); the page's button POSTs the choice, which is
recorded in the audit trail as the link holder's.
"""

from flask import Blueprint, render_template

from api.acks import on_link
from api.web import lang as _lang
from api.web import now, store
from handlers import deliveries, digest, permissions
from handlers.errors import KkrError
from handlers.i18n import t

bp = Blueprint("digest", __name__, url_prefix="/digest")


@bp.errorhandler(KkrError)
def _error(error: KkrError):
    return render_template("digest.html", lang=_lang(), title=t("digest.page_title", _lang()), notes=[],
                           error=error.message(_lang()), page=None, token=None), error.status


@bp.get("/<token>")
@on_link(permissions.Act.CHOOSE_DIGEST)
def show(token):
    return _page(token)


@bp.post("/<token>/stop")
@on_link(permissions.Act.CHOOSE_DIGEST)
def stop(token):
    return _choose(token, False)


@bp.post("/<token>/start")
@on_link(permissions.Act.CHOOSE_DIGEST)
def start(token):
    return _choose(token, True)


def _choose(token: str, wants: bool):
    item, _ = deliveries.by_token(store(), token)
    holder = permissions.link_holder(item.broadcast_id, item.delivery_id, item.collection)
    digest.choose(store(), item.recipient["email"], wants, now(), by=holder.name)
    return _page(token, [t("digest.started" if wants else "digest.stopped", _lang())])


def _page(token: str, notes: list[str] | None = None):
    item, _ = deliveries.by_token(store(), token, now())
    lang, email = _lang(), item.recipient["email"]
    wants = digest.wants_digest(store(), email, item.recipient.get("role") or "")
    page = {"state": t("digest.page_on" if wants else "digest.page_off", lang, email=email),
            "button": t("digest.stop_button" if wants else "digest.start_button", lang),
            "action": "digest.stop" if wants else "digest.start"}
    return render_template("digest.html", lang=lang, title=t("digest.page_title", lang), notes=notes or [],
                           error=None, page=page, token=token)
