"""Teams under real gunicorn workers: each worker runs the Teams SDK on its
own event loop, started after the fork, and answers signed activities."""

from concurrent.futures import ThreadPoolExecutor

from tests.support.bot_framework import fake_bot_framework, message
from tests.support.procs import gunicorn


def test_every_worker_answers_signed_activities_and_refuses_unsigned_ones(tmp_path):
    with fake_bot_framework() as fake:
        fake.add_member("29:jonas", "aad-jonas", "jt@viborg.dk", "Jonas Thor")
        with gunicorn(tmp_path / "kkrbot.json", workers=2, threads=2, env=fake.settings_env()) as (base, _master):
            url = base + "/teams/messages"
            with ThreadPoolExecutor(8) as pool:
                codes = list(pool.map(lambda _: fake.signed_post(url, message(fake, "kkr Viborg"))[0], range(12)))
            assert codes == [200] * 12
            assert len(fake.activities) == 12 and all("jt@viborg.dk" in a["body"]["text"] for a in fake.activities)
            assert fake.signed_post(url, message(fake, "kkr Viborg"), token=None)[0] == 401
            assert len(fake.activities) == 12
