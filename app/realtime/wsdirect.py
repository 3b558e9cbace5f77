"""Broadcast without a task or an await per peer: write encoded frames to uvicorn's transport.

The ASGI path costs a task switch, an ASGI ``send`` and a frame encoding per peer per message.
``outcomes serve`` runs uvicorn with :class:`DirectWebSocketProtocol` (websockets' sans-I/O
implementation, uvicorn's default) which puts a :class:`DirectSender` into the connection's
ASGI scope; a room encodes each outgoing frame once and hands the same bytes to every peer's
transport, the way ``websockets.broadcast`` does. When the sender is missing (another server,
the in-process test client) or cannot write now (buffer above the high-water mark, closing),
frames take the ordinary ASGI path through the peer's bounded queue.
"""

from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.protocol import State

from app.realtime.transport import wire_frame

__all__ = ["SCOPE_KEY", "DirectSender", "DirectWebSocketProtocol", "wire_frame"]

SCOPE_KEY = "outcomes.direct_send"


class DirectSender:
    """Synchronous writes to one uvicorn websocket connection."""

    __slots__ = ("protocol",)

    def __init__(self, protocol: WebSocketsSansIOProtocol) -> None:
        self.protocol = protocol

    def write(self, frame: bytes, wire: bytes | None) -> bool:
        """Write ``frame`` now (``wire``: the same frame already encoded); False if it cannot."""
        protocol = self.protocol
        if protocol.close_sent or protocol.disconnected or not protocol.writable.is_set():
            return False
        conn = protocol.conn
        if conn.state is not State.OPEN:
            return False
        if wire is not None and not conn.extensions:
            protocol.transport.write(wire)
        else:  # an extension (compression) encodes per connection
            conn.send_binary(frame)
            protocol.transport.write(b"".join(conn.data_to_send()))
        return True


class DirectWebSocketProtocol(WebSocketsSansIOProtocol):
    """uvicorn's sans-I/O websocket protocol, exposing a :class:`DirectSender` in the scope."""

    def handle_connect(self, event: Any) -> None:
        super().handle_connect(event)
        scope = getattr(self, "scope", None)
        if scope is not None:
            extensions: dict[str, Any] = scope.setdefault("extensions", {})
            extensions[SCOPE_KEY] = DirectSender(self)
