"""The page models of the dashboard (``/status``): plain dicts of texts in
the reader's language that the Jinja2 templates only lay out.  Texts come
from the catalogue (``dashboard.*``), dates through Babel via ``t()``."""

from __future__ import annotations

from handlers.clock import day, parse
from handlers.enums import Kind
from handlers.i18n import t
from handlers.overview import STATES, TileState

# A mark per state, so that the map and its legend do not rely on colour alone.
MARKS = {TileState.NOT_SENT: "·", TileState.UNREACHABLE: "✕", TileState.SENT: "→", TileState.ACKNOWLEDGED: "✓",
         TileState.REPLIED: "✎", TileState.LATE: "!"}


def nav(lang: str, current: str) -> list[dict]:
    return [{"href": href, "label": t(f"dashboard.nav.{key}", lang), "current": key == current}
            for key, href in (("broadcasts", "/status"), ("directory", "/status/directory"),
                              ("steering", "/status/steering"))]


def broadcast_list(found: dict, lang: str) -> dict:
    """The list page: ``found`` is ``handlers.overview.broadcast_page``'s answer."""
    return {
        "title": t("dashboard.broadcasts.title", lang),
        "empty": t("status.none_open", lang) if not found["broadcasts"] else None,
        "items": [_list_item(entry, lang) for entry in found["broadcasts"]],
        "pages": _pages(found, lang),
    }


def _list_item(entry: dict, lang: str) -> dict:
    facts = [t("dashboard.sent_on", lang, when=day(entry["created_at"][:10]), by=entry.get("created_by") or "–")]
    if entry.get("deadline"):
        facts.append(t("status.deadline_general", lang, deadline=day(entry["deadline"])))
    if entry.get("hearing_state"):
        facts.append(t(f"status.hearing.{entry['hearing_state']}", lang))
    return {"id": entry["id"], "href": f"/status/broadcasts/{entry['id']}", "title": entry["title"],
            "kind": t(f"kind.{entry['kind']}", lang), "database": entry["database"], "facts": facts,
            "bars": bars(entry["progress"], entry["kind"] == Kind.HEARING, lang)}


def bars(progress: dict, hearing: bool, lang: str) -> list[dict]:
    """Progress bars: regions acknowledged; municipalities reached,
    acknowledged and (a hearing's) replied."""
    rows = []
    if progress["regions"]:
        rows.append(("regions_acknowledged", progress["regions_acknowledged"], progress["regions"]))
    keys = ("reached", "acknowledged", "replied") if hearing else ("reached", "acknowledged")
    rows += [(key, progress[key], progress["municipalities"]) for key in keys]
    return [{"label": t(f"dashboard.bar.{key}", lang), "value": value, "max": total,
             "text": t("dashboard.of", lang, value=value, total=total)} for key, value, total in rows]


def _pages(found: dict, lang: str) -> dict:
    page, pages = found["page"], found["pages"]
    return {"text": t("dashboard.page", lang, page=page, pages=pages),
            "newer": f"/status?page={page - 1}" if page > 1 else None,
            "older": f"/status?page={page + 1}" if page < pages else None,
            "newer_label": t("dashboard.newer", lang), "older_label": t("dashboard.older", lang)}


def legend(lang: str) -> list[dict]:
    return [{"state": state, "mark": MARKS[state], "label": t(f"dashboard.map.{state}", lang)} for state in STATES]


def tile_map(tiles: dict, places: list, states: dict, lang: str, size: int = 30) -> dict:
    """The SVG tile map: one square per municipality at its tile's column
    and row, its state as class and mark, its name, contact and state as
    label (read on focus and hover)."""
    squares = []
    for place in places:
        col, row = tiles[place.code]
        state = states.get(place.code)
        person = place.contact.name if place.contact else t("dashboard.no_contact", lang)
        state_text = t(f"dashboard.map.{state}", lang) if state else t("dashboard.map.not_shown", lang)
        squares.append({"code": place.code, "x": col * size, "y": row * size, "size": size - 3,
                        "state": state or "hidden", "mark": MARKS.get(state, ""), "region": place.region,
                        "label": t("dashboard.map.label", lang, name=place.name, contact=person, state=state_text)})
    width = (max(c for c, _ in tiles.values()) + 1) * size
    height = (max(r for _, r in tiles.values()) + 1) * size
    return {"squares": squares, "width": width, "height": height, "title": t("dashboard.map.title", lang),
            "hint": t("dashboard.map.hint", lang), "legend": legend(lang)}


def region_rows(status: dict, lang: str) -> list[dict]:
    """The regions beside the map: KKR contact, state, forward time and
    consolidated reply."""
    rows = []
    for row in status["regions"]:
        recipient = row["recipient"] or {}
        state = t(f"status.state.{row['state']}", lang, by=row.get("acknowledged_by") or "",
                  when=parse(row.get("acknowledged_at")), error=row.get("last_error") or "")
        forwarded = t("status.forwarded", lang, when=parse(row["forwarded_at"])) if row.get("forwarded_at") else \
            t("dashboard.not_forwarded", lang)
        reply = row.get("reply")
        rows.append({
            "name": row["region"]["name"],
            "contact": (recipient.get("name") or "–") + (f" ({t('status.fallback', lang)})" if row["fallback"] else ""),
            "email": recipient.get("email"), "state": state, "forwarded": forwarded,
            "reply": (t("dashboard.reply_by", lang, by=reply["by"], when=parse(reply["at"]))
                      + (f" – {t('dashboard.late', lang)}" if reply["late"] else "")) if reply else
            (t("dashboard.no_reply", lang) if "reply" in row else None),
        })
    return rows


def broadcast_page(status: dict, tile_model: dict, can_download: bool, lang: str) -> dict:
    hearing = status["kind"] == Kind.HEARING
    facts = [t("dashboard.sent_on", lang, when=day(status["created_at"][:10]), by=status.get("created_by") or "–")]
    if status.get("deadline"):
        facts.append(t("status.deadline" if hearing else "status.deadline_general", lang,
                       deadline=day(status["deadline"])))
    if status.get("municipal_deadline"):
        facts.append(t("status.municipal_deadline", lang, municipal_deadline=day(status["municipal_deadline"])))
    if status.get("hearing_state"):
        facts.append(t(f"status.hearing.{status['hearing_state']}", lang))
    downloads = None
    if hearing and can_download:
        base = f"/status/broadcasts/{status['id']}/report"
        downloads = [{"href": f"{base}.md", "label": t("dashboard.download.md", lang)},
                     {"href": f"{base}.csv", "label": t("dashboard.download.csv", lang)},
                     {"href": f"{base}.csv?excel=1", "label": t("dashboard.download.excel", lang)},
                     {"href": f"{base}.xlsx", "label": t("dashboard.download.xlsx", lang)}]
    return {"title": f"#{status['id']} {status['title']}", "kind": t(f"kind.{status['kind']}", lang),
            "database": status["database"], "facts": facts, "map": tile_model,
            "regions_title": t("dashboard.regions", lang), "regions": region_rows(status, lang),
            "columns": [t(f"dashboard.column.{key}", lang) for key in ("region", "contact", "state", "forwarded",
                                                                         *(("reply",) if hearing else ()))],
            "report_title": t("dashboard.report", lang) if downloads else None, "downloads": downloads}


def _person(person, lang: str) -> dict:
    if person is None:
        return {"name": t("dashboard.directory.none", lang), "email": None, "phone": None, "title": None}
    return {"name": person.name, "email": person.email, "phone": person.phone, "title": person.title}


def directory_page(regions: list, places: list, query: str, took: str | None, lang: str) -> dict:
    """The regions with their KKR contacts and, under each, its
    municipalities with their contacts (``places``: those to show)."""
    groups = []
    for answer in regions:
        own = [p for p in places if p.region == answer.region.code]
        if not own and took:
            continue
        groups.append({"name": answer.region.name, "code": answer.region.code,
                       "kkr": _person(answer.contact or answer.route_via, lang),
                       "via_kl": answer.contact is None and answer.route_via is not None,
                       "municipalities": [{"place": p.name, "code": p.code, "person": _person(p.contact, lang)}
                                          for p in own]})
    return {"title": t("dashboard.directory.title", lang), "query": query, "groups": groups,
            "search_label": t("dashboard.directory.search", lang), "button": t("dashboard.directory.button", lang),
            "took": t("dashboard.directory.took", lang, place=took) if took else None,
            "all_label": t("dashboard.directory.all", lang), "kkr_label": t("dashboard.directory.kkr", lang),
            "via_kl": t("status.fallback", lang), "municipalities_label": t("dashboard.directory.municipalities", lang),
            "columns": [t(f"page.field.{key}", lang) for key in ("name", "email", "phone")]}


def steering_page(rosters: list[dict], lang: str) -> dict:
    groups = []
    for roster in rosters:
        if roster["complete"] and not roster["regions_without_representative"]:
            verdict = t("dashboard.steering.complete", lang)
        elif roster["complete"]:
            verdict = t("dashboard.steering.justified", lang, justification=roster["justification"])
        else:
            verdict = t("dashboard.steering.gap", lang, regions=roster["regions_without_representative"])
        groups.append({
            "title": f"{roster['database']['code']} – {roster['database']['name']}",
            "seats": t("dashboard.steering.seats", lang, filled=roster["filled"], seats=roster["seats"]),
            "filled": roster["filled"], "of": roster["seats"], "verdict": verdict,
            "chair": t("dashboard.steering.chair", lang, name=roster["chair"]["name"]) if roster["chair"] else None,
            "members": [{"region": m["region"]["name"], "name": m["name"], "title": m.get("title"),
                         "workplace": m.get("workplace"), "email": m.get("email")} for m in roster["representatives"]],
            "empty": t("dashboard.steering.no_members", lang) if not roster["representatives"] else None,
        })
    return {"title": t("dashboard.steering.title", lang), "groups": groups,
            "columns": [t(f"page.field.{key}", lang) for key in ("region", "name", "title", "workplace", "email")]}
