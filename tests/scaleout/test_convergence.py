"""Two and three instances on one PostgreSQL and Redis: stock Yjs clients on each converge,
and every update is stored exactly once whichever instance took it."""

import asyncio
import random
from pathlib import Path

import pytest

from tests.realtime.nodeclient import NodeClient
from tests.scaleout.util import assert_dense, section, stored_seqs
from tests.support.cluster import cluster

pytestmark = pytest.mark.node

EDITS = 25


async def _edit(client: NodeClient, name: str, rng: random.Random, who: int) -> list[str]:
    """``EDITS`` inserts, each at the seeded random choice of the text's start or end (the
    only offsets that stay outside other inserts while remote ones keep arriving); returns
    what was typed."""
    typed = []
    for k in range(EDITS):
        part = f"<{who}.{k}>"
        if rng.random() < 0.5:
            await client.call("insert", name=name, index=0, text=part)
        else:
            await client.call("append", name=name, text=part)
        typed.append(part)
    return typed


@pytest.mark.parametrize("instances", [2, 3])
async def test_instances_converge_and_store_each_update_once(
    tmp_path: Path, instances: int
) -> None:
    with cluster(tmp_path, instances) as group:
        first = group.servers[0]
        target = section(first)
        room, name = target["room"], target["text"]
        clients = [
            await NodeClient.connect(s.ws_url, room, s.token("secretariat")) for s in group.servers
        ]
        try:
            await asyncio.gather(*(c.synced() for c in clients))
            before = stored_seqs(group.database_url, room)
            rng = random.Random(20 + instances)
            seeds = [random.Random(rng.random()) for _ in clients]
            typed = await asyncio.gather(
                *(_edit(c, name, seeds[i], i) for i, c in enumerate(clients))
            )
            parts = [p for each in typed for p in each]
            texts = [await c.wait_contains(name, parts) for c in clients]
            assert texts == [texts[0]] * instances
            assert all(texts[0].count(p) == 1 for p in parts)
            # A fresh client on every instance, and REST on every instance, see the same.
            for server in group.servers:
                fresh = await NodeClient.connect(server.ws_url, room, server.token("projector"))
                try:
                    await fresh.synced()
                    assert await fresh.wait_contains(name, parts) == texts[0]
                finally:
                    await fresh.aclose()
                assert section(server)["body"] == texts[0]
            after = stored_seqs(group.database_url, room)
            assert len(after) - len(before) == len(parts)
            assert_dense(after)
        finally:
            await asyncio.gather(*(c.aclose() for c in clients))
