"""``/api/regions``: the five regions and their KKR contacts."""

from flask import Blueprint, current_app, jsonify

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
    app = current_app._get_current_object()  # the busiest view: one look-up of the app, not three
    found = directory.find_contact(app.config["STORE"], region, actor().name, app.config["CLOCK"]())
    return app.response_class(_body(found), content_type="application/json")  # what jsonify's mimetype gives


# The look-up is the API's busiest read: its answer is encoded once per
# answer object, which find_contact keeps per version of the directory (the
# same bytes jsonify gives).
_BODIES: dict[int, tuple[object, bytes]] = {}
MAX_BODIES = 256


def _body(found) -> bytes:
    kept = _BODIES.get(id(found))
    if kept is not None and kept[0] is found:  # the object itself: an id is reused once it is gone
        return kept[1]
    body = (current_app.json.dumps(found.to_dict(), separators=(",", ":")) + "\n").encode("utf-8")
    if len(_BODIES) >= MAX_BODIES:
        _BODIES.clear()  # older directory versions' answers
    _BODIES[id(found)] = found, body
    return body


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
