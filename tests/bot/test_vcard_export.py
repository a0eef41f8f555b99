"""The directory as vCard 4.0 for Outlook: ``python -m bot directory export
--vcard FILE.vcf`` and ``GET /api/contacts.vcf``, parsed back with vobject."""

import vobject

from bot.__main__ import main
from data import Store
from handlers import directory_admin
from tests.conftest import NOW

AWKWARD = {"name": "Bo Ek; Jensen, jr.", "title": "Sundheds\\chef", "email": "bo@viborg.dk",
           "phone": "87878787", "organisation": "Viborg Kommune, Sundhed"}


def cards(text: str) -> dict[str, vobject.base.Component]:
    return {card.fn.value: card for card in vobject.readComponents(text)}


def test_the_api_gives_every_contact_as_a_vcard_4(client, store):
    directory_admin.set_municipality_contact(store, "Viborg", AWKWARD, NOW, by="test")
    response = client.get("/api/contacts.vcf")
    assert response.status_code == 200
    assert response.mimetype == "text/vcard"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    assert all(len(line.encode("utf-8")) <= 75 for line in text.split("\r\n"))
    found = cards(text)
    assert set(found) == {"Jonas Thor Björnson", "Mia Mandau", "Peter Hvid Paulsen", "Lise Holten",
                          "Bo Ek; Jensen, jr."}
    bo = found["Bo Ek; Jensen, jr."]
    assert bo.version.value == "4.0"
    assert bo.title.value == "Sundheds\\chef"
    assert bo.email.value == "bo@viborg.dk"
    assert bo.tel.value == "+45 87 87 87 87"
    assert bo.org.value == ["Viborg Kommune, Sundhed"]
    assert bo.categories.value == ["Viborg"]
    jonas = found["Jonas Thor Björnson"]
    assert (jonas.n.value.family, jonas.n.value.given) == ("Björnson", "Jonas Thor")
    assert jonas.categories.value == ["Region Midtjylland"]
    assert jonas.org.value == ["KKR Midtjylland"]
    assert len({card.uid.value for card in found.values()}) == 5


def test_the_api_export_is_audited_as_a_read_and_needs_a_token(client, anonymous, store):
    before = len(list(store.audit.entries()))
    assert client.get("/api/contacts.vcf").status_code == 200
    entry = list(store.audit.entries())[before:]
    assert [(e["actor"], e["action"], e["target"], e["format"]) for e in entry] == [
        ("staff reader", "export_contacts", "contacts", "vcard")]
    assert anonymous.get("/api/contacts.vcf").status_code == 401


def test_the_cli_writes_the_vcard_file_and_audits_it(db_path, tmp_path, monkeypatch):
    monkeypatch.setenv("KKRBOT_DB", str(db_path))
    target = tmp_path / "kontakter.vcf"
    assert main(["directory", "export", "--vcard", str(target)]) == 0
    found = cards(target.read_bytes().decode("utf-8"))
    assert found["Lise Holten"].org.value == ["KL"]
    assert found["Peter Hvid Paulsen"].email.value == "php@aalborg.dk"
    last = list(Store(db_path).audit.entries())[-1]
    assert (last["actor"], last["action"], last["format"], last["count"]) == ("cli", "export_contacts", "vcard", 4)


def test_the_cli_refuses_vcard_with_excel_and_writes_nothing(db_path, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KKRBOT_DB", str(db_path))
    target = tmp_path / "kontakter.vcf"
    try:
        code = main(["directory", "export", "--vcard", "--excel", str(target)])
    except SystemExit as stop:
        code = stop.code
    assert code == 2
    assert "--excel" in capsys.readouterr().err
    assert not target.exists()
