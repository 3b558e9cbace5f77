"""A closed websocket is freed the moment it closes, not by the next full garbage collection.

Whatever a closed connection leaves in reference cycles waits for a full collection, which
traverses every live object with the event loop held (docs/benchmarks.md: 5,000 viewers
leaving once took one of 1.26 s). The real app runs in this process under uvicorn with
``DirectWebSocketProtocol``, as ``outcomes serve`` does, with the cyclic collector off: the
connection's protocol has to go by reference counting alone.
"""

import asyncio
import gc
import json
import socket
import weakref
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio
import pytest
import uvicorn
from pycrdt import Doc, Text, create_sync_message, create_update_message
from websockets.asyncio.client import ClientConnection, connect

from app.main import create_app
from app.realtime.wsdirect import DirectWebSocketProtocol
from tests.routes.conftest import make_settings
from tests.support.inprocess import serving
from tests.support.server import run_cli_here, server_env

DEADLINE = 20.0


class Served:
    def __init__(self, server: uvicorn.Server, port: int, demo: dict[str, Any]) -> None:
        self.server = server
        self.port = port
        self.demo = demo

    def url(self, role: str) -> str:
        token = next(link["token"] for link in self.demo["links"] if link["role"] == role)
        return f"ws://127.0.0.1:{self.port}/yjs/{self.demo['room']}?token={token}"

    def protocols(self) -> set[DirectWebSocketProtocol]:
        connections = self.server.server_state.connections
        return {p for p in connections if isinstance(p, DirectWebSocketProtocol)}


@pytest.fixture
async def served(empty_db_url: str, frontend_dist: Path) -> AsyncIterator[Served]:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        port = listener.getsockname()[1]
        demo = json.loads(run_cli_here(["demo", "--json"], server_env(empty_db_url, port)))
        settings = make_settings(empty_db_url, frontend_dist, public_url=f"http://127.0.0.1:{port}")
        async with serving(create_app(settings), listener, ws_per_message_deflate=False) as server:
            yield Served(server, port, demo)


async def _joined(url: str, doc: Doc) -> ClientConnection:
    ws = await connect(url)
    await ws.send(bytes(create_sync_message(doc)))
    await ws.recv()  # the room answered: this connection joined it
    return ws


async def test_viewers_and_a_writer_that_leave_are_freed_without_the_cyclic_collector(
    served: Served,
) -> None:
    text_name = served.demo["sections"][0]["text"]
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        async with asyncio.timeout(DEADLINE):
            before = served.protocols()
            writer_doc = Doc()
            writer = await _joined(served.url("secretariat"), writer_doc)
            viewers = [await _joined(served.url("projector"), Doc()) for _ in range(3)]
            text = writer_doc.get(text_name, type=Text)
            with writer_doc.new_transaction():
                text += "Agreed: "
            await writer.send(bytes(create_update_message(writer_doc.get_update())))
            for viewer in viewers:  # the edit reached every viewer: all of them are live
                while b"Agreed: " not in await viewer.recv():
                    pass
            freed = asyncio.Event()
            alive = served.protocols() - before
            assert len(alive) == 4
            remaining = [len(alive)]

            def one_freed() -> None:
                remaining[0] -= 1
                if remaining[0] == 0:
                    freed.set()

            for protocol in alive:
                weakref.finalize(protocol, one_freed)
            del alive, protocol
            for ws in [writer, *viewers]:
                await ws.close()
        try:
            with anyio.fail_after(DEADLINE):
                await freed.wait()
        except TimeoutError:
            pytest.fail(
                f"{remaining[0]} of the 4 closed connections are still alive after"
                f" {DEADLINE:.0f} s: only a full garbage collection would free them"
            )
    finally:
        if was_enabled:
            gc.enable()
