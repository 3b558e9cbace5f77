"""A room opened on an instance while clients on another are already in it: the first clients
there see those present at once (the opening instance asks over the backplane, the others
answer with their own clients' states), not at the present clients' next renewal.

Stock y-protocols clients renew their state every 15 s (half its 30 s timeout), and the
server relays a renewal like any other state, so a deadline well under 15 s after the present
client last changed its state proves the answer, not a renewal, brought it."""

import asyncio
import time
from pathlib import Path

import pytest

from tests.realtime.nodeclient import NodeClient
from tests.scaleout.util import section, stored_seqs
from tests.support.cluster import cluster

pytestmark = pytest.mark.node

RENEWAL_SECONDS = 15.0  # y-protocols' awareness renewal (outdatedTimeout / 2)
DEADLINE = 5.0  # how long the late client may wait for the present one's state


async def _stored_more_than(database_url: str, room: str, count: int) -> None:
    """Poll the database (a probe, not pacing the test) until ``room`` has more rows."""
    end = time.monotonic() + 10
    while len(stored_seqs(database_url, room)) <= count:
        assert time.monotonic() < end, "the edit was never stored"
        await asyncio.sleep(0.05)


async def test_a_room_opened_late_on_an_instance_shows_who_is_already_there(
    tmp_path: Path,
) -> None:
    # INFO: the log says when a room loads, which proves it opened late on ``there``.
    with cluster(tmp_path, 2, extra_env={"OUTCOMES_LOG_LEVEL": "info"}) as group:
        here, there = group.servers
        target = section(here)  # read on ``here`` only: the room stays closed ``there``
        room, name = target["room"], target["text"]
        present = await NodeClient.connect(here.ws_url, room, here.token("secretariat"))
        late: NodeClient | None = None
        try:
            await present.synced()
            await present.call("set_awareness", state={"cursor": {"anchor": 3, "head": 7}})
            changed_at = time.monotonic()
            # An edit sent after the state and stored: ``here`` has handled the state (one
            # connection's frames are handled in order).
            before = len(stored_seqs(group.database_url, room))
            await present.call("append", name=name, text="[here]")
            await _stored_more_than(group.database_url, room, before)
            assert f"loaded room {room} " not in there.log()

            late = await NodeClient.connect(there.ws_url, room, there.token("chair"))
            await late.synced()
            seen = await late.call("wait_awareness", count=2, deadline=DEADLINE)
            assert time.monotonic() - changed_at < RENEWAL_SECONDS
            assert f"loaded room {room} " in there.log()  # opened there just now
            mine = (await present.call("awareness"))["client_id"]
            states = dict(seen["states"])
            assert states[mine]["cursor"] == {"anchor": 3, "head": 7}
            assert states[mine]["user"]["role"] == "secretariat"  # stamped by ``here``
        finally:
            await present.aclose()
            if late is not None:
                await late.aclose()
