"""``/api/municipalities``: the 98 municipalities and their contact persons."""

from flask import Blueprint, jsonify, request

from api.web import caller, json_body, now, store
from handlers import directory, directory_admin

bp = Blueprint("municipalities", __name__, url_prefix="/api/municipalities")


@bp.get("")
def list_municipalities():
    who = caller("reader")
    found = directory.municipalities(store(), request.args.get("region"), who.name, now())
    return jsonify([municipality.to_dict() for municipality in found])


@bp.put("/<path:municipality>/contact")
def set_contact(municipality):
    who = caller("admin")
    ref = directory_admin.set_municipality_contact(store(), municipality, json_body(), now(), by=who.name)
    return jsonify(ref.to_dict())


@bp.delete("/<path:municipality>/contact")
def clear_contact(municipality):
    who = caller("admin")
    return jsonify(directory_admin.clear_municipality_contact(store(), municipality, now(), by=who.name).to_dict())
