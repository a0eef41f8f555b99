"""The directory's contact persons as vCard 4.0 (RFC 6350), for importing
into Outlook's contacts and contact groups.

Written by hand: vobject, the well-kept vCard library, writes vCard 3.0
only.  What someone typed is escaped as RFC 6350 says (backslash, comma,
semicolon, line break), lines end in CRLF and are folded at 75 octets
without splitting a UTF-8 character, so a name such as "Ek; Jensen, jr."
stays one name and cannot add a property.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from handlers import audit
from handlers.directory import DIRECTORY
from handlers.directory_admin import ROLES

PRODID = "-//RKKP//kkr-bot//DA"
# The UID of a place's contact stays the same across exports, so a second
# import updates the card; it names the role and place, never the person.
UID_SPACE = uuid.UUID("6f0d0c1e-2c55-4c3a-9e55-5e7f2a1c0d15")
LINE_OCTETS = 75


def export_vcard(store, actor: str | None = None, now: datetime | None = None) -> str:
    """Every contact person as one vCard each; ``actor``'s export is recorded
    as a read of personal data."""
    with store.read(DIRECTORY) as view:
        docs = [d for d in view.all("contacts") if d.get("role") in ROLES]
        places = {p["code"]: p["name"] for p in view.all("regions") + view.all("municipalities")}
    docs.sort(key=lambda d: (ROLES.index(d["role"]), d.get("region") or d.get("municipality") or "", d["name"]))
    audit.read(store, actor, "export_contacts", "contacts", now, count=len(docs), format="vcard")
    return "".join(card(doc, places.get(doc.get("region") or doc.get("municipality") or "")) for doc in docs)


def card(doc: dict, place: str | None) -> str:
    """One contact as a vCard; ``place``: the name of its region or
    municipality, its category."""
    given, _, family = doc["name"].rpartition(" ")
    place_key = doc.get("region") or doc.get("municipality") or ""
    lines = ["BEGIN:VCARD", "VERSION:4.0", f"PRODID:{PRODID}", "KIND:individual",
             f"UID:urn:uuid:{uuid.uuid5(UID_SPACE, doc['role'] + ':' + place_key)}",
             f"FN:{escape(doc['name'])}", f"N:{escape(family)};{escape(given)};;;"]
    if doc.get("title"):
        lines.append(f"TITLE:{escape(doc['title'])}")
    if doc.get("organisation"):
        lines.append(f"ORG:{escape(doc['organisation'])}")
    if doc.get("email"):
        lines.append(f"EMAIL;TYPE=work:{escape(doc['email'])}")
    if doc.get("phone"):
        lines.append(f"TEL;TYPE=work,voice;VALUE=text:{escape(doc['phone'])}")
    if place:
        lines.append(f"CATEGORIES:{escape(place)}")
    lines.append("END:VCARD")
    return "".join(fold(line) + "\r\n" for line in lines)


def escape(text: str) -> str:
    """A text value as RFC 6350 section 3.4 writes it."""
    return (text.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def fold(line: str) -> str:
    """A content line folded into lines of at most 75 octets (RFC 6350
    section 3.2), each continuation starting with a space."""
    parts, current, size, limit = [], [], 0, LINE_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append("".join(current))
            current, size, limit = [], 0, LINE_OCTETS - 1
        current.append(char)
        size += width
    parts.append("".join(current))
    return "\r\n ".join(parts)
