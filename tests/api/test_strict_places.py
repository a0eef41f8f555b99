"""A change names its place exactly: the whole name (any case, æøå or
ae/oe/aa, with or without "Region"/"Kommune"), an official name, an alias or
a code.  Anything else is a 404 with suggestions and nothing changes; the
read-side look-up stays lenient."""

import pytest

from bot.__main__ import main

BO = {"name": "Bo Ek", "email": "bo@aarhus.dk"}


def _contacts(client):
    return {(p["role"], p["region"] or p["municipality"]): p["email"] for p in client.get("/api/contacts").json}


@pytest.mark.parametrize("method, path, suggested", [
    ("PUT", "/api/municipalities/Aarhus%20Viborg/contact", {"Aarhus", "Viborg"}),
    ("DELETE", "/api/municipalities/Aarhus%20Viborg/contact", {"Aarhus", "Viborg"}),
    ("PUT", "/api/regions/Nordjylland%20Midtjylland/contact", {"Region Nordjylland", "Region Midtjylland"}),
    ("DELETE", "/api/regions/Nordjylland%20Midtjylland/contact", {"Region Nordjylland", "Region Midtjylland"}),
    ("DELETE", "/api/regions/hvem%20er%20kontakt%20for%20Midtjylland/contact", {"Region Midtjylland"}),
])
def test_a_query_naming_two_places_changes_nothing(client, admin, method, path, suggested):
    before = _contacts(client)
    response = client.open(path, method=method, headers=admin, json=BO if method == "PUT" else None)
    assert response.status_code == 404
    assert suggested <= set(response.json["suggestions"])
    assert _contacts(client) == before


@pytest.mark.parametrize("path, code", [
    ("/api/municipalities/Aarhus/contact", "0751"),
    ("/api/municipalities/aarhus%20kommune/contact", "0751"),
    ("/api/municipalities/%C3%85rhus/contact", "0751"),
    ("/api/municipalities/0751/contact", "0751"),
    ("/api/municipalities/K%C3%B8benhavns%20Kommune/contact", "0101"),
    ("/api/municipalities/Koebenhavn/contact", "0101"),
])
def test_exact_names_and_codes_change_the_municipality(client, admin, path, code):
    response = client.put(path, headers=admin, json=BO)
    assert response.status_code == 200 and response.json["code"] == code
    assert _contacts(client)[("municipal", code)] == "bo@aarhus.dk"


@pytest.mark.parametrize("path, code", [
    ("/api/regions/Region%20Nordjylland/contact", "1081"),
    ("/api/regions/nordjylland/contact", "1081"),
    ("/api/regions/North%20Denmark%20Region/contact", "1081"),
    ("/api/regions/1085/contact", "1085"),
    ("/api/regions/Sjaelland/contact", "1085"),
])
def test_exact_names_and_codes_change_the_region(client, admin, path, code):
    response = client.put(path, headers=admin, json=BO)
    assert response.status_code == 200 and response.json["region"]["code"] == code
    assert _contacts(client)[("kkr", code)] == "bo@aarhus.dk"


def test_the_read_side_look_up_stays_lenient(client):
    assert client.get("/api/regions/Nordjylland%20Midtjylland/contact").json["region"]["code"] == "1081"
    answer = client.get("/api/regions/hvem%20er%20kontakt%20for%20Aarhus/contact").json
    assert answer["municipality"]["code"] == "0751"


def test_a_csv_row_naming_two_places_is_a_numbered_error(tmp_path, monkeypatch, capsys):
    db_path = tmp_path / "k.json"
    monkeypatch.setenv("KKRBOT_DB", str(db_path))
    monkeypatch.setenv("KKRBOT_LANG", "en")
    assert main(["directory", "export"]) == 0
    before = capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text("role,place,name,email\nmunicipal,Aarhus,Bo Ek,bo@aarhus.dk\n"
                   "municipal,Aarhus Viborg,Bo Ek,bo@aarhus.dk\n", encoding="utf-8")
    assert main(["directory", "import", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "line 3" in err and "Aarhus Viborg" in err and "line 2" not in err
    assert main(["directory", "export"]) == 0
    assert capsys.readouterr().out == before
