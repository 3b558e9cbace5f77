"""Realtime traffic without a task or an await per message: straight to uvicorn's protocol.

The ASGI path costs a task switch, an ASGI ``send`` and a frame encoding per peer per message
sent, and per message received a queue hop, a task wake-up and a pause/resume of reading (two
epoll changes). ``outcomes serve`` runs uvicorn with :class:`DirectWebSocketProtocol`
(websockets' sans-I/O implementation, uvicorn's default) which puts a :class:`DirectSender`
into the connection's ASGI scope:

* sending: a room encodes each outgoing frame once and hands the same bytes to every peer's
  transport, the way ``websockets.broadcast`` does. When the sender cannot write now (buffer
  above the high-water mark, closing), frames take the ASGI path through the peer's bounded
  queue.
* receiving: once the endpoint sets :attr:`DirectSender.on_bytes`, binary messages are handed
  to it as they are parsed, unless older messages still wait in the ASGI queue (then the
  queue keeps them in order). Disconnects and text frames still arrive through ASGI.

* detaching: once set up, the endpoint can :meth:`DirectSender.detach` the connection and
  return. The connection then lives on in callbacks alone: no ASGI task, no coroutine chain
  through the middleware and the endpoint, no receive queue, no scope kept per connection
  (about half of what an idle viewer cost, docs/benchmarks.md "Memory per viewer"). Every
  event uvicorn would have queued for the app goes to the callbacks instead: binary
  messages to ``on_bytes``, text messages as ``on_bytes(None)``, and the disconnect (a close
  frame, a lost socket, an oversized frame, a keepalive timeout, the server shutting down)
  to ``on_gone``.

When the sender is missing (another server, the in-process test client) everything takes the
ordinary ASGI path.
"""

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from uvicorn.protocols.utils import ClientDisconnected
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.protocol import State

from app.realtime.transport import wire_frame

__all__ = ["SCOPE_KEY", "DirectSender", "DirectWebSocketProtocol", "wire_frame"]

SCOPE_KEY = "outcomes.direct_send"

log = logging.getLogger(__name__)


class DirectSender:
    """Synchronous writes to, and reads from, one uvicorn websocket connection."""

    __slots__ = ("_on_unfit", "_open", "_plain", "detached", "on_bytes", "protocol")

    def __init__(self, protocol: WebSocketsSansIOProtocol) -> None:
        self.protocol = protocol
        # Set by the endpoint once it is ready for messages; must not raise. Once detached
        # it also gets text messages, as None.
        self.on_bytes: Callable[[bytes | None], None] | None = None
        self.detached = False
        self._open = False  # the handshake completed (checked until it has)
        self._plain = False  # no extension negotiated: the shared wire bytes can be written
        self._on_unfit: Callable[[], None] | None = None  # see fast_writer

    def detach(self, on_gone: Callable[[], None]) -> bool:
        """Let the endpoint return while the connection stays open (``on_bytes`` must be
        set). ``on_gone`` runs once, soon after the connection ends however it ends (never
        inside the call that ended it). Messages still waiting in the ASGI queue go to
        ``on_bytes`` first, in order. False, and nothing changes, when the connection is
        closing: the endpoint reads its disconnect then.
        """
        protocol = self.protocol
        on_bytes = self.on_bytes
        if on_bytes is None or protocol.close_sent or protocol.transport.is_closing():
            return False
        waiting, gone = protocol.queue, _Gone(protocol.loop, on_gone)
        protocol.queue = gone  # type: ignore[assignment]
        self.detached = True
        while not waiting.empty():
            message = waiting.get_nowait()
            if message["type"] == "websocket.receive":
                on_bytes(message.get("bytes"))
            else:
                gone.put_nowait(message)  # type: ignore[arg-type]
        if protocol.read_paused:  # uvicorn pauses reading while its queue holds messages
            protocol.read_paused = False
            protocol.transport.resume_reading()
        # What only the handshake and the ASGI app read: the scope also holds FastAPI's
        # exit stacks and the request's headers (with the join token).
        protocol.scope = {"type": "websocket", "client": protocol.client}  # type: ignore[typeddict-item]
        protocol.request = protocol.response = None  # type: ignore[assignment]
        protocol.writable = _Writable(protocol.writable.is_set())  # type: ignore[assignment]
        return True

    async def send(self, frame: bytes) -> None:
        """One binary message, waiting while the socket's buffer is full (the slow path)."""
        await self.protocol.send({"type": "websocket.send", "bytes": frame})

    async def aclose(self, code: int, reason: str) -> None:
        """:meth:`close`, for a writer that closes through an awaitable."""
        self.close(code, reason)

    def write(self, frames: tuple[bytes, ...], wire: bytes | None) -> bool:
        """Write ``frames`` now, in one write; False if it cannot.

        ``wire`` is the same frames already encoded as websocket frames, one after the
        other (shared by every peer); an extension (compression) encodes per connection.
        This runs once per peer per broadcast, so it checks as little as is safe: once
        open, a connection leaves that state only by a close we sent (``close_sent``) or
        by its transport closing (a close frame received, a parse error, a lost socket).
        """
        protocol = self.protocol
        transport = protocol.transport
        if protocol.close_sent or not protocol.writable.is_set() or transport.is_closing():
            return False
        if not self._open:
            conn = protocol.conn
            if conn.state is not State.OPEN:
                return False
            self._open, self._plain = True, not conn.extensions
        if wire is not None and self._plain:
            transport.write(wire)
        else:
            conn = protocol.conn
            for frame in frames:
                conn.send_binary(frame)
            transport.write(b"".join(conn.data_to_send()))
        return True

    def fast_writer(self, on_unfit: Callable[[], None]) -> Callable[[bytes], object] | None:
        """The transport's ``write``, for a fan-out to call with shared wire bytes and no
        checks, while the connection is open, plain and neither backed up nor closing;
        None when it is not. ``on_unfit`` runs (once) at the first event that ends that:
        the buffer passing its high-water mark, a close sent or received, the server
        shutting down, the connection lost (:class:`DirectWebSocketProtocol` reports
        each). Between the socket failing and uvicorn hearing of it (one loop turn) writes
        are dropped by the transport, as they would be by the peer's own socket anyway.
        """
        protocol = self.protocol
        if (
            not self._open
            or not self._plain
            or protocol.close_sent
            or not protocol.writable.is_set()
            or protocol.transport.is_closing()
        ):
            return None
        self._on_unfit = on_unfit
        return protocol.transport.write

    def unfit(self) -> None:
        """The fast writer handed out may no longer be used: tell whoever holds it."""
        on_unfit, self._on_unfit = self._on_unfit, None
        if on_unfit is not None:
            on_unfit()

    def close(self, code: int, reason: str) -> bool:
        """Send the close frame now, as uvicorn's ASGI ``websocket.close`` would (same state
        changes: the app gets its disconnect, the transport closes after the close
        timeout); False when the connection is not open or a close was sent already.

        At shutdown uvicorn closes every open websocket with 1012 itself; rooms close theirs
        first with the documented 1001, and uvicorn then only closes the transport.
        """
        protocol = self.protocol
        if protocol.close_sent or protocol.transport.is_closing():
            return False
        if protocol.conn.state is not State.OPEN:
            return False
        protocol.queue.put_nowait({"type": "websocket.disconnect", "code": code, "reason": reason})
        protocol.conn.send_close(code, reason)
        protocol.transport.write(b"".join(protocol.conn.data_to_send()))
        protocol.close_sent = True
        if protocol.read_paused:
            protocol.read_paused = False
            protocol.transport.resume_reading()
        protocol.close_timer = protocol.loop.call_later(
            protocol.close_timeout, protocol.transport.close
        )
        return True

    def abort_later(self, seconds: float) -> None:
        """Cut the connection in ``seconds`` unless it closed by then (a client that stopped
        reading: closing waits for a send buffer it will never drain)."""
        transport = self.protocol.transport
        self.protocol.loop.call_later(seconds, transport.abort)


class DirectWebSocketProtocol(WebSocketsSansIOProtocol):
    """uvicorn's sans-I/O websocket protocol, exposing a :class:`DirectSender` in the scope.

    It also reports to the sender every event after which its fast writer may no longer be
    used (:meth:`DirectSender.fast_writer`): uvicorn sets ``close_sent`` on every close it
    or we send, and closes the transport otherwise only in the methods overridden below.
    """

    direct: DirectSender | None = None
    _close_sent = False

    @property
    def close_sent(self) -> bool:
        return self._close_sent

    @close_sent.setter
    def close_sent(self, sent: bool) -> None:
        self._close_sent = sent
        if sent:
            self._unfit()

    def _unfit(self) -> None:
        if self.direct is not None:
            self.direct.unfit()

    def pause_writing(self) -> None:
        super().pause_writing()
        self._unfit()

    def connection_lost(self, exc: Exception | None) -> None:
        self._unfit()
        super().connection_lost(exc)
        # The protocol and its sender point at each other, and the sender's handler (the
        # endpoint's closure over the room's peer) points back at the sender: cycles that
        # only a full collection frees. Nothing reads either once the socket is gone
        # (uvicorn queued the disconnect above), so the last reference counts free them.
        direct, self.direct = self.direct, None
        if direct is not None:
            direct.on_bytes = None

    def handle_close(self, event: Any) -> None:
        self._unfit()  # a close frame received: ours answers it, nothing may follow
        super().handle_close(event)

    def shutdown(self) -> None:
        self._unfit()
        super().shutdown()

    def handle_connect(self, event: Any) -> None:
        super().handle_connect(event)
        scope = getattr(self, "scope", None)
        if scope is not None:
            self.direct = DirectSender(self)
            extensions: dict[str, Any] = scope.setdefault("extensions", {})
            extensions[SCOPE_KEY] = self.direct

    def handle_parser_exception(self) -> None:
        # websockets refused a frame (over OUTCOMES_WS_MAX_MESSAGE_BYTES: 1009) before any
        # handler saw it: logged once at WARNING like every other client past a limit. The
        # path names the room; the query string (where a token could be) is left out.
        sent = self.conn.close_sent
        scope = getattr(self, "scope", None) or {}
        client = scope.get("client") or ("?", 0)
        log.warning(
            "closing %s from %s with %s: %s",
            scope.get("path", "?"),
            client[0],
            sent.code if sent is not None else "?",
            sent.reason if sent is not None else "",
        )
        super().handle_parser_exception()

    def send_receive_event_to_app(self) -> None:
        direct = self.direct
        handler = direct.on_bytes if direct is not None else None
        if (
            handler is None
            or self.close_sent
            or not self.queue.empty()  # older messages first, through the queue
        ):
            super().send_receive_event_to_app()
            return
        frames, self.frames = self.frames, []
        if self.curr_msg_data_type == "bytes":
            handler(frames[0] if len(frames) == 1 else b"".join(frames))
        elif direct is not None and direct.detached:
            handler(None)  # no app reads the queue any more: the handler refuses text
        else:
            self.frames = frames
            super().send_receive_event_to_app()

    async def run_asgi(self) -> None:
        """uvicorn 0.54.0's ``run_asgi``, except that the transport stays open when the app
        returns having detached the connection (tests/realtime/test_wsdirect.py pins it)."""
        try:
            result = await self.app(self.scope, self.receive, self.send)
        except ClientDisconnected:
            pass
        except BaseException:
            self.logger.exception("Exception in ASGI application\n")
            self.send_500_response()
        else:
            if not self.handshake_complete:
                self.logger.error("ASGI callable returned without completing handshake.")
                self.send_500_response()
            elif result is not None:
                self.logger.error("ASGI callable should return None, but returned '%s'.", result)
        if self.direct is not None and self.direct.detached:
            return
        if self.close_timer is None:
            self._unfit()
            self.transport.close()


class _Writable:
    """uvicorn's ``writable`` event for a detached connection (``set``, ``clear``,
    ``is_set``, ``wait``), without the waiter queue an ``asyncio.Event`` holds for good: a
    future only while a writer waits for a backed-up socket."""

    __slots__ = ("_set", "_waiter")

    def __init__(self, is_set: bool) -> None:
        self._set = is_set
        self._waiter: asyncio.Future[None] | None = None

    def is_set(self) -> bool:
        return self._set

    def set(self) -> None:
        self._set = True
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def clear(self) -> None:
        self._set = False

    async def wait(self) -> bool:
        if self._set:
            return True
        if self._waiter is None:
            self._waiter = asyncio.get_running_loop().create_future()
        await asyncio.shield(self._waiter)  # a cancelled waiter leaves it to the others
        return True


class _Gone:
    """What replaces uvicorn's ASGI receive queue once a connection is detached: nothing
    reads it any more, so the one event that still matters, the disconnect, becomes a
    callback (scheduled: uvicorn queues it from inside its own close paths)."""

    __slots__ = ("_loop", "_on_gone")

    def __init__(self, loop: asyncio.AbstractEventLoop, on_gone: Callable[[], None]) -> None:
        self._loop = loop
        self._on_gone: Callable[[], None] | None = on_gone

    def put_nowait(self, message: dict[str, Any]) -> None:
        if message["type"] == "websocket.disconnect" and self._on_gone is not None:
            on_gone, self._on_gone = self._on_gone, None
            self._loop.call_soon(on_gone)

    def empty(self) -> bool:
        return True
