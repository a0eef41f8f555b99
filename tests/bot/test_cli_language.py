"""The CLI speaks the configured language (``KKRBOT_LANG``) like the chat
replies, and a CSV import that names one contact twice is refused with both
lines named and nothing written.  ``python -m bot`` as a subprocess."""

import os
import subprocess
import sys

import pytest

from tests.support.procs import ROOT


def bot(db_path, *args, lang="da"):
    env = {**os.environ, "KKRBOT_DB": str(db_path), "KKRBOT_LANG": lang}
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True, cwd=ROOT, env=env,
                          timeout=60)


@pytest.mark.parametrize("lang, summary", [
    ("da", "Importeret: 1 oprettet, 0 ændret, 0 ryddet, 0 uændret."),
    ("en", "Imported: 1 created, 0 updated, 0 cleared, 0 unchanged."),
])
def test_the_import_summary_is_in_the_configured_language(tmp_path, lang, summary):
    source = tmp_path / "kontakter.csv"
    source.write_text("role,place,name,email\nkkr,Hovedstaden,Kim Kofod,kim@kk.dk\n", encoding="utf-8")
    done = bot(tmp_path / "k.json", "directory", "import", str(source), lang=lang)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == summary


@pytest.mark.parametrize("lang, reason", [("da", "filen findes ikke"), ("en", "there is no such file")])
def test_a_missing_file_is_reported_in_the_configured_language(tmp_path, lang, reason):
    done = bot(tmp_path / "k.json", "directory", "import", str(tmp_path / "mangler.csv"), lang=lang)
    assert done.returncode == 1
    assert reason in done.stderr and "No such file or directory" not in done.stderr


def test_missing_columns_are_reported_in_danish(tmp_path):
    source = tmp_path / "k.csv"
    source.write_text("role,name\nkkr,X\n", encoding="utf-8")
    done = bot(tmp_path / "k.json", "directory", "import", str(source))
    assert done.returncode == 1
    assert "linje 1: Filen mangler kolonnerne place, email." in done.stderr
    assert "missing columns" not in done.stderr


@pytest.mark.parametrize("lang, words", [
    ("da", ["2 linjer i filen er ugyldige (linje 4 og 5). Intet er gemt.",
            "linje 4: Viborg står også i linje 2.", "linje 5: KL's kontaktperson står også i linje 3."]),
    ("en", ["2 lines of the file are invalid (lines 4 and 5); nothing was saved.",
            "line 4: Viborg is also on line 2.", "line 5: KL's contact person is also on line 3."]),
])
def test_duplicate_rows_are_refused_with_their_lines_and_nothing_is_written(tmp_path, lang, words):
    db_path = tmp_path / "k.json"
    bot(db_path, "directory", "export")  # the store as it starts
    before = {path.name: path.read_bytes() for path in tmp_path.glob("k.*json")}
    source = tmp_path / "dubletter.csv"
    source.write_text("role,place,name,email\n"
                      "municipal,Viborg,Bo Ek,bo@viborg.dk\n"
                      "kl,,Lise Holten,lht@kl.dk\n"
                      "municipal,0791,Eva Lund,eva@viborg.dk\n"   # Viborg again, by its code
                      "kl,,Lone Berg,lb@kl.dk\n", encoding="utf-8")
    done = bot(db_path, "directory", "import", str(source), lang=lang)
    assert done.returncode == 1
    for line in words:
        assert line in done.stderr, done.stderr
    assert {path.name: path.read_bytes() for path in tmp_path.glob("k.*json")} == before
