"""Every server-owned map is server-only on the wire, not only ``sections`` and ``promoted``
(``tests/hardening/test_server_owned.py``): the document room's ``projector`` and the board's
``columns``, ``round`` and ``merged`` (``app/models/names.py``). A stock Yjs client of the
secretariat that adds a key, changes one or deletes one gets the permission-denied reply, and
a fresh client and the stored state read exactly what the server wrote before.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from tests.hardening.wire import alive, fresh_state
from tests.realtime.nodeclient import NodeClient
from tests.support.server import RunningServer

pytestmark = pytest.mark.node

DOC_REASON = "server-owned: only the server writes projector, sections"
BOARD_REASON = "board: only the server writes promoted, columns, round and merged"
CASES = [
    ("doc", "projector", DOC_REASON),
    ("board", "columns", BOARD_REASON),
    ("board", "round", BOARD_REASON),
    ("board", "merged", BOARD_REASON),
]


def _room(server: RunningServer, kind: str) -> str:
    return server.demo["room"] if kind == "doc" else f"board-{server.demo['document_id']}"


@asynccontextmanager
async def _client(server: RunningServer, room: str, token: str) -> AsyncIterator[NodeClient]:
    client = await NodeClient.connect(server.ws_url, room, token)
    try:
        await client.synced()
        yield client
    finally:
        await client.aclose()


async def _map(server: RunningServer, room: str, name: str) -> dict[str, Any]:
    async with _client(server, room, server.token("chair")) as reader:
        return dict((await reader.call("map", name=name))["value"])


@pytest.mark.parametrize(("kind", "name", "reason"), CASES)
async def test_a_secretariat_cannot_write_a_server_owned_map(
    server: RunningServer, kind: str, name: str, reason: str
) -> None:
    room, token = _room(server, kind), server.token("secretariat")
    # Load the room first: a client that joins while it loads may get the server's own
    # start-up edits (the columns) just after its sync.
    await fresh_state(server, room, server.token("chair"))
    before = await _map(server, room, name)
    state = await fresh_state(server, room, server.token("chair"))
    writes: list[tuple[str, dict[str, Any]]] = [
        ("set_map", {"name": name, "key": "planted", "value": {"title": "<b>planted</b>"}})
    ]
    for key, value in list(before.items())[:1]:  # change and delete what the server wrote
        changed = {**value, "title": "changed"} if isinstance(value, dict) else "changed"
        writes += [
            ("set_map", {"name": name, "key": key, "value": changed}),
            ("delete_map", {"name": name, "key": key}),
        ]
    for method, args in writes:
        async with _client(server, room, token) as sneaky:
            await sneaky.call(method, **args)
            event = await sneaky.event(lambda e: e.get("event") == "permission-denied")
            assert reason in event["reason"], event
            assert (await sneaky.call("status"))["connected"] is True
    assert await _map(server, room, name) == before
    assert await fresh_state(server, room, server.token("chair")) == state
    alive(server)
