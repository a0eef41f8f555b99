"""The message catalogue: every text a user reads, in Danish and English.

One JSON file per language in ``locale/``.  ``t(key, lang, **params)``
formats a message; a key missing in a language falls back to Danish, the
norm for our users, and a key missing everywhere is returned as is so that a
gap is visible rather than fatal.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

LANGUAGES = ("da", "en")
DEFAULT_LANGUAGE = "da"
LOCALE_FOLDER = Path(__file__).with_name("locale")


@cache
def catalogue(lang: str) -> dict[str, str]:
    with open(LOCALE_FOLDER / f"{lang}.json", encoding="utf-8") as handle:
        return json.load(handle)


def t(key: str, lang: str = DEFAULT_LANGUAGE, **params) -> str:
    lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
    template = catalogue(lang).get(key) or catalogue(DEFAULT_LANGUAGE).get(key) or key
    return template.format(**params) if params else template
