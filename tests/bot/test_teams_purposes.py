"""Every kind of message the dispatcher sends reaches a Teams-only person as
a sensible Adaptive Card: the notice, its reminder, a change of deadline,
the weekly digest, the summary after the deadline, the closing message and
an appointee's welcome.  Each is made by the handlers that make it in
production, on a test clock, and sent by the dispatcher through the Teams
channel to the fake Bot Framework's connector; the card is read back from
what the connector recorded."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from api.config import Settings
from bot.web import create_web_app
from handlers import appointments, broadcasts, digest, hearings, reminders
from handlers.digest_schedule import parse_schedule
from tests.conftest import NOW
from tests.support.bot_framework import activity, fake_bot_framework
from tests.support.servers import Clock, serve_in_thread

TZ = "Europe/Copenhagen"
CPH = ZoneInfo(TZ)
PUBLIC = "https://kkr.rkkp.dk"
HEARING = {"kind": "hearing", "database": "DHRD", "title": "Kommunale indikatorer", "deadline": "2026-12-15",
           "link": "https://www.rkkp.dk/dhrd"}
PEOPLE = [("29:jonas", "aad-jonas", "jt@viborg.dk", "Jonas Thor"),
          ("29:lise", "aad-lise", "lht@kl.dk", "Lise Holten"),
          ("29:eva", "aad-eva", "eva@viborg.dk", "Eva Lund")]
CARD = "application/vnd.microsoft.card.adaptive"


@pytest.fixture
def world(store, db_path):
    """The web app with Teams on, everyone of ``PEOPLE`` installed it; a
    hearing sent (its notices already posted)."""
    with fake_bot_framework() as fake:
        for person in PEOPLE:
            fake.add_member(*person)
        env = {key.lower(): value for key, value in fake.settings_env().items()}
        clock = Clock(NOW)
        app = create_web_app(Settings(db_path=str(db_path), public_url=PUBLIC, **env), store=store, clock=clock,
                             dispatch=False)
        with serve_in_thread(app) as base:
            for user, aad, _, _ in PEOPLE:
                conversation = f"a:personal-{aad}"
                fake.rosters[conversation] = [user]
                update = activity(fake, "installationUpdate", conversation, "personal", action="add")
                update["from"] = {"id": user, "aadObjectId": aad}
                assert fake.signed_post(base + "/teams/messages", update)[0] == 200
            status, _ = broadcasts.create_broadcast(store, HEARING, by="Anne Nakano", now=NOW)
            world = World(fake, app.config["DISPATCHER"], clock, store, status["id"])
            world.client = app.test_client()
            world.send()
            yield world


class World:
    def __init__(self, fake, dispatcher, clock, store, hearing):
        self.fake, self.dispatcher, self.clock, self.store, self.hearing = fake, dispatcher, clock, store, hearing
        self.seen = 0

    def send(self):
        self.dispatcher.drain()

    def cards_to(self, aad) -> list[dict]:
        """The cards posted to the person since the last look."""
        posted = self.fake.posted_to(f"a:personal-{aad}")
        cards = []
        for body in posted:
            (attachment,) = body["attachments"]
            assert attachment["contentType"] == CARD
            assert body["text"]  # what the notification and the chat list show
            cards.append(attachment["content"])
        return cards

    def at(self, moment):
        self.clock.now = moment


def texts(card) -> str:
    return "\n".join(block["text"] for block in card["body"] if block["type"] == "TextBlock")


def verbs(card) -> list[str]:
    return [a.get("verb") or a["type"] for a in card.get("actions", [])]


def open_urls(card) -> list[str]:
    return [a["url"] for a in card.get("actions", []) if a["type"] == "Action.OpenUrl"]


def calendar_event(world, card) -> str:
    """The calendar event the card's download link gives, fetched from the web app."""
    (url,) = [u for u in open_urls(card) if u.endswith("/calendar.ics")]
    assert url.startswith(f"{PUBLIC}/ack/")
    answer = world.client.get(url.removeprefix(PUBLIC))
    assert answer.status_code == 200 and answer.mimetype == "text/calendar"
    return answer.get_data(as_text=True)


def valid(card):
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.5"
    assert all(block["text"].strip() for block in card["body"] if block["type"] == "TextBlock")
    return card


def test_the_notice_has_its_buttons(world):
    (card,) = world.cards_to("aad-jonas")
    valid(card)
    assert "Kommunale indikatorer" in texts(card)
    assert verbs(card)[:3] == ["acknowledge", "reply", "forward"]


def test_a_reminder_leads_with_its_own_text_and_keeps_the_buttons(world):
    world.at(datetime(2026, 11, 26, 10, 0, tzinfo=CPH))
    assert reminders.queue_due_reminders(world.store, world.clock(), TZ)
    world.send()
    notice, reminder = world.cards_to("aad-jonas")
    valid(reminder)
    assert texts(reminder) != texts(notice) and "Kommunale indikatorer" in texts(reminder)
    assert verbs(reminder)[:3] == ["acknowledge", "reply", "forward"]


def test_a_change_of_deadline_says_the_new_date_and_has_no_buttons(world):
    world.at(NOW + timedelta(hours=2))
    hearings.change_deadline(world.store, world.hearing, {"deadline": "2026-12-18"}, world.clock(), by="Anne Nakano")
    world.send()
    changed = valid(world.cards_to("aad-jonas")[-1])
    assert "18. december 2026" in texts(changed)
    assert not [v for v in verbs(changed) if v in ("acknowledge", "reply", "forward")]


def test_the_weekly_digest_is_a_card_without_buttons_with_its_opt_out_link(world):
    world.at(datetime(2026, 11, 30, 9, 0, tzinfo=CPH))
    assert digest.queue_digest(world.store, world.clock(), parse_schedule("mon 08:30"), TZ)
    world.send()
    card = valid(world.cards_to("aad-jonas")[-1])
    body = texts(card)
    assert "uge 49" in body.lower() and "Kommunale indikatorer" in body
    assert world.fake.posted_to("a:personal-aad-jonas")[-1]["text"] == "Ugens overblik fra kkr-bot, uge 49, 2026"
    assert "kind." not in body and "*" not in body.replace("\\*", "")
    assert not [a for a in card.get("actions", []) if a["type"] == "Action.Execute"]
    (url,) = open_urls(card)
    assert url.startswith(f"{PUBLIC}/digest/")


def test_the_summary_after_the_deadline_is_for_information(world):
    world.at(datetime(2026, 12, 16, 9, 0, tzinfo=CPH))
    reminders.queue_due_reminders(world.store, world.clock(), TZ)
    world.send()
    card = valid(world.cards_to("aad-lise")[-1])
    assert "Region" in texts(card) and "kind." not in texts(card)
    assert not [a for a in card.get("actions", []) if a["type"] == "Action.Execute"]


def test_the_closing_message_has_its_text_and_no_buttons(world):
    world.at(NOW + timedelta(days=1))
    hearings.close_hearing(world.store, world.hearing, "Tak for jeres svar.", world.clock(), by="Anne Nakano")
    world.send()
    card = valid(world.cards_to("aad-jonas")[-1])
    assert "Tak for jeres svar." in texts(card) and "Kommunale indikatorer" in texts(card)
    assert not [a for a in card.get("actions", []) if a["type"] == "Action.Execute"]


def test_an_appointees_welcome_has_no_buttons(world):
    opened, _ = appointments.open_request(world.store, "DHRD", {"disease_area": "Hjerterehabilitering",
                                                                "representatives": 5}, NOW, by="Anne Nakano")
    appointments.add_appointee(world.store, opened["id"], {
        "name": "Eva Lund", "title": "Sundhedschef", "workplace": "Viborg Kommune", "email": "eva@viborg.dk",
        "phone": "", "region": "Midtjylland"}, NOW, by="Lise Holten")
    world.send()
    (card,) = world.cards_to("aad-eva")
    valid(card)
    assert "Eva" in texts(card) or "DHRD" in texts(card) or "Hjerterehabilitering" in texts(card)
    assert not [a for a in card.get("actions", []) if a["type"] == "Action.Execute"]


def test_notice_reminder_and_change_of_deadline_offer_the_recipients_calendar_event(world):
    (notice,) = world.cards_to("aad-jonas")
    assert "DTSTART;VALUE=DATE:20261215" in calendar_event(world, notice)
    world.at(datetime(2026, 11, 26, 10, 0, tzinfo=CPH))
    reminders.queue_due_reminders(world.store, world.clock(), TZ)
    world.send()
    assert "DTSTART;VALUE=DATE:20261215" in calendar_event(world, world.cards_to("aad-jonas")[-1])
    hearings.change_deadline(world.store, world.hearing, {"deadline": "2026-12-18"}, world.clock(), by="Anne Nakano")
    world.send()
    assert "DTSTART;VALUE=DATE:20261218" in calendar_event(world, world.cards_to("aad-jonas")[-1])


def test_messages_without_a_deadline_offer_no_calendar_event(world):
    broadcasts.create_broadcast(world.store, {"kind": "info", "database": "DHRD", "title": "Nyt om DHRD"},
                                by="Anne Nakano", now=NOW)
    world.send()
    info = world.cards_to("aad-jonas")[-1]
    assert "Nyt om DHRD" in texts(info)
    assert not [u for u in open_urls(info) if u.endswith(".ics")]
