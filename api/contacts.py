"""``/api/contacts``: every contact person, filtered by role or region."""

from flask import Blueprint, jsonify, request

from api.web import actor, now, requires, store
from handlers import directory
from handlers.directory_admin import ROLES
from handlers.errors import Invalid
from handlers.permissions import Act

bp = Blueprint("contacts", __name__, url_prefix="/api/contacts")


@bp.get("")
@requires(Act.READ_DIRECTORY)
def list_contacts():
    who = actor()
    role = request.args.get("role")
    if role and role not in ROLES:
        raise Invalid("invalid.role", role=role, roles=", ".join(ROLES))
    found = directory.contacts(store(), role=role, region=request.args.get("region"), actor=who.name, now=now())
    return jsonify([person.to_dict() for person in found])
