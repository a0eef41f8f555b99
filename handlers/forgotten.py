"""A person being erased: what identifies them, and how each trace of them
is found and replaced by their pseudonym.

Every store part's owner erases its own part with this (see
``handlers.erasure``): records that *are* the person's contact data are
removed there, and everything else goes through :meth:`Forgotten.scrub`,
which replaces the person's name, e-mail, phone number and Slack ID,
wherever they appear in a text (a reply that names them, an audit actor
``slack:U123``), by the pseudonym.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field

# Contact data a record of the person keeps no pseudonym for: it is gone.
CONTACT_KEYS = ("phone", "slack_id")
_SEPARATORS = r"[\s.\-()]*"


def pseudonym(email: str) -> str:
    """The same for every trace of one address, so the history still tells
    one person's acts apart from another's."""
    return "person-" + hashlib.sha256(email.encode("utf-8")).hexdigest()[:10]


@dataclass
class Forgotten:
    email: str
    names: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)
    slack_ids: set[str] = field(default_factory=set)
    records: int = 0  # records found with their e-mail
    _compiled: tuple = field(default=(None, None), init=False, repr=False, compare=False)

    @property
    def alias(self) -> str:
        return pseudonym(self.email)

    def is_them(self, value) -> bool:
        """Whether ``value`` is a record of the person (it has their e-mail)."""
        email = value.get("email") if isinstance(value, dict) else None
        return isinstance(email, str) and email.strip().lower() == self.email

    def learn(self, value) -> None:
        """Note the names, phone numbers and Slack IDs that every record of
        the person within ``value`` gives them (a renamed contact has had
        several names; the audit trail keeps the old ones)."""
        if isinstance(value, dict):
            if self.is_them(value):
                self.records += 1
                for found, key in ((self.names, "name"), (self.phones, "phone"), (self.slack_ids, "slack_id")):
                    if _text(value.get(key)):
                        found.add(_text(value.get(key)))
            value = list(value.values())
        if isinstance(value, list):
            for item in value:
                self.learn(item)

    def learn_part(self, view) -> None:
        for table in view.tables():
            self.learn(view.all(table))

    def scrub(self, value):
        """``value`` with every trace of the person replaced by the pseudonym;
        in a record of the person their phone and Slack ID are dropped."""
        if isinstance(value, dict):
            clean = {key: self.scrub(item) for key, item in value.items()}
            if self.is_them(value):
                clean.update({key: None for key in CONTACT_KEYS if clean.get(key) is not None})
            return clean
        if isinstance(value, list):
            return [self.scrub(item) for item in value]
        if isinstance(value, str):
            text = unicodedata.normalize("NFC", value)
            clean = self._pattern().sub(self.alias, text)
            return clean if clean != text else value
        return value

    def mentions(self, text: str) -> bool:
        return bool(self._pattern().search(unicodedata.normalize("NFC", text)))

    def scrub_tables(self, tx, tables=None) -> int:
        """Scrub every document of ``tables`` (default: all of the part);
        return how many changed."""
        changed = 0
        for table in tables or tx.tables():
            for doc in tx.all(table):
                body = {k: v for k, v in doc.items() if k != "id"}
                clean = self.scrub(body)
                if clean != body:
                    tx.put(table, doc["id"], clean)
                    changed += 1
        return changed

    def _pattern(self) -> re.Pattern:
        key = (frozenset(self.names), frozenset(self.phones), frozenset(self.slack_ids))
        if self._compiled[0] != key:
            # A Danish genitive ("Jonas Thor Björnsons svar") is part of the name.
            words = [_words(name) + "(?:'?s)?" for name in sorted(self.names, key=len, reverse=True)]
            words += [re.escape(user) for user in sorted(self.slack_ids)]
            words += [p for p in map(_phone, sorted(self.phones)) if p]
            email = r"(?<![\w.+-])" + re.escape(self.email) + r"(?![\w-])"
            others = r"(?<![\w+])(?:" + "|".join(words) + r")(?!\w)" if words else None
            self._compiled = (key, re.compile("|".join(filter(None, (email, others))), re.IGNORECASE))
        return self._compiled[1]


def _text(value) -> str:
    return unicodedata.normalize("NFC", value.strip()) if isinstance(value, str) else ""


def _words(name: str) -> str:
    """A name, however the spaces between its words were typed."""
    return r"\s+".join(re.escape(word) for word in name.split())


def _phone(phone: str) -> str | None:
    """A phone number as people write it: with or without the country code,
    spaces, dots or dashes (``+45 86 12 34 56``, ``86123456``)."""
    digits = re.sub(r"\D", "", phone)
    prefix, local = ("45", digits[2:]) if phone.startswith("+45") and len(digits) == 10 else ("", digits)
    if len(local) < 6:
        return None
    country = rf"(?:(?:\+|00){_SEPARATORS}{prefix}{_SEPARATORS})?" if prefix else r"(?:\+|00)?"
    return country + _SEPARATORS.join(local)
