"""A whole hearing driven through the scheduler with a test clock: notices,
acknowledgements, replies, reminders on the right working days (Christmas
in between), the deadline summary, each reminder sent once."""

import email
import os
import subprocess
import sys
from datetime import datetime, timedelta
from email import policy
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from api.config import Settings
from bot import scheduler
from bot.web import build_dispatcher
from handlers import broadcasts, deliveries, hearings
from handlers.directory_csv import import_csv
from handlers.workdays import add_working_days, is_working_day
from tests.support.servers import Clock
from tests.support.smtp import smtp_server

CPH = ZoneInfo("Europe/Copenhagen")
ROOT = Path(__file__).resolve().parents[2]
MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=CPH)
HEARING = {"kind": "hearing", "database": "DHRD", "title": "Kommunale indikatorer", "deadline": "2026-12-29"}


@pytest.fixture
def world(store, db_path):
    import_csv(store, "role,place,name,email\nconsultant,,Anne Nakano,anne@rkkp.dk\n", MONDAY)
    clock = Clock(MONDAY)
    dispatcher = build_dispatcher(store, Settings(db_path=str(db_path)), clock)
    status, _ = broadcasts.create_broadcast(store, HEARING, by="Anne Nakano", now=MONDAY)
    scheduler.tick(store, dispatcher, clock, "Europe/Copenhagen")
    return {"store": store, "clock": clock, "dispatcher": dispatcher, "id": status["id"],
            "outbox": db_path.parent / "outbox"}


def at(world, moment):
    world["clock"].now = moment
    return scheduler.tick(world["store"], world["dispatcher"], world["clock"], "Europe/Copenhagen")


def sent(world, purpose):
    with world["store"].read(broadcasts.part_of(world["id"])) as view:
        return [d for d in view.all("deliveries") if d.get("purpose") == purpose]


def mail(world, delivery_id):
    path = world["outbox"] / f"broadcast-{world['id']}-delivery-{delivery_id}.eml"
    return email.message_from_bytes(path.read_bytes(), policy=policy.default)


def test_working_days_skip_weekends_and_danish_holidays():
    assert not is_working_day(datetime(2026, 12, 24).date())  # Christmas Eve, by agreement
    assert not is_working_day(datetime(2026, 12, 25).date())
    assert not is_working_day(datetime(2026, 4, 2).date())    # Maundy Thursday
    assert not is_working_day(datetime(2026, 6, 5).date())    # Constitution Day
    assert is_working_day(datetime(2026, 12, 23).date())
    assert add_working_days(datetime(2026, 12, 29).date(), -3) == datetime(2026, 12, 22).date()
    assert add_working_days(datetime(2026, 11, 27).date(), 2) == datetime(2026, 12, 1).date()


def test_a_whole_hearing(world):
    store, hid = world["store"], world["id"]
    notices = {d["region"]: d for d in sent(world, "notice")}
    assert {d["state"] for d in notices.values()} == {"sent"}
    deliveries.acknowledge(store, hid, notices["1082"]["id"], MONDAY + timedelta(days=1))

    assert at(world, datetime(2026, 11, 25, 8, 59, tzinfo=CPH)) == 0
    assert at(world, datetime(2026, 11, 25, 9, 0, tzinfo=CPH)) == 4      # 2 working days, Jonas acknowledged
    reminders = sent(world, "reminder")
    assert sorted(r["region"] for r in reminders) == ["1081", "1083", "1084", "1085"]
    assert {r["state"] for r in reminders} == {"sent"}
    text = mail(world, reminders[0]["id"]).get_body(("plain",)).get_content()
    assert "Påmindelse: Husk at kvittere for modtagelsen af »Kommunale indikatorer«" in text
    assert f"/ack/{hid}-{reminders[0]['about']}-" in text                # the link acknowledges the notice
    assert at(world, datetime(2026, 11, 26, 9, 0, tzinfo=CPH)) == 0      # once per delivery and rule

    hearings.reply_for(store, hid, "1082", "Midtjylland: enig.", datetime(2026, 12, 1, tzinfo=CPH), by="Jonas")
    assert at(world, datetime(2026, 12, 21, 12, 0, tzinfo=CPH)) == 0
    assert at(world, datetime(2026, 12, 22, 9, 0, tzinfo=CPH)) == 4      # 3 working days before, Christmas skipped
    hearings.reply_for(store, hid, "1083", "Syddanmark: enig.", datetime(2026, 12, 23, tzinfo=CPH), by="Mia")
    assert at(world, datetime(2026, 12, 23, 9, 0, tzinfo=CPH)) == 0
    assert at(world, datetime(2026, 12, 28, 9, 0, tzinfo=CPH)) == 3      # 1 working day before
    replies_due = [r for r in sent(world, "reminder") if r["message"]["key"] == "msg.reminder_reply"]
    assert sorted(r["region"] for r in replies_due) == ["1081", "1081", "1083", "1084", "1084", "1085", "1085"]
    last = mail(world, replies_due[-1]["id"])
    assert "Høringsfristen er 29. december 2026." in last.get_body(("plain",)).get_content()

    assert at(world, datetime(2026, 12, 29, 23, 59, tzinfo=CPH)) == 0
    assert at(world, datetime(2026, 12, 30, 0, 0, tzinfo=CPH)) == 2      # summary to Anne, KL told
    summary = {d["recipient"]["email"]: d for d in sent(world, "summary")}
    assert set(summary) == {"anne@rkkp.dk", "lht@kl.dk"}
    to_anne = mail(world, summary["anne@rkkp.dk"]["id"]).get_body(("plain",)).get_content()
    assert "Der mangler et samlet høringssvar fra: Region Nordjylland, Region Hovedstaden, Region Sjælland" in to_anne
    assert "/ack/" not in to_anne
    assert at(world, datetime(2026, 12, 31, 9, 0, tzinfo=CPH)) == 0


def test_a_reminder_missed_while_down_is_sent_when_back_and_stale_ones_are_skipped(world):
    assert at(world, datetime(2026, 12, 28, 10, 0, tzinfo=CPH)) == 5 + 5  # ack reminders, then reply-1 only
    keys = sorted(r["message"]["key"] for r in sent(world, "reminder"))
    assert keys == ["msg.reminder_ack"] * 5 + ["msg.reminder_reply"] * 5
    assert at(world, datetime(2026, 12, 28, 11, 0, tzinfo=CPH)) == 0


def test_closed_hearings_get_no_more_reminders(world):
    hearings.close_hearing(world["store"], world["id"], "Endelige indikatorer: 1-4.", MONDAY, by="Anne")
    assert at(world, datetime(2026, 12, 30, tzinfo=CPH)) == 0
    closing = sent(world, "closing")
    assert len(closing) == 4 and {d["state"] for d in closing} == {"sent"}  # the KL contact once, for two regions
    assert "Endelige indikatorer: 1-4." in mail(world, closing[0]["id"]).get_body(("plain",)).get_content()


def test_a_failing_job_does_not_stop_the_scheduler(world, caplog):
    calls = []

    def broken():
        calls.append(1)
        raise RuntimeError("store on fire")

    jobs = scheduler.build(world["store"], world["dispatcher"], world["clock"], "Europe/Copenhagen")
    jobs.every(1).seconds.do(scheduler.guarded(broken))
    jobs.run_all()
    jobs.run_pending()
    assert calls == [1]  # not re-run at once
    assert "store on fire" in caplog.text


@pytest.mark.slow
def test_two_scheduler_processes_send_each_reminder_once(tmp_path):
    """Real time, real processes: notices sent ten days ago, unacknowledged;
    two schedulers run at once against one store and one SMTP server."""
    from datetime import UTC

    from data import Store
    from handlers.ack_tokens import server_secret
    from handlers.seeding import seed_directory

    store = Store(tmp_path / "kkrbot.json")
    past = datetime.now(UTC) - timedelta(days=10)
    seed_directory(store, past)
    status, _ = broadcasts.create_broadcast(store, {"kind": "info", "database": "DHRD", "title": "Nyt"}, by="A",
                                            now=past)
    for item in deliveries.claim_due(store, past, server_secret(store)):
        deliveries.record_sent(store, item, "email", {}, past)
    with smtp_server() as (mailbox, smtp_url):
        env = {**os.environ, "KKRBOT_DB": str(tmp_path / "kkrbot.json"), "SMTP_URL": smtp_url}
        runs = [subprocess.Popen([sys.executable, "-m", "bot", "scheduler", "--once"], cwd=ROOT, env=env,
                                 stderr=subprocess.PIPE) for _ in range(2)]
        for run in runs:
            assert run.wait(timeout=60) == 0, run.stderr.read()
        messages = mailbox.wait_for(5)
    recipients = sorted(m["To"].addresses[0].addr_spec for m in messages)
    assert recipients == ["jt@viborg.dk", "lht@kl.dk", "lht@kl.dk", "mima@haderslev.dk", "php@aalborg.dk"]
    with store.read(broadcasts.part_of(status["id"])) as view:
        assert len(view.all("reminders")) == 5


def test_kl_is_reminded_when_an_appointment_step_waits_ten_working_days(world):
    from handlers import appointments

    store = world["store"]
    opened, _ = appointments.open_request(store, "DHRD", {"disease_area": "Hjerterehabilitering"}, MONDAY, "Anne")
    at(world, MONDAY)
    appointments.mark_forwarded(store, opened["id"], datetime(2026, 11, 24, 9, 0, tzinfo=CPH), "Lise Holten")
    with store.read(appointments.part_of(opened["id"])) as view:
        assert [d["recipient"]["email"] for d in view.all("deliveries")] == ["lht@kl.dk"]
    reminders = lambda: sent_in(world, opened["id"], "reminder", appointments.part_of)  # noqa: E731
    before = len(reminders())
    at(world, datetime(2026, 12, 7, 9, 0, tzinfo=CPH))      # 9 working days after the forward
    waiting = [d for d in reminders() if d["message"]["key"] == "msg.reminder_appointment"]
    assert waiting == []
    at(world, datetime(2026, 12, 8, 9, 0, tzinfo=CPH))      # 10 working days
    at(world, datetime(2026, 12, 9, 9, 0, tzinfo=CPH))
    waiting = [d for d in reminders() if d["message"]["key"] == "msg.reminder_appointment"]
    assert len(waiting) == 1 and waiting[0]["recipient"]["email"] == "lht@kl.dk"
    assert len(reminders()) >= before + 1


def sent_in(world, record_id, purpose, part_of=broadcasts.part_of):
    with world["store"].read(part_of(record_id)) as view:
        return [d for d in view.all("deliveries") if d.get("purpose") == purpose]
