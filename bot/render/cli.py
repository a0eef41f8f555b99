"""Terminal text of the CLI's longer answers, in the configured language."""

from __future__ import annotations

from handlers.i18n import t


def scheduler_pass(done: dict, lang: str) -> list[str]:
    """What one ``scheduler --once`` pass did and when the next work is due."""
    lines = [t("scheduler.reminders", lang, count=done["reminders"]),
             t("scheduler.sent", lang, count=done["sent"], retried=done["retried"])]
    if done.get("digests"):
        lines.insert(1, t("scheduler.digests", lang, count=done["digests"]))
    if done["next_send"]:
        lines.append(t("scheduler.next_send", lang, when=done["next_send"]))
    if done["next_reminder"]:
        lines.append(t("scheduler.next_reminder", lang, when=done["next_reminder"]))
    if not (done["next_send"] or done["next_reminder"]):
        lines.append(t("scheduler.nothing_due", lang))
    return lines
