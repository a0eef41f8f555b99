"""What a person reads in a delivered message or on its page is written in
one layer, ``bot/render/``: the handlers keep the facts (and, for a reminder
or a summary, the catalogue key and its values), the API and the pages
show what ``bot/render/`` made of them.  So a new channel (Teams) reuses
the text instead of writing it again."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TEXT_OF_MESSAGES = ("msg.", "page.")  # catalogue keys of delivered messages and of their e-mailed page


def _text_calls(path: Path) -> list[str]:
    """``t("msg.…", …)`` and ``t(f"page.…", …)`` calls in a module, as ``line: key``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "t" and node.args:
            found += [f"{path.relative_to(ROOT)}:{node.lineno}: {key}" for key in _keys(node.args[0])
                      if key.startswith(TEXT_OF_MESSAGES)]
    return found


def _keys(node: ast.expr) -> list[str]:
    """The catalogue keys an argument can be: a string, an f-string's start, either side of an ``if``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr) and node.values:
        return _keys(node.values[0])
    if isinstance(node, ast.IfExp):
        return _keys(node.body) + _keys(node.orelse)
    return []


@pytest.mark.parametrize("layer", ["handlers", "api"])
def test_no_message_text_is_written_outside_bot_render(layer):
    found = [call for path in sorted((ROOT / layer).rglob("*.py")) for call in _text_calls(path)]
    assert found == [], "message text written outside bot/render/:\n" + "\n".join(found)


def test_bot_render_does_write_the_message_text():
    """The check above looks for the right thing: the text is there."""
    found = [call for path in sorted((ROOT / "bot" / "render").rglob("*.py")) for call in _text_calls(path)]
    assert any(": msg.header" in call for call in found) and any(": page.to" in call for call in found)
