"""Who may do what from Slack: consultants broadcast, everyone reads."""

from __future__ import annotations

from handlers.directory import DIRECTORY
from handlers.errors import Forbidden


def is_consultant(store, slack_user: str | None, email: str | None, configured: tuple[str, ...] = ()) -> bool:
    """A Slack user listed in KKRBOT_CONSULTANTS, or a directory contact with
    the consultant role (matched by Slack ID or e-mail)."""
    if slack_user and slack_user in configured:
        return True
    with store.read(DIRECTORY) as view:
        for person in view.find("contacts", role="consultant"):
            if slack_user and person.get("slack_id") == slack_user:
                return True
            if email and person.get("email") == email.strip().lower():
                return True
    return False


def require_consultant(store, slack_user: str | None, email: str | None, configured: tuple[str, ...] = ()) -> None:
    if not is_consultant(store, slack_user, email, configured):
        raise Forbidden("broadcast.consultants_only")
