"""``/api/hearings``: replies, the hearing report, closing a hearing."""

from email.utils import parseaddr

from flask import Blueprint, Response, current_app, jsonify, request

from api.web import actor, json_body, now, required_text, requires, store
from handlers import calendar, hearings, report
from handlers.errors import Invalid
from handlers.permissions import Act

bp = Blueprint("hearings", __name__, url_prefix="/api/hearings")
FORMATS = {"json", "md", "csv", "xlsx"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXCEL = {"1": True, "true": True, "0": False, "false": False}


@bp.post("/<int:broadcast_id>/replies")
@requires(Act.REPLY_FOR)
def add_reply(broadcast_id):
    who = actor()
    body = json_body()
    region, municipality = required_text(body, "region"), body.get("municipality")
    if municipality is not None and not isinstance(municipality, str):
        raise Invalid("invalid.text", field="municipality", extra={"field": "municipality"})
    saved = hearings.reply_for(store(), broadcast_id, region, body.get("text"), now(), by=who.name,
                               municipality=municipality or None)
    return jsonify(saved), 201


@bp.get("/<int:broadcast_id>/report")
@requires(Act.READ_REPORT)
def get_report(broadcast_id):
    who = actor()
    wanted = request.args.get("format", "json")
    if wanted not in FORMATS:
        raise Invalid("report.format", format=wanted, formats=", ".join(sorted(FORMATS)), extra={"field": "format"})
    excel = EXCEL.get(request.args.get("excel", "0"))
    if excel is None:
        raise Invalid("report.excel", value=request.args["excel"], extra={"field": "excel"})
    found = report.hearing_report(store(), broadcast_id, who.name, now())
    if wanted == "md":
        return Response(report.to_markdown(report.markdown_safe(found), current_app.config["LANG"]),
                        mimetype="text/markdown")
    if wanted == "csv":
        return Response(report.to_csv(found, excel=excel), mimetype="text/csv",
                        headers={"Content-Disposition": f"attachment; filename=hearing-{broadcast_id}.csv"})
    if wanted == "xlsx":
        from handlers.report_xlsx import to_xlsx  # openpyxl only when a workbook is asked for

        return Response(to_xlsx(found, current_app.config["LANG"]), mimetype=XLSX,
                        headers={"Content-Disposition": f"attachment; filename=hearing-{broadcast_id}.xlsx"})
    return jsonify(found)


@bp.post("/<int:broadcast_id>/deadline")
@requires(Act.BROADCAST)
def change_deadline(broadcast_id):
    who = actor()
    changed = hearings.change_deadline(store(), broadcast_id, json_body(), now(), by=who.name)
    if changed["queued"]:
        current_app.config["ON_QUEUED"](broadcast_id)
    hearing = changed["hearing"]
    return jsonify({"id": broadcast_id, "queued": changed["queued"],
                    **{k: hearing.get(k) for k in ("deadline", "municipal_deadline", "deadline_revision")}})


@bp.get("/<int:broadcast_id>/calendar.ics")
@requires(Act.READ_REPORT)
def hearing_calendar(broadcast_id):
    organizer = parseaddr(current_app.config["SETTINGS"].mail_from)[1]
    data = calendar.hearing_calendar(store(), broadcast_id, organizer, current_app.config["LANG"])
    return Response(data, mimetype="text/calendar",
                    headers={"Content-Disposition": f"attachment; filename=hearing-{broadcast_id}.ics"})


@bp.post("/<int:broadcast_id>/close")
@requires(Act.CLOSE_HEARING)
def close(broadcast_id):
    who = actor()
    closing = hearings.close_hearing(store(), broadcast_id, json_body().get("message"), now(), by=who.name)
    current_app.config["ON_QUEUED"](broadcast_id)
    return jsonify({"id": broadcast_id, "closed": True, "queued": closing["queued"], "closing": closing})
