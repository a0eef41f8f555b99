"""The weekly digest: once a week, one message to each KKR contact and each
consultant who wants it, with what waits for them (``handlers.digest_contents``).

``KKRBOT_DIGEST`` ("mon 08:30") names the day and time; when that day is
no working day (a holiday), the digest goes out on the next working day of
the same ISO week, and a week with none left gets no digest.

Digests are a collection of their own (``handlers.collections.DIGESTS``): one
record per ISO week, numbered ``YYYYWW`` (202713), holding a delivery per
person.  The week's number is the key of its creation: the record and all
its deliveries are written in one transaction that first looks whether the
week's record exists, so a restart, a second scheduler or a second machine
finds it and adds nothing.  The deliveries go out through the dispatcher
like any other (channels, retries, the record of what was sent).

KKR contacts get the digest unless they opted out; consultants only when
they opted in.  The choice is kept by e-mail address in the part
``digest-choices`` and changed by the recipient's link in the digest
(``/digest/<token>``) or ``python -m bot digest on|off EMAIL``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from handlers import audit, digest_contents, due, lifecycle, permissions
from handlers.clock import stamp
from handlers.collections import DIGESTS
from handlers.digest_schedule import Schedule, week_of
from handlers.enums import Kind, Purpose, Tier
from handlers.errors import NotFound
from handlers.lifecycle import new_delivery
from handlers.validation import normal_email

CHOICES = "digest-choices"
PURPOSE = Purpose.DIGEST


def queue_digest(store, now: datetime, schedule: Schedule | None, tz: str = lifecycle.DEFAULT_TZ) -> list[dict]:
    """Make this week's digest if it is due and not yet made; return the
    deliveries queued (none when it was made before, or is not due)."""
    if schedule is None:
        return []
    zone = ZoneInfo(tz)
    local = now.astimezone(zone)
    year, week, _ = local.isocalendar()
    moment = schedule.moment(year, week, zone)
    week_id = week_of(local)
    if moment is None or now < moment or _made(store, week_id):
        return []
    since = _previous(store, local)
    wants = choices(store)
    plan = [(person, content) for person, content in digest_contents.plan(store, now, since)
            if wants.get(person["email"], person["role"] == "kkr")]
    queued = []
    with due.changing(store, DIGESTS, week_id, now) as tx:
        if tx.get(DIGESTS.doc, 1) is not None:
            return []  # another scheduler made it since we looked
        tx.put(DIGESTS.doc, 1, {"kind": Kind.DIGEST, "week": f"{year}-W{week:02d}", "title": "", "database": "",
                                "since": stamp(since), "created_at": stamp(now), "tz": zone.key})
        for person, content in plan:
            delivery = new_delivery(Tier.DIRECT, person.get("region"), person, purpose=PURPOSE,
                                    message={"key": "digest", "params": content})
            queued.append(lifecycle.queue(tx, delivery, now))
        audit.record(tx, "scheduler", "digest_queued", DIGESTS.target(week_id), now, recipients=len(queued))
    return queued


def _made(store, week_id: int) -> bool:
    with store.read(DIGESTS.part(week_id)) as view:
        return view.get(DIGESTS.doc, 1) is not None


def _previous(store, local: datetime) -> datetime:
    """Since when "what changed" counts: the last week's digest, else a week back."""
    before = local - timedelta(days=7)
    with store.read(DIGESTS.part(week_of(before))) as view:
        doc = view.get(DIGESTS.doc, 1)
    return datetime.fromisoformat(doc["created_at"]) if doc else before


def choices(store) -> dict[str, bool]:
    """Who chose to get the digest (True) or not (False), by e-mail address."""
    with store.read(CHOICES) as view:
        return {c["email"]: c["wants"] for c in view.all("choices")}


def choose(store, email: str, wants: bool, now: datetime, by: str) -> dict:
    """Record that the person with ``email`` wants the digest or not; audited."""
    address = normal_email(email)
    with store.write(CHOICES) as tx:
        found = tx.find("choices", email=address)
        entry = {"email": address, "wants": bool(wants), "at": stamp(now), "by": by}
        saved = tx.update("choices", found[0]["id"], entry) if found else tx.insert("choices", entry)
        audit.record(tx, by, "digest_on" if wants else "digest_off", f"person:{address}", now)
    return saved


def choose_by_delivery(store, week_id: int, delivery_id: int, wants: bool, now: datetime, slack_user: str) -> dict:
    """The button on a digest's Slack DM: only the DM's recipient (their
    Slack user is the one the digest was sent to) stops or restarts their
    own digest; audited as theirs."""
    with store.read(DIGESTS.part(week_id)) as view:
        found = view.get("deliveries", delivery_id)
    if found is None:
        raise NotFound("ack.unknown_link")
    permissions.require_recipient(permissions.Act.CHOOSE_DIGEST,
                                  permissions.Message.of(week_id, found, Kind.DIGEST, DIGESTS.name), slack_user)
    return choose(store, found["recipient"]["email"], wants, now, by=f"slack:{slack_user}")


def wants_digest(store, email: str, role: str) -> bool:
    """Whether the person gets the digest now: KKR contacts unless they
    opted out, anyone else only after opting in."""
    return choices(store).get(normal_email(email), role == "kkr")


def forget(tx, person) -> dict:
    """Erasure in the part of choices: the person's choice is removed."""
    gone = [c["id"] for c in tx.all("choices") if person.is_them({"email": c["email"]})]
    for choice_id in gone:
        tx.remove("choices", choice_id)
    return {"history": len(gone)}
