"""``python -m bot database add | edit | list``: an admin's upkeep of the
clinical quality databases from the command line, checked and audited."""

import pytest

from bot.__main__ import main
from data import Store
from handlers import audit


@pytest.fixture
def db_path(tmp_path, monkeypatch):
    path = tmp_path / "var" / "kkrbot.json"
    monkeypatch.setenv("KKRBOT_DB", str(path))
    monkeypatch.setenv("KKRBOT_LANG", "da")
    return path


def test_add_edit_and_list_databases(db_path, capsys):
    assert main(["database", "add", "dap", "--name", "Dansk Apopleksiregister",
                 "--consultant-name", "Anne Nakano", "--consultant-email", "ANNE@rkkp.dk"]) == 0
    assert main(["database", "edit", "DHRD", "--consultant-name", "Bo Ek", "--consultant-email", "bo@rkkp.dk"]) == 0
    capsys.readouterr()
    assert main(["database", "list"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed == ["DAP   Dansk Apopleksiregister  (Anne Nakano, anne@rkkp.dk)",
                      "DHRD  Dansk Hjerterehabiliteringsdatabase  (Bo Ek, bo@rkkp.dk)"]

    assert main(["database", "edit", "DAP", "--name", "Dansk Apopleksiregister (DAP)"]) == 0
    assert main(["database", "edit", "DAP", "--no-consultant"]) == 0
    capsys.readouterr()
    main(["database", "list"])
    assert "DAP   Dansk Apopleksiregister (DAP)  (ingen ansvarlig konsulent)" in capsys.readouterr().out

    entries = audit.search(Store(db_path), target="database:", limit=10).entries
    assert [(e["actor"], e["action"]) for e in entries[::-1]] == [
        ("cli", "database_added"), ("cli", "database_changed"), ("cli", "database_changed"),
        ("cli", "database_changed")]


def test_bad_input_is_one_clear_line_and_changes_nothing(db_path, capsys):
    assert main(["database", "add", "DAP", "--name", "Dansk Apopleksiregister", "--consultant-name", "Anne",
                 "--consultant-email", "anne@@rkkp"]) == 1
    assert "anne@@rkkp" in capsys.readouterr().err
    assert main(["database", "add", "DHRD", "--name", "Igen"]) == 1
    assert "DHRD findes allerede" in capsys.readouterr().err
    assert main(["database", "edit", "DHDR", "--name", "X"]) == 1
    assert "Mente du: DHRD" in capsys.readouterr().err
    main(["database", "list"])
    assert capsys.readouterr().out == "DHRD  Dansk Hjerterehabiliteringsdatabase  (ingen ansvarlig konsulent)\n"
