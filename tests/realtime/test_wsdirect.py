"""The direct path through uvicorn's websocket protocol keeps every message, in order.

A real uvicorn server (in this process, on a loopback socket) runs ``DirectWebSocketProtocol``
with a small ASGI app; a real websockets client sends numbered messages before and after the
app switches from ASGI ``receive`` to the direct handler.
"""

import asyncio
import inspect
import re
import socket
import tomllib
from collections.abc import AsyncIterator
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.asyncio.client import connect

from app.realtime.wsdirect import SCOPE_KEY, DirectSender, DirectWebSocketProtocol

DEADLINE = 10.0


class Recorder:
    """What the app received, and by which path."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []
        self.direct = 0
        self.switched = asyncio.Event()
        self.done = asyncio.Event()
        self.sender: DirectSender | None = None

    def on_bytes(self, data: bytes) -> None:
        self.direct += 1
        self.messages.append(data)

    async def app(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        assert scope["type"] == "websocket"
        await receive()  # websocket.connect
        await send({"type": "websocket.accept"})
        first = await receive()  # the first message through the ASGI queue
        self.messages.append(first["bytes"])
        self.sender = scope["extensions"][SCOPE_KEY]
        self.sender.on_bytes = self.on_bytes
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


# -- the private internals of uvicorn that wsdirect.py relies on --------------------------------
# wsdirect.py subclasses WebSocketsSansIOProtocol and reads its fields. If uvicorn changes them,
# the direct path must not quietly fall back to the slow one (or break at the first message):
# these tests name what changed. Upgrading uvicorn means reading its new protocol, adapting
# wsdirect.py, then moving the pin in pyproject.toml.

CHANGED = (
    "uvicorn's WebSocketsSansIOProtocol changed under app/realtime/wsdirect.py: {what}. "
    "Adapt wsdirect.py to the new protocol before moving the uvicorn pin in pyproject.toml."
)


def _pinned_uvicorn() -> str:
    pyproject = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())
    for requirement in pyproject["project"]["dependencies"]:
        if match := re.fullmatch(r"uvicorn(\[[^]]*\])?==([0-9.]+)", requirement):
            return match.group(2)
    raise AssertionError("pyproject.toml must pin uvicorn exactly (==): wsdirect.py needs it")


def test_the_installed_uvicorn_is_the_pinned_one() -> None:
    pinned, installed = _pinned_uvicorn(), version("uvicorn")
    assert installed == pinned, CHANGED.format(
        what=f"uvicorn {installed} is installed, wsdirect.py was written for {pinned}"
    )


def test_the_overridden_methods_still_do_what_wsdirect_replaces() -> None:
    for name in ("handle_connect", "send_receive_event_to_app"):
        assert name in vars(WebSocketsSansIOProtocol), CHANGED.format(
            what=f"it no longer defines {name}(), which DirectWebSocketProtocol overrides"
        )
    connect_source = inspect.getsource(WebSocketsSansIOProtocol.handle_connect)
    assert "self.scope" in connect_source, CHANGED.format(
        what="handle_connect() no longer builds self.scope (where the DirectSender goes)"
    )
    receive_source = inspect.getsource(WebSocketsSansIOProtocol.send_receive_event_to_app)
    for field in ("self.frames", "self.curr_msg_data_type", "self.queue.put_nowait"):
        assert field in receive_source, CHANGED.format(
            what=f"send_receive_event_to_app() no longer uses {field}, which the direct "
            "receive path takes over"
        )


async def test_a_live_connection_has_every_field_wsdirect_reads(
    served: tuple[Recorder, int],
) -> None:
    recorder, port = served
    async with asyncio.timeout(DEADLINE):
        async with connect(f"ws://127.0.0.1:{port}/") as ws:
            await ws.send(b"first")
            await recorder.switched.wait()
            sender = recorder.sender
            assert isinstance(sender, DirectSender), CHANGED.format(
                what="handle_connect() ran but no DirectSender reached the ASGI scope"
            )
            protocol = sender.protocol
            expected: dict[str, Any] = {
                "transport": asyncio.BaseTransport,
                "close_sent": bool,
                "writable": asyncio.Event,
                "queue": asyncio.Queue,
                "read_paused": bool,
                "loop": asyncio.AbstractEventLoop,
                "close_timeout": (int, float),
                "curr_msg_data_type": (str, type(None)),
                "frames": list,
            }
            for field, kind in expected.items():
                value = getattr(protocol, field, AttributeError)
                assert isinstance(value, kind), CHANGED.format(
                    what=f"a connection's {field} is {value!r}, wsdirect.py expects {kind}"
                )
            assert hasattr(protocol, "close_timer"), CHANGED.format(what="close_timer is gone")
            for method in ("send_binary", "send_close", "data_to_send"):
                assert callable(getattr(protocol.conn, method, None)), CHANGED.format(
                    what=f"its websockets connection has no {method}()"
                )
            assert isinstance(protocol.conn.extensions, list), CHANGED.format(
                what="its websockets connection has no extensions list"
            )
            await ws.send(b"second")
            await ws.close()
        await recorder.done.wait()
    assert recorder.messages == [b"first", b"second"]
    assert recorder.direct == 1, CHANGED.format(
        what="a message after the switch did not take the direct path (the slow path ran)"
    )
