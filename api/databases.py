"""``/api/databases``: steering groups and reporting municipalities;
``/api/appointments``: appointing municipal representatives."""

from flask import Blueprint, current_app, jsonify, request

from api.web import caller, json_body, now, required_text, store
from handlers import appointments, databases, steering

bp = Blueprint("databases", __name__, url_prefix="/api")


@bp.get("/databases")
def list_databases():
    who = caller("reader")
    return jsonify(databases.list_databases(store(), who.name, now()))


@bp.post("/databases")
def add_database():
    who = caller("admin")
    return jsonify(databases.add_database(store(), json_body(), now(), who.name)), 201


@bp.put("/databases/<code>")
def edit_database(code):
    who = caller("admin")
    return jsonify(databases.edit_database(store(), code, json_body(), now(), who.name))


@bp.get("/databases/<code>/steering-group")
def steering_group(code):
    who = caller("reader")
    return jsonify(steering.roster(store(), code, who.name, now()))


@bp.put("/databases/<code>/justification")
def justification(code):
    who = caller("consultant")
    return jsonify(steering.set_justification(store(), code, json_body().get("justification"), now(), who.name))


@bp.get("/databases/<code>/reporting-municipalities")
def reporting(code):
    caller("reader")
    return jsonify(steering.reporting(store(), code, request.args.get("region")))


@bp.post("/databases/<code>/reporting-municipalities")
def register_reporting(code):
    who = caller("consultant")
    body = json_body()
    saved = steering.register_reporting(store(), code, required_text(body, "municipality"), now(), who.name,
                                        sds_notified=body.get("sds_notified"))
    return jsonify(saved), 201


@bp.post("/databases/<code>/appointments")
def open_appointment(code):
    who = caller("consultant")
    request_, created = appointments.open_request(store(), code, json_body(), now(), who.name,
                                                  key=request.headers.get("Idempotency-Key"))
    current_app.config["ON_QUEUED"](request_["id"])
    return jsonify(request_), 201 if created else 200


@bp.get("/appointments")
def open_appointments():
    who = caller("reader")
    return jsonify(appointments.open_requests(store(), who.name, now()))


@bp.get("/appointments/<int:request_id>")
def appointment(request_id):
    who = caller("reader")
    return jsonify(appointments.status(store(), request_id, who.name, now()))


@bp.post("/appointments/<int:request_id>/forwarded")
def forwarded(request_id):
    who = caller("consultant")
    return jsonify(appointments.mark_forwarded(store(), request_id, now(), who.name))


@bp.post("/appointments/<int:request_id>/appointees")
def add_appointee(request_id):
    who = caller("consultant")
    state = appointments.add_appointee(store(), request_id, json_body(), now(), who.name)
    current_app.config["ON_QUEUED"](request_id)
    return jsonify(state), 201
