"""Reminders before hearing deadlines, and for messages nobody acknowledged.

Rules (working days: ``handlers.workdays``):
- a notice not acknowledged 2 working days after it was sent: remind its
  recipient (unless a reply of theirs, or recorded for them, has come);
- a region with no consolidated reply: remind its KKR contact 3 and 1
  working days before the deadline, at 09:00 (a 3-day reminder that is only
  found after the 1-day one is due is skipped: it would say less);
- a municipality that received a hearing and has not replied: remind its
  contact 3 and 1 working days before the municipalities' own, earlier
  deadline, so the KKR contact has time to consolidate;
- when the deadline has passed: a summary to the consultant of who is
  missing, with the KL contact told of regions with no reply.

Each reminder is queued as a delivery in the same transaction that records
it under (rule, target), so however many schedulers run, and however often
they restart, each is sent once; one that fell due while nothing ran is
sent at the next run.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from handlers import audit, directory
from handlers.broadcasts import is_notice, new_delivery, open_ids, part_of
from handlers.clock import parse, stamp
from handlers.workdays import add_working_days

MORNING = time(9, 0)


def queue_due_reminders(store, now: datetime, tz: str = "Europe/Copenhagen") -> list[dict]:
    """Queue every reminder that is due and not yet queued; return them."""
    zone, queued = ZoneInfo(tz), []
    kl = _kl(store)
    names = _region_names(store)
    for broadcast_id in open_ids(store):
        with store.read(part_of(broadcast_id)) as view:
            if not _candidates(view, now, zone, kl, names):
                continue
        with store.write(part_of(broadcast_id)) as tx:
            fresh = _candidates(tx, now, zone, kl, names)
            for rule, target, delivery in fresh:
                tx.insert("reminders", {"rule": rule, "target": target, "queued_at": stamp(now)})
                queued.append(tx.insert("deliveries", {**delivery, "next_attempt_at": stamp(now)}))
                audit.record(tx, "scheduler", "reminder", f"broadcast:{broadcast_id}/{target}", now, rule=rule)
    return queued


def _candidates(view, now: datetime, zone: ZoneInfo, kl: dict | None, names: dict) -> list[tuple]:
    broadcast = view.get("broadcast", 1)
    if broadcast is None or broadcast.get("closed_at"):
        return []
    done = {(r["rule"], r["target"]) for r in view.all("reminders")}
    notices = [d for d in view.all("deliveries") if is_notice(d)]
    replies = view.all("replies")
    answered = {(r["region"], r["municipality"]) for r in replies}
    found = _unacknowledged([d for d in notices if (d["region"], d["municipality"]) not in answered], now, zone)
    if broadcast["kind"] == "appointment" and not broadcast.get("completed_at"):
        found += _appointment_waiting(broadcast, notices, view.all("appointees"), now, zone)
    if broadcast["kind"] == "hearing" and broadcast.get("deadline"):
        replied = {r["region"] for r in replies if r["municipality"] is None}
        deadline = date.fromisoformat(broadcast["deadline"])
        found += _before_deadline(notices, replied, deadline, now, zone)
        if broadcast.get("municipal_deadline"):
            found += _before_municipal_deadline(notices, {r["municipality"] for r in replies},
                                                date.fromisoformat(broadcast["municipal_deadline"]), now, zone)
        found += _at_deadline(broadcast, notices, replied, deadline, now, zone, kl, names)
    return [c for c in found if (c[0], c[1]) not in done]


def _unacknowledged(notices: list[dict], now: datetime, zone: ZoneInfo) -> list[tuple]:
    found = []
    for d in notices:
        if d["state"] != "sent" or not d["sent_at"]:
            continue
        sent = parse(d["sent_at"]).astimezone(zone)
        due = datetime.combine(add_working_days(sent.date(), 2), sent.timetz())
        if now >= due:
            found.append(("unacknowledged", f"delivery:{d['id']}", _reminder(d, "msg.reminder_ack", {})))
    return found


def _before_deadline(notices, replied, deadline: date, now: datetime, zone: ZoneInfo) -> list[tuple]:
    days = _days_before(deadline, now, zone)
    if days is None:
        return []
    return [(f"reply-{days}", f"region:{d['region']}",
             _reminder(d, "msg.reminder_reply", {"deadline": deadline.isoformat()}))
            for d in notices if d["tier"] == 1 and d["region"] not in replied and d["recipient"]]


def _before_municipal_deadline(notices, answered, deadline: date, now: datetime, zone: ZoneInfo) -> list[tuple]:
    """Municipalities that received the hearing and have not replied, before their own deadline."""
    days = _days_before(deadline, now, zone)
    if days is None:
        return []
    return [(f"municipal-reply-{days}", f"municipality:{d['municipality']}",
             _reminder(d, "msg.reminder_municipal_reply", {"deadline": deadline.isoformat()}))
            for d in notices if d["tier"] == 2 and d["municipality"] not in answered
            and d["state"] in ("sent", "acknowledged")]


def _days_before(deadline: date, now: datetime, zone: ZoneInfo) -> int | None:
    """Which reminder before ``deadline`` is due: 1 (from 09:00 one working
    day before), 3 (from 09:00 three working days before), or None."""
    if now >= _end_of(deadline, zone):
        return None
    if now >= datetime.combine(add_working_days(deadline, -1), MORNING, zone):
        return 1
    if now >= datetime.combine(add_working_days(deadline, -3), MORNING, zone):
        return 3
    return None


def _at_deadline(broadcast, notices, replied, deadline, now, zone, kl, names) -> list[tuple]:
    if now < _end_of(deadline, zone):
        return []
    missing = [names[d["region"]] for d in notices if d["tier"] == 1 and d["region"] not in replied]
    key = "msg.summary" if missing else "msg.summary_all"
    params = {"names": ", ".join(missing)}
    creator = broadcast.get("creator") or {}
    reachable = creator if creator.get("email") or creator.get("slack_id") else None
    found = [("summary", "consultant", new_delivery(0, None, reachable, purpose="summary",
                                                    message={"key": key, "params": params}))]
    if missing and kl:
        found.append(("summary", "kl", new_delivery(0, None, kl, purpose="summary",
                                                    message={"key": "msg.summary_kl", "params": params})))
    return found


def _appointment_waiting(request: dict, notices, appointees, now: datetime, zone: ZoneInfo) -> list[tuple]:
    """KL is reminded when a step of an appointment has waited more than
    10 working days; each step once."""
    to_kl = next((d for d in notices if d["tier"] == 0), None)
    steps = [request["created_at"], request.get("forwarded_to_kkr_at"), *(a["at"] for a in appointees)]
    since = max(parse(step) for step in steps if step).astimezone(zone)
    due = datetime.combine(add_working_days(since.date(), 10), since.timetz())
    if to_kl is None or now < due:
        return []
    return [("appointment-wait", f"since:{stamp(since)}", _reminder(to_kl, "msg.reminder_appointment", {}))]


def _reminder(notice: dict, key: str, params: dict) -> dict:
    return new_delivery(notice["tier"], notice["region"], notice["recipient"], notice["fallback"],
                        notice["municipality"], purpose="reminder", message={"key": key, "params": params},
                        about=notice["id"])


def _end_of(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0, 0), zone)


def _kl(store) -> dict | None:
    with store.read(directory.DIRECTORY) as view:
        person = directory.kl_contact(view)
    return person.to_dict() if person else None


def _region_names(store) -> dict[str, str]:
    with store.read(directory.DIRECTORY) as view:
        return {r["code"]: r["name"] for r in view.all("regions")}
