"""Seeding never overrules an admin; the catalogues say the same things."""

import json
import string

import pytest

from handlers import directory
from handlers.directory_admin import clear_region_contact
from handlers.i18n import LOCALE_FOLDER, catalogue, t
from handlers.matching import fold
from handlers.seeding import seed_directory
from handlers.validation import normal_email, normal_phone
from tests.conftest import NOW


def test_the_playbooks_odd_capital_is_normalised(store):
    assert directory.find_contact(store, "Nordjylland").contact.email == "php@aalborg.dk"


def test_reseeding_never_restores_a_cleared_contact(store):
    clear_region_contact(store, "Midtjylland", NOW)
    assert seed_directory(store, NOW) is False
    assert directory.find_contact(store, "Midtjylland").status == "pending"


def test_a_missing_municipality_is_seeded_again_without_touching_contacts(store):
    with store.write("directory") as tx:
        tx.remove("municipalities", 751)
        tx.put("meta", 1, {"seed_version": 0})
    clear_region_contact(store, "Syddanmark", NOW)
    assert seed_directory(store, NOW) is True
    assert directory.find_contact(store, "Aarhus").municipality.name == "Aarhus"
    assert directory.find_contact(store, "Syddanmark").status == "pending"


@pytest.mark.parametrize("name, folded", [
    ("Region Sjælland", "sjaelland"), ("SJAELLAND", "sjaelland"), ("Århus Kommune", "aarhus"),
    ("Lyngby-Taarbæk", "lyngby taarbaek"), ("Jonas Thor Björnson", "jonas thor bjoernson"), ("  ", ""),
])
def test_fold(name, folded):
    assert fold(name) == folded


def test_both_catalogues_have_the_same_keys_and_placeholders():
    da, en = catalogue("da"), catalogue("en")
    assert set(da) == set(en)
    fields = lambda text: {f for _, f, _, _ in string.Formatter().parse(text) if f}  # noqa: E731
    assert {k: fields(v) for k, v in da.items()} == {k: fields(v) for k, v in en.items()}
    for path in LOCALE_FOLDER.glob("*.json"):
        json.loads(path.read_text(encoding="utf-8"))


def test_unknown_language_falls_back_to_danish():
    assert t("shell.bye", "fr") == "Farvel."


@pytest.mark.parametrize("raw, normal", [
    ("12345678", "+45 12 34 56 78"), ("+45 12 34 56 78", "+45 12 34 56 78"),
    ("0045-12345678", "+45 12 34 56 78"), ("(+46) 701234567", "+46701234567"),
])
def test_phone_numbers_are_normalised(raw, normal):
    assert normal_phone(raw) == normal


def test_email_is_lowercased_whole():
    assert normal_email(" Php@Aalborg.DK ") == "php@aalborg.dk"
