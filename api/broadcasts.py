"""``/api/broadcasts``: create broadcasts, follow them, forward to tier 2."""

from urllib.parse import urlencode

from flask import Blueprint, current_app, jsonify, request

from api.web import actor, json_body, now, required_text, requires, store
from handlers import broadcasts, forwarding
from handlers.permissions import Act

bp = Blueprint("broadcasts", __name__, url_prefix="/api/broadcasts")


def queued(broadcast_id: int) -> None:
    """Tell the dispatcher there is something to send."""
    current_app.config["ON_QUEUED"](broadcast_id)


@bp.post("")
@requires(Act.BROADCAST)
def create():
    who = actor()
    key = request.headers.get("Idempotency-Key")
    status, created = broadcasts.create_broadcast(store(), json_body(), by=who.name, now=now(), key=key)
    queued(status["id"])
    return jsonify(status), 201 if created else 200


@bp.get("")
@requires(Act.READ_STATUS)
def list_all():
    """Newest first, in pages: ``Link: <…?limit=…&before=…>; rel="next"``
    names the next page, as ``/api/audit`` does (RFC 8288)."""
    who = actor()
    limit, before = broadcasts.page_bounds(request.args.get("limit"), request.args.get("before"))
    page = broadcasts.page_of_broadcasts(store(), who.name, now(), limit=limit, before=before)
    response = jsonify(page.broadcasts)
    if page.next is not None:
        response.headers["Link"] = f'<{request.path}?{urlencode({"limit": limit, "before": page.next})}>; rel="next"'
    return response


@bp.get("/<int:broadcast_id>")
@requires(Act.READ_STATUS)
def one(broadcast_id):
    who = actor()
    return jsonify(broadcasts.status(store(), broadcast_id, who.name, now()))


@bp.post("/<int:broadcast_id>/forward")
@requires(Act.FORWARD)
def forward(broadcast_id):
    who = actor()
    region = required_text(json_body(), "region")
    done = forwarding.forward(store(), broadcast_id, region, now(), by=who.name)
    queued(broadcast_id)
    return jsonify(done)
