"""The README's examples work as written, top to bottom.

Every code block after a ``<!-- runnable example ... -->`` comment is run in
README order by one user's bash, against a real ``python -m bot serve`` on a
free port and a fresh store (the default ``var/`` of a new folder, as a new
user has it).  Shell variables carry from one command to the next, as in
one terminal.  An indented block is commands; a fenced block is a terminal
transcript (``$ command`` and the output the README promises, compared
exactly).  ``localhost:3000`` is the port this test's server runs on.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

from tests.support.procs import ROOT, wait_healthy
from tests.support.smtp import free_port

MARK = "<!-- runnable example"
# What each command of the indented blocks must print (a key part), and the
# standard input of the interactive ones; a command the README gains needs
# its line here, so the test and the README change together.
EXPECTED = {
    ". .venv/bin/activate": ("", None),
    "python -m bot shell  ": ("Jonas Thor Björnson", "/kkr Viborg\n/kkr\n/kkr help\nquit\n"),
    "echo '/kkr Viborg' | python -m bot shell": ("Viborg Kommune ligger i Region Midtjylland", None),
    "TOKEN=$(python -m bot token create --role reader": ("", None),
    "curl -H \"Authorization: Bearer $TOKEN\" localhost:3000/api/regions/Midtjylland/contact": (
        '"region"', None),
    "CONSULTANT=$(python -m bot token create --role consultant": ("", None),
    "curl -X POST localhost:3000/api/broadcasts": ('"id":1,"kind":"hearing"', None),
}


def readme_examples(text: str) -> list[tuple[str, str | None, str | None]]:
    """(command, expected output or None, stdin) for every marked block, in order."""
    lines, found = text.splitlines(), []
    for at, line in enumerate(lines):
        if not line.startswith(MARK):
            continue
        block = _block(lines, at + 1)
        if block and block[0].startswith("```"):
            found.extend(_transcript(block[1:-1]))
        else:
            found.extend((command, None, None) for command in _commands([b[4:] for b in block]))
    return found


def _block(lines: list[str], at: int) -> list[str]:
    while not lines[at].strip():
        at += 1
    if lines[at].startswith("```"):
        end = lines.index("```", at + 1)
        return lines[at:end + 1]
    block = []
    while at < len(lines) and (lines[at].startswith("    ") or not lines[at].strip()):
        block.append(lines[at])
        at += 1
    return [b for b in block if b.strip()]


def _commands(lines: list[str]) -> list[str]:
    """Lines joined into commands: a line ending in ``\\`` or inside a quote goes on."""
    commands, current = [], ""
    for line in lines:
        current = f"{current}\n{line}" if current else line
        if not current.endswith("\\") and current.count("'") % 2 == 0:
            commands.append(current)
            current = ""
    assert not current, f"unfinished command in the README: {current}"
    return commands


def _transcript(lines: list[str]) -> list[tuple[str, str, None]]:
    found = []
    for line in lines:
        if line.startswith("$ "):
            found.append([line[2:], []])
        else:
            found[-1][1].append(line)
    return [(command, "\n".join(output) + "\n", None) for command, output in found]


def _user_folder(tmp_path):
    """A new user's folder: ``.venv`` is this test's virtual environment
    (its ``activate`` puts its ``python`` first), the checkout on the path."""
    folder = tmp_path / "home"
    folder.mkdir()
    if sys.prefix != sys.base_prefix:
        (folder / ".venv").symlink_to(sys.prefix)
    else:
        (folder / ".venv" / "bin").mkdir(parents=True)
        (folder / ".venv" / "bin" / "activate").write_text(f'PATH="{os.path.dirname(sys.executable)}:$PATH"\n')
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("KKRBOT_", "SLACK_", "SMTP_")) and name not in ("PORT", "VIRTUAL_ENV")}
    env["PYTHONPATH"] = str(ROOT)
    env["PATH"] = "/usr/local/bin:/usr/bin:/bin"
    return folder, env


def _run(command: str, stdin: str | None, folder, env, port: int) -> subprocess.CompletedProcess:
    """One command in bash, with the shell variables the ones before it left."""
    state = folder / ".readme-state"
    script = (f"set -a\n[ -f {state} ] && . {state}\n"
              f"{command.replace('localhost:3000', f'localhost:{port}')}\n"
              f"status=$?\nexport -p > {state}\nexit $status\n")
    return subprocess.run(["bash", "-c", script], cwd=folder, env=env, input=stdin or "", capture_output=True,
                          text=True, timeout=60)


def test_the_readme_examples_run_as_written_top_to_bottom(tmp_path):
    examples = readme_examples((ROOT / "README.md").read_text(encoding="utf-8"))
    assert len(examples) >= 7, "the README's runnable examples were not found"
    folder, env = _user_folder(tmp_path)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--port", str(port)], cwd=folder, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_healthy(f"http://127.0.0.1:{port}", process=server)
        for command, output, stdin in examples:
            if output is None:
                [(output, stdin)] = [v for k, v in EXPECTED.items() if command.startswith(k)] or [(None, None)]
                assert output is not None, f"a README example without an expectation in this test: {command}"
                done = _run(command, stdin, folder, env, port)
                assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
                assert output in done.stdout, f"{command}\n{done.stdout}\n{done.stderr}"
            else:
                done = _run(command, stdin, folder, env, port)
                assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
                assert done.stdout == output, command
            assert not re.search(r'"error"', done.stdout), f"{command}\n{done.stdout}"
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert (folder / "var" / "kkrbot.json").exists()  # the README's default store, fresh in a new folder
