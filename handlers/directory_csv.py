"""Bulk upkeep of the directory from a CSV file, and its export.

One row per contact: ``role`` (kkr, municipal or kl), ``place`` (the region
or municipality, any name or code the look-up takes exactly; empty for kl),
then the person.  A row with an empty name and e-mail clears the place's
contact.  The file is checked whole before anything is written: one bad row
is reported with its line number and nothing of the file is stored.

Excel in Denmark saves CSV with ``;`` and a byte-order mark; both are read
(the file's encoding: ``spreadsheet.decode``), and ``export_csv(excel=True)``
writes them.  Exported cells cannot start a formula (``spreadsheet.to_cell``);
the quote that prevents it is taken off again on import.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from handlers import audit
from handlers.directory import DIRECTORY, resolve
from handlers.directory_admin import ROLES, SCOPES, place_contact, record_changes
from handlers.errors import Invalid, KkrError
from handlers.spreadsheet import from_cell, write_csv
from handlers.validation import PERSON_FIELDS, normal_email, person_fields

COLUMNS = ("role", "place", "name", "title", "email", "phone", "slack_id", "organisation")
PLACE_KIND = {"kkr": "region", "municipal": "municipality"}


@dataclass
class ImportResult:
    counts: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return dict(self.counts)


def import_csv(store, text: str, now: datetime, by: str = "", lang: str = "da",
               progress: Callable[[int, int], None] | None = None) -> ImportResult:
    """Apply a directory CSV all-or-nothing; ``Invalid`` lists every bad line.
    ``progress(done, total)`` hears of each row checked (the slow part: places
    resolved, e-mails validated)."""
    rows = _rows(text, lang)
    with store.write(DIRECTORY) as tx:
        planned, errors, seen = [], [], {}
        for done, (line, row) in enumerate(rows, 1):
            if progress:
                progress(done - 1, len(rows))
            try:
                role, place, person, shown = _plan(tx, row)
                _once(seen, (role, place), line, shown)
                planned.append((role, place, person))
            except KkrError as error:
                errors.append({"line": line, "error": error.message(lang)})
        if progress:
            progress(len(rows), len(rows))
        if errors:
            raise Invalid("csv.invalid", count=len(errors),
                          lines=[e["line"] for e in errors], extra={"errors": errors})
        result = ImportResult({"created": 0, "updated": 0, "cleared": 0, "unchanged": 0})
        changes: list[dict] = []
        for role, place, person in planned:
            result.counts[place_contact(tx, role, place, person, now, by, changes)] += 1
        record_changes(tx, by, changes, now)
    return result


def export_csv(store, excel: bool = False, actor: str | None = None, now: datetime | None = None) -> str:
    """Every contact of the directory as CSV in the import format; ``excel``:
    with ``;`` and a byte-order mark, for Danish Excel.  The export is
    recorded in the audit trail as ``actor``'s."""
    with store.read(DIRECTORY) as view:
        docs = [d for d in view.all("contacts") if d.get("role") in ROLES]
    if actor:
        audit.record(store, actor, "export_contacts", "contacts", now, count=len(docs))
    docs.sort(key=lambda d: (ROLES.index(d["role"]), d.get("region") or d.get("municipality") or ""))
    rows = [[doc["role"], doc.get("region") or doc.get("municipality") or "",
             *(doc.get(name) or "" for name in COLUMNS[2:])] for doc in docs]
    return write_csv([COLUMNS, *rows], excel=excel)


def _once(seen: dict, key: tuple, line: int, shown: str | None) -> None:
    """A contact named twice in one file is refused with the line that named
    it first: which of two rows was meant cannot be guessed (the last would
    silently win), and the same place may hide behind a name and a code."""
    if key in seen:
        raise Invalid("csv.duplicate", place=shown, line=seen[key]) if shown else Invalid(
            "csv.duplicate_kl", line=seen[key])
    seen[key] = line


def _rows(text: str, lang: str = "da") -> list[tuple[int, dict]]:
    text = text.lstrip("\ufeff")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [name.strip().lower() for name in (reader.fieldnames or [])]
    missing = [name for name in ("role", "place", "name", "email") if name not in header]
    if missing:
        line_one = Invalid("csv.columns_missing", missing=", ".join(missing)).message(lang)
        raise Invalid("csv.columns", missing=", ".join(missing), expected=",".join(COLUMNS),
                      extra={"errors": [{"line": 1, "error": line_one}]})
    reader.fieldnames = header
    rows = []
    try:
        for row in reader:
            if not any((value or "").strip() for value in row.values() if isinstance(value, str)):
                continue
            rows.append((reader.line_num, {k: from_cell(v) if isinstance(v, str) else v for k, v in row.items()}))
    except csv.Error as error:
        raise Invalid("csv.unreadable", line=reader.line_num, detail=str(error),
                      extra={"errors": [{"line": reader.line_num, "error": str(error)}]}) from None
    return rows


def _plan(tx, row: dict) -> tuple[str, str | None, dict | None, str | None]:
    """The row's role, place (a code; a consultant's e-mail; None for KL),
    the person (None: clear) and how the place is named (None for KL)."""
    if None in row:
        raise Invalid("csv.extra_values")
    role = (row.get("role") or "").strip().lower()
    if role not in ROLES:
        raise Invalid("csv.role", role=role, roles=", ".join(ROLES))
    place = shown = None
    if SCOPES[role] == "email":
        place = shown = normal_email(row.get("email") or row.get("place") or "")
    if role in PLACE_KIND:
        found = resolve(tx, row.get("place") or "", strict=True, kinds=(PLACE_KIND[role],)).place
        place, shown = found.code, found.label
    raw = {name: row.get(name) for name in PERSON_FIELDS if name in row}
    if not (raw.get("name") or "").strip() and not (raw.get("email") or "").strip():
        return role, place, None, shown
    # A column the file does not have leaves that field of the contact as it is.
    return role, place, {k: v for k, v in person_fields(raw).items() if k in row}, shown
