"""The shell answers every chat command: ``/rkkp-status``, ``/rkkp-report``,
``/rkkp-close``, and ``/rkkp-broadcast`` and ``/rkkp-appoint`` as prompts
read line by line (here from a pipe), refused and re-asked field by field
with the same errors as the Slack modals.  ``python -m bot shell`` as a
subprocess on a fresh store."""

import getpass
import json
import os
import subprocess
import sys

from tests.support.procs import ROOT

OPERATOR = f"shell:{getpass.getuser()}"


def shell(db_path, stdin: str, lang: str = "da") -> subprocess.CompletedProcess:
    env = {**os.environ, "KKRBOT_DB": str(db_path), "KKRBOT_LANG": lang}
    done = subprocess.run([sys.executable, "-m", "bot", "shell"], input=stdin, capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    return done


def audit_entries(db_path) -> list[dict]:
    return [json.loads(line) for path in sorted(db_path.parent.glob("*.audit-*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines()]


def test_broadcast_prompts_reask_what_the_modal_refuses_then_status_report_and_close(tmp_path):
    db_path = tmp_path / "kkrbot.json"
    answers = [
        "/rkkp-broadcast",
        "2",                          # type: hearing
        "DHDR",                       # database: a typo
        "Høring over kommunale indikatorer",
        "https://www.rkkp.dk/dhrd",   # link
        "",                           # text: none
        "",                           # deadline: none, which a hearing needs
        "",                           # the municipalities' deadline: the default
        "DHRD",                       # database again, after the suggestion
        "2030-01-15",                 # deadline again
        "/rkkp-status",
        "/rkkp-status 1",
        "/rkkp-report 1",
        "/rkkp-close 1 De endelige indikatorer er vedtaget.",
        "/rkkp-close 1 Igen",
        "/rkkp-close",
    ]
    out = shell(db_path, "\n".join(answers) + "\n").stdout
    assert "Type" in out and "1) Årsrapport" in out and "2) Høring" in out  # the modal's labels and choices
    assert "Ukendt database »DHDR«. Mente du: DHRD (Dansk Hjerterehabiliteringsdatabase)?" in out
    assert "En høring skal have en høringsfrist." in out
    assert "Udsendelse #1 er oprettet" in out
    assert "#1 Høring – DHRD: Høring over kommunale indikatorer" in out
    assert "Høringsfrist: 15. januar 2030" in out
    assert "Høring #1 er afsluttet, og beskeden sendes til" in out
    assert "Ukendt kommando" not in out
    assert out.count("er afsluttet, og beskeden") == 1
    assert "Høring #1 er afsluttet.\n" in out  # closing it again: the handler's 409
    assert "Skriv høringens nummer" in out  # /rkkp-close without a number
    made = [e for e in audit_entries(db_path) if e["action"] in ("broadcast", "close")]
    assert [(e["action"], e["actor"]) for e in made] == [("broadcast", OPERATOR), ("close", OPERATOR)]


def test_a_prompt_cut_short_creates_nothing(tmp_path):
    db_path = tmp_path / "kkrbot.json"
    out = shell(db_path, "/rkkp-broadcast\n1\nDHRD\n").stdout
    assert "Annulleret. Intet er sendt." in out
    assert "Ingen udsendelser endnu." in shell(db_path, "/rkkp-status\n").stdout
    assert not [e for e in audit_entries(db_path) if e["action"] == "broadcast"]


def test_appoint_prompts_ask_for_the_justification_the_handler_requires(tmp_path):
    db_path = tmp_path / "kkrbot.json"
    answers = [
        "/rkkp-appoint NOPE",         # an unknown database: refused before any prompt
        "/rkkp-appoint DHRD",
        "Hjerterehabilitering",       # disease area
        "seks",                       # representatives: not 1-5
        "",                           # justification
        "Erfaring med rehabilitering",
        "nej",                        # chair
        "2030-02-01",                 # next meeting
        "3",                          # representatives again
        "Kun tre regioner har et rehabiliteringstilbud.",  # the justification it then needs
    ]
    out = shell(db_path, "\n".join(answers) + "\n", lang="en").stdout
    assert "Unknown database" in out
    assert "Disease area" in out and "Number of representatives" in out
    assert "The number of representatives must be a number from 1 to 5." in out
    assert "weighty justification" in out
    assert "Appointment #1 is recorded and sent to KL." in out
    [opened] = [e for e in audit_entries(db_path) if e["action"] == "appointment"]
    assert (opened["actor"], opened["seats"]) == (OPERATOR, 3)
