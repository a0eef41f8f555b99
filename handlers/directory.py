"""The directory: who is the KKR contact for a region or municipality.

Read-side logic shared by the slash command, the shell and the API.  Every
function takes the store and plain values and returns the plain results of
``handlers.models``.
"""

from __future__ import annotations

from datetime import datetime

from handlers import audit
from handlers.errors import Invalid, NotFound
from handlers.matching import Match, Matcher, Place
from handlers.models import ContactAnswer, MunicipalityRef, Person, RegionRef

DIRECTORY = "directory"
MAX_QUERY = 200  # a question naming a place is short; longer text is not a look-up
MAX_ANSWERS = 4096  # look-up answers kept per version of the directory


def matcher(view) -> Matcher:
    """A matcher over every region and municipality in the directory."""
    return view.memo("matcher", _build_matcher)


def _build_matcher(view) -> Matcher:
    found = Matcher()
    for region in view.all("regions"):
        names = [region["name"], region["name_en"], *region.get("aliases", [])]
        found.add(Place("region", region["code"], region["name"]), names)
    for muni in view.all("municipalities"):
        names = [muni["name"], muni["official_name"], *muni.get("aliases", [])]
        found.add(Place("municipality", muni["code"], muni["name"]), names)
    return found


def resolve(view, query: str, *, strict: bool = False, kinds=("region", "municipality")) -> Match:
    """The place a query means, or ``NotFound`` with suggestions.

    ``strict``, for changes, takes only a query that is a whole name, alias
    or code (after ``fold``): no typo, and no name picked out of a longer
    text ("Aarhus Viborg" would otherwise change Aarhus), so a change never
    lands on a place the user did not name exactly.
    """
    if len(query) > MAX_QUERY:
        raise Invalid("directory.query_too_long", limit=MAX_QUERY, extra={"field": "query"})
    places = matcher(view)
    if strict:
        place = places.exact(query)
        match = Match(place, query, exact=True) if place else None
    else:
        match = places.resolve(query)
    if match and match.place.kind in kinds:
        return match
    suggestions = [p.label for p in places.suggestions(query) if p.kind in kinds]
    raise NotFound("directory.unknown_place", query=query.strip(), extra={"suggestions": suggestions})


def find_contact(store, query: str, actor: str | None = None, now: datetime | None = None) -> ContactAnswer:
    """The KKR contact answer for a region code, name or municipality.

    With ``actor`` (and ``now``) the read is recorded in the audit trail.
    """
    with store.read(DIRECTORY) as view:
        answers = view.memo("answers", lambda _: {})
        target, found = answers.get(query) or _answer(view, query)
        if len(answers) >= MAX_ANSWERS:
            answers.clear()  # a bound on what odd queries can make a process keep
        answers[query] = target, found
    _read(store, actor, target, now)
    return found


def _answer(view, query: str) -> tuple[str, ContactAnswer]:
    """What ``find_contact`` answers (and audits as read) for ``query``; the
    same for as long as the directory is unchanged, so it is kept per version."""
    match = resolve(view, query)
    municipality = None
    region_code = match.place.code
    if match.place.kind == "municipality":
        municipality = municipality_ref(view, _by_id(view, "municipalities")[int(match.place.code)])
        region_code = municipality.region
    found = answer_for(view, region_code, municipality, query=query, exact=match.exact)
    return f"{match.place.kind}:{match.place.code}", found


def all_regions(store, actor: str | None = None, now: datetime | None = None) -> list[ContactAnswer]:
    """The contact answer of every region, by region code."""
    with store.read(DIRECTORY) as view:
        found = [answer_for(view, r["code"]) for r in sorted(view.all("regions"), key=lambda r: r["code"])]
    _read(store, actor, "regions", now)
    return found


def _read(store, actor: str | None, target: str, now: datetime | None) -> None:
    if actor:
        audit.record(store, actor, "read_contacts", target, now)


def answer_for(view, region_code: str, municipality=None, *, query=None, exact=True) -> ContactAnswer:
    region = _by_id(view, "regions")[int(region_code)]
    contact = kkr_contact(view, region_code)
    route_via = None if contact else kl_contact(view)
    return ContactAnswer(
        region=RegionRef(region["code"], region["name"], region["name_en"]),
        status="active" if contact else "pending",
        contact=contact,
        route_via=route_via,
        municipality=municipality,
        query=query,
        exact=exact,
    )


def kkr_contact(view, region_code: str) -> Person | None:
    return contact_index(view).get(("kkr", region_code))


def kl_contact(view) -> Person | None:
    return contact_index(view).get(("kl", None))


def municipality_ref(view, muni: dict) -> MunicipalityRef:
    contact = contact_index(view).get(("municipal", muni["code"]))
    return MunicipalityRef(muni["code"], muni["name"], muni["official_name"], muni["region"], contact)


def contact_index(view) -> dict[tuple, Person]:
    """The first contact of each (role, place), built once per version of
    the directory: the KKR contact by region code, municipal contacts by
    municipality code, the KL contact under ``("kl", None)``."""
    return view.memo("contact_index", _build_contact_index)


def _by_id(view, collection: str) -> dict[int, dict]:
    """The regions or municipalities by their key (the code as a number), once per version of the file."""
    return view.memo(f"{collection}_by_id", lambda v: {doc["id"]: doc for doc in v.all(collection)})


def _build_contact_index(view) -> dict[tuple, Person]:
    index: dict[tuple, Person] = {}
    for doc in view.all("contacts"):
        role = doc.get("role")
        place = {"kkr": doc.get("region"), "municipal": doc.get("municipality")}.get(role)
        index.setdefault((role, place), Person.from_doc(doc))
    return index


def municipalities(store, region: str | None = None, actor: str | None = None,
                   now: datetime | None = None) -> list[MunicipalityRef]:
    """All municipalities, or those of one region (any name the look-up takes)."""
    with store.read(DIRECTORY) as view:
        docs = view.all("municipalities")
        if region:
            code = resolve(view, region, kinds=("region",)).place.code
            docs = [m for m in docs if m["region"] == code]
        found = [municipality_ref(view, m) for m in sorted(docs, key=lambda m: m["name"])]
    _read(store, actor, "municipalities" + (f":{region}" if region else ""), now)
    return found


def contacts(store, role: str | None = None, region: str | None = None, actor: str | None = None,
             now: datetime | None = None) -> list[Person]:
    """Contact persons, optionally of one role and of one region (KKR
    contact and municipal contacts of that region)."""
    with store.read(DIRECTORY) as view:
        docs = view.all("contacts")
        if role:
            docs = [d for d in docs if d.get("role") == role]
        if region:
            code = resolve(view, region, kinds=("region",)).place.code
            local = {m["code"] for m in view.find("municipalities", region=code)}
            docs = [d for d in docs if d.get("region") == code or d.get("municipality") in local]
        found = [Person.from_doc(d) for d in sorted(docs, key=lambda d: (d.get("role", ""), d.get("name", "")))]
    _read(store, actor, "contacts" + "".join(f":{v}" for v in (role, region) if v), now)
    return found
