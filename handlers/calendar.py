"""A hearing's deadline as an iCalendar event (RFC 5545), for Outlook and
other calendars: the file attached to an e-mail, offered as a download on a
Slack message, and the consultant's calendar of a hearing.

icalendar is imported only when a file is built, so that the shell and the
Slack messages without a deadline do not load it.

Each recipient's event is an all-day event on the day they must answer by
(a municipality's earlier deadline, the hearing's for everyone else), with
a UID that is the same for the hearing and the person in every message, so
a calendar updates the event instead of adding one: ``SEQUENCE`` is the
hearing's ``deadline_revision``, raised by each change of the deadline
(``handlers.hearings.change_deadline``).  A hearing closed before a
recipient's deadline cancels their event (``METHOD:CANCEL``, one sequence
higher).  ``METHOD:PUBLISH`` rather than ``REQUEST``: nobody is asked to
accept a deadline.  All-day events carry dates only; the one time in the
file, ``DTSTAMP``, is UTC, as RFC 5545 requires.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta

from handlers.broadcasts import part_of
from handlers.clock import day, parse
from handlers.deliveries import Outgoing
from handlers.enums import Kind, Purpose, Tier
from handlers.errors import Conflict, NotFound
from handlers.i18n import t
from handlers.lifecycle import zone_of

PRODID = "-//RKKP//kkr-bot//DA"
DATED = (Purpose.NOTICE, Purpose.REMINDER, Purpose.DEADLINE)  # messages that carry the recipient's deadline


def for_delivery(item: Outgoing, organizer: str, lang: str) -> tuple[bytes, str] | None:
    """The iCalendar file for a message and its method, or None when the
    message carries no deadline: a hearing notice, its reminders and a
    change of its deadline publish the recipient's event; the closing
    message of a hearing closed before that day cancels it."""
    method = method_for(item)
    if method is None:
        return None
    from icalendar import vCalAddress

    b = item.broadcast
    due_day = recipient_day(b, item.tier)
    event = _event(b, uid_of(item.broadcast_id, item.recipient), due_day, item.tier == Tier.MUNICIPALITY and
                   bool(b.get("municipal_deadline")), method, organizer, lang)
    if method == "CANCEL":
        event.add("attendee", vCalAddress(f"mailto:{item.recipient['email']}"))
    return _calendar(method, [event]), method


def method_for(item: Outgoing) -> str | None:
    """PUBLISH for a message that carries the recipient's deadline, CANCEL
    for the closing message of a hearing closed before it, else None."""
    b = item.broadcast
    if item.collection != "broadcast" or b.get("kind") != Kind.HEARING or not b.get("deadline"):
        return None
    if item.purpose in DATED and not b.get("closed_at"):
        return "PUBLISH"
    if item.purpose == Purpose.CLOSING and closed_early(b, recipient_day(b, item.tier)):
        return "CANCEL"
    return None


def hearing_calendar(store, broadcast_id: int, organizer: str, lang: str) -> bytes:
    """A consultant's calendar of one hearing: its deadline and the
    municipalities' deadline, as published or, when closed early, cancelled."""
    with store.read(part_of(broadcast_id)) as view:
        doc = view.get("broadcast", 1)
    if doc is None:
        raise NotFound("broadcast.not_found", id=broadcast_id)
    if doc.get("kind") != Kind.HEARING or not doc.get("deadline"):
        raise Conflict("hearing.not_a_hearing", id=broadcast_id)
    events = []
    for name, municipal in (("deadline", False), ("municipal_deadline", True)):
        if doc.get(name):
            method = "CANCEL" if closed_early(doc, day(doc[name])) else "PUBLISH"
            events.append((method, _event(doc, f"kkrbot-hearing-{broadcast_id}-{name.replace('_', '-')}@kkr-bot",
                                          day(doc[name]), municipal, method, organizer, lang)))
    method = "CANCEL" if all(m == "CANCEL" for m, _ in events) else "PUBLISH"
    return _calendar(method, [event for m, event in events if method == "CANCEL" or m == "PUBLISH"])


def recipient_day(broadcast: dict, tier: int) -> date:
    """The day a recipient answers by: a municipality's own deadline when the hearing has one."""
    if tier == 2 and broadcast.get("municipal_deadline"):
        return day(broadcast["municipal_deadline"])
    return day(broadcast["deadline"])


def closed_early(broadcast: dict, due_day: date) -> bool:
    """Closed before the end of ``due_day``, in the hearing's zone."""
    closed = parse(broadcast.get("closed_at"))
    return closed is not None and closed.astimezone(zone_of(broadcast)).date() <= due_day


def uid_of(broadcast_id: int, recipient: dict) -> str:
    """The same for a hearing and a person in every message to them; the
    address is hashed so that the UID does not spell it out."""
    who = hashlib.sha256((recipient.get("email") or "").lower().encode("utf-8")).hexdigest()[:16]
    return f"kkrbot-hearing-{broadcast_id}-{who}@kkr-bot"


def _event(b: dict, uid: str, due_day: date, municipal: bool, method: str, organizer: str, lang: str):
    from icalendar import Event, vCalAddress

    event = Event()
    event.add("uid", uid)
    revision = int(b.get("deadline_revision", 0))
    event.add("sequence", revision + 1 if method == "CANCEL" else revision)
    # The moment this version of the event was made, so a resend is the same file.
    made = b.get("closed_at") if method == "CANCEL" else b.get("deadline_changed_at") or b.get("created_at")
    event.add("dtstamp", (parse(made) or datetime(1970, 1, 1, tzinfo=UTC)).astimezone(UTC))
    event.add("dtstart", due_day)
    event.add("dtend", due_day + timedelta(days=1))
    summary = "cal.summary_municipal" if municipal else "cal.summary"
    event.add("summary", t(summary, lang, database=b["database"], title=b["title"]))
    event.add("description", t("cal.description", lang, title=b["title"], deadline=due_day) +
              (f"\n{b['link']}" if b.get("link") else ""))
    if b.get("link"):
        event.add("url", b["link"])
    event.add("organizer", vCalAddress(f"mailto:{organizer}"))
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    event.add("transp", "TRANSPARENT")  # a deadline does not make anyone busy
    event.add("x-microsoft-cdo-alldayevent", "TRUE")
    event.add("x-microsoft-cdo-busystatus", "FREE")
    return event


def _calendar(method: str, events: list) -> bytes:
    from icalendar import Calendar

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    for event in events:
        calendar.add_component(event)
    return calendar.to_ical()
