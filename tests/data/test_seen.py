"""The cross-process memory of Slack requests already taken (data.seen)."""

import multiprocessing

from data.seen import KEEP_SECONDS, SeenRequests

T0 = 1_800_000_000.0


def test_a_key_is_taken_once_until_it_is_pruned(tmp_path):
    seen = SeenRequests.beside(tmp_path / "var" / "kkrbot.json")
    assert seen.first_time("event:Ev1", T0)
    assert not seen.first_time("event:Ev1", T0 + 60)
    assert not SeenRequests.beside(tmp_path / "var" / "kkrbot.json").first_time("event:Ev1", T0 + 120)
    assert seen.first_time("event:Ev2", T0 + 120)
    assert seen.first_time("event:Ev1", T0 + KEEP_SECONDS + 61)
    assert sorted(p.name for p in (tmp_path / "var").iterdir()) == ["kkrbot.slack-requests"]


def test_a_forgotten_key_can_be_taken_again(tmp_path):
    seen = SeenRequests(tmp_path / "seen")
    assert seen.first_time("request:1:v0=ab", T0)
    seen.forget("request:1:v0=ab")
    assert seen.first_time("request:1:v0=ab", T0 + 1)


def _take(folder, start, results):
    start.wait()
    results.put(SeenRequests(folder).first_time("event:EvRace", T0))


def test_of_eight_processes_racing_for_one_key_exactly_one_takes_it(tmp_path):
    context = multiprocessing.get_context("spawn")
    start, results = context.Event(), context.Queue()
    processes = [context.Process(target=_take, args=(tmp_path / "seen", start, results)) for _ in range(8)]
    for process in processes:
        process.start()
    start.set()
    taken = sorted(results.get(timeout=60) for _ in processes)
    for process in processes:
        process.join(timeout=30)
    assert taken == [False] * 7 + [True]
