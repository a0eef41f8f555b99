"""``/api/municipalities``: the 98 municipalities and their contact persons."""

from flask import Blueprint, jsonify, request

from api.web import actor, json_body, now, requires, store
from handlers import directory, directory_admin
from handlers.permissions import Act

bp = Blueprint("municipalities", __name__, url_prefix="/api/municipalities")


@bp.get("")
@requires(Act.READ_DIRECTORY)
def list_municipalities():
    who = actor()
    found = directory.municipalities(store(), request.args.get("region"), who.name, now())
    return jsonify([municipality.to_dict() for municipality in found])


@bp.put("/<path:municipality>/contact")
@requires(Act.EDIT_DIRECTORY)
def set_contact(municipality):
    who = actor()
    ref = directory_admin.set_municipality_contact(store(), municipality, json_body(), now(), by=who.name)
    return jsonify(ref.to_dict())


@bp.delete("/<path:municipality>/contact")
@requires(Act.EDIT_DIRECTORY)
def clear_contact(municipality):
    who = actor()
    return jsonify(directory_admin.clear_municipality_contact(store(), municipality, now(), by=who.name).to_dict())
