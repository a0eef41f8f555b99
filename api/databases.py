"""``/api/databases``: steering groups and reporting municipalities;
``/api/appointments``: appointing municipal representatives."""

from flask import Blueprint, current_app, jsonify, request

from api.web import actor, json_body, now, required_text, requires, store
from handlers import appointments, databases, steering
from handlers.permissions import Act

bp = Blueprint("databases", __name__, url_prefix="/api")


@bp.get("/databases")
@requires(Act.READ_DIRECTORY)
def list_databases():
    return jsonify(databases.list_databases(store(), actor().name, now()))


@bp.post("/databases")
@requires(Act.EDIT_DATABASES)
def add_database():
    return jsonify(databases.add_database(store(), json_body(), now(), actor().name)), 201


@bp.put("/databases/<code>")
@requires(Act.EDIT_DATABASES)
def edit_database(code):
    return jsonify(databases.edit_database(store(), code, json_body(), now(), actor().name))


@bp.get("/databases/<code>/steering-group")
@requires(Act.READ_DIRECTORY)
def steering_group(code):
    who = actor()
    return jsonify(steering.roster(store(), code, who.name, now()))


@bp.put("/databases/<code>/justification")
@requires(Act.EDIT_STEERING)
def justification(code):
    who = actor()
    return jsonify(steering.set_justification(store(), code, json_body().get("justification"), now(), who.name))


@bp.get("/databases/<code>/reporting-municipalities")
@requires(Act.READ_DIRECTORY)
def reporting(code):
    return jsonify(steering.reporting(store(), code, request.args.get("region")))


@bp.post("/databases/<code>/reporting-municipalities")
@requires(Act.EDIT_STEERING)
def register_reporting(code):
    who = actor()
    body = json_body()
    saved = steering.register_reporting(store(), code, required_text(body, "municipality"), now(), who.name,
                                        sds_notified=body.get("sds_notified"))
    return jsonify(saved), 201


@bp.post("/databases/<code>/appointments")
@requires(Act.APPOINT)
def open_appointment(code):
    who = actor()
    request_, created = appointments.open_request(store(), code, json_body(), now(), who.name,
                                                  key=request.headers.get("Idempotency-Key"))
    current_app.config["ON_QUEUED"](request_["id"])
    return jsonify(request_), 201 if created else 200


@bp.get("/appointments")
@requires(Act.READ_APPOINTMENTS)
def open_appointments():
    who = actor()
    return jsonify(appointments.open_requests(store(), who.name, now()))


@bp.get("/appointments/<int:request_id>")
@requires(Act.READ_APPOINTMENTS)
def appointment(request_id):
    who = actor()
    return jsonify(appointments.status(store(), request_id, who.name, now()))


@bp.post("/appointments/<int:request_id>/forwarded")
@requires(Act.FORWARD_TO_KKR)
def forwarded(request_id):
    who = actor()
    return jsonify(appointments.mark_forwarded(store(), request_id, now(), who.name))


@bp.post("/appointments/<int:request_id>/appointees")
@requires(Act.ADD_APPOINTEE)
def add_appointee(request_id):
    who = actor()
    state = appointments.add_appointee(store(), request_id, json_body(), now(), who.name)
    current_app.config["ON_QUEUED"](request_id)
    return jsonify(state), 201
