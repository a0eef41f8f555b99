"""Checking and normalising what people type into the directory."""

from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email

from handlers.errors import Invalid

PERSON_FIELDS = ("name", "email", "title", "phone", "slack_id", "organisation")
MAX_TEXT = 200
_SLACK_ID = re.compile(r"^[UW][A-Z0-9]{2,20}$")


def normal_email(value: str, field: str = "email") -> str:
    """The address as we store it: checked by email-validator and lower-cased
    whole ("Php@aalborg.dk" → "php@aalborg.dk"), since the mail servers of
    Danish public bodies treat the local part case-insensitively."""
    if not isinstance(value, str) or not value.strip():
        raise Invalid("invalid.required", field=field, extra={"field": field})
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


def person_fields(raw: dict) -> dict:
    """The checked fields of a contact person, or ``Invalid`` naming the
    first field that is wrong.  Unknown fields are refused, not ignored,
    so that a typo in a field name is noticed."""
    if not isinstance(raw, dict):
        raise Invalid("invalid.object")
    unknown = sorted(set(raw) - set(PERSON_FIELDS))
    if unknown:
        raise Invalid("invalid.unknown_field", field=unknown[0], extra={"field": unknown[0]})
    person = {}
    for name in PERSON_FIELDS:
        value = raw.get(name)
        if value is not None and not isinstance(value, str):
            raise Invalid("invalid.text", field=name, extra={"field": name})
        value = (value or "").strip()
        if len(value) > MAX_TEXT:
            raise Invalid("invalid.too_long", field=name, limit=MAX_TEXT, extra={"field": name})
        person[name] = value or None
    if not person["name"]:
        raise Invalid("invalid.required", field="name", extra={"field": "name"})
    person["email"] = normal_email(person["email"] or "")
    if person["phone"]:
        person["phone"] = normal_phone(person["phone"])
    if person["slack_id"] and not _SLACK_ID.match(person["slack_id"]):
        raise Invalid("invalid.slack_id", field="slack_id", value=person["slack_id"], extra={"field": "slack_id"})
    return person
