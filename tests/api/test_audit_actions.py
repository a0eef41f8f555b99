"""``GET /api/audit?action=``: the action names are a known list, documented
in the README; an unknown one is refused with the list, not answered with
an empty page that looks like "nothing happened"."""

import ast
import re
from pathlib import Path

from handlers import audit

ROOT = Path(__file__).resolve().parents[2]


def test_an_unknown_action_is_refused_with_the_known_ones(client, admin):
    response = client.get("/api/audit?action=token.revoke", headers=admin)
    assert response.status_code == 422
    assert response.json["field"] == "action"
    assert "token_revoke" in response.json["error"] and "read_contacts" in response.json["error"]


def test_a_known_action_finds_its_entries(client, admin):
    client.get("/api/regions/Viborg/contact")
    response = client.get("/api/audit?action=read_contacts", headers=admin)
    assert response.status_code == 200 and [e["action"] for e in response.json] == ["read_contacts"]


def recorded_actions() -> set[str]:
    """Every action name the code records (``audit.record``/``audit.read``
    with a literal action or ``"a" if … else "b"``, the audit module's own, and the directory's
    set/clear changes)."""
    found = set()
    for path in [*ROOT.glob("handlers/*.py"), *ROOT.glob("api/*.py"), *ROOT.glob("bot/*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            calls_audit = isinstance(node, ast.Call) and (
                (isinstance(node.func, ast.Attribute) and node.func.attr in ("record", "read")
                 and getattr(node.func.value, "id", "") == "audit")
                or (path.name == "audit.py" and getattr(node.func, "id", "") in ("record", "read")))
            action = node.args[2] if calls_audit and len(node.args) > 2 else None
            for choice in (action.body, action.orelse) if isinstance(action, ast.IfExp) else (action,):
                if isinstance(choice, ast.Constant):  # a literal action, or either literal of a conditional one
                    found.add(choice.value)
            if (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "note"
                    and isinstance(node.args[0], ast.Constant)):
                found.add(node.args[0].value)
    return found


def test_every_recorded_action_is_known_and_in_the_readme():
    recorded = recorded_actions()
    assert {"token_revoke", "set_contact", "clear_contact", "acknowledge"} <= recorded
    assert recorded == set(audit.ACTIONS)
    readme = (ROOT / "README.md").read_text()
    documented = set(re.findall(r"`([a-z_]+)`", readme.split("Audit actions", 1)[1].split("\n\n", 2)[1]))
    assert recorded <= documented


def test_the_readme_names_the_justification_route_and_every_error_status():
    readme = (ROOT / "README.md").read_text()
    assert "`PUT .../justification`" not in readme and "PUT /api/databases/<code>/justification" in readme
    errors = readme.split("Errors are always JSON", 1)[1].split("\n\n", 1)[0]
    for status in ("400", "401", "403", "404", "405", "409", "413", "422"):
        assert status in errors
