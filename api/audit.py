"""``/api/audit``: the audit trail, for admins."""

from flask import Blueprint, jsonify, request

from api.web import caller, now, store
from handlers import audit
from handlers.errors import Invalid

bp = Blueprint("audit", __name__, url_prefix="/api/audit")
FILTERS = ("actor", "target", "action", "since", "until")


@bp.get("")
def search():
    who = caller("admin")
    limit = request.args.get("limit", "1000")
    if not limit.isdigit() or not 0 < int(limit) <= 10_000:
        raise Invalid("audit.limit", extra={"field": "limit"})
    filters = {name: request.args.get(name) or None for name in FILTERS}
    return jsonify(audit.search(store(), limit=int(limit), reader=who.name, now=now(), **filters))
