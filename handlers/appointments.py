"""Appointing municipal representatives to a steering group (playbook, Bilag 1).

1. A consultant opens a request: disease area, how many representatives,
   the competencies wanted, whether a chair is wanted.
2. kkr-bot sends it to the KL contact, who acknowledges it and marks it
   forwarded to the KKRs.
3. KL returns each appointee (name, title, workplace, e-mail, phone, region).
4. Each appointee gets a welcome message and joins the roster.
5. The request is complete when every wanted seat is filled.

Requests have their own ids, index part (``appointments``) and one part
each (``appointment-<id>``); their messages (to KL, the welcomes,
reminders) are deliveries that the dispatcher sends and retries like a
broadcast's.  A request is open, then forwarded, then complete
(``handlers.lifecycle``).
"""

from __future__ import annotations

from datetime import datetime

from handlers import audit, databases, directory, due, lifecycle, permissions, steering
from handlers.broadcasts import begin_creation, consultant_contact, finish_creation
from handlers.clock import stamp
from handlers.collections import APPOINTMENTS
from handlers.enums import AppointeeRole, Kind, Purpose, Tier
from handlers.errors import Conflict, Forbidden, Invalid, NotFound
from handlers.lifecycle import AppointmentState, is_notice, new_delivery
from handlers.records import AppointmentRequest
from handlers.validation import normal_email, normal_phone, text_fields

KIND = Kind.APPOINTMENT
REQUEST_FIELDS = ("disease_area", "competencies", "next_meeting", "justification")
JUSTIFICATION_LIMIT = 5000
APPOINTEE_FIELDS = ("name", "title", "workplace", "email", "phone", "region")
INDEX = APPOINTMENTS.index


def part_of(request_id: int) -> str:
    return APPOINTMENTS.part(request_id)


def open_request(store, code: str, raw: dict, now: datetime, by: str, creator: dict | None = None,
                 key: str | None = None) -> tuple[dict, bool]:
    """Record the request and queue it to the KL contact; return its status
    and whether this call created it.  ``key`` makes it idempotent, like a
    broadcast's: a retry completes a creation that was killed half way.

    The playbook's rules: one representative per region, so no more seats
    than regions without one; fewer than 5 in all needs the database's
    weighty justification, which goes to KL with the request (and becomes
    the database's justification).  It names the database's responsible
    consultant (else the creator) as who asks."""
    seats, chair, fields = request_fields(raw)
    with store.read(steering.DATABASES) as view:
        db = databases.known(view, code)
    # A retry with the key answers as the first call did, whatever the roster is now.
    short = _check_seats(store, db, seats, fields["justification"], refuse=not _made_with(store, key))
    with store.read(directory.DIRECTORY) as view:
        kl = directory.kl_contact(view)
    if kl is None:
        raise Conflict("appointment.no_kl")
    entry, created = begin_creation(store, key, {
        "kind": KIND, "database": db["code"], "title": fields["disease_area"], "created_by": by,
        "created_at": stamp(now)}, APPOINTMENTS)
    consultant = db.get("consultant") or _creator_contact(store, creator, entry["created_by"])

    def write_part(tx) -> None:
        tx.put(APPOINTMENTS.doc, 1, lifecycle.new_request({
            "kind": KIND, "database": entry["database"], "database_name": db["name"], "title": entry["title"],
            "body": fields["competencies"], "next_meeting": fields["next_meeting"], "seats": seats,
            "chair_wanted": chair, "justification": fields["justification"], "consultant": consultant,
            "created_by": entry["created_by"], "created_at": entry["created_at"],
            "creator": creator or {"name": entry["created_by"]}}, now))
        lifecycle.queue(tx, new_delivery(Tier.DIRECT, None, kl.to_dict()), now)
        audit.record(tx, entry["created_by"], "appointment", f"appointment:{entry['id']}", now,
                     database=entry["database"], seats=seats)

    if short and entry.get("state") == lifecycle.AppointmentState.CREATING:
        steering.note_justification(store, db["code"], fields["justification"], now, entry["created_by"])
    finish_creation(store, entry, write_part, now, APPOINTMENTS)
    return status(store, entry["id"]), created


def request_fields(raw: dict) -> tuple[int, bool, dict]:
    """The checked seats, chair wish and text fields of a new request."""
    raw = dict(raw) if isinstance(raw, dict) else {}
    seats, chair = raw.pop("representatives", steering.SEATS), raw.pop("chair", False)
    if not isinstance(seats, int) or isinstance(seats, bool) or not 1 <= seats <= steering.SEATS:
        raise Invalid("appointment.seats", extra={"field": "representatives"})
    if not isinstance(chair, bool):
        raise Invalid("appointment.chair", extra={"field": "chair"})
    fields = text_fields(raw, REQUEST_FIELDS, {"justification": JUSTIFICATION_LIMIT}, required=("disease_area",),
                         multiline=("competencies", "justification"))
    return seats, chair, fields


def _check_seats(store, db: dict, seats: int, justification: str | None, refuse: bool = True) -> bool:
    """Whether the roster will stay short of one per region (which needs the
    justification); if ``refuse``, ``Invalid`` when it does without one, or
    when more seats are asked for than regions lack a representative."""
    missing = steering.open_regions(store, db["code"])
    if not refuse:
        return seats < len(missing)
    if not missing:
        raise Conflict("appointment.roster_full", database=db["code"])
    if seats > len(missing):
        raise Invalid("appointment.seats_open", database=db["code"], regions=", ".join(n for _, n in missing),
                      extra={"field": "representatives"})
    short = seats < len(missing)
    if short and not justification:
        raise Invalid("appointment.justification_required", extra={"field": "justification"})
    return short


def _made_with(store, key: str | None) -> bool:
    with store.read(INDEX) as view:
        return bool(key) and bool(view.find(INDEX, key=key))


def _creator_contact(store, creator: dict | None, by: str) -> dict:
    """Who asks when the database has no responsible consultant: the
    creator, with the e-mail the directory knows for them."""
    known = consultant_contact(store, (creator or {}).get("name") or by)
    return {"name": known["name"], "email": (creator or {}).get("email") or known["email"]}


def mark_forwarded(store, request_id: int, now: datetime, by: str) -> dict:
    """Step 2: KL has passed the request on to the KKRs."""
    with due.changing(store, APPOINTMENTS, _id(request_id), now) as tx:
        _request(tx, request_id)
        lifecycle.appointment_forwarded(tx, by, now)
        audit.record(tx, by, "appointment_forwarded", f"appointment:{request_id}", now)
    return status(store, request_id)


def add_appointee(store, request_id: int, raw: dict, now: datetime, by: str) -> dict:
    """Steps 3 and 4: an appointee joins the roster and gets a welcome
    naming their role and who at RKKP to turn to.  A second representative
    for a region is a ``Conflict`` (one per region)."""
    person, region_name = appointee_fields(store, raw)
    with due.changing(store, APPOINTMENTS, _id(request_id), now) as tx:
        doc = _request(tx, request_id)
        if doc["completed_at"]:
            raise Conflict("appointment.complete", id=request_id)
        if person["role"] == AppointeeRole.REPRESENTATIVE and _filled(tx)["representatives"] >= doc["seats"]:
            raise Conflict("appointment.seats_full", id=request_id)
        tx.insert("appointees", {**person, "at": stamp(now), "by": by})
        with store.write(steering.DATABASES) as roster:
            steering.add_member(roster, doc["database"], person, now, request_id, region_name)
            others = [m["name"] for m in roster.find("members", database=doc["database"])
                      if m["email"] != person["email"]]
        lifecycle.queue(tx, new_delivery(Tier.DIRECT, person["region"], person, purpose=Purpose.WELCOME, message={
            "key": "msg.welcome_chair" if person["role"] == AppointeeRole.CHAIR else "msg.welcome",
            "params": {"database": doc["database_name"],
                       "consultant": databases.consultant_label(doc.get("consultant") or doc["creator"]),
                       "next_meeting": doc["next_meeting"] or "–", "others": ", ".join(others) or "–"}}), now)
        if _complete(doc, _filled(tx)):
            lifecycle.appointment_complete(tx, now)
        audit.record(tx, by, "appointee", f"appointment:{request_id}", now, new=person)
    return status(store, request_id)


def appointee_fields(store, raw: dict) -> tuple[dict, str]:
    """The checked appointee, and the name of their region."""
    raw = dict(raw) if isinstance(raw, dict) else {}
    chair = raw.pop("chair", False)
    if not isinstance(chair, bool):
        raise Invalid("appointment.chair", extra={"field": "chair"})
    person = text_fields(raw, APPOINTEE_FIELDS, required=("name", "email", "region"))
    person["email"] = normal_email(person["email"])
    if person["phone"]:
        person["phone"] = normal_phone(person["phone"])
    with store.read(directory.DIRECTORY) as view:
        region = directory.resolve(view, person["region"], strict=True, kinds=("region",)).place
    role = AppointeeRole.CHAIR if chair else AppointeeRole.REPRESENTATIVE
    return {**person, "region": region.code, "role": role.value}, region.label


def require_kl(store, request_id: int, slack_user: str | None, act: permissions.Act) -> None:
    """The per-request half of ``act`` (marking the request forwarded to the
    KKRs, adding an appointee) from Slack: ``slack_user`` must be the KL
    contact it went to; None when the entry has admitted a consultant."""
    if slack_user is None:
        return
    with store.read(part_of(_id(request_id))) as view:
        _request(view, request_id)
        to_kl = next((d for d in view.all("deliveries") if d["tier"] == Tier.DIRECT and is_notice(d)), None)
    if to_kl is None:
        raise Forbidden(permissions.RULES[act].reason)
    permissions.require_recipient(act, permissions.Message.of(_id(request_id), to_kl, KIND, APPOINTMENTS.name),
                                  slack_user)


def status(store, request_id: int, actor: str | None = None, now: datetime | None = None) -> dict:
    """Where a request stands, with its appointees' contact data: ``actor``'s read is recorded."""
    with store.read(part_of(_id(request_id))) as view:
        doc = _request(view, request_id)
        to_kl = next((d for d in view.all("deliveries") if d["tier"] == Tier.DIRECT and is_notice(d)), None)
        appointees = view.all("appointees")
        filled = _filled(view)
    audit.read(store, actor, "read_appointment", f"appointment:{int(request_id)}", now)
    return {
        "id": int(request_id), "state": AppointmentRequest.from_doc(doc).state or lifecycle.appointment_state(doc),
        "database": doc["database"], "disease_area": doc["title"],
        "competencies": doc["body"], "next_meeting": doc["next_meeting"], "representatives": doc["seats"],
        "chair": doc["chair_wanted"], "justification": doc.get("justification"), "consultant": doc.get("consultant"),
        "created_by": doc["created_by"], "requested_at": doc["created_at"],
        "sent_to_kl": {"state": to_kl["state"], "channel": to_kl["channel"],
                       "acknowledged_at": to_kl["acknowledged_at"]} if to_kl else None,
        "forwarded_to_kkr_at": doc["forwarded_to_kkr_at"],
        "appointees": [{k: a.get(k) for k in (*APPOINTEE_FIELDS, "role", "at")} for a in appointees],
        "open_seats": max(doc["seats"] - filled["representatives"], 0),
        "chair_open": doc["chair_wanted"] and not filled["chair"],
        "complete": bool(doc["completed_at"]), "completed_at": doc["completed_at"],
    }


def open_requests(store, actor: str | None = None, now: datetime | None = None) -> list[dict]:
    """Every request not yet complete, newest first; ``actor``'s read is recorded once."""
    with store.read(INDEX) as view:
        ids = [e["id"] for e in view.all(INDEX)
               if e.get("state") not in (AppointmentState.CREATING, AppointmentState.COMPLETE)]
    found = [state for state in (status(store, i) for i in sorted(ids, reverse=True)) if not state["complete"]]
    audit.read(store, actor, "read_appointment", "appointments", now)
    return found


def _request(tx, request_id) -> dict:
    doc = tx.get(APPOINTMENTS.doc, 1)
    if doc is None:
        raise NotFound("appointment.unknown", id=request_id)
    return doc


def _id(value) -> int:
    try:
        return int(str(value).strip().lstrip("#"))
    except ValueError:
        raise NotFound("appointment.unknown", id=value) from None


def forget(tx, person) -> dict:
    """Erasure in a request's part (or the index): as for a broadcast, the
    history stays whole under the pseudonym and nothing more is sent."""
    for delivery in tx.all("deliveries"):
        if person.is_them(delivery.get("recipient")):
            lifecycle.erased(tx, delivery)
    return {"history": person.scrub_tables(tx)}


def _filled(view) -> dict:
    appointees = view.all("appointees")
    return {"representatives": sum(a["role"] == AppointeeRole.REPRESENTATIVE for a in appointees),
            "chair": any(a["role"] == AppointeeRole.CHAIR for a in appointees)}


def _complete(doc: dict, filled: dict) -> bool:
    return filled["representatives"] >= doc["seats"] and (filled["chair"] or not doc["chair_wanted"])
