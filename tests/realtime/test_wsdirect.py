"""The direct path through uvicorn's websocket protocol keeps every message, in order.

A real uvicorn server (in this process, on a loopback socket) runs ``DirectWebSocketProtocol``
with a small ASGI app; a real websockets client sends numbered messages before and after the
app switches from ASGI ``receive`` to the direct handler.
"""

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
import uvicorn
from websockets.asyncio.client import connect

from app.realtime.wsdirect import SCOPE_KEY, DirectWebSocketProtocol

DEADLINE = 10.0


class Recorder:
    """What the app received, and by which path."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []
        self.direct = 0
        self.switched = asyncio.Event()
        self.done = asyncio.Event()

    def on_bytes(self, data: bytes) -> None:
        self.direct += 1
        self.messages.append(data)

    async def app(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        assert scope["type"] == "websocket"
        await receive()  # websocket.connect
        await send({"type": "websocket.accept"})
        first = await receive()  # the first message through the ASGI queue
        self.messages.append(first["bytes"])
        scope["extensions"][SCOPE_KEY].on_bytes = self.on_bytes
        self.switched.set()
        while (message := await receive())["type"] != "websocket.disconnect":
            self.messages.append(message["bytes"])  # older messages, still queued
        self.done.set()


@pytest.fixture
async def served() -> AsyncIterator[tuple[Recorder, int]]:
    recorder = Recorder()
    config = uvicorn.Config(
        recorder.app,
        ws=DirectWebSocketProtocol,
        lifespan="off",
        log_level="warning",
        interface="asgi3",
    )
    config.load()
    server = uvicorn.Server(config)
    server.lifespan = config.lifespan_class(config)  # what Server.serve() sets up
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        await server.startup(sockets=[listener])
        try:
            yield recorder, listener.getsockname()[1]
        finally:
            await server.shutdown()


async def test_messages_arrive_once_and_in_order_across_the_switch(
    served: tuple[Recorder, int],
) -> None:
    recorder, port = served
    sent = [i.to_bytes(2, "big") * 8 for i in range(400)]
    async with asyncio.timeout(DEADLINE):
        async with connect(f"ws://127.0.0.1:{port}/") as ws:
            for message in sent[:200]:  # a burst while the app still reads through ASGI
                await ws.send(message)
            await recorder.switched.wait()
            for message in sent[200:]:
                await ws.send(message)
        await recorder.done.wait()
    assert recorder.messages == sent
    assert recorder.direct > 0  # the later messages took the direct path
