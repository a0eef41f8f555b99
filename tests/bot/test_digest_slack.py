"""The weekly digest's Slack DM carries its opt-out: a button that only the
DM's recipient may press, which stops the digest (and its answer's button
starts it again), audited as theirs; signed requests to a served app, the
DM through the fake Slack."""

from handlers import digest
from tests.bot.test_slack_broadcasts import SECRET, slack, status, submit  # noqa: F401 - the fixture
from tests.handlers.test_digest import MONDAY_0830, NEXT_MONDAY
from tests.support.slack_signing import block_action, interaction
from tests.support.waiting import wait_until


def digest_button(message):
    found = [e for b in message.get("blocks", []) for e in b.get("elements", [])
             if e.get("action_id", "").startswith("kkr_digest")]
    return found[0] if found else None


def test_the_digest_dm_stops_and_restarts_the_digest_for_its_recipient_only(slack, store):  # noqa: F811
    fake = slack["fake"]
    assert submit(slack)[0] == 200
    wait_until(lambda: status(slack)["1082"]["state"] == "sent")
    slack["clock"].now = NEXT_MONDAY
    assert "jt@viborg.dk" in {d["recipient"]["email"] for d in digest.queue_digest(store, NEXT_MONDAY, MONDAY_0830)}
    slack["app"].config["DISPATCHER"].kick()
    dm = wait_until(lambda: next((m for m in fake.of("chat.postMessage")
                                  if m["channel"] == "UJONAS" and digest_button(m)), None))
    stop = digest_button(dm)
    assert stop["text"]["text"] == "Frameld ugens overblik"

    interaction(slack["events"], SECRET, block_action("UANNE", stop["action_id"], stop["value"],
                                                      slack["respond"] + "anne"))
    refusal = fake.wait_for("response_url")[-1]
    assert "Kun modtageren af ugens overblik" in refusal["text"] and digest.choices(store) == {}

    interaction(slack["events"], SECRET, block_action("UJONAS", stop["action_id"], stop["value"],
                                                      slack["respond"] + "jonas"))
    wait_until(lambda: digest.choices(store) == {"jt@viborg.dk": False})
    answer = wait_until(lambda: [c for c in fake.of("response_url") if c["name"] == "jonas"])[-1]
    assert "Du er nu frameldt ugens overblik." in answer["text"]
    entry = next(e for e in store.audit.entries() if e["action"] == "digest_off")
    assert (entry["actor"], entry["target"]) == ("slack:UJONAS", "person:jt@viborg.dk")

    start = digest_button(answer)
    assert start["text"]["text"] == "Tilmeld ugens overblik igen"
    interaction(slack["events"], SECRET, block_action("UJONAS", start["action_id"], start["value"],
                                                      slack["respond"] + "jonas"))
    wait_until(lambda: digest.choices(store) == {"jt@viborg.dk": True})
    assert [e["actor"] for e in store.audit.entries() if e["action"] == "digest_on"] == ["slack:UJONAS"]
