"""The weekly digest as a person reads it: a Slack DM or an e-mail
(``handlers.digest``, ``handlers.digest_contents``).

The delivery keeps plain values (titles, ISO days, counts); here they are
written out in the reader's language, dates and plurals through Babel."""

from __future__ import annotations

from bot.render.mrkdwn import escaped
from handlers.clock import day
from handlers.deliveries import Outgoing
from handlers.enums import Purpose
from handlers.i18n import t

STOP, START = "kkr_digest_stop", "kkr_digest_start"  # the DM's button, and its answer's to start again


def is_digest(item: Outgoing) -> bool:
    return item.purpose == Purpose.DIGEST


def header(item: Outgoing, lang: str) -> str:
    return t("digest.header", lang, **_week(item))


def _week(item: Outgoing) -> dict:
    """"2027-W13" as the reader writes it: week 13, 2027."""
    year, _, week = item.broadcast.get("week", "").partition("-W")
    return {"year": year, "week": int(week or 0)}


def lines(item: Outgoing, lang: str) -> list[str]:
    """What waits for the recipient, part by part, then what changed."""
    content = (item.message or {}).get("params", {})
    out = [t("digest.intro", lang, name=item.recipient.get("name") or "")]
    out += _part("digest.acknowledge", content.get("acknowledge"), lang, lambda b: t(
        "digest.acknowledge_row", lang, kind=t(f"kind.{b['kind']}", lang), database=b["database"], title=b["title"]))
    out += _part("digest.hearings", content.get("hearings"), lang, lambda h: t(
        "digest.hearings_row", lang, database=h["database"], title=h["title"], deadline=day(h["deadline"])))
    out += _part("digest.municipalities", content.get("municipalities"), lang, lambda m: _silent(m, lang))
    out += _part("digest.waiting", content.get("waiting"), lang, lambda w: _waiting(w, lang))
    return out + ["", _changed(content.get("changed") or {}, lang)]


def _part(key: str, rows: list[dict] | None, lang: str, row) -> list[str]:
    if not rows:
        return []
    return ["", t(key, lang, count=len(rows)), *("• " + row(r) for r in rows)]


def _silent(entry: dict, lang: str) -> str:
    text = t("digest.municipalities_row", lang, database=entry["database"], title=entry["title"],
             names=", ".join(entry["names"]), count=len(entry["names"]))
    if entry.get("municipal_deadline"):
        text += " " + t("digest.municipal_deadline", lang, municipal_deadline=day(entry["municipal_deadline"]))
    return text


def _waiting(entry: dict, lang: str) -> str:
    key = "digest.waiting_reply_row" if entry.get("deadline") else "digest.waiting_ack_row"
    return t(key, lang, database=entry["database"], title=entry["title"], regions=", ".join(entry["regions"]),
             count=len(entry["regions"]), deadline=day(entry.get("deadline")))


def _changed(counts: dict, lang: str) -> str:
    if not any(counts.values()):
        return t("digest.unchanged", lang)
    parts = [t(f"digest.changed_{name}", lang, count=counts[name])
             for name in ("acknowledged", "replies", "forwarded") if counts.get(name)]
    return t("digest.changed", lang, what=", ".join(parts))


def slack_message(item: Outgoing, lang: str) -> dict:
    """The DM: a header and the digest in mrkdwn, titles escaped; its one
    button stops the digest (nothing in it is acknowledged)."""
    text = "\n".join(lines(escaped(item), lang))
    return {"text": header(item, lang),
            "blocks": [{"type": "header", "text": {"type": "plain_text", "text": header(item, lang)[:150]}},
                       {"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}},
                       _choice_button(STOP, f"{item.broadcast_id}:{item.delivery_id}", lang)]}


def chosen_message(wants: bool, value: str, lang: str) -> dict:
    """The answer to the button: what was chosen, and the button to undo it."""
    text = t("digest.started" if wants else "digest.stopped", lang)
    return {"text": text, "replace_original": False,
            "blocks": [{"type": "section", "text": {"type": "plain_text", "text": text}},
                       _choice_button(STOP if wants else START, value, lang)]}


def _choice_button(action_id: str, value: str, lang: str) -> dict:
    label = t("digest.stop_button" if action_id == STOP else "digest.start_button", lang)
    return {"type": "actions", "elements": [{"type": "button", "action_id": action_id, "value": value,
                                             "text": {"type": "plain_text", "text": label[:75]}}]}


def email_text(item: Outgoing, public_url: str, lang: str) -> tuple[str, str]:
    """Subject and body; the body ends with the recipient's link to stop
    (or start again) the digest."""
    body = [header(item, lang), "", *lines(item, lang), "",
            t("digest.email_choose", lang, url=f"{public_url}/digest/{item.ack_token}"), "",
            t("msg.signature", lang)]
    return t("digest.subject", lang, **_week(item)), "\n".join(body) + "\n"
