"""``python -m bot`` as a user runs it: real processes, real files."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_bot(db_path, *args, stdin="", lang="da"):
    env = {**os.environ, "KKRBOT_DB": str(db_path), "KKRBOT_LANG": lang}
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=60)


def test_shell_answers_piped_commands_on_a_fresh_store(tmp_path):
    db_path = tmp_path / "new" / "kkrbot.json"
    done = run_bot(db_path, "shell", stdin="/kkr Viborg\nhvem er KKR-kontakt for Sjælland?\n/kkr\n")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Viborg Kommune ligger i Region Midtjylland" in out
    assert "Jonas Thor Björnson, jt@viborg.dk" in out
    assert "Region Sjælland har endnu ingen KKR-kontaktperson" in out and "Lise Holten, lht@kl.dk" in out
    assert out.count("•") == 5
    assert db_path.exists()


def test_shell_in_english_with_suggestions(tmp_path):
    done = run_bot(tmp_path / "k.json", "shell", stdin="/kkr Hoved\n/kkr help\n/nope\n", lang="en")
    assert "Did you mean: Region Hovedstaden" in done.stdout
    assert "/kkr <region or municipality>" in done.stdout
    assert "Unknown command “/nope”" in done.stdout


def test_token_create_prints_a_working_token_once(tmp_path):
    db_path = tmp_path / "k.json"
    done = run_bot(db_path, "token", "create", "--role", "admin", "--name", "Anne")
    token = done.stdout.strip()
    assert done.returncode == 0 and token.startswith("kkr_")
    auth_file = db_path.with_name("k.auth.json")
    assert token not in auth_file.read_text()

    from api import create_app
    from api.config import Settings

    client = create_app(Settings(db_path=str(db_path))).test_client()
    response = client.put("/api/regions/1084/contact", json={"name": "Kim", "email": "kim@kk.dk"},
                          headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


def test_token_create_refuses_unknown_roles(tmp_path):
    done = run_bot(tmp_path / "k.json", "token", "create", "--role", "root", "--name", "x")
    assert done.returncode != 0 and "invalid choice" in done.stderr


def test_directory_import_and_export(tmp_path):
    db_path = tmp_path / "k.json"
    good = tmp_path / "good.csv"
    good.write_text("role,place,name,email\nkkr,Hovedstaden,Kim Kofod,kim@kk.dk\n", encoding="utf-8")
    done = run_bot(db_path, "directory", "import", str(good))
    assert done.returncode == 0, done.stderr
    assert "Importeret: 1 oprettet" in done.stdout
    exported = run_bot(db_path, "directory", "export").stdout
    assert "kkr,1084,Kim Kofod,,kim@kk.dk" in exported
    out_file = tmp_path / "out.csv"
    run_bot(db_path, "directory", "export", str(out_file))
    assert out_file.read_text(encoding="utf-8") == exported


@pytest.mark.parametrize("lang, word", [("da", "linje 3"), ("en", "line 3")])
def test_directory_import_reports_the_bad_line_and_writes_nothing(tmp_path, lang, word):
    db_path = tmp_path / "k.json"
    run_bot(db_path, "directory", "export")
    before = db_path.read_bytes()
    bad = tmp_path / "bad.csv"
    bad.write_text("role,place,name,email\nkkr,1084,Kim,kim@kk.dk\nmunicipal,Viborg,Bo,bo-at-viborg\n",
                   encoding="utf-8")
    done = run_bot(db_path, "directory", "import", str(bad), lang=lang)
    assert done.returncode == 1
    assert word in done.stderr.lower() and "bo-at-viborg" in done.stderr
    assert db_path.read_bytes() == before


def test_serve_answers_the_api_on_a_fresh_machine(tmp_path):
    import json
    import socket
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "KKRBOT_DB": str(tmp_path / "var" / "kkrbot.json"), "PORT": str(port)}
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"):
        env.pop(name, None)
    token = subprocess.run([sys.executable, "-m", "bot", "token", "create", "--role", "reader", "--name", "staff"],
                           cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout.strip()
    server = subprocess.Popen([sys.executable, "-m", "bot", "serve"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                url = f"http://127.0.0.1:{port}/api/regions/Viborg/contact"
                request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
                with urllib.request.urlopen(request, timeout=2) as response:
                    body = json.load(response)
                break
            except OSError:
                assert time.monotonic() < deadline, "serve did not come up"
                time.sleep(0.2)
        assert body["contact"]["email"] == "jt@viborg.dk"
        assert body["municipality"]["name"] == "Viborg"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_shell_shows_broadcast_status_and_hearing_report(tmp_path):
    from data import Store
    from handlers import broadcasts, hearings
    from handlers.seeding import seed_directory
    from tests.conftest import NOW

    db_path = tmp_path / "k.json"
    store = Store(db_path)
    seed_directory(store, NOW)
    status, _ = broadcasts.create_broadcast(store, {"kind": "hearing", "database": "DHRD", "title": "Indikatorer",
                                                    "deadline": "2026-12-15"}, by="Anne", now=NOW)
    hearings.reply_for(store, status["id"], "1082", "Midtjylland: enig.", NOW, by="Jonas")
    out = run_bot(db_path, "shell", stdin=f"/rkkp-status\n/rkkp-status {status['id']}\n/rkkp-report 1\n"
                                           "/rkkp-status 9\n").stdout
    assert "#1 Høring – DHRD: Indikatorer" in out
    assert "Region Midtjylland – Jonas Thor Björnson: i kø" in out
    assert "Mangler at kvittere: Region Nordjylland" in out
    assert "# Høringsrapport: DHRD – Indikatorer" in out and "> Midtjylland: enig." in out
    assert "Der findes ingen udsendelse #9." in out


def test_token_revoke_and_list(tmp_path):
    db_path = tmp_path / "k.json"
    token = run_bot(db_path, "token", "create", "--role", "reader", "--name", "Old").stdout.strip()
    listed = run_bot(db_path, "token", "list").stdout
    assert "reader" in listed and "Old" in listed and "aktivt" in listed and token not in listed
    done = run_bot(db_path, "token", "revoke", "Old")
    assert done.returncode == 0 and "Tilbagekaldt" in done.stdout
    assert "(tilbagekaldt den " in run_bot(db_path, "token", "list").stdout
    assert run_bot(db_path, "token", "revoke", "Old").returncode == 1


def test_directory_forget(tmp_path):
    db_path = tmp_path / "k.json"
    done = run_bot(db_path, "directory", "forget", "mima@haderslev.dk")
    assert done.returncode == 0 and "person-" in done.stdout and "1 kontakt fjernet" in done.stdout
    assert "Mia Mandau" not in run_bot(db_path, "directory", "export").stdout
    assert run_bot(db_path, "directory", "forget", "mima@haderslev.dk").returncode == 1
