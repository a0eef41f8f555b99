"""``/api/broadcasts``: create broadcasts, follow them, forward to tier 2."""

from flask import Blueprint, current_app, jsonify, request

from api.web import caller, json_body, now, required_text, store
from handlers import broadcasts, forwarding

bp = Blueprint("broadcasts", __name__, url_prefix="/api/broadcasts")


def queued(broadcast_id: int) -> None:
    """Tell the dispatcher there is something to send."""
    current_app.config["ON_QUEUED"](broadcast_id)


@bp.post("")
def create():
    who = caller("consultant")
    key = request.headers.get("Idempotency-Key")
    status, created = broadcasts.create_broadcast(store(), json_body(), by=who.name, now=now(), key=key)
    queued(status["id"])
    return jsonify(status), 201 if created else 200


@bp.get("")
def list_all():
    who = caller("reader")
    return jsonify(broadcasts.list_broadcasts(store(), who.name, now()))


@bp.get("/<int:broadcast_id>")
def one(broadcast_id):
    who = caller("reader")
    return jsonify(broadcasts.status(store(), broadcast_id, who.name, now()))


@bp.post("/<int:broadcast_id>/forward")
def forward(broadcast_id):
    who = caller("consultant")
    region = required_text(json_body(), "region")
    done = forwarding.forward(store(), broadcast_id, region, now(), by=who.name)
    queued(broadcast_id)
    return jsonify(done)
