"""``/api/contacts``: every contact person, filtered by role or region; and
``/api/contacts.vcf``, all of them as vCard 4.0 for Outlook."""

from flask import Blueprint, Response, jsonify, request

from api.web import actor, now, requires, store
from handlers import directory, vcard
from handlers.directory_admin import ROLES
from handlers.errors import Invalid
from handlers.permissions import Act

bp = Blueprint("contacts", __name__, url_prefix="/api")


@bp.get("/contacts")
@requires(Act.READ_DIRECTORY)
def list_contacts():
    who = actor()
    role = request.args.get("role")
    if role and role not in ROLES:
        raise Invalid("invalid.role", role=role, roles=", ".join(ROLES))
    found = directory.contacts(store(), role=role, region=request.args.get("region"), actor=who.name, now=now())
    return jsonify([person.to_dict() for person in found])


@bp.get("/contacts.vcf")
@requires(Act.READ_DIRECTORY)
def contact_cards():
    text = vcard.export_vcard(store(), actor=actor().name, now=now())
    return Response(text.encode("utf-8"), mimetype="text/vcard", content_type="text/vcard; charset=utf-8",
                    headers={"Content-Disposition": "attachment; filename=kkr-kontakter.vcf"})
