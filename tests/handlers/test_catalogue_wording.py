"""The catalogues' typography and terms: Danish quotation marks »…« in
da.json, curly quotes in en.json, no "(r)"-style plurals, one word for each
thing."""

import re

import pytest

from handlers.i18n import catalogue

LEFTOVERS = {
    "da": ["'{", "}'", "(r)", "(er)", "(e)", "Svarfrist", "fejlet", "kataloget", "Høringen #", "Kender ingen",
           " fra {database}", "Marker ", "marker ", "Kvitter "],
    "en": ["«", "»", "'{", "}'", "(s)", "(ies)", " from {database}"],
}
QUOTES = {"da": ("»", "«"), "en": ("“", "”")}


@pytest.mark.parametrize("lang", ["da", "en"])
def test_no_leftovers_of_translated_or_stiff_text(lang):
    found = {key: [bad for bad in LEFTOVERS[lang] if bad in text] for key, text in catalogue(lang).items()}
    assert {key: bad for key, bad in found.items() if bad} == {}


@pytest.mark.parametrize("lang", ["da", "en"])
def test_quotation_marks_open_and_close_in_pairs(lang):
    opening, closing = QUOTES[lang]
    pair = re.compile(f"{opening}[^{opening}{closing}]*{closing}")
    unpaired = {key: text for key, text in catalogue(lang).items()
                if opening in pair.sub("", text) or closing in pair.sub("", text)}
    assert unpaired == {}


@pytest.mark.parametrize("lang", ["da", "en"])
def test_counted_texts_have_a_singular_and_a_plural(lang):
    texts = catalogue(lang)
    counted = {key.rsplit("_", 1)[0] for key in texts if key.endswith(("_one", "_other"))}
    assert {"csv.invalid", "forward.done", "hearing.closed_sent", "msg.appointment_kl"} <= counted
    for key in counted:
        assert f"{key}_one" in texts and f"{key}_other" in texts and key not in texts


def test_no_text_carries_an_iso_date():
    for lang in ("da", "en"):
        assert [k for k, v in catalogue(lang).items() if re.search(r"\d{4}-\d{2}-\d{2}", v)] == []
