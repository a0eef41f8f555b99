"""``python -m bot token ...``: expiry must be in the future, names are
unique among live tokens, and a revoke designates exactly one token."""

import pytest

from bot.__main__ import main


@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    """Runs ``python -m bot`` in-process on a fresh store; returns (exit code, stdout, stderr)."""
    monkeypatch.setenv("KKRBOT_DB", str(tmp_path / "k.json"))
    monkeypatch.setenv("KKRBOT_LANG", "en")

    def run(*args):
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err
    return run


def _live(cli):
    return [line for line in cli("token", "list")[1].splitlines() if "revoked" not in line]


@pytest.mark.parametrize("days", ["0", "-1"])
def test_non_positive_expiry_is_refused_with_one_line(cli, days):
    code, out, err = cli("token", "create", "--role", "admin", "--name", "Anne", "--expires-days", days)
    assert code == 1 and out == ""
    assert len(err.strip().splitlines()) == 1 and "--expires-days" in err
    assert _live(cli) == []


def test_a_positive_expiry_is_listed(cli):
    code, out, _ = cli("token", "create", "--role", "reader", "--name", "Anne", "--expires-days", "30")
    assert code == 0 and out.startswith("kkr_")
    assert "expires" in _live(cli)[0]


def test_a_second_live_token_of_the_same_name_is_refused(cli):
    assert cli("token", "create", "--role", "admin", "--name", "Anne")[0] == 0
    code, out, err = cli("token", "create", "--role", "reader", "--name", " Anne ")
    assert code == 1 and out == "" and "Anne" in err and "already" in err
    assert len(_live(cli)) == 1
    assert cli("token", "revoke", "Anne")[0] == 0
    assert cli("token", "create", "--role", "reader", "--name", "Anne")[0] == 0


def test_revoke_by_the_id_that_list_shows(cli):
    cli("token", "create", "--role", "admin", "--name", "Old laptop")
    cli("token", "create", "--role", "admin", "--name", "New laptop")
    old_id = next(line.split()[0] for line in _live(cli) if "Old laptop" in line)
    code, out, _ = cli("token", "revoke", old_id)
    assert code == 0 and old_id in out and "Old laptop" in out
    assert [line for line in _live(cli) if "laptop" in line] == [
        line for line in _live(cli) if "New laptop" in line]


@pytest.mark.parametrize("wanted", ["Nobody", "kkr", ""])
def test_revoke_of_no_live_token_is_a_clear_error(cli, wanted):
    cli("token", "create", "--role", "admin", "--name", "Anne")
    code, out, err = cli("token", "revoke", wanted)
    assert code == 1 and out == "" and len(err.strip().splitlines()) == 1
    assert len(_live(cli)) == 1


def test_revoke_of_a_short_id_prefix_revokes_nothing(cli):
    cli("token", "create", "--role", "admin", "--name", "Anne")
    token_id = _live(cli)[0].split()[0]
    code, _, err = cli("token", "revoke", token_id[:8])
    assert code == 1 and err
    assert len(_live(cli)) == 1
