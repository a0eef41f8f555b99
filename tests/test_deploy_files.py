"""Procfile, app.json and the Slack manifest must match the code."""

import json
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_app_json_describes_every_variable_the_code_reads():
    read = set(re.findall(r'env\.get\("([A-Z_]+)"\)', (ROOT / "api" / "config.py").read_text()))
    described = set(json.loads((ROOT / "app.json").read_text())["env"])
    assert {"KKRBOT_DB", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SMTP_URL", "KKRBOT_LANG"} <= read
    assert read - {"PORT"} <= described  # the platform sets PORT itself


def test_manifest_declares_the_commands_and_events_the_app_listens_to():
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text())
    source = "".join(path.read_text() for path in (ROOT / "bot").glob("slack*.py"))
    declared = {c["command"] for c in manifest["features"]["slash_commands"]}
    assert declared == set(re.findall(r'@app\.command\("([^"]+)"[,)]', source))
    events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    listened = set(re.findall(r'@app\.event\("([^"]+)"', source)) - {"message"}
    assert "app_mention" in events and "message.im" in events and listened <= events
    assert manifest["features"]["app_home"]["home_tab_enabled"] == ("app_home_opened" in listened)
    for url in [c["url"] for c in manifest["features"]["slash_commands"]] + [
            manifest["settings"]["event_subscriptions"]["request_url"]]:
        assert url.endswith("/slack/events")


def test_procfile_points_at_the_wsgi_app():
    procfile = (ROOT / "Procfile").read_text()
    module, attribute = re.search(r"^web: gunicorn .* (\S+):(\w+)\s*$", procfile, re.M).groups()
    assert re.search(r"^clock: python -m bot scheduler$", procfile, re.M)
    assert (ROOT / (module.replace(".", "/") + ".py")).read_text().count(f"{attribute} = ") == 1
