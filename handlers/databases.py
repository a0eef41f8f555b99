"""The clinical quality databases that RKKP sends for: their code, name and
responsible consultant (the playbook's "kvalitetskonsulenten/kontaktpersonen
for databasen", who writes to KL and whom KL and appointees answer).

Only a known code is accepted where something is sent or requested for a
database; an unknown one is refused with the codes it resembles, so a typo
("DHDR") never reaches the five regions.  An admin adds and edits them.
"""

from __future__ import annotations

import re
from datetime import datetime

from handlers import audit
from handlers.clock import stamp
from handlers.errors import Conflict, Invalid, NotFound
from handlers.matching import Matcher, Place
from handlers.validation import normal_email, text_fields

PART = "databases"
CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,19}$")
NAME_LIMIT = 200


def find(view, code) -> dict:
    """The database with exactly this code (any case), or ``NotFound``
    with the codes it resembles (a path that names no database)."""
    found = _exact(view, code)
    if found is None:
        raise NotFound("database.unknown", code=_shown(code), extra={"suggestions": _suggest(view, code)})
    return found


def known(view, code, field: str = "database") -> dict:
    """The database with exactly this code (any case), or ``Invalid``
    naming ``field``, with the codes it resembles: for a value in what is
    being sent or requested."""
    found = _exact(view, code)
    if found is not None:
        return found
    close = _suggest(view, code)
    names = ", ".join(f"{d['code']} ({d['name']})" for d in (_exact(view, c) for c in close))
    raise Invalid("database.unknown_suggest" if close else "database.unknown", code=_shown(code), names=names,
                  extra={"field": field, "suggestions": close})


def public(doc: dict) -> dict:
    """What the API and the CLI show of a database."""
    return {"code": doc["code"], "name": doc["name"], "consultant": doc.get("consultant"),
            "justification": doc.get("justification")}


def list_databases(store, actor: str | None = None, now: datetime | None = None) -> list[dict]:
    """Every database by code; they name their consultants, so ``actor``'s read is recorded."""
    with store.read(PART) as view:
        found = sorted((public(d) for d in view.all("databases")), key=lambda d: d["code"])
    audit.read(store, actor, "read_contacts", "databases", now)
    return found


def add_database(store, raw: dict, now: datetime, by: str) -> dict:
    """A new database: ``{"code", "name", "consultant"?: {"name", "email"}}``."""
    raw = dict(raw) if isinstance(raw, dict) else {}
    consultant = consultant_fields(raw.pop("consultant", None))
    fields = text_fields(raw, ("code", "name"), {"name": NAME_LIMIT}, required=("code", "name"))
    code = _code(fields["code"])
    with store.write(PART) as tx:
        if _exact(tx, code) is not None:
            raise Conflict("database.exists", code=code, extra={"field": "code"})
        doc = tx.insert("databases", {"code": code, "name": fields["name"], "consultant": consultant,
                                      "justification": None, "added_at": stamp(now)})
        audit.record(tx, by, "database_added", f"database:{code}", now, new=public(doc))
    return public(doc)


def edit_database(store, code: str, raw: dict, now: datetime, by: str) -> dict:
    """Change a database's name and/or consultant (``"consultant": null``
    clears it); a field left out keeps its value.  The code is the
    database's identity in every broadcast and roster, so it stays."""
    raw = dict(raw) if isinstance(raw, dict) else {}
    changes = {}
    if "consultant" in raw:
        changes["consultant"] = consultant_fields(raw.pop("consultant"))
    wanted_code = raw.pop("code", None)
    if raw:
        changes.update(text_fields(raw, ("name",), {"name": NAME_LIMIT}, required=("name",)))
    with store.write(PART) as tx:
        found = find(tx, code)
        same = isinstance(wanted_code, str) and wanted_code.strip().upper() == found["code"]
        if wanted_code is not None and not same:
            raise Invalid("database.code_fixed", code=found["code"], extra={"field": "code"})
        before = public(found)
        doc = tx.update("databases", found["id"], changes)
        if public(doc) != before:
            audit.record(tx, by, "database_changed", f"database:{found['code']}", now,
                         old=_editable(before), new=_editable(public(doc)))
    return public(doc)


def consultant_fields(value) -> dict | None:
    """The responsible consultant, ``{"name", "email"}`` (e-mail checked
    and normalised), or None; a bad field is named ``consultant.<field>``."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise Invalid("database.consultant", extra={"field": "consultant"})
    try:
        fields = text_fields(value, ("name", "email"), required=("name", "email"))
        fields["email"] = normal_email(fields["email"])
    except Invalid as error:
        field = "consultant." + error.extra.get("field", "")
        raise Invalid(error.key, extra={**error.extra, "field": field}, **{**error.params, "field": field}) from None
    return fields


def consultant_label(consultant: dict | None) -> str:
    """"Name (e-mail)" as messages name the consultant."""
    if not consultant:
        return ""
    return f"{consultant['name']} ({consultant['email']})" if consultant.get("email") else consultant["name"]


def _editable(shown: dict) -> dict:
    return {"name": shown["name"], "consultant": shown["consultant"]}


def _code(value: str) -> str:
    code = value.strip().upper()
    if not CODE.match(code):
        raise Invalid("database.code", code=value, extra={"field": "code"})
    return code


def _exact(view, code) -> dict | None:
    if not isinstance(code, str):
        return None
    found = view.find("databases", code=code.strip().upper())
    return found[0] if found else None


def _suggest(view, code) -> list[str]:
    """The codes of databases whose code or name is like ``code``."""
    if not isinstance(code, str) or not code.strip():
        return []
    matcher = Matcher()
    for doc in view.all("databases"):
        matcher.add(Place("database", doc["code"], doc["code"]), [doc["code"], doc["name"]])
    return [place.code for place in matcher.suggestions(code[:200])]


def _shown(code) -> str:
    return code.strip()[:40] if isinstance(code, str) else str(code)[:40]
