"""The message catalogue: every text a user reads, in Danish and English.

One JSON file per language in ``locale/``.  ``t(key, lang, **params)``
formats a message; a key missing in a language falls back to Danish, the
norm for our users, and a key missing everywhere is returned as is so that a
gap is visible rather than fatal.

Parameters are written as people read them, with Babel's CLDR data for the
language: a ``date`` as "15. januar 2030" / "15 January 2030", a
``datetime`` in the display zone (``KKRBOT_TZ``) as "15. januar 2030 kl.
15.32" / "15 January 2030 at 15:32", a list as "2, 3 og 4".  Callers pass
these values, never ISO text: ISO 8601 is for the JSON API and CSV files.

A message about a number of things has a variant per plural category of the
language, ``key_one`` and ``key_other`` (Babel's plural rules), chosen by its
``count`` parameter; a key without variants is used for any count.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

LANGUAGES = ("da", "en")
DEFAULT_LANGUAGE = "da"
LOCALE_FOLDER = Path(__file__).with_name("locale")
# English as written in Europe ("15 January 2030", "15:32"): our readers are
# in Denmark, and the American month-first order would misread as a Danish date.
BABEL_LOCALES = {"da": "da_DK", "en": "en_GB"}
DEFAULT_ZONE = "Europe/Copenhagen"

_display = {"zone": ZoneInfo(DEFAULT_ZONE)}


def set_zone(name: str) -> None:
    """Show times in the zone ``name`` (``KKRBOT_TZ``); set once at start."""
    _display["zone"] = ZoneInfo(name)


def display_zone() -> ZoneInfo:
    """The zone times are shown in (``KKRBOT_TZ``), for files that hold local times."""
    return _display["zone"]


@cache
def catalogue(lang: str) -> dict[str, str]:
    with open(LOCALE_FOLDER / f"{lang}.json", encoding="utf-8") as handle:
        return json.load(handle)


def t(key: str, lang: str = DEFAULT_LANGUAGE, **params) -> str:
    lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
    template = _template(key, lang, params.get("count"))
    if not params:
        return template
    return template.format(**{name: readable(value, lang) for name, value in params.items()})


def readable(value, lang: str = DEFAULT_LANGUAGE):
    """A date, time or list as the language writes it; anything else as it is.

    Babel is imported here and in ``_plural_rule``, when a text first needs
    it: its CLDR data is a good part of a command's start-up, and most
    answers (a contact look-up) have no date, list or count in them."""
    if not isinstance(value, (date, list, tuple)):
        return value
    from babel.dates import format_date, format_time
    from babel.lists import format_list

    locale = BABEL_LOCALES.get(lang, BABEL_LOCALES[DEFAULT_LANGUAGE])
    if isinstance(value, datetime):
        moment = value.astimezone(_display["zone"]) if value.tzinfo else value
        return t("format.datetime", lang, date=format_date(moment, "long", locale=locale),
                 time=format_time(moment, "short", locale=locale))
    if isinstance(value, date):
        return format_date(value, "long", locale=locale)
    return format_list([str(readable(item, lang)) for item in value], locale=locale) if value else "–"


def _template(key: str, lang: str, count) -> str:
    if isinstance(count, int) and not isinstance(count, bool):
        form = _plural_rule(lang)(count)
        for variant in (f"{key}_{form}", f"{key}_other"):
            if found := _lookup(variant, lang):
                return found
    return _lookup(key, lang) or key


@cache
def _plural_rule(lang: str):
    from babel import Locale  # here: see readable()

    return Locale.parse(BABEL_LOCALES[lang]).plural_form


def _lookup(key: str, lang: str) -> str | None:
    return catalogue(lang).get(key) or catalogue(DEFAULT_LANGUAGE).get(key)
