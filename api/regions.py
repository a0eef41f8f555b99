"""``/api/regions``: the five regions and their KKR contacts."""

from flask import Blueprint, jsonify

from api.web import caller, json_body, now, store
from handlers import directory, directory_admin

bp = Blueprint("regions", __name__, url_prefix="/api/regions")


@bp.get("")
def list_regions():
    who = caller("reader")
    return jsonify([answer.to_dict() for answer in directory.all_regions(store(), who.name, now())])


@bp.get("/<path:region>/contact")
def get_contact(region):
    who = caller("reader")
    return jsonify(directory.find_contact(store(), region, who.name, now()).to_dict())


@bp.put("/<path:region>/contact")
def set_contact(region):
    who = caller("admin")
    answer = directory_admin.set_region_contact(store(), region, json_body(), now(), by=who.name)
    return jsonify(answer.to_dict())


@bp.delete("/<path:region>/contact")
def clear_contact(region):
    who = caller("admin")
    return jsonify(directory_admin.clear_region_contact(store(), region, now(), by=who.name).to_dict())
