"""The hearing report (høringsrapport): every region's consolidated reply
with the municipal replies under it, and who did not answer; as JSON data,
Markdown or CSV."""

from __future__ import annotations

import html
import re
from datetime import datetime

from handlers import audit, broadcasts, hearings
from handlers.clock import day, parse
from handlers.directory import DIRECTORY
from handlers.errors import Conflict
from handlers.i18n import t
from handlers.spreadsheet import write_csv

CSV_COLUMNS = ("region_code", "region", "municipality_code", "municipality", "level", "status", "by", "at", "late",
               "text")


def hearing_report(store, broadcast_id, actor: str | None = None, now: datetime | None = None) -> dict:
    """The report's data, which names every reply's author: ``actor``'s read is recorded."""
    status = broadcasts.status(store, broadcast_id)
    if status["kind"] != "hearing":
        raise Conflict("hearing.not_a_hearing", id=status["id"])
    replies = hearings.replies(store, status["id"])
    with store.read(DIRECTORY) as view:
        names = {m["code"]: m["name"] for m in view.all("municipalities")}
    with store.read(broadcasts.part_of(status["id"])) as view:
        reached = {(d["region"], d["municipality"]) for d in view.all("deliveries")
                   if broadcasts.is_notice(d) and d["tier"] == 2 and d["state"] in ("sent", "acknowledged")}
    regions = [_region(row, replies, names, reached) for row in status["regions"]]
    audit.read(store, actor, "read_report", f"broadcast:{status['id']}", now)
    return {
        "hearing": {k: status.get(k) for k in ("id", "database", "title", "link", "deadline", "created_by",
                                               "created_at", "closed_at")},
        "regions": regions,
        "missing_regions": [r["region"]["name"] for r in regions if r["reply"] is None],
        "missing_municipalities": sorted(m for r in regions for m in r["municipalities_without_reply"]),
    }


def _region(row: dict, replies: list[dict], names: dict, reached: set) -> dict:
    code = row["region"]["code"]
    own = [r for r in replies if r["region"] == code]
    regional = next((r for r in own if r["municipality"] is None), None)
    municipal = sorted((r for r in own if r["municipality"]), key=lambda r: names[r["municipality"]])
    answered = {r["municipality"] for r in municipal}
    return {
        "region": row["region"],
        "kkr_contact": row["recipient"],
        "reply": _reply(regional) if regional else None,
        "municipal_replies": [{"municipality": {"code": r["municipality"], "name": names[r["municipality"]]},
                               **_reply(r)} for r in municipal],
        "municipalities_without_reply": sorted(names[muni] for region, muni in reached
                                               if region == code and muni not in answered),
        "not_reached": row["municipalities"]["unreachable"],
    }


def _reply(reply: dict) -> dict:
    return {k: reply[k] for k in ("text", "by", "at", "late")}


# Marks that format text wherever they stand, and the starts of a line that
# make it a heading, a list item, a setext underline or a rule.
_MD_MARKS = re.compile(r"([\\`*_\[\]|~])")
_MD_LINE_START = re.compile(r"^([ \t]*)([#+=-]|\d+(?=[.)]))", re.MULTILINE)


def markdown_text(text: str) -> str:
    """What someone typed, as Markdown that shows it literally: ``<``, ``>``
    and ``&`` as HTML entities (no tag or script gets through), the marks of
    emphasis, code, links and tables backslash-escaped, and a line that
    would start a heading or a list escaped at its start."""
    text = _MD_MARKS.sub(r"\\\1", html.escape(text, quote=False))
    return _MD_LINE_START.sub(lambda m: m[1] + (m[2] + "\\" if m[2].isdigit() else "\\" + m[2]), text)


def markdown_safe(value):
    """A copy of the report (or any part of it) with every string in it
    through ``markdown_text``: what ``to_markdown`` is given for a Markdown
    file, so that user text stays text and our own formatting stays ours."""
    if isinstance(value, str):
        return markdown_text(value)
    if isinstance(value, dict):
        return {key: markdown_safe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [markdown_safe(item) for item in value]
    return value


def to_markdown(report: dict, lang: str) -> str:
    h = report["hearing"]
    out = [f"# {t('report.title', lang, database=h['database'], title=h['title'])}", "",
           t("report.deadline", lang, deadline=day(h["deadline"]) or "–"), ""]
    for region in report["regions"]:
        out += [f"## {region['region']['name']}", ""]
        reply = region["reply"]
        out += [_md_reply(reply, lang), ""] if reply else [f"_{t('report.no_reply', lang)}_", ""]
        for item in region["municipal_replies"]:
            out += [f"### {item['municipality']['name']}", "", _md_reply(item, lang), ""]
        if region["municipalities_without_reply"]:
            out += [t("report.municipalities_missing", lang, names=", ".join(region["municipalities_without_reply"])),
                    ""]
    out.append(f"## {t('report.missing', lang)}")
    out.append("")
    out.append(t("report.missing_regions", lang, names=", ".join(report["missing_regions"]) or "–"))
    out.append(t("report.missing_municipalities", lang, names=", ".join(report["missing_municipalities"]) or "–"))
    return "\n".join(out) + "\n"


def _md_reply(reply: dict, lang: str) -> str:
    late = f" **{t('report.late', lang)}**" if reply["late"] else ""
    quoted = "\n".join("> " + line for line in reply["text"].splitlines())
    return f"{t('report.by', lang, by=reply['by'], at=parse(reply['at']))}{late}\n\n{quoted}"


def to_csv(report: dict, excel: bool = False) -> str:
    """The report as CSV, one row per reply or missing reply; cells cannot
    start a formula (``spreadsheet.to_cell``); ``excel``: Danish Excel's dialect."""
    rows = []
    for region in report["regions"]:
        base = {"region_code": region["region"]["code"], "region": region["region"]["name"]}
        rows.append({**base, "level": "regional", **_csv_reply(region["reply"])})
        for item in region["municipal_replies"]:
            rows.append({**base, "municipality_code": item["municipality"]["code"],
                         "municipality": item["municipality"]["name"], "level": "municipal", **_csv_reply(item)})
        for name in region["municipalities_without_reply"]:
            rows.append({**base, "municipality": name, "level": "municipal", "status": "no_reply"})
    return write_csv([CSV_COLUMNS, *([row.get(name, "") for name in CSV_COLUMNS] for row in rows)], excel=excel)


def _csv_reply(reply: dict | None) -> dict:
    if reply is None:
        return {"status": "no_reply"}
    return {"status": "late" if reply["late"] else "replied", "by": reply["by"], "at": reply["at"],
            "late": "yes" if reply["late"] else "no", "text": reply["text"]}
