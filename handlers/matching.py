"""Understanding place names the way Danish users type them.

``fold`` reduces a name to a spelling-independent key: any case, æ/ø/å or
their ASCII spellings ae/oe/aa, accents, hyphens and the filler words
"Region", "Kommune", "KKR" all fold to the same thing.  ``Matcher`` then
finds the region or municipality a query means: exactly, inside a longer
question, or (for small typos) by similarity, with suggestions when unsure.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_LETTERS = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_NOT_WORD = re.compile(r"[^a-z0-9]+")
FILLER = frozenset({
    "region", "regionen", "regions", "regionskommune", "kommune", "kommunen", "kommunes", "kommuner",
    "municipality", "kkr", "of", "the",
})
# Words of a question around a place name ("who is the KKR contact for X?").
QUESTION_WORDS = frozenset({
    "who", "whos", "is", "are", "the", "a", "kkr", "contact", "contacts", "person", "for", "in", "of",
    "what", "which", "hvem", "hvad", "er", "kontakt", "kontakten", "kontaktperson", "kontaktpersonen",
    "i", "til", "paa", "ved", "please", "tak",
})
CONFIDENT = 0.8     # similarity at which a typo is taken as meant
MARGIN = 0.08       # ...if the runner-up is at least this far behind
SUGGEST = 0.55      # similarity at which a name is offered as a suggestion
PREFIX = 0.75       # similarity given to a name that starts with the query


def fold(text: str) -> str:
    """A comparable key for a name: ``"Region Sjælland"`` → ``"sjaelland"``."""
    text = unicodedata.normalize("NFKC", text).lower().translate(_LETTERS)
    text = unicodedata.normalize("NFKD", text)
    if not text.isascii():  # ASCII has no accents to drop (most names, once æ, ø, å are spelt out)
        text = "".join(c for c in text if not unicodedata.combining(c))
    words = _NOT_WORD.sub(" ", text).split()
    return " ".join(word for word in words if word not in FILLER)


@dataclass(frozen=True)
class Place:
    """A region or municipality that a query can resolve to."""

    kind: str   # "region" | "municipality"
    code: str
    label: str


@dataclass(frozen=True)
class Match:
    place: Place
    query: str
    exact: bool


class Matcher:
    """Resolves queries against a set of places and their names."""

    def __init__(self):
        self._by_key: dict[str, Place] = {}
        self._codes: dict[str, Place] = {}

    def add(self, place: Place, names: list[str]) -> None:
        self._codes[place.code] = place
        for name in names:
            key = fold(name)
            if key:
                self._by_key.setdefault(key, place)

    def exact(self, query: str) -> Place | None:
        """The place ``query`` names exactly (by code or a folded name)."""
        digits = query.strip()
        if digits.isdigit():
            return self._codes.get(digits.zfill(4))
        return self._by_key.get(fold(query))

    def resolve(self, query: str) -> Match | None:
        """Exact name, then a name inside a question, then a confident typo."""
        place = self.exact(query) or self._within(query)
        if place:
            return Match(place, query, exact=True)
        ranked = self.ranked(query)
        if ranked and ranked[0][0] >= CONFIDENT and (len(ranked) == 1 or ranked[1][0] <= ranked[0][0] - MARGIN):
            return Match(ranked[0][1], query, exact=False)
        return None

    def suggestions(self, query: str, limit: int = 3) -> list[Place]:
        """The places named inside the query ("Aarhus Viborg" names two),
        then those whose names are like it."""
        found = self.named_within(query) + [place for score, place in self.ranked(query) if score >= SUGGEST]
        return list(dict.fromkeys(found))[:limit]

    def ranked(self, query: str) -> list[tuple[float, Place]]:
        """Places by their best name's similarity to the query, best first.
        (difflib is imported here, for a name not found as written, so that
        a look-up by a name or code starts without it.)"""
        from difflib import SequenceMatcher

        key = _core(query)
        if not key:
            return []
        best: dict[Place, float] = {}
        for name, place in self._by_key.items():
            score = SequenceMatcher(None, key, name).ratio()
            if len(key) >= 3 and any(word.startswith(key) for word in name.split()):
                score = max(score, PREFIX)
            if score > best.get(place, 0.0):
                best[place] = score
        return sorted(((s, p) for p, s in best.items()), key=lambda item: (-item[0], item[1].label))

    def _within(self, text: str) -> Place | None:
        """The longest name that stands as whole words inside ``text``."""
        named = self.named_within(text)
        return named[0] if named else None

    def named_within(self, text: str) -> list[Place]:
        """Every place whose name stands as whole words inside ``text``,
        longest name first, then from left to right."""
        words = fold(text).split()
        found = []
        for size in range(min(4, len(words)), 0, -1):
            for start in range(len(words) - size + 1):
                place = self._by_key.get(" ".join(words[start:start + size]))
                if place and place not in found:
                    found.append(place)
        return found


def _core(query: str) -> str:
    """The query without the words of a question around the name."""
    return " ".join(w for w in fold(query).split() if w not in QUESTION_WORDS)
