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

When the sender is missing (another server, the in-process test client) everything takes the
ordinary ASGI path.
"""

import logging
from collections.abc import Callable
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.protocol import State

from app.realtime.transport import wire_frame

__all__ = ["SCOPE_KEY", "DirectSender", "DirectWebSocketProtocol", "wire_frame"]

SCOPE_KEY = "outcomes.direct_send"

log = logging.getLogger(__name__)


class DirectSender:
    """Synchronous writes to, and reads from, one uvicorn websocket connection."""

    __slots__ = ("_open", "_plain", "on_bytes", "protocol")

    def __init__(self, protocol: WebSocketsSansIOProtocol) -> None:
        self.protocol = protocol
        # Set by the endpoint once it is ready for messages; must not raise.
        self.on_bytes: Callable[[bytes], None] | None = None
        self._open = False  # the handshake completed (checked until it has)
        self._plain = False  # no extension negotiated: the shared wire bytes can be written

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
    """uvicorn's sans-I/O websocket protocol, exposing a :class:`DirectSender` in the scope."""

    direct: DirectSender | None = None

    def handle_connect(self, event: Any) -> None:
        super().handle_connect(event)
        scope = getattr(self, "scope", None)
        if scope is not None:
            self.direct = DirectSender(self)
            extensions: dict[str, Any] = scope.setdefault("extensions", {})
            extensions[SCOPE_KEY] = self.direct

    def send_receive_event_to_app(self) -> None:
        handler = self.direct.on_bytes if self.direct is not None else None
        if (
            handler is None
            or self.curr_msg_data_type != "bytes"
            or self.close_sent
            or not self.queue.empty()  # older messages first, through the queue
        ):
            super().send_receive_event_to_app()
            return
        frames, self.frames = self.frames, []
        handler(frames[0] if len(frames) == 1 else b"".join(frames))
