"""Bulk upkeep from CSV: all of a file or nothing of it."""

import unicodedata

import pytest

from handlers import directory
from handlers.directory_csv import export_csv, import_csv
from handlers.errors import Invalid
from tests.conftest import NOW

GOOD = """role,place,name,title,email,phone,slack_id
kkr,Region Sjælland,Anne Hansen,Konsulent,anne@roskilde.dk,46313000,
municipal,Viborg,Bo Ek,Sundhedschef,BO@VIBORG.DK,,U0ABC123
municipal,0751,Eva Lund,,eva@aarhus.dk,+45 89 40 20 00,
kl,,Lise Holten,,lht@kl.dk,,
"""


def test_a_good_file_is_applied(store):
    result = import_csv(store, GOOD, NOW)
    assert result.counts == {"created": 3, "updated": 0, "cleared": 0, "unchanged": 1}
    assert directory.find_contact(store, "Sjælland").contact.name == "Anne Hansen"
    viborg = directory.find_contact(store, "Viborg").municipality.contact
    assert (viborg.email, viborg.slack_id) == ("bo@viborg.dk", "U0ABC123")


def test_one_bad_row_writes_nothing_and_names_its_line(store, db_path):
    bad = GOOD.replace("eva@aarhus.dk", "eva(at)aarhus.dk")
    before = db_path.read_bytes()
    with pytest.raises(Invalid) as raised:
        import_csv(store, bad, NOW, lang="en")
    assert [e["line"] for e in raised.value.extra["errors"]] == [4]
    assert "eva(at)aarhus.dk" in raised.value.extra["errors"][0]["error"]
    assert db_path.read_bytes() == before
    assert directory.find_contact(store, "Sjælland").status == "pending"


def test_every_bad_line_is_reported(store):
    bad = GOOD + "kkr,Atlantis,X,,x@x.dk,,\nboss,Viborg,Y,,y@viborg.dk,,\n"
    with pytest.raises(Invalid) as raised:
        import_csv(store, bad, NOW)
    assert [e["line"] for e in raised.value.extra["errors"]] == [6, 7]


def test_missing_columns_are_refused(store):
    with pytest.raises(Invalid) as raised:
        import_csv(store, "role,name\nkkr,X\n", NOW, lang="en")
    assert "place" in raised.value.message("en")


def test_excel_style_semicolons_and_bom_are_read(store):
    text = "\ufeffrole;place;name;email\nkkr;1084;Kim Kofod;kim@kk.dk\n"
    assert import_csv(store, text, NOW).counts["created"] == 1
    assert directory.find_contact(store, "Hovedstaden").contact.name == "Kim Kofod"


def test_an_empty_person_clears_the_contact(store):
    import_csv(store, "role,place,name,email\nkkr,Nordjylland,,\n", NOW)
    assert directory.find_contact(store, "Aalborg").status == "pending"


def test_export_round_trips(store, tmp_path):
    import_csv(store, GOOD, NOW)
    exported = export_csv(store)
    assert exported.splitlines()[0] == "role,place,name,title,email,phone,slack_id,organisation"
    assert "municipal,0791,Bo Ek,Sundhedschef,bo@viborg.dk,,U0ABC123," in exported
    assert import_csv(store, exported, NOW).counts["unchanged"] == 7


def test_control_characters_are_refused_with_their_line(store, db_path):
    bad = (GOOD.replace("Eva Lund", "Eva \ud800Lund")
           + 'municipal,Skive,"Sif Dahl\nBcc: x@y.dk",,sif@skive.dk,,\nmunicipal,Herning,Ib\tBo,,ib@herning.dk,,\n')
    before = db_path.read_bytes()
    with pytest.raises(Invalid) as raised:
        import_csv(store, bad, NOW)
    errors = raised.value.extra["errors"]
    assert [e["line"] for e in errors] == [4, 7, 8]
    assert all("»name«" in e["error"] for e in errors)
    assert "U+D800" in errors[0]["error"] and "U+000A" in errors[1]["error"] and "U+0009" in errors[2]["error"]
    assert db_path.read_bytes() == before


def test_decomposed_letters_are_stored_composed(store):
    import_csv(store, GOOD.replace("Anne Hansen", unicodedata.normalize("NFD", "Åse Ærø")), NOW)
    assert directory.find_contact(store, "Sjælland").contact.name == "Åse Ærø"
