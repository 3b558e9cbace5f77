"""The direct path through uvicorn's websocket protocol keeps every message, in order.

A real uvicorn server (in this process, on a loopback socket) runs ``DirectWebSocketProtocol``
with a small ASGI app; a real websockets client sends numbered messages before and after the
app switches from ASGI ``receive`` to the direct handler.
"""

import asyncio
import hashlib
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
from websockets.exceptions import ConnectionClosed

from app.realtime.fanout import FanOut
from app.realtime.transport import Peer, offer_to_all, wire_frame
from app.realtime.wsdirect import SCOPE_KEY, DirectSender, DirectWebSocketProtocol
from tests.support.inprocess import serving

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
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        async with serving(recorder.app, listener, lifespan="off", interface="asgi3"):
            yield recorder, listener.getsockname()[1]


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


# sha256 (first 16 hex digits) of uvicorn 0.54.0's WebSocketsSansIOProtocol.run_asgi source.
RUN_ASGI_DIGEST = "662375aa38d9044c"


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


# -- detached connections: the endpoint returns, the connection lives on in callbacks ------------


class Detacher:
    """An app that detaches every connection once it has read one message through ASGI."""

    def __init__(self) -> None:
        self.messages: list[bytes | None] = []
        self.detached = asyncio.Event()
        self.gone = 0
        self.gone_event = asyncio.Event()
        self.sender: DirectSender | None = None
        self.senders: list[DirectSender] = []  # every connection's, in the order they came
        self.returned = asyncio.Event()
        self.want = 0
        self.got_all = asyncio.Event()

    def on_bytes(self, data: bytes | None) -> None:
        self.messages.append(data)
        if len(self.messages) >= self.want:
            self.got_all.set()

    def on_gone(self) -> None:
        self.gone += 1
        self.gone_event.set()

    async def app(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        await receive()  # websocket.connect
        await send({"type": "websocket.accept"})
        first = await receive()
        self.messages.append(first["bytes"])
        sender = scope["extensions"][SCOPE_KEY]
        sender.on_bytes = self.on_bytes
        assert sender.detach(self.on_gone)
        self.sender = sender
        self.senders.append(sender)
        self.detached.set()
        self.returned.set()


@pytest.fixture
async def detaching() -> AsyncIterator[tuple[Detacher, int, uvicorn.Server]]:
    detacher = Detacher()
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        async with serving(detacher.app, listener, lifespan="off", interface="asgi3") as server:
            yield detacher, listener.getsockname()[1], server


async def test_a_detached_connection_stays_open_without_a_task(
    detaching: tuple[Detacher, int, uvicorn.Server],
) -> None:
    detacher, port, server = detaching
    sent = [i.to_bytes(2, "big") for i in range(300)]
    detacher.want = len(sent) + 1
    async with asyncio.timeout(DEADLINE):
        async with connect(f"ws://127.0.0.1:{port}/") as ws:
            for message in sent[:100]:  # some wait in ASGI's queue until the app detaches
                await ws.send(message)
            await detacher.returned.wait()
            for message in sent[100:]:
                await ws.send(message)
            await ws.send("text")  # no app reads text any more: the handler is told (None)
            await detacher.got_all.wait()
            # The app returned, yet the connection is open and writable both ways.
            assert not server.server_state.tasks
            assert detacher.sender is not None
            assert detacher.sender.write((b"x",), b"\x82\x01x")
            assert await ws.recv() == b"x"
            await detacher.sender.send(b"slow path")
            assert await ws.recv() == b"slow path"
            # A backed-up socket (what the transport reports above its high-water mark):
            # the direct write refuses, the slow path waits until the socket drains.
            protocol = detacher.sender.protocol
            protocol.pause_writing()
            assert not detacher.sender.write((b"y",), b"\x82\x01y")
            cancelled = asyncio.ensure_future(detacher.sender.send(b"never"))
            waiting = asyncio.ensure_future(detacher.sender.send(b"after the drain"))
            await asyncio.wait([cancelled, waiting], timeout=0.05)  # both are waiting
            assert not waiting.done()
            cancelled.cancel()  # a writer cancelled while waiting leaves the other waiting
            protocol.resume_writing()
            await waiting
            assert await ws.recv() == b"after the drain"
        await detacher.gone_event.wait()
    assert detacher.messages == [*sent, None]
    assert detacher.gone == 1


async def test_the_fan_out_reaches_compressed_and_plain_sockets_alike(
    detaching: tuple[Detacher, int, uvicorn.Server],
) -> None:
    """uvicorn's default negotiates permessage-deflate: that socket cannot take the shared
    frame bytes and gets the same messages encoded for it, through the checked path; the
    plain one gets the socket's own write (the fan-out's fast path) once its first frames
    went straight out. Both keep every message in order."""
    detacher, port, _server = detaching
    url = f"ws://127.0.0.1:{port}/"
    async with asyncio.timeout(DEADLINE):
        async with (
            connect(url, compression="deflate") as deflated,
            connect(url, compression=None) as plain,
        ):
            for ws in (deflated, plain):
                detacher.detached.clear()
                await ws.send(b"hello")
                await detacher.detached.wait()
            assert deflated.protocol.extensions
            assert not plain.protocol.extensions
            peers = []
            for sender in detacher.senders:
                viewer = Peer(identity={"role": "projector"}, participant_id=None, can_write=False)
                viewer.direct = sender
                peers.append(viewer)
            sent = [f"edit {i}".encode() * (i + 1) for i in range(6)]
            for frame in sent[:3]:
                offer_to_all(peers, (frame,), wire_frame(frame))
            compressed, plain_viewer = peers
            assert compressed.fast is None
            assert plain_viewer.fast is not None
            together = tuple(sent[3:])  # stored together: one write per socket
            offer_to_all(peers, together, b"".join(wire_frame(frame) for frame in together))
            for ws in (deflated, plain):
                assert [await ws.recv() for _ in sent] == sent


async def test_a_detached_connection_closed_by_the_server_reports_gone_once(
    detaching: tuple[Detacher, int, uvicorn.Server],
) -> None:
    detacher, port, _server = detaching
    async with asyncio.timeout(DEADLINE):
        async with connect(f"ws://127.0.0.1:{port}/") as ws:
            await ws.send(b"hello")
            await detacher.detached.wait()
            assert detacher.sender is not None
            await detacher.sender.aclose(4429, "too many messages")
            assert not detacher.sender.close(4429, "again")  # once
            with pytest.raises(ConnectionClosed) as closed:
                await ws.recv()
            assert closed.value.rcvd is not None
            assert closed.value.rcvd.code == 4429
        await detacher.gone_event.wait()
    assert detacher.gone == 1


def test_run_asgi_is_the_one_wsdirect_copies() -> None:
    """DirectWebSocketProtocol.run_asgi is uvicorn's, but for detached connections."""
    source = inspect.getsource(WebSocketsSansIOProtocol.run_asgi)
    digest = hashlib.sha256(source.encode()).hexdigest()[:16]
    assert digest == RUN_ASGI_DIGEST, CHANGED.format(
        what=f"run_asgi() changed (digest {digest}); copy it again into DirectWebSocketProtocol"
    )


def test_the_asgi_queue_is_used_only_as_a_detached_connection_replaces_it() -> None:
    """A detached connection's queue is a stand-in with put_nowait() and empty() alone."""
    source = inspect.getsource(WebSocketsSansIOProtocol)
    uses = set(re.findall(r"self\.queue\.(\w+)", source))
    assert uses <= {"put_nowait", "empty", "get"}, CHANGED.format(
        what=f"it uses its queue in new ways ({sorted(uses)}), which _Gone does not provide"
    )
    receive = inspect.getsource(WebSocketsSansIOProtocol.receive)
    assert "self.queue.get()" in receive, CHANGED.format(what="receive() reads the queue anew")
    for field in ("self.request", "self.response", "self.scope"):
        users = [
            name
            for name, member in vars(WebSocketsSansIOProtocol).items()
            if callable(member) and field in inspect.getsource(member)
        ]
        assert set(users) <= {"handle_connect", "send", "run_asgi"}, CHANGED.format(
            what=f"{field} is read by {users}; detach() drops it after the handshake"
        )


def test_every_close_of_the_transport_is_one_the_fast_writer_hears_of() -> None:
    """A fan-out writes to an idle viewer's transport without checking it first
    (app/realtime/fanout.py): DirectWebSocketProtocol hears of every close by ``close_sent``
    being set or by overriding the method that closes. A new close elsewhere would let
    frames follow a close frame."""
    heard = {"connection_lost", "shutdown", "handle_close", "run_asgi", "pause_writing"}
    assert heard <= set(vars(DirectWebSocketProtocol)), "an override went missing"
    for name, member in vars(WebSocketsSansIOProtocol).items():
        if not callable(member) or name in heard:
            continue
        source = inspect.getsource(member)
        for closing in re.finditer(r"self\.transport\.close\b", source):
            before = source[: closing.start()]
            assert "self.close_sent = True" in before or name == "send_500_response", (
                CHANGED.format(
                    what=f"{name}() closes the transport without setting close_sent first"
                )
            )


async def test_a_fan_out_stops_writing_to_a_socket_at_the_event_that_ends_its_fast_write(
    detaching: tuple[Detacher, int, uvicorn.Server],
) -> None:
    """Three viewers take the fast path; one backs up (the transport's pause), one closes
    from its side, one is closed by the server: each leaves the fast path at that event,
    and the others get every frame, in order, without one lost or one after a close."""
    detacher, port, _server = detaching
    url = f"ws://127.0.0.1:{port}/"
    audience = FanOut()

    def fan_out(frame: bytes) -> None:
        audience.offer((frame,), wire_frame(frame))

    async with asyncio.timeout(DEADLINE):
        async with (
            connect(url, compression=None) as slow,
            connect(url, compression=None) as leaving,
            connect(url, compression=None) as dropped,
        ):
            viewers = []
            for ws in (slow, leaving, dropped):
                detacher.detached.clear()
                await ws.send(b"hello")
                await detacher.detached.wait()
            for sender in detacher.senders:
                viewer = Peer(identity={"role": "projector"}, participant_id=None, can_write=False)
                viewer.direct = sender
                viewer.start(sender.send, sender.aclose)
                audience.add(viewer)
                viewers.append(viewer)
            slow_viewer, leaving_viewer, dropped_viewer = viewers
            fan_out(b"one")
            assert all(viewer.fast is not None for viewer in viewers)

            slow_sender = detacher.senders[0]
            slow_sender.protocol.pause_writing()  # its buffer passed the high-water mark
            assert slow_viewer.fast is None
            fan_out(b"two")  # it waits in that viewer's queue; the others get it now
            assert slow_viewer.queue
            assert [await ws.recv() for ws in (leaving, dropped)] == [b"one"] * 2
            assert [await ws.recv() for ws in (leaving, dropped)] == [b"two"] * 2
            slow_sender.protocol.resume_writing()
            assert [await slow.recv() for _ in range(2)] == [b"one", b"two"]

            detacher.gone_event.clear()
            await leaving.close()  # a close frame from the client
            await detacher.gone_event.wait()
            assert leaving_viewer.fast is None
            assert detacher.senders[2].close(1000, "bye")  # a close from the server
            assert dropped_viewer.fast is None
            fan_out(b"three")  # the drained viewer is written to straight away again
            fan_out(b"four")
            assert slow_viewer.fast is not None
            assert [await slow.recv() for _ in range(2)] == [b"three", b"four"]
            with pytest.raises(ConnectionClosed) as closed:
                await dropped.recv()  # the close frame, and nothing after it
            assert closed.value.rcvd is not None
            assert closed.value.rcvd.code == 1000
            for viewer in viewers:
                audience.discard(viewer)
            assert len(audience) == 0
