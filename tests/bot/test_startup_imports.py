"""The shell and the CLI start without the web stack: neither Flask nor
slack_bolt is imported for a command that does not serve, so a command in a
terminal or a cron job answers in a fraction of a second."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WEB_STACK = ("flask", "werkzeug", "slack_bolt", "slack_sdk")

# What a look-up by name does not need: dates, plurals and lists (Babel), CSV
# files, the similarity of misspelt names (difflib), logging (of refusals), the
# terminal's width for help (shutil, with bz2 and lzma).
NOT_FOR_A_LOOKUP = ("babel", "csv", "difflib", "logging", "shutil", "handlers.directory_csv", "handlers.spreadsheet")

# Runs the CLI's own entry point in a fresh interpreter, then reports which
# modules got imported on the way.
PROBE = """
import json, sys
from bot.__main__ import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}), file=sys.stderr)
"""


def run_cli(db_path, *args, stdin=""):
    env = {**os.environ, "KKRBOT_DB": str(db_path)}
    done = subprocess.run([sys.executable, "-c", PROBE, *args], input=stdin, capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=60)
    probe = json.loads(done.stderr.strip().splitlines()[-1])
    return done, {**probe, "loaded": [m for m in WEB_STACK if m in probe["modules"]]}


@pytest.mark.parametrize("args, stdin", [
    (("shell",), "/kkr Viborg\n"),
    (("token", "list"), ""),
    (("token", "create", "--role", "reader", "--name", "Anne"), ""),
    (("directory", "export"), ""),
])
def test_a_terminal_command_imports_neither_flask_nor_slack_bolt(tmp_path, args, stdin):
    done, probe = run_cli(tmp_path / "kkrbot.json", *args, stdin=stdin)
    assert probe["code"] == 0, done.stderr
    assert probe["loaded"] == [], f"`python -m bot {' '.join(args)}` imported {probe['loaded']}"
    if args == ("shell",):
        assert "Jonas Thor Björnson" in done.stdout  # it did answer


def test_a_look_up_in_the_shell_imports_only_what_it_needs(tmp_path):
    run_cli(tmp_path / "kkrbot.json", "shell", stdin="/kkr Viborg\n")  # the first start seeds the store
    done, probe = run_cli(tmp_path / "kkrbot.json", "shell", stdin="/kkr Viborg\n")
    assert probe["code"] == 0 and "Jonas Thor Björnson" in done.stdout, done.stderr
    assert [m for m in NOT_FOR_A_LOOKUP if m in probe["modules"]] == []


def test_a_misspelt_name_in_the_shell_is_still_understood(tmp_path):
    done, probe = run_cli(tmp_path / "kkrbot.json", "shell", stdin="/kkr Viborgg\n")
    assert probe["code"] == 0 and "Jonas Thor Björnson" in done.stdout, done.stderr
    assert "difflib" in probe["modules"]  # imported when a name is not found as written
