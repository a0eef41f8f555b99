"""States, kinds, tiers and purposes are written only in ``handlers/enums.py``.

A state compared as a string literal ("acknowledged"), a tier as a bare
number, a purpose passed as "reminder" is how a misspelling ("acknowleged")
or a value of the wrong type ("1" for tier 1) slips past every test that
does not happen to take that path.  This scans the product's source (the
way ``test_catalogue_wording`` scans the catalogues) for such literals
where the code reads or writes one of these fields.
"""

from __future__ import annotations

import ast
from enum import Enum
from pathlib import Path

from handlers import enums

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("handlers", "bot", "api")
HOME = ROOT / "handlers" / "enums.py"
FIELDS = {"state", "kind", "tier", "purpose", "hearing_state"}
VOCABULARIES = [member for member in vars(enums).values()
                if isinstance(member, type) and issubclass(member, Enum) and member.__module__ == enums.__name__]
WORDS: dict[str, set[str]] = {}  # a value → the enums that have it ("open" is a broadcast's, a hearing's ...)
for _vocabulary in VOCABULARIES:
    for _member in _vocabulary:
        if isinstance(_member.value, str):
            WORDS.setdefault(_member.value, set()).add(_vocabulary.__name__)
TIERS = {member.value for member in enums.Tier}


def _word(node) -> set[str] | None:
    return WORDS.get(node.value) if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _field_named(node, stored: bool = False) -> str | None:
    """The field ``node`` reads: ``d["state"]``, ``d.get("state")``, ``d.state``
    (``stored``: only of a stored document; an attribute ``kind`` may be
    another vocabulary's, such as a command reply's)."""
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        name = node.slice.value
    elif isinstance(node, ast.Attribute) and not stored:
        name = node.attr
    elif isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "get" and node.args \
            and isinstance(node.args[0], ast.Constant):
        name = node.args[0].value
    else:
        return None
    return name if name in FIELDS else None


def _names_tier(node) -> bool:
    return _field_named(node) == "tier"


def _any_text(node) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _tier_number(node) -> bool:
    return isinstance(node, ast.Constant) and type(node.value) is int and node.value in TIERS


def _same_vocabulary(nodes) -> bool:
    """A table of values of one enum: two or more of its values, nothing else but strings."""
    names = [name for n in nodes for name in _word(n) or ()]
    return (len(nodes) >= 2 and all(isinstance(n, ast.Constant) and isinstance(n.value, str) for n in nodes)
            and any(names.count(name) >= 2 for name in names))


def _found(tree) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            field = next(filter(None, map(_field_named, sides)), None)
            stored = any(_field_named(side, stored=True) for side in sides)
            for side in sides:
                for item in side.elts if isinstance(side, (ast.Tuple, ast.List, ast.Set)) else [side]:
                    if _word(item) or stored and _any_text(item) or _tier_number(item) and field == "tier":
                        found.append((node.lineno, ast.unparse(node)))
        elif isinstance(node, ast.Assign) and any(getattr(t, "id", "").lower() in FIELDS for t in node.targets):
            if any(_word(n) or _tier_number(n) for n in ast.walk(node.value)):
                found.append((node.lineno, ast.unparse(node)[:80]))
        elif isinstance(node, ast.keyword) and node.arg in FIELDS:
            if _word(node.value) or node.arg == "tier" and _tier_number(node.value):
                found.append((node.value.lineno, ast.unparse(node)))
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value in FIELDS and (_word(value) or _tier_number(value)):
                    found.append((node.lineno, f"{key.value!r}: {ast.unparse(value)}"))
            if _same_vocabulary([k for k in node.keys if k is not None]):
                found.append((node.lineno, "a table keyed by " + ast.unparse(node)[:60]))
        elif isinstance(node, (ast.Tuple, ast.List, ast.Set)) and _same_vocabulary(node.elts):
            found.append((node.lineno, ast.unparse(node)))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            args = [*node.args.args, *node.args.kwonlyargs]
            defaults = [*[None] * (len(node.args.args) - len(node.args.defaults)), *node.args.defaults,
                        *node.args.kw_defaults]
            for arg, default in zip(args, defaults, strict=True):
                if arg.arg in FIELDS and default is not None and (_word(default) or _tier_number(default)):
                    found.append((default.lineno, f"{arg.arg}={ast.unparse(default)}"))
        elif isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == \
                "new_delivery" and node.args and _tier_number(node.args[0]):
            found.append((node.lineno, ast.unparse(node)[:80]))
    return found


def test_no_state_kind_tier_or_purpose_is_written_as_a_literal_outside_the_enums():
    offenders = {}
    for folder in SCANNED:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path == HOME:
                continue
            found = _found(ast.parse(path.read_text(encoding="utf-8")))
            if found:
                offenders[str(path.relative_to(ROOT))] = sorted(set(found))
    assert offenders == {}


def test_the_scan_finds_what_it_looks_for():
    """Each way of writing such a literal is caught, and a field's name or a
    dict key that merely looks like a value is not."""
    caught = """
if d["state"] == "acknowleged": pass
if d.state in ("sent", "acknowledged"): pass
if delivery["tier"] == 2: pass
if item.tier != 1: pass
tx.find("deliveries", tier=1, purpose="notice")
new_delivery(0, None, kl, purpose="summary")
doc = {"state": "open", "kind": "hearing"}
ICONS = {"queued": 1, "sent": 2}
KINDS = ("annual_report", "hearing", "info")
SHOWN = ["open", "done"]
def f(purpose="notice"): pass
kind = "municipal" if municipality else "regional"
KIND = "appointment"
"""
    assert len({line for line, _ in _found(ast.parse(caught))}) == 13
    allowed = """
report["hearing"]["title"]
if reply.kind == "help": pass
row = {"acknowledged": 3, "reached": 4}
count = len(x) == 1
t("kind.hearing", lang)
"""
    assert _found(ast.parse(allowed)) == []
