"""Long CLI work shows a progress bar on a terminal and stays quiet in a
pipe: ``directory import`` of many rows and ``directory export FILE``.
``python -m bot`` as a subprocess, once on pipes and once on a
pseudo-terminal (the ``pty`` module)."""

import os
import pty
import subprocess
import sys

from data.seed import load_seed
from tests.support.procs import ROOT

BAR = "━"  # rich's bar


def env_for(db_path) -> dict:
    return {**os.environ, "KKRBOT_DB": str(db_path), "KKRBOT_LANG": "da", "TERM": "xterm", "COLUMNS": "100"}


def many_rows(tmp_path):
    """A contact for each of the 98 municipalities."""
    codes = sorted(m["code"] for m in load_seed("municipalities"))
    assert len(codes) == 98
    source = tmp_path / "kommuner.csv"
    source.write_text("role,place,name,email\n" + "".join(
        f"municipal,{code},Kontakt {code},k{code}@kommune.dk\n" for code in codes), encoding="utf-8")
    return source


def on_a_terminal(args, env) -> tuple[int, str]:
    """Run with standard output and error on a pseudo-terminal; what it showed."""
    leader, follower = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "bot", *args], cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                               stdout=follower, stderr=follower)
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the terminal closed with the process
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    return process.wait(timeout=60), shown.decode("utf-8", "replace")


def test_import_shows_progress_on_a_terminal(tmp_path):
    source = many_rows(tmp_path)
    code, shown = on_a_terminal(["directory", "import", str(source)], env_for(tmp_path / "k.json"))
    assert code == 0, shown
    assert "Kontrollerer rækker" in shown and BAR in shown and "98/98" in shown
    assert "Importeret: 98 oprettet" in shown


def test_import_is_quiet_in_a_pipe(tmp_path):
    source = many_rows(tmp_path)
    done = subprocess.run([sys.executable, "-m", "bot", "directory", "import", str(source)], cwd=ROOT,
                          env=env_for(tmp_path / "k.json"), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "Importeret: 98 oprettet, 0 ændret, 0 ryddet, 0 uændret.\n"
    assert done.stderr == ""


def test_export_to_a_file_shows_progress_on_a_terminal_and_nothing_in_a_pipe(tmp_path):
    db_path = tmp_path / "k.json"
    target = tmp_path / "kontakter.csv"
    code, shown = on_a_terminal(["directory", "export", str(target)], env_for(db_path))
    assert code == 0, shown
    assert "Skriver kontakter" in shown and BAR in shown
    written = target.read_bytes()
    target.unlink()
    done = subprocess.run([sys.executable, "-m", "bot", "directory", "export", str(target)], cwd=ROOT,
                          env=env_for(db_path), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and (done.stdout, done.stderr) == ("", "")
    assert target.read_bytes() == written
