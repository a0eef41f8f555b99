"""The channel contract (``bot.channels.base``), shown with the in-memory
channel: a channel that cannot reach a recipient (``send`` returns None)
passes them to the next in the dispatcher's order; one that raises is a
failed try, recorded with its error and retried after the back-off; the
delivery's record names the channel that delivered it."""

from datetime import timedelta

from openapi_schema_validator import OAS30Validator

from bot.channels.memory import MemoryChannel
from bot.dispatch import Dispatcher
from handlers.broadcasts import create_broadcast
from tests.bot.test_channel_order import INFO, KKR_EMAILS, status
from tests.conftest import NOW
from tests.support.servers import Clock


def test_a_channel_that_cannot_reach_a_recipient_passes_them_to_the_next(store):
    """The first channel reaches only Jonas; everyone else goes by the second."""
    chat = MemoryChannel("chat", unreachable=set(KKR_EMAILS) - {"jt@viborg.dk"})
    mail = MemoryChannel("mail")
    create_broadcast(store, INFO, by="Anne Nakano", now=NOW)
    assert Dispatcher(store, lambda: NOW, [chat, mail]).run_once() == 5
    assert [item.recipient["email"] for item in chat.sent] == ["jt@viborg.dk"]
    assert sorted(item.recipient["email"] for item in mail.sent) == [e for e in KKR_EMAILS if e != "jt@viborg.dk"]
    rows = status(store, lambda: NOW)
    assert rows["1082"]["channel"] == "chat" and rows["1081"]["channel"] == "mail"
    assert {row["state"] for row in rows.values()} == {"sent"}


def test_a_recipient_no_channel_reaches_is_a_failed_try(store):
    nowhere = MemoryChannel("chat", unreachable=set(KKR_EMAILS))
    create_broadcast(store, INFO, by="Anne Nakano", now=NOW)
    Dispatcher(store, lambda: NOW, [nowhere]).run_once()
    rows = status(store, lambda: NOW)
    assert {row["state"] for row in rows.values()} == {"failed"}
    assert all("no channel reaches" in row["last_error"] for row in rows.values())


def test_a_channel_that_raises_is_recorded_as_failed_and_retried(store):
    """The first try raises: each delivery is recorded as failed with the
    error, nothing is passed to the next channel, and the retry after the
    back-off goes through."""
    clock = Clock(NOW)
    flaky = MemoryChannel("chat").fail(5, ConnectionError("chat service down"))
    spare = MemoryChannel("mail")
    create_broadcast(store, INFO, by="Anne Nakano", now=NOW)
    dispatcher = Dispatcher(store, clock, [flaky, spare])
    assert dispatcher.run_once() == 5
    rows = status(store, clock)
    assert {row["state"] for row in rows.values()} == {"failed"}
    assert {row["last_error"] for row in rows.values()} == {"ConnectionError: chat service down"}
    assert flaky.sent == [] and spare.sent == [] and len(flaky.tried) == 5
    assert dispatcher.run_once() == 0  # not before the back-off
    clock.advance(timedelta(seconds=31))
    assert dispatcher.run_once() == 5
    rows = status(store, clock)
    assert {(row["state"], row["channel"]) for row in rows.values()} == {("sent", "chat")}
    assert len(flaky.sent) == 5 and spare.sent == []


def test_the_status_names_a_new_channel_and_fits_the_api_document(store, client):
    """A channel added later (Teams) is named in the status as it is, and
    the answer still fits ``/api/openapi.json`` (no closed list of channels)."""
    create_broadcast(store, INFO, by="Anne Nakano", now=NOW)
    teams = MemoryChannel("teams", unreachable={"lht@kl.dk"})
    Dispatcher(store, lambda: NOW, [teams, MemoryChannel("email")]).run_once()
    answer = client.get("/api/broadcasts/1")
    assert {row["region"]["code"]: row["channel"] for row in answer.json["regions"]} == {
        "1081": "teams", "1082": "teams", "1083": "teams", "1084": "email", "1085": "email"}
    document = client.get("/api/openapi.json").json
    schema = document["paths"]["/api/broadcasts/{broadcast_id}"]["get"]["responses"]["200"]["content"][
        "application/json"]["schema"]
    OAS30Validator({**schema, "components": document["components"]}).validate(answer.json)
