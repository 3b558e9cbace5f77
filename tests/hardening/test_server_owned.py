"""Server-owned shared types are server-only on the wire, whoever writes them.

docs/protocol.md: ``sections`` (document room) and ``promoted`` (board room) are written by
the server only. A client update touching one, from any role (the secretariat included), is
refused like a read-only write: the permission-denied reply, nothing applied, broadcast or
stored; the connection's later updates are dropped. So the lock check reads the server's own
``sections`` map: a secretariat cannot unlock a section by writing the map.

Stock Yjs clients (Node, y-websocket) do the writing; a projector watches what is broadcast.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from tests.hardening.rest import set_status, stored_section
from tests.hardening.wire import alive, fresh_state
from tests.realtime.nodeclient import NodeClient
from tests.support.server import RunningServer

pytestmark = pytest.mark.node


@asynccontextmanager
async def _client(server: RunningServer, room: str, token: str) -> AsyncIterator[NodeClient]:
    client = await NodeClient.connect(server.ws_url, room, token)
    try:
        await client.synced()
        yield client
    finally:
        await client.aclose()


async def _denied(client: NodeClient, part: str) -> str:
    event = await client.event(lambda e: e.get("event") == "permission-denied")
    assert part in event["reason"], event
    assert (await client.call("status"))["connected"] is True
    return str(event["reason"])


async def _map(client: NodeClient, name: str) -> dict[str, Any]:
    return dict((await client.call("map", name=name))["value"])


async def test_a_secretariat_cannot_unlock_a_section_through_the_sections_map(
    server: RunningServer,
) -> None:
    locked, free = server.demo["sections"][3], server.demo["sections"][1]
    room, token = locked["room"], server.token("secretariat")
    key = str(locked["id"])
    set_status(server, locked["id"], "agreed")
    set_status(server, locked["id"], "locked")
    before = stored_section(server, locked["id"])
    async with (
        _client(server, room, server.token("projector")) as witness,
        _client(server, room, token) as sneaky,
    ):
        entry = (
            await sneaky.call(
                "wait_map_key", name="sections", key=key, field="status", equals="locked"
            )
        )["value"]
        # Unlock it by writing the map, then edit the text in the same connection.
        await sneaky.call("set_map", name="sections", key=key, value={**entry, "status": "draft"})
        await _denied(sneaky, "server-owned: only the server writes projector, sections")
        await sneaky.call("insert", name=locked["text"], index=0, text="UNLOCKED EDIT ")
        # Another secretariat connection: the lock is still there for it.
        async with _client(server, room, token) as other:
            assert (await _map(other, "sections"))[key]["status"] == "locked"
            await other.call("insert", name=locked["text"], index=0, text="STILL LOCKED ")
            await _denied(other, "locked:")
        # A legitimate edit elsewhere (a new client: Yjs integrates nothing of a client
        # after its refused change) reaches the witness; nothing refused came before it.
        async with _client(server, room, token) as barrier:
            await barrier.call("append", name=free["text"], text=" barrier-owned")
        await witness.wait_contains(free["text"], ["barrier-owned"])
        assert (await _map(witness, "sections"))[key]["status"] == "locked"
        assert await witness.text(locked["text"]) == before["body"]
        # A new key is refused too, and so is deleting one.
        async with _client(server, room, token) as adder:
            await adder.call("set_map", name="sections", key="999", value={"title": "x"})
            await _denied(adder, "server-owned")
        async with _client(server, room, token) as remover:
            await remover.call("delete_map", name="sections", key=key)
            await _denied(remover, "server-owned")
    # Nothing was stored: a fresh client and REST see the lock and the old text.
    async with _client(server, room, server.token("chair")) as fresh:
        sections = await _map(fresh, "sections")
        assert sections[key]["status"] == "locked"
        assert "999" not in sections
        assert await fresh.text(locked["text"]) == before["body"]
    after = stored_section(server, locked["id"])
    assert (after["status"], after["body"]) == ("locked", before["body"])
    alive(server)
    await fresh_state(server, f"board-{server.demo['document_id']}", server.token("chair"))
    set_status(server, locked["id"], "agreed")


async def test_a_secretariat_cannot_write_promoted_on_the_board(server: RunningServer) -> None:
    room = f"board-{server.demo['document_id']}"
    async with _client(server, room, server.token("secretariat")) as sneaky:
        await sneaky.call("set_map", name="promoted", key="note-12345678", value={"section_id": 1})
        await _denied(sneaky, "only the server writes promoted")
    async with _client(server, room, server.token("chair")) as fresh:
        assert await _map(fresh, "promoted") == {}
    alive(server)
    await fresh_state(server, server.demo["room"], server.token("chair"))
