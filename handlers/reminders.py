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
  missing, with the KL contact told of regions with no reply;
- an appointment request whose last step has waited 10 working days: KL.

Each rule names every reminder a record can still get with the time it
falls due (and, for the 3-day one, when it lapses), so the same rules say
what is due now and when the next one is (``next_at``, kept in the index of
due times, ``handlers.due``): the scheduler visits only records with a
reminder due.  Each reminder is queued as a delivery in the same
transaction that records it under (rule, target), so however many
schedulers run, and however often they restart, each is sent once; one that
fell due while nothing ran is sent at the next run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from handlers import audit, directory, due, lifecycle
from handlers.clock import parse, stamp
from handlers.enums import Kind, Purpose, Tier
from handlers.errors import Unreadable
from handlers.lifecycle import DeliveryState, is_notice, new_delivery
from handlers.workdays import add_working_days

log = logging.getLogger(__name__)
MORNING = time(9, 0)


@dataclass(frozen=True)
class Reminder:
    rule: str
    target: str
    due: datetime
    until: datetime | None
    delivery: dict

    def due_at(self, now: datetime) -> bool:
        return self.due <= now and not self.lapsed(now)

    def lapsed(self, now: datetime) -> bool:
        return self.until is not None and now >= self.until


def queue_due_reminders(store, now: datetime, tz: str = lifecycle.DEFAULT_TZ) -> list[dict]:
    """Queue every reminder that is due and not yet queued; return them.
    Only records whose next reminder time has come are read.  ``tz`` is
    the zone of records that do not name their own."""
    queued, kl, names = [], _kl(store), _region_names(store)
    for collection, record_id in due.to_remind(store, now):
        try:
            queued += _queue_in(store, collection, record_id, now, tz, kl, names)
        except Unreadable as error:  # one record this version cannot read must not stop the others' reminders
            log.error("no reminders for %s: %s", collection.target(record_id), error)
    return queued


def _queue_in(store, collection, record_id: int, now: datetime, tz: str, kl: dict | None, names: dict) -> list[dict]:
    queued = []
    with due.changing(store, collection, record_id, now, visit=True) as tx:
        doc = tx.get(collection.doc, 1)
        if doc is None:
            return []
        for reminder in (r for r in still_to_come(doc, tx, lifecycle.zone_of(doc, tz), kl, names) if r.due_at(now)):
            tx.insert("reminders", {"rule": reminder.rule, "target": reminder.target, "queued_at": stamp(now)})
            queued.append(lifecycle.queue(tx, reminder.delivery, now))
            audit.record(tx, "scheduler", "reminder", f"{collection.target(record_id)}/{reminder.target}", now,
                         rule=reminder.rule)
    return queued


def next_at(doc: dict, view, now: datetime) -> datetime | None:
    """When the record's next reminder falls due (perhaps already), or None
    when none is still to come."""
    times = [r.due for r in still_to_come(doc, view, lifecycle.zone_of(doc), None, {}) if not r.lapsed(now)]
    return min(times, default=None)


def still_to_come(doc: dict, view, zone: ZoneInfo, kl: dict | None, names: dict) -> list[Reminder]:
    """Every reminder of the record not yet queued, due or not."""
    if doc.get("closed_at"):
        return []
    done = {(r["rule"], r["target"]) for r in view.all("reminders")}
    notices = [d for d in view.all("deliveries") if is_notice(d)]
    replies = view.all("replies")
    answered = {(r["region"], r["municipality"]) for r in replies}
    found = _unacknowledged([d for d in notices if (d["region"], d["municipality"]) not in answered], zone)
    if doc.get("kind") == Kind.APPOINTMENT and not doc.get("completed_at"):
        found += _appointment_waiting(doc, notices, view.all("appointees"), zone)
    if doc.get("kind") == Kind.HEARING and doc.get("deadline"):
        replied = {r["region"] for r in replies if r["municipality"] is None}
        deadline = date.fromisoformat(doc["deadline"])
        found += _before_deadline(notices, replied, deadline, zone)
        if doc.get("municipal_deadline"):
            found += _before_municipal_deadline(notices, {r["municipality"] for r in replies},
                                                date.fromisoformat(doc["municipal_deadline"]), zone)
        found += _at_deadline(doc, notices, replied, deadline, zone, kl, names)
    return [r for r in found if (r.rule, r.target) not in done]


def _unacknowledged(notices: list[dict], zone: ZoneInfo) -> list[Reminder]:
    found = []
    for d in notices:
        if d["state"] != DeliveryState.SENT or not d["sent_at"]:
            continue
        sent = parse(d["sent_at"]).astimezone(zone)
        due_at = datetime.combine(add_working_days(sent.date(), 2), sent.timetz())
        found.append(Reminder("unacknowledged", f"delivery:{d['id']}", due_at, None,
                              _reminder(d, "msg.reminder_ack", {})))
    return found


def _before_deadline(notices, replied, deadline: date, zone: ZoneInfo) -> list[Reminder]:
    return [reminder for d in notices if d["tier"] == Tier.REGION and d["region"] not in replied and d["recipient"]
            for reminder in _days_before("reply", f"region:{d['region']}", deadline, zone,
                                         _reminder(d, "msg.reminder_reply", {"deadline": deadline.isoformat()}))]


def _before_municipal_deadline(notices, answered, deadline: date, zone: ZoneInfo) -> list[Reminder]:
    """Municipalities that received the hearing and have not replied, before their own deadline."""
    reached = (DeliveryState.SENT, DeliveryState.ACKNOWLEDGED)
    return [reminder for d in notices
            if d["tier"] == Tier.MUNICIPALITY and d["municipality"] not in answered and d["state"] in reached
            for reminder in _days_before("municipal-reply", f"municipality:{d['municipality']}", deadline, zone,
                                         _reminder(d, "msg.reminder_municipal_reply",
                                                   {"deadline": deadline.isoformat()}))]


def _days_before(rule: str, target: str, deadline: date, zone: ZoneInfo, delivery: dict) -> list[Reminder]:
    """The reminders 3 and 1 working days before ``deadline``, from 09:00:
    the 3-day one lapses when the 1-day one is due (it would say less), the
    1-day one with the deadline."""
    one_day = datetime.combine(add_working_days(deadline, -1), MORNING, zone)
    three_days = datetime.combine(add_working_days(deadline, -3), MORNING, zone)
    return [Reminder(f"{rule}-3", target, three_days, one_day, delivery),
            Reminder(f"{rule}-1", target, one_day, _end_of(deadline, zone), delivery)]


def _at_deadline(broadcast, notices, replied, deadline, zone, kl, names) -> list[Reminder]:
    missing = [names.get(d["region"], d["region"]) for d in notices
               if d["tier"] == Tier.REGION and d["region"] not in replied]
    key = "msg.summary" if missing else "msg.summary_all"
    params = {"names": ", ".join(missing)}
    creator = broadcast.get("creator") or {}
    reachable = creator if creator.get("email") or creator.get("slack_id") else None
    end = _end_of(deadline, zone)
    found = [Reminder("summary", "consultant", end, None,
                      new_delivery(Tier.DIRECT, None, reachable, purpose=Purpose.SUMMARY,
                                   message={"key": key, "params": params}))]
    if missing and kl:
        found.append(Reminder("summary", "kl", end, None, new_delivery(
            Tier.DIRECT, None, kl, purpose=Purpose.SUMMARY, message={"key": "msg.summary_kl", "params": params})))
    return found


def _appointment_waiting(request: dict, notices, appointees, zone: ZoneInfo) -> list[Reminder]:
    """KL is reminded when a step of an appointment has waited more than
    10 working days; each step once."""
    to_kl = next((d for d in notices if d["tier"] == Tier.DIRECT), None)
    if to_kl is None:
        return []
    steps = [request["created_at"], request.get("forwarded_to_kkr_at"), *(a["at"] for a in appointees)]
    since = max(parse(step) for step in steps if step).astimezone(zone)
    due_at = datetime.combine(add_working_days(since.date(), 10), since.timetz())
    return [Reminder("appointment-wait", f"since:{stamp(since)}", due_at, None,
                     _reminder(to_kl, "msg.reminder_appointment", {}))]


def _reminder(notice: dict, key: str, params: dict) -> dict:
    return new_delivery(notice["tier"], notice["region"], notice["recipient"], notice["fallback"],
                        notice["municipality"], purpose=Purpose.REMINDER, message={"key": key, "params": params},
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
