"""The look-up users rely on: every way they name a region or municipality."""

import pytest

from data.seed import load_seed
from handlers import commands, directory
from handlers.errors import NotFound

MUNICIPALITIES = load_seed("municipalities")
REGION_OF = {r["code"]: r["name"] for r in load_seed("regions")}
ASCII = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "Ae", "Ø": "Oe", "Å": "Aa"})


def test_seed_holds_the_five_regions_and_98_municipalities(store):
    counts = {code: 0 for code in REGION_OF}
    for muni in MUNICIPALITIES:
        counts[muni["region"]] += 1
    assert counts == {"1081": 11, "1082": 19, "1083": 22, "1084": 29, "1085": 17}
    assert len({m["code"] for m in MUNICIPALITIES}) == 98
    assert len(directory.municipalities(store)) == 98


@pytest.mark.parametrize("muni", MUNICIPALITIES, ids=lambda m: m["name"])
def test_every_municipality_resolves_to_its_region(store, muni):
    for spelling in (muni["name"], muni["official_name"], muni["name"].upper(),
                     muni["name"].translate(ASCII), muni["code"], muni["code"].lstrip("0")):
        answer = directory.find_contact(store, spelling)
        assert answer.region.name == REGION_OF[muni["region"]], spelling
        assert answer.municipality.code == muni["code"], spelling
        assert answer.exact


@pytest.mark.parametrize("query, region", [
    ("1081", "Region Nordjylland"), ("1082", "Region Midtjylland"), ("1083", "Region Syddanmark"),
    ("1084", "Region Hovedstaden"), ("1085", "Region Sjælland"),
    ("Midtjylland", "Region Midtjylland"), ("region midtjylland", "Region Midtjylland"),
    ("REGION MIDTJYLLAND", "Region Midtjylland"), ("Central Denmark Region", "Region Midtjylland"),
    ("Region of Southern Denmark", "Region Syddanmark"), ("syddanmark", "Region Syddanmark"),
    ("North Denmark Region", "Region Nordjylland"), ("Capital Region of Denmark", "Region Hovedstaden"),
    ("Region Zealand", "Region Sjælland"), ("Sjælland", "Region Sjælland"), ("Sjaelland", "Region Sjælland"),
    ("SJÆLLAND", "Region Sjælland"), ("Koebenhavn", "Region Hovedstaden"), ("København", "Region Hovedstaden"),
    ("Copenhagen", "Region Hovedstaden"), ("Aarhus", "Region Midtjylland"), ("Århus", "Region Midtjylland"),
    ("Aabenraa", "Region Syddanmark"), ("Åbenrå", "Region Syddanmark"), ("Lyngby", "Region Hovedstaden"),
    ("  Region   Midtjylland  ", "Region Midtjylland"), ("Københavns Kommune", "Region Hovedstaden"),
])
def test_spelling_variants(store, query, region):
    answer = directory.find_contact(store, query)
    assert answer.region.name == region
    assert answer.exact


@pytest.mark.parametrize("typo, region", [
    ("Midtjyland", "Region Midtjylland"), ("Syddanmrak", "Region Syddanmark"),
    ("Nordjyland", "Region Nordjylland"), ("Sjalland", "Region Sjælland"), ("Vibrog", "Region Midtjylland"),
    ("Koge", "Region Sjælland"),
])
def test_small_typos_are_understood_and_flagged(store, typo, region):
    answer = directory.find_contact(store, typo)
    assert answer.region.name == region
    assert not answer.exact and answer.query == typo


@pytest.mark.parametrize("query, suggested", [
    ("Hoved", "Region Hovedstaden"), ("Midt", "Region Midtjylland"), ("Frederiks", "Frederiksberg"),
])
def test_unsure_queries_get_suggestions(store, query, suggested):
    with pytest.raises(NotFound) as raised:
        directory.find_contact(store, query)
    assert suggested in raised.value.suggestions
    assert raised.value.status == 404


def test_nonsense_is_not_found_without_suggestions(store):
    with pytest.raises(NotFound) as raised:
        directory.find_contact(store, "qwxz")
    assert raised.value.suggestions == []


def test_active_regions_name_their_kkr_contact(store):
    expected = {"1081": ("Peter Hvid Paulsen", "php@aalborg.dk"), "1082": ("Jonas Thor Björnson", "jt@viborg.dk"),
                "1083": ("Mia Mandau", "mima@haderslev.dk")}
    for code, (name, email) in expected.items():
        answer = directory.find_contact(store, code)
        assert answer.status == "active"
        assert (answer.contact.name, answer.contact.email) == (name, email)
        assert answer.route_via is None


@pytest.mark.parametrize("query", ["Hovedstaden", "Sjælland", "Roskilde", "Bornholm"])
def test_pending_regions_route_via_the_kl_contact(store, query):
    answer = directory.find_contact(store, query)
    assert answer.status == "pending"
    assert answer.contact is None
    assert (answer.route_via.name, answer.route_via.email, answer.route_via.role) == ("Lise Holten", "lht@kl.dk", "kl")


def test_overview_lists_the_five_regions_in_code_order(store):
    answers = directory.all_regions(store)
    assert [a.region.code for a in answers] == ["1081", "1082", "1083", "1084", "1085"]
    assert [a.status for a in answers] == ["active", "active", "active", "pending", "pending"]


@pytest.mark.parametrize("text, region", [
    ("who is the KKR contact for Midtjylland?", "Region Midtjylland"),
    ("hvem er KKR-kontakt for Viborg?", "Region Midtjylland"),
    ("<@U0BOT> who is the KKR contact for Syddanmark?", "Region Syddanmark"),
    ("Hvem er kontaktperson i Region Sjælland", "Region Sjælland"),
    ("who handles Aalborg", "Region Nordjylland"),
])
def test_questions_in_plain_language(store, text, region):
    reply = commands.question(store, text)
    assert reply.kind == "contact"
    assert reply.answers[0].region.name == region


def test_kkr_command_forms(store):
    assert commands.kkr(store, "").kind == "overview"
    assert len(commands.kkr(store, None).answers) == 5
    assert commands.kkr(store, "help").kind == "help"
    assert commands.kkr(store, "hjælp").kind == "help"
    assert commands.kkr(store, "Viborg").answers[0].municipality.name == "Viborg"


def test_municipalities_of_a_region_by_any_name(store):
    names = {m.name for m in directory.municipalities(store, "North Denmark Region")}
    assert len(names) == 11 and "Aalborg" in names and "Læsø" in names
    with pytest.raises(NotFound):
        directory.municipalities(store, "Viborg")  # a municipality is not a region
