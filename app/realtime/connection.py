"""Serving one accepted websocket: read frames into the room, write the peer's queue out."""

import logging
from dataclasses import dataclass

from starlette.websockets import WebSocket, WebSocketDisconnect

from app.errors import CloseCode
from app.realtime.hub import Hub
from app.realtime.protocol import ProtocolError
from app.realtime.transport import Peer, TokenBucket
from app.realtime.wsdirect import SCOPE_KEY
from app.store.base import StoreError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ConnectionLimits:
    """Per-connection limits (Settings hold the defaults)."""

    max_message_bytes: int = 1024 * 1024
    rate_per_second: float = 200.0
    rate_burst: float = 400.0
    send_queue_frames: int = 1024


async def serve(
    websocket: WebSocket, hub: Hub, room_name: str, peer: Peer, limits: ConnectionLimits
) -> None:
    """Join ``room_name`` and relay frames until the client leaves or breaks a rule."""
    try:
        room = await hub.acquire(room_name)
    except StoreError as exc:
        log.error("room %s could not be loaded: %s", room_name, exc)
        await websocket.close(CloseCode.TRY_AGAIN_LATER, "the document could not be loaded")
        return

    async def close(code: int, reason: str) -> None:
        await websocket.close(code, reason)

    direct = websocket.scope.get("extensions", {}).get(SCOPE_KEY)
    peer.direct = direct
    peer.start(websocket.send_bytes, close)
    bucket = TokenBucket(limits.rate_per_second, limits.rate_burst)

    def handle(data: bytes | None) -> None:
        """One message from the client (through ASGI or straight from the protocol)."""
        if peer.closing:
            return
        if data is None:
            peer.fail(CloseCode.BAD_MESSAGE, "frames must be binary")
        elif len(data) > limits.max_message_bytes:
            peer.fail(CloseCode.MESSAGE_TOO_BIG, "message too big")
        elif not bucket.take():
            peer.fail(CloseCode.RATE_LIMITED, "too many messages")
        else:
            try:
                room.receive(peer, data)
            except ProtocolError as exc:
                log.warning("malformed frame from %s in %s: %s", peer.label, room_name, exc)
                peer.fail(CloseCode.BAD_MESSAGE, "malformed message")
            except Exception:  # a bug must cost this connection, never the server's loop
                log.exception("message from %s in %s failed", peer.label, room_name)
                peer.fail(CloseCode.INTERNAL_ERROR, "the server could not handle a message")

    try:
        room.connect(peer)
        if direct is not None:
            direct.on_bytes = handle  # from now on binary messages skip the ASGI queue
        while not peer.closing:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
            handle(message.get("bytes"))
    except (WebSocketDisconnect, RuntimeError) as exc:
        log.debug("connection %s ended: %s", peer.label, exc)
    finally:
        if direct is not None:
            direct.on_bytes = None
        room.disconnect(peer)
        hub.release(room)
        await peer.stop()
