"""Checking and normalising what people type into the directory."""

from __future__ import annotations

import re
import unicodedata

from handlers.errors import Invalid

PERSON_FIELDS = ("name", "email", "title", "phone", "slack_id", "organisation")
MAX_TEXT = 200
_SLACK_ID = re.compile(r"^[UW][A-Z0-9]{2,20}$")
# Controls (Cc: NUL, TAB, CR, LF, ESC ...), format characters (Cf: bidi
# overrides, zero-width characters), line and paragraph separators (Zl, Zp)
# and lone surrogates (Cs).  In a one-line field a line break would split an
# e-mail header or a CSV row; the others hide or reorder what people read.
_CONTROL_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})


def is_control(char: str) -> bool:
    return unicodedata.category(char) in _CONTROL_CATEGORIES


def clean_text(value: str, field: str, multiline: bool = False) -> str:
    """``value`` NFC-normalised (a decomposed "Å" typed on a Mac is stored
    as the one character) and stripped; ``Invalid`` naming ``field`` if it
    holds a control character.  A ``multiline`` text keeps its line breaks
    (Windows' CR LF and old Macs' CR become LF); every other field is one line."""
    text = unicodedata.normalize("NFC", value)
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.strip()
    bad = next((c for c in text if is_control(c) and not (multiline and c == "\n")), None)
    if bad is not None:
        raise Invalid("invalid.control_text" if multiline else "invalid.control_line", field=field,
                      char=f"U+{ord(bad):04X}", extra={"field": field})
    return text


def one_line(text: str) -> str:
    """``text`` with control characters and line breaks as single spaces:
    for an e-mail header built from text stored before it was checked."""
    return " ".join("".join(" " if is_control(c) else c for c in text).split())


def normal_email(value: str, field: str = "email") -> str:
    """The address as we store it: checked by email-validator and lower-cased
    whole ("Php@aalborg.dk" → "php@aalborg.dk"), since the mail servers of
    Danish public bodies treat the local part case-insensitively."""
    if not isinstance(value, str) or not value.strip():
        raise Invalid("invalid.required", field=field, extra={"field": field})
    # Imported here: building its patterns takes longer than the shell's whole look-up.
    from email_validator import EmailNotValidError, validate_email

    try:
        checked = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise Invalid("invalid.email", field=field, value=value, reason=str(error),
                      extra={"field": field, "reason": str(error)}) from None
    return checked.normalized.lower()


def normal_phone(value: str, field: str = "phone") -> str:
    """A Danish number as ``+45 12 34 56 78``; foreign numbers keep their
    ``+`` prefix and digits."""
    digits = re.sub(r"[\s\-().]", "", value or "")
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if re.fullmatch(r"\d{8}", digits):
        digits = "+45" + digits
    if re.fullmatch(r"\+45\d{8}", digits):
        local = digits[3:]
        return "+45 " + " ".join(local[i:i + 2] for i in range(0, 8, 2))
    if re.fullmatch(r"\+\d{7,15}", digits) and not digits.startswith("+45"):
        return digits
    raise Invalid("invalid.phone", field=field, value=value, extra={"field": field})


def text_fields(raw: dict, names: tuple[str, ...], limits: dict[str, int] | None = None,
                required: tuple[str, ...] = (), multiline: tuple[str, ...] = ()) -> dict:
    """``raw``'s text fields, cleaned (``clean_text``), with None for empty
    ones; or ``Invalid`` naming the first field that is wrong.  Fields are
    one line unless named in ``multiline``.  Unknown fields are refused, not
    ignored, so that a typo in a field name is noticed."""
    if not isinstance(raw, dict):
        raise Invalid("invalid.object")
    unknown = sorted(set(raw) - set(names))
    if unknown:
        raise Invalid("invalid.unknown_field", field=unknown[0], extra={"field": unknown[0]})
    fields = {}
    for name in names:
        value = raw.get(name)
        if value is not None and not isinstance(value, str):
            raise Invalid("invalid.text", field=name, extra={"field": name})
        fields[name] = clean_text(value or "", name, multiline=name in multiline) or None
        limit = (limits or {}).get(name, MAX_TEXT)
        if fields[name] and len(fields[name]) > limit:
            raise Invalid("invalid.too_long", field=name, limit=limit, extra={"field": name})
    for name in required:
        if not fields[name]:
            raise Invalid("invalid.required", field=name, extra={"field": name})
    return fields


def person_fields(raw: dict) -> dict:
    """The checked and normalised fields of a contact person."""
    person = text_fields(raw, PERSON_FIELDS, required=("name",))
    person["email"] = normal_email(person["email"] or "")
    if person["phone"]:
        person["phone"] = normal_phone(person["phone"])
    if person["slack_id"] and not _SLACK_ID.match(person["slack_id"]):
        raise Invalid("invalid.slack_id", field="slack_id", value=person["slack_id"], extra={"field": "slack_id"})
    return person
