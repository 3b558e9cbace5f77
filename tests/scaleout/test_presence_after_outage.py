"""Presence after a Redis outage: a state changed while Redis was away (its message was lost:
awareness crosses at most once) shows on the other instance as soon as Redis is back, because
each instance then sends its clients' states again and asks for the others'; not at the
client's next renewal.

Stock y-protocols clients renew their state 15 s after it last changed (half its 30 s
timeout), so the new state seen well under 15 s after the change was brought by the backplane
coming back, not by a renewal."""

import time
from pathlib import Path

import pytest

from tests.realtime.nodeclient import NodeClient
from tests.scaleout.util import section
from tests.support.cluster import cluster
from tests.support.redis_server import private_redis

pytestmark = pytest.mark.node

RENEWAL_SECONDS = 15.0  # y-protocols' awareness renewal (outdatedTimeout / 2)


async def test_a_cursor_moved_while_redis_was_away_shows_once_it_is_back(tmp_path: Path) -> None:
    with (
        private_redis(tmp_path) as backplane,
        cluster(tmp_path, 2, redis_url=backplane.url) as group,
    ):
        here, there = group.servers
        room = section(here)["room"]
        present = await NodeClient.connect(here.ws_url, room, here.token("secretariat"))
        watcher = await NodeClient.connect(there.ws_url, room, there.token("chair"))
        try:
            await present.synced()
            await watcher.synced()
            mine = (await present.call("awareness"))["client_id"]
            before, after = {"anchor": 1, "head": 4}, {"anchor": 9, "head": 12}
            await present.call("set_awareness", state={"cursor": before})
            await watcher.call("wait_awareness_of", client=mine, key="cursor", equals=before)

            backplane.stop()
            await present.call("set_awareness", state={"cursor": after})  # lost in transit
            changed_at = time.monotonic()
            backplane.start()  # a fresh Redis

            seen = await watcher.call(
                "wait_awareness_of", client=mine, key="cursor", equals=after, deadline=8
            )
            assert time.monotonic() - changed_at < RENEWAL_SECONDS
            state = dict(seen["states"])[mine]
            assert state["user"]["role"] == "secretariat"  # stamped by ``here``, as before
        finally:
            await present.aclose()
            await watcher.aclose()
