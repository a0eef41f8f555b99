"""``python -m bot teams package``: the Teams app package a tenant admin
uploads.  The manifest is checked against Microsoft's published v1.22 JSON
schema (a copy in tests/fixtures/teams, MIT) and the icons are read back with
Pillow, an image library of its own."""

import io
import json
import zipfile
from pathlib import Path

import jsonschema
import pytest
from PIL import Image

from bot.__main__ import main

SCHEMA = Path(__file__).parents[1] / "fixtures" / "teams" / "MicrosoftTeams.v1.22.schema.json"
APP_ID = "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"


@pytest.fixture
def teams_env(monkeypatch, tmp_path):
    monkeypatch.setenv("KKRBOT_DB", str(tmp_path / "var" / "kkrbot.json"))
    monkeypatch.setenv("TEAMS_APP_ID", APP_ID)
    monkeypatch.setenv("KKRBOT_PUBLIC_URL", "https://kkr.rkkp.dk")
    return tmp_path


def package(tmp_path, *args) -> zipfile.ZipFile:
    out = tmp_path / "kkr-bot-teams.zip"
    assert main(["teams", "package", "--out", str(out), *args]) == 0
    return zipfile.ZipFile(out)


def test_the_manifest_validates_against_the_published_schema(teams_env):
    with package(teams_env) as zipped:
        manifest = json.loads(zipped.read("manifest.json"))
        names = set(zipped.namelist())
    jsonschema.Draft4Validator(json.loads(SCHEMA.read_text(encoding="utf-8"))).validate(manifest)
    assert manifest["manifestVersion"] == "1.22"
    assert manifest["id"] == APP_ID and manifest["webApplicationInfo"]["id"] == APP_ID
    bot = manifest["bots"][0]
    assert bot["botId"] == APP_ID
    assert set(bot["scopes"]) == {"personal", "team", "groupChat"}
    for commands in bot["commandLists"]:
        assert [c["title"] for c in commands["commands"]] == ["kkr", "hjælp", "status", "rapport", "log ind"]
    assert {scope for commands in bot["commandLists"] for scope in commands["scopes"]} == \
        {"personal", "team", "groupChat"}
    assert manifest["validDomains"] == ["kkr.rkkp.dk"]
    assert {manifest["icons"]["color"], manifest["icons"]["outline"]} <= names


def test_descriptions_are_danish_with_an_english_translation(teams_env):
    with package(teams_env) as zipped:
        manifest = json.loads(zipped.read("manifest.json"))
        languages = manifest["localizationInfo"]
        assert languages["defaultLanguageTag"] == "da"
        english_file = next(lang["file"] for lang in languages["additionalLanguages"] if lang["languageTag"] == "en")
        english = json.loads(zipped.read(english_file))
    assert "kommune" in manifest["description"]["full"]
    assert "municipalities" in english["description.full"]
    assert english["description.short"] != manifest["description"]["short"]


def test_the_version_is_the_one_asked_for(teams_env):
    with package(teams_env, "--version", "1.4.2") as zipped:
        assert json.loads(zipped.read("manifest.json"))["version"] == "1.4.2"


def test_the_icons_have_teams_sizes_and_the_outline_is_white_on_transparent(teams_env):
    with package(teams_env) as zipped:
        color = Image.open(io.BytesIO(zipped.read("color.png")))
        outline = Image.open(io.BytesIO(zipped.read("outline.png")))
    assert color.format == outline.format == "PNG"
    assert color.size == (192, 192)
    assert outline.size == (32, 32)
    data = outline.convert("RGBA").tobytes()
    pixels = [tuple(data[i:i + 4]) for i in range(0, len(data), 4)]
    assert any(a == 0 for *_, a in pixels), "the outline has no transparent background"
    assert any(a == 255 for *_, a in pixels), "the outline draws nothing"
    assert all((r, g, b) == (255, 255, 255) for r, g, b, a in pixels if a), "the outline is not white"


def test_without_an_app_id_it_refuses_in_one_line(teams_env, monkeypatch, capsys):
    monkeypatch.delenv("TEAMS_APP_ID")
    out = teams_env / "kkr-bot-teams.zip"
    assert main(["teams", "package", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "TEAMS_APP_ID" in err
    assert not out.exists()


def test_an_app_id_that_is_no_guid_is_refused(teams_env, monkeypatch, capsys):
    monkeypatch.setenv("TEAMS_APP_ID", "kkr-bot")
    out = teams_env / "kkr-bot-teams.zip"
    assert main(["teams", "package", "--out", str(out)]) == 1
    assert "TEAMS_APP_ID" in capsys.readouterr().err
    assert not out.exists()
