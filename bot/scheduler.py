"""The reminder scheduler: ``python -m bot scheduler``.

In production one ``clock`` process runs it (Procfile); web workers never
do.  Each minute it queues the reminders that are due
(``handlers.reminders``) and, once a week, the digest (``handlers.digest``),
and sends what is queued.  Which reminders were
sent lives in the store, not here, so a restart or a second scheduler never
sends one twice, and one missed while the process was down goes out when it
is back.
"""

from __future__ import annotations

import functools
import logging
import threading

import schedule

from handlers import digest, due, lifecycle, reminders

log = logging.getLogger(__name__)


def tick(store, dispatcher, clock, tz: str, weekly=None) -> int:
    """One pass: queue due reminders and, when ``weekly`` (a
    ``handlers.digest_schedule.Schedule``) says so, the week's digest; then
    send everything due.  Returns how many reminders and digests were queued."""
    queued_reminders, queued_digests, _sent = _pass(store, dispatcher, clock, tz, weekly)
    return queued_reminders + queued_digests


def once(store, dispatcher, clock, tz: str, weekly=None) -> dict:
    """``scheduler --once``: one pass, and what it did, for the person or
    the cron mail reading it: reminders and digests queued, messages sent
    (and how many of them were tries again after a failure), when the next
    work is due."""
    retries = _retries_due(store, clock())
    queued_reminders, queued_digests, sent = _pass(store, dispatcher, clock, tz, weekly)
    next_send, next_reminder = due.next_due(store)
    return {"reminders": queued_reminders, "digests": queued_digests, "sent": sent,
            "retried": min(retries, sent), "next_send": next_send, "next_reminder": next_reminder}


def _pass(store, dispatcher, clock, tz: str, weekly) -> tuple[int, int, int]:
    """Queue what is due (reminders, the week's digest), send everything due:
    how many reminders and digests were queued, how many messages tried."""
    queued = reminders.queue_due_reminders(store, clock(), tz)
    digests = digest.queue_digest(store, clock(), weekly, tz)
    return len(queued), len(digests), dispatcher.drain()


def _retries_due(store, now) -> int:
    """Deliveries due now that were tried before and failed (or whose try was cut off)."""
    wanted = lifecycle.due_to_send(now, lambda _owner: False)
    count = 0
    for collection, record_id in due.to_send(store, now, lambda _owner: False):
        with store.read(collection.part(record_id)) as view:
            count += sum(1 for d in view.all("deliveries") if wanted(d) and d.get("attempts"))
    return count


def guarded(job):
    """schedule runs a job that raised again at once, on every tick, and the
    error stops ``run_pending`` from reaching the other jobs; log it instead
    and let the job wait for its next turn."""
    @functools.wraps(job)
    def run():
        try:
            job()
        except Exception:  # noqa: BLE001 - logged; the next run is on schedule
            log.exception("scheduled job %s failed", getattr(job, "__name__", job))
    return run


def build(store, dispatcher, clock, tz: str, every_seconds: int = 60, weekly=None) -> schedule.Scheduler:
    jobs = schedule.Scheduler()
    jobs.every(every_seconds).seconds.do(guarded(functools.partial(tick, store, dispatcher, clock, tz, weekly)))
    return jobs


def run_forever(jobs: schedule.Scheduler, stop: threading.Event | None = None) -> None:
    stop = stop or threading.Event()
    jobs.run_all()  # catch up at once on what fell due while nothing ran
    while not stop.is_set():
        jobs.run_pending()
        stop.wait(1)
