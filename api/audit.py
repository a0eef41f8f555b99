"""``/api/audit``: the audit trail, for admins, newest first, in pages:
``Link: <…?before=…>; rel="next"`` names the next page (RFC 8288), so
the answer stays a plain list."""

from urllib.parse import urlencode

from flask import Blueprint, jsonify, request

from api.web import actor, now, requires, store
from handlers import audit
from handlers.errors import Invalid
from handlers.permissions import Act

bp = Blueprint("audit", __name__, url_prefix="/api/audit")
FILTERS = ("actor", "target", "action", "since", "until")


@bp.get("")
@requires(Act.READ_AUDIT)
def search():
    who = actor()
    limit = request.args.get("limit", "1000")
    if not limit.isdigit() or not 0 < int(limit) <= 10_000:
        raise Invalid("audit.limit", extra={"field": "limit"})
    filters = {name: request.args.get(name) or None for name in FILTERS}
    page = audit.search(store(), limit=int(limit), before=request.args.get("before"), reader=who.name, now=now(),
                        **filters)
    response = jsonify([_as_documented(entry) for entry in page.entries])
    if page.next:
        query = urlencode({**{k: v for k, v in filters.items() if v}, "limit": limit, "before": page.next})
        response.headers["Link"] = f'<{request.path}?{query}>; rel="next"'
    return response


def _as_documented(entry: dict) -> dict:
    """Justification entries written before ``new`` became an object kept
    the bare text; the trail is append-only, so they are shown as objects."""
    if entry["action"] == "justification" and isinstance(entry.get("new"), str):
        return {**entry, "new": {"justification": entry["new"].strip() or None}}
    return entry
