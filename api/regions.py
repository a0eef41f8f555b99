"""``/api/regions``: the five regions and their KKR contacts."""

from flask import Blueprint, jsonify

from api.web import actor, json_body, now, requires, store
from handlers import directory, directory_admin
from handlers.permissions import Act

bp = Blueprint("regions", __name__, url_prefix="/api/regions")


@bp.get("")
@requires(Act.READ_DIRECTORY)
def list_regions():
    who = actor()
    return jsonify([answer.to_dict() for answer in directory.all_regions(store(), who.name, now())])


@bp.get("/<path:region>/contact")
@requires(Act.READ_DIRECTORY)
def get_contact(region):
    who = actor()
    return jsonify(directory.find_contact(store(), region, who.name, now()).to_dict())


@bp.put("/<path:region>/contact")
@requires(Act.EDIT_DIRECTORY)
def set_contact(region):
    who = actor()
    answer = directory_admin.set_region_contact(store(), region, json_body(), now(), by=who.name)
    return jsonify(answer.to_dict())


@bp.delete("/<path:region>/contact")
@requires(Act.EDIT_DIRECTORY)
def clear_contact(region):
    who = actor()
    return jsonify(directory_admin.clear_region_contact(store(), region, now(), by=who.name).to_dict())
