"""``/status``: the dashboard, server-rendered HTML for RKKP staff,
consultants and the KKR and municipal contacts (issue 14).

A view checks who is signed in (``dashboard_session.signed_in``), calls the
handlers for the data, ``bot.render.dashboard`` for the page model, and
renders a template of ``templates/status/``.  Errors are pages here.
"""

from __future__ import annotations

import logging
import threading

from flask import Blueprint, Response, current_app, redirect, render_template, request

from api import dashboard_session as session
from api.web import lang as _lang
from api.web import now, public, store
from bot.render import dashboard as pages
from data.seed import load_seed
from handlers import databases, directory, overview, report, signin, steering
from handlers.errors import KkrError, NotFound
from handlers.i18n import t
from handlers.permissions import Act

log = logging.getLogger(__name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
bp = Blueprint("dashboard", __name__, url_prefix="/status")
bp.before_request(session.check_csrf)
bp.after_request(session.keep_form_cookie)


def page(template: str, current: str = "", status: int = 200, **model):
    who = session.viewer()
    html = render_template(f"status/{template}", lang=_lang(), csrf=session.csrf_token(), who=who,
                           nav=pages.nav(_lang(), current) if who else [], text=_texts(), **model)
    return html, status


def _texts() -> dict:
    lang = _lang()
    return {key: t(f"dashboard.{key}", lang) for key in ("app", "sign_out", "skip", "signed_in_as")}


@bp.errorhandler(KkrError)
def _error(error: KkrError):
    return page("error.html", title=t("dashboard.error_title", _lang()), message=error.message(_lang()),
                status=error.status)


# -- signing in ---------------------------------------------------------------

@bp.get("/sign-in")
@public
def sign_in_form():
    return _sign_in_page(sent=None)


@bp.post("/sign-in")
@public
def ask_for_link():
    """Always the same answer, whether or not the address is known: the look-up
    and the e-mail happen after the answer, on a thread of their own."""
    address = request.form.get("email", "")[:320]
    app = current_app._get_current_object()
    threading.Thread(target=_mail_link, args=(app, address, now()), daemon=True).start()
    return _sign_in_page(sent=t("signin.sent", _lang()))


def _sign_in_page(sent: str | None):
    lang = _lang()
    return page("sign_in.html", title=t("signin.title", lang), sent=sent, intro=t("signin.intro", lang),
                email_label=t("signin.email", lang), button=t("signin.ask", lang))


def _mail_link(app, address: str, moment) -> None:
    with app.app_context():
        person = signin.person_for_email(store(), address)
        send = app.config.get("SIGN_IN_MAIL")
        if person is None or send is None:
            return
        token = signin.issue_link(store(), person, moment, by="web:sign-in", asked_by_anyone=True)
        if token is None:
            return  # one was mailed a moment ago
        try:
            send(person, signin.link_url(app.config["SETTINGS"].link_base, token))
        except Exception:  # noqa: BLE001 - the visitor has had their answer; the failure is logged
            log.exception("could not e-mail a sign-in link")


@bp.get("/sign-in/<token>")
@public
def link(token):
    """Only a page with a button: mail scanners open every link, and the link works once."""
    return page("link.html", title=t("signin.title", _lang()), token=token, intro=t("signin.link_intro", _lang()),
                button=t("signin.button", _lang()))


@bp.post("/sign-in/<token>")
@public
def use_link(token):
    session_id, _, landing = signin.use_link(store(), token, now())
    return session.start(redirect(landing, 303), session_id)


@bp.post("/sign-out")
@public
def sign_out():
    signin.sign_out(store(), session.session_id(), now())
    return session.end(redirect("/status/sign-in", 303))


# -- the pages ----------------------------------------------------------------

def _scope(who: signin.Viewer) -> overview.Scope:
    return overview.EVERYTHING if who.sees_all else overview.scope_of(store(), who.region, who.municipality)


@bp.get("")
@session.signed_in(Act.VIEW_DASHBOARD)
def broadcasts():
    who = session.viewer()
    wanted = request.args.get("page", "1")
    found = overview.broadcast_page(store(), int(wanted) if wanted.isdigit() else 1, _scope(who),
                                    who.actor.name, now())
    return page("broadcasts.html", "broadcasts", **pages.broadcast_list(found, _lang()))


@bp.get("/broadcasts/<int:broadcast_id>")
@session.signed_in(Act.VIEW_DASHBOARD)
def broadcast(broadcast_id):
    from handlers import broadcasts as records

    who = session.viewer()
    scope = _scope(who)
    status = records.status(store(), broadcast_id, who.actor.name, now())
    status["regions"] = [row for row in status["regions"] if scope.has_region(row["region"]["code"])]
    states = overview.municipal_states(store(), status, scope, now())
    places = directory.municipalities(store())
    tiles = _tiles()
    model = pages.broadcast_page(status, pages.tile_map(tiles, places, states, _lang()),
                                 who.actor.role >= _report_role(), _lang())
    return page("broadcast.html", "broadcasts", **model)


def _report_role():
    from handlers.permissions import RULES

    return RULES[Act.READ_REPORT].role


def _tiles() -> dict:
    found = current_app.config.get("MUNICIPALITY_TILES")
    if found is None:
        found = {item["code"]: (item["col"], item["row"]) for item in load_seed("municipality_tiles")}
        current_app.config["MUNICIPALITY_TILES"] = found
    return found


@bp.get("/broadcasts/<int:broadcast_id>/report.<fmt>")
@session.signed_in(Act.READ_REPORT)
def report_file(broadcast_id, fmt):
    if fmt not in ("md", "csv", "xlsx"):
        raise NotFound("error.route_not_found")
    found = report.hearing_report(store(), broadcast_id, session.viewer().actor.name, now())
    excel = request.args.get("excel") == "1" and fmt == "csv"
    if fmt == "md":
        body, mimetype = report.to_markdown(report.markdown_safe(found), _lang()), "text/markdown"
    elif fmt == "xlsx":
        from handlers.report_xlsx import to_xlsx  # openpyxl only when a workbook is asked for

        body, mimetype = to_xlsx(found, _lang()), XLSX
    else:
        body, mimetype = report.to_csv(found, excel=excel), "text/csv"
    name = f"hoeringsrapport-{broadcast_id}{'-excel' if excel else ''}.{fmt}"
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/directory")
@session.signed_in(Act.READ_DIRECTORY)
def contacts():
    who = session.viewer().actor.name
    query = request.args.get("q", "").strip()
    regions = directory.all_regions(store(), who, now())
    took = None
    if query:
        answer = directory.find_contact(store(), query, who, now())
        if answer.municipality:
            places, took = [answer.municipality], answer.municipality.name
        else:
            places, took = directory.municipalities(store(), answer.region.code, who, now()), answer.region.name
    else:
        places = directory.municipalities(store(), None, who, now())
    return page("directory.html", "directory", **pages.directory_page(regions, places, query, took, _lang()))


@bp.get("/steering")
@session.signed_in(Act.READ_DIRECTORY)
def steering_groups():
    who = session.viewer().actor.name
    rosters = [steering.roster(store(), found["code"], who, now())
               for found in databases.list_databases(store(), who, now())]
    return page("steering.html", "steering", **pages.steering_page(rosters, _lang()))
