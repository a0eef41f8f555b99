"""The hearing report (høringsrapport): every region's consolidated reply
with the municipal replies under it, and who did not answer; as JSON data,
Markdown or CSV."""

from __future__ import annotations

import html
import re
from datetime import datetime

from handlers import audit, broadcasts, hearings, reach
from handlers.clock import day, parse
from handlers.enums import Kind
from handlers.errors import Conflict
from handlers.i18n import t
from handlers.spreadsheet import write_csv

# Where each municipality without a reply stands (``handlers.reach``): the
# key of its list in a region of the report, of its count, its CSV status.
GROUPS = ((reach.REACHED, "municipalities_without_reply", "without_reply", "no_reply"),
          (reach.NO_CONTACT, "not_reached", "not_reached", "not_reached"),
          (reach.NOT_DELIVERED, "not_delivered", "not_delivered", "not_delivered"),
          (reach.NOT_FORWARDED, "not_forwarded", "not_forwarded", "not_forwarded"))
COUNTS = ("total", "replied", *(group[2] for group in GROUPS))
CSV_COLUMNS = ("region_code", "region", "municipality_code", "municipality", "level", "status", "by", "at", "late",
               "text", "municipalities", *COUNTS[1:])


def hearing_report(store, broadcast_id, actor: str | None = None, now: datetime | None = None) -> dict:
    """The report's data, which names every reply's author: ``actor``'s read
    is recorded.  It accounts for every municipality of the directory: each
    replied, received the hearing without replying, had no contact person,
    was forwarded to but not reached, or is in a region that has not forwarded."""
    status = broadcasts.status(store, broadcast_id)
    if status["kind"] != Kind.HEARING:
        raise Conflict("hearing.not_a_hearing", id=status["id"])
    replies = hearings.replies(store, status["id"])
    places = reach.municipalities(store)
    with store.read(broadcasts.part_of(status["id"])) as view:
        where = reach.municipal_reach([d for d in view.all("deliveries") if broadcasts.is_notice(d)], places)
    regions = [_region(row, replies, [p for p in places if p["region"] == row["region"]["code"]], where)
               for row in status["regions"]]
    audit.read(store, actor, "read_report", f"broadcast:{status['id']}", now)
    return {
        "hearing": {k: status.get(k) for k in ("id", "database", "title", "link", "deadline", "municipal_deadline",
                                               "created_by", "created_at", "closed_at")},
        "regions": regions,
        "municipality_counts": {key: sum(r["municipality_counts"][key] for r in regions) for key in COUNTS},
        "missing_regions": [r["region"]["name"] for r in regions if r["reply"] is None],
        "missing_municipalities": sorted(m["name"] for r in regions for m in r["municipalities"]
                                         if m["status"] != "replied"),
    }


def _region(row: dict, replies: list[dict], places: list[dict], where: dict[str, str]) -> dict:
    code = row["region"]["code"]
    names = {p["code"]: p["name"] for p in places}
    own = [r for r in replies if r["region"] == code]
    regional = next((r for r in own if r["municipality"] is None), None)
    municipal = sorted((r for r in own if r["municipality"]), key=lambda r: names[r["municipality"]])
    answered = {r["municipality"] for r in municipal}
    status_of = {state: status for state, _, _, status in GROUPS}
    account = [{"code": p["code"], "name": p["name"],
                "status": "replied" if p["code"] in answered else status_of[where[p["code"]]]} for p in places]
    found = {"region": row["region"], "kkr_contact": row["recipient"], "reply": _reply(regional) if regional else None,
             "municipal_replies": [{"municipality": {"code": r["municipality"], "name": names[r["municipality"]]},
                                    **_reply(r)} for r in municipal],
             "municipalities": account}
    counts = {"total": len(places), "replied": len(answered)}
    for _, key, count, status in GROUPS:
        found[key] = [m["name"] for m in account if m["status"] == status]
        counts[count] = len(found[key])
    return {**found, "municipality_counts": counts}


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
           t("report.deadline", lang, deadline=day(h["deadline"]) or "–"), "",
           t("report.municipal_counts", lang, **report["municipality_counts"]), ""]
    for region in report["regions"]:
        out += [f"## {region['region']['name']}", ""]
        reply = region["reply"]
        out += [_md_reply(reply, lang), ""] if reply else [f"_{t('report.no_reply', lang)}_", ""]
        for item in region["municipal_replies"]:
            out += [f"### {item['municipality']['name']}", "", _md_reply(item, lang), ""]
        out += [t("report.municipal_counts", lang, **region["municipality_counts"]), ""]
        groups = [f"- {t(f'report.group.{count}', lang, count=len(region[key]), names=', '.join(region[key]))}"
                  for _, key, count, _ in GROUPS if region[key]]
        out += [*groups, ""] if groups else []
    counts = report["municipality_counts"]
    out += [f"## {t('report.missing', lang)}", "",
            t("report.missing_regions", lang, names=", ".join(report["missing_regions"]) or "–"),
            t("report.missing_municipality_count", lang, count=counts["total"] - counts["replied"],
              total=counts["total"])]
    return "\n".join(out) + "\n"


def _md_reply(reply: dict, lang: str) -> str:
    late = f" **{t('report.late', lang)}**" if reply["late"] else ""
    quoted = "\n".join("> " + line for line in reply["text"].splitlines())
    return f"{t('report.by', lang, by=reply['by'], at=parse(reply['at']))}{late}\n\n{quoted}"


def to_csv(report: dict, excel: bool = False) -> str:
    """The report as CSV: per region its consolidated reply (or its absence)
    with the counts of its municipalities, then a row for each municipality
    (its reply, or where it stands), and a last row with the totals; cells
    cannot start a formula (``spreadsheet.to_cell``); ``excel``: Danish Excel's dialect."""
    rows = []
    for region in report["regions"]:
        base = {"region_code": region["region"]["code"], "region": region["region"]["name"]}
        rows.append({**base, "level": "regional", **_csv_reply(region["reply"]),
                     **_csv_counts(region["municipality_counts"])})
        replies = {item["municipality"]["code"]: item for item in region["municipal_replies"]}
        for place in region["municipalities"]:
            found = _csv_reply(replies[place["code"]]) if place["code"] in replies else {"status": place["status"]}
            rows.append({**base, "municipality_code": place["code"], "municipality": place["name"],
                         "level": "municipal", **found})
    rows.append({"level": "total", **_csv_counts(report["municipality_counts"])})
    return write_csv([CSV_COLUMNS, *([row.get(name, "") for name in CSV_COLUMNS] for row in rows)], excel=excel)


def _csv_counts(counts: dict) -> dict:
    return {"municipalities": counts["total"], **{key: counts[key] for key in COUNTS[1:]}}


def _csv_reply(reply: dict | None) -> dict:
    if reply is None:
        return {"status": "no_reply"}
    return {"status": "late" if reply["late"] else "replied", "by": reply["by"], "at": reply["at"],
            "late": "yes" if reply["late"] else "no", "text": reply["text"]}
