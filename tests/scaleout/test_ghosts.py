"""No ghosts after a crash: when an instance is SIGKILLed, the pages on the other instances
stop showing its clients (cursors, names) within a few seconds, not after Yjs' 30 s awareness
timeout, and keep showing the clients of the living instances
(app/realtime/backplane/liveness.py)."""

import asyncio
import time
from pathlib import Path

import pytest

from tests.realtime.nodeclient import NodeClient
from tests.support.cluster import cluster

pytestmark = pytest.mark.node

# The documented bound (docs/protocol.md): peer timeout 3 s + one heartbeat period + delivery.
GONE_WITHIN_SECONDS = 5.0


async def _until_cursors(client: NodeClient, names: set[str]) -> None:
    """Wait (bounded) until ``client`` shows exactly the cursors ``names``."""
    end = time.monotonic() + 20
    while True:
        states = (await client.call("awareness"))["states"]
        if {state.get("cursor") for _, state in states} == names:
            return
        assert time.monotonic() < end, f"cursors never became {names}: {states}"
        await asyncio.sleep(0.1)  # polling the client's view, with a deadline


async def test_a_killed_instances_clients_vanish_from_the_others_pages(tmp_path: Path) -> None:
    with cluster(tmp_path, 3) as group:
        doomed, left, right = group.servers
        room = doomed.demo["room"]
        clients: dict[str, NodeClient] = {}
        try:
            for name, server, role in (
                ("left", left, "chair"),
                ("right", right, "secretariat"),
                ("doomed-1", doomed, "secretariat"),
                ("doomed-2", doomed, "chair"),
            ):
                clients[name] = await NodeClient.connect(server.ws_url, room, server.token(role))
                await clients[name].synced()
            # Set once every instance holds the room: awareness crosses at most once, and an
            # instance that opens a room later gets the others' states with their renewals.
            for name, client in clients.items():
                await client.call("set_awareness", state={"cursor": name})
            ids = {name: (await c.call("awareness"))["client_id"] for name, c in clients.items()}
            watchers = [clients["left"], clients["right"]]
            for watcher in watchers:
                await _until_cursors(watcher, set(clients))

            doomed.kill()
            killed = time.monotonic()
            living = {ids["left"], ids["right"]}
            for watcher in watchers:
                seen = await watcher.call(
                    "wait_awareness_at_most", count=2, deadline=GONE_WITHIN_SECONDS
                )
                # The living instances' clients stay, with their states.
                assert {client for client, _ in seen["states"]} == living
                assert {state["cursor"] for _, state in seen["states"]} == {"left", "right"}
            assert time.monotonic() - killed <= GONE_WITHIN_SECONDS
            for server in (left, right):
                assert "taken for dead, 2 awareness states of its clients removed" in server.log()
        finally:
            await asyncio.gather(*(c.aclose() for c in clients.values()))
