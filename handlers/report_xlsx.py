"""The hearing report (``handlers.report.hearing_report``) as an Excel
workbook: a summary sheet with a row per region and the hearing's facts,
then one sheet per region with its consolidated reply and a row for each of
its municipalities.

Headers are in the reader's language, dates and times are date cells (in
``KKRBOT_TZ``, as Excel knows no zones), columns are as wide as their text,
and the header row stays in view.  What people typed is written as a text
cell whatever it starts with: openpyxl would store a string starting with
``=`` as a formula, so every string cell is typed as text after it is set.
"""

from __future__ import annotations

import io
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from handlers.clock import day, parse
from handlers.i18n import display_zone, t

MAX_WIDTH = 80
REGION_COLUMNS = ("municipality_code", "municipality", "status", "by", "at", "late", "text")
SUMMARY_COLUMNS = ("region", "kkr_contact", "reply", "by", "at", "late", "total", "replied", "without_reply",
                   "not_reached", "not_delivered", "not_forwarded")
FORMATS = {datetime: "yyyy-mm-dd hh:mm", date: "yyyy-mm-dd"}


def to_xlsx(report: dict, lang: str) -> bytes:
    """The workbook's bytes."""
    book = Workbook()
    summary = book.active
    summary.title = t("xlsx.summary", lang)
    _table(summary, [t(f"xlsx.col.{name}", lang) for name in SUMMARY_COLUMNS],
           [*(_summary_row(region, lang) for region in report["regions"]),
            [t("xlsx.total", lang), None, None, None, None, None, *_counts(report["municipality_counts"])]])
    _facts(summary, report["hearing"], lang)
    for region in report["regions"]:
        sheet = book.create_sheet(_sheet_name(region["region"]["name"]))
        _table(sheet, [t(f"xlsx.col.{name}", lang) for name in REGION_COLUMNS], _region_rows(region, lang))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _summary_row(region: dict, lang: str) -> list:
    reply = region["reply"]
    return [region["region"]["name"], (region["kkr_contact"] or {}).get("name"),
            t("xlsx.status.replied" if reply else "xlsx.status.no_regional_reply", lang),
            *_reply_cells(reply, lang), *_counts(region["municipality_counts"])]


def _counts(counts: dict) -> list[int]:
    return [counts[key] for key in SUMMARY_COLUMNS[6:]]


def _region_rows(region: dict, lang: str) -> list[list]:
    reply = region["reply"]
    out = [[region["region"]["code"], t("xlsx.regional_row", lang, region=region["region"]["name"]),
            t("xlsx.status.replied" if reply else "xlsx.status.no_regional_reply", lang),
            *_reply_cells(reply, lang), reply["text"] if reply else None]]
    replies = {item["municipality"]["code"]: item for item in region["municipal_replies"]}
    for place in region["municipalities"]:
        found = replies.get(place["code"])
        out.append([place["code"], place["name"], t(f"xlsx.status.{place['status']}", lang),
                    *_reply_cells(found, lang), found["text"] if found else None])
    return out


def _reply_cells(reply: dict | None, lang: str) -> list:
    """Who replied, when (a local time) and whether late."""
    if reply is None:
        return [None, None, None]
    at = parse(reply["at"]).astimezone(display_zone()).replace(tzinfo=None)
    return [reply["by"], at, t("xlsx.yes" if reply["late"] else "xlsx.no", lang)]


def _facts(sheet, hearing: dict, lang: str) -> None:
    """The hearing's title, database and deadlines under the table, after an empty row."""
    start = sheet.max_row + 2
    facts = [("title", hearing["title"]), ("database", hearing["database"]), ("deadline", day(hearing["deadline"])),
             ("municipal_deadline", day(hearing.get("municipal_deadline")))]
    for offset, (name, value) in enumerate(facts):
        _set(sheet.cell(row=start + offset, column=1), t(f"xlsx.fact.{name}", lang)).font = Font(bold=True)
        _set(sheet.cell(row=start + offset, column=2), value)


def _table(sheet, header: list[str], rows: list[list]) -> None:
    """A header row in bold, frozen, then the rows; columns fitted."""
    for column, name in enumerate(header, start=1):
        _set(sheet.cell(row=1, column=column), name).font = Font(bold=True)
    for number, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            _set(sheet.cell(row=number, column=column), value)
    sheet.freeze_panes = "A2"
    for column, name in enumerate(header, start=1):
        letter = sheet.cell(row=1, column=column).column_letter
        widest = max([len(name), *(_width(row[column - 1]) for row in rows)])
        sheet.column_dimensions[letter].width = min(widest + 2, MAX_WIDTH)


def _set(cell, value):
    """Put ``value`` in ``cell``: a string always as text, never a formula."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if "\n" in value:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    elif type(value) in FORMATS:
        cell.number_format = FORMATS[type(value)]
    return cell


def _width(value) -> int:
    if value is None:
        return 0
    if type(value) in FORMATS:
        return len(FORMATS[type(value)])
    return max(len(line) for line in str(value).splitlines() or [""])


def _sheet_name(region_name: str) -> str:
    """"Midtjylland" for "Region Midtjylland"; Excel allows 31 characters and none of []:*?/\\."""
    name = region_name.removeprefix("Region ")
    return "".join("_" if char in "[]:*?/\\" else char for char in name)[:31]
