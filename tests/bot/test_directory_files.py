"""``python -m bot directory import/export`` with the files people really
have: Excel's semicolons, byte-order mark and Windows-1252, formulas that
must stay text, and files that are missing or not text at all."""

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.__main__ import main
from data import Store
from handlers import directory

ROOT = Path(__file__).resolve().parents[2]
FORMULA = '=HYPERLINK("http://evil","x")'


@pytest.fixture
def db_path(tmp_path, monkeypatch):
    path = tmp_path / "var" / "kkrbot.json"
    monkeypatch.setenv("KKRBOT_DB", str(path))
    monkeypatch.setenv("KKRBOT_LANG", "da")
    return path


def run_bot(db_path, *args):
    env = {**os.environ, "KKRBOT_DB": str(db_path), "KKRBOT_LANG": "da"}
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True, cwd=ROOT, env=env,
                          timeout=60)


def test_export_neutralises_formulas_and_import_takes_them_back(db_path, tmp_path, capsys):
    source = tmp_path / "in.csv"
    source.write_text('role,place,name,email,phone\nmunicipal,Viborg,"' + FORMULA.replace('"', '""')
                      + '",bo@viborg.dk,87878787\n', encoding="utf-8")
    assert main(["directory", "import", str(source)]) == 0
    exported = tmp_path / "out.csv"
    assert main(["directory", "export", str(exported)]) == 0
    rows = list(csv.DictReader(io.StringIO(exported.read_text(encoding="utf-8"))))
    viborg = next(row for row in rows if row["place"] == "0791")
    assert viborg["name"] == "'" + FORMULA
    assert viborg["phone"] == "'+45 87 87 87 87"
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row.values())

    capsys.readouterr()
    assert main(["directory", "import", str(exported)]) == 0
    assert capsys.readouterr().out.strip() == "Importeret: 0 oprettet, 0 ændret, 0 ryddet, 5 uændret."
    contact = directory.find_contact(Store(db_path), "Viborg").municipality.contact
    assert (contact.name, contact.phone) == (FORMULA, "+45 87 87 87 87")


def test_excel_export_has_a_bom_and_semicolons_and_reads_back(db_path, tmp_path, capsys):
    exported = tmp_path / "excel.csv"
    assert main(["directory", "export", "--excel", str(exported)]) == 0
    data = exported.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfrole;place;name;title;email;phone;slack_id;organisation\n")
    assert "kkr;1082;Jonas Thor Björnson;" in data.decode("utf-8-sig")
    capsys.readouterr()
    assert main(["directory", "import", str(exported)]) == 0
    assert capsys.readouterr().out.strip() == "Importeret: 0 oprettet, 0 ændret, 0 ryddet, 4 uændret."


def test_excel_export_to_standard_output(db_path):
    done = run_bot(db_path, "directory", "export", "--excel")
    assert done.returncode == 0 and done.stdout.startswith("\ufeffrole;place;name;")


def test_a_windows_1252_file_from_excel_is_read(db_path, tmp_path):
    source = tmp_path / "ansi.csv"
    source.write_bytes("role;place;name;title;email\nmunicipal;Sønderborg;Søren Åbenrå;Sundhedschef – ældre;"
                       "sa@sonderborg.dk\n".encode("cp1252"))
    assert main(["directory", "import", str(source)]) == 0
    contact = directory.find_contact(Store(db_path), "Sønderborg").municipality.contact
    assert (contact.name, contact.title) == ("Søren Åbenrå", "Sundhedschef – ældre")


def test_a_missing_file_is_one_line_on_stderr(db_path, tmp_path):
    done = run_bot(db_path, "directory", "import", str(tmp_path / "nowhere.csv"))
    assert done.returncode == 1 and done.stdout == ""
    assert len(done.stderr.splitlines()) == 1 and "nowhere.csv" in done.stderr


@pytest.mark.parametrize("content", [
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10",  # decodes as Windows-1252, but is no text
    b"PK\x03\x04\x14\x00\x81\x8d\x90\x9d",  # an .xlsx: bytes Windows-1252 does not have
])
def test_a_binary_file_is_one_line_on_stderr(db_path, tmp_path, content):
    source = tmp_path / "contacts.xlsx"
    source.write_bytes(content)
    done = run_bot(db_path, "directory", "import", str(source))
    assert done.returncode == 1 and done.stdout == ""
    assert len(done.stderr.splitlines()) == 1 and "contacts.xlsx" in done.stderr
    assert "Traceback" not in done.stderr
