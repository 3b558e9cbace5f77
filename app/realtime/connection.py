"""Serving one accepted websocket: read frames into the room, write the peer's queue out."""

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from starlette.types import Message
from starlette.websockets import WebSocket, WebSocketDisconnect

from app.errors import CloseCode
from app.realtime.early import EarlyJoin, asks_for_everything, stored_frames
from app.realtime.hub import Hub
from app.realtime.pathtrace import TRACE
from app.realtime.protocol import KEEPALIVE_FRAME, ProtocolError
from app.realtime.room import Room
from app.realtime.transport import Peer, TokenBucket
from app.realtime.wsdirect import SCOPE_KEY
from app.store.base import StoreError

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ConnectionLimits:
    """Per-connection limits (Settings hold the defaults)."""

    max_message_bytes: int = 1024 * 1024
    rate_per_second: float = 200.0
    rate_burst: float = 400.0


async def serve(
    websocket: WebSocket, hub: Hub, room_name: str, peer: Peer, limits: ConnectionLimits
) -> None:
    """Join ``room_name`` and relay frames until the client leaves or breaks a rule."""

    async def close(code: int, reason: str) -> None:
        await websocket.close(code, reason)

    direct = websocket.scope.get("extensions", {}).get(SCOPE_KEY)
    peer.direct = direct
    peer.start(websocket.send_bytes, close)
    early = hub.join_early(room_name)
    acquiring = asyncio.ensure_future(hub.acquire(room_name))
    held: list[Message] = []  # messages read while the room loaded, handled after joining
    answered = False
    try:
        if early is not None:
            answered = await _answer_early(websocket, early, acquiring, peer, held)
    except (WebSocketDisconnect, RuntimeError) as exc:
        log.debug("connection %s ended while its room loaded: %s", peer.label, exc)
        held.append({"type": "websocket.disconnect"})
    finally:
        if early is not None:
            early.done()
    try:
        room = await acquiring
    except StoreError as exc:
        log.error("room %s could not be loaded: %s", room_name, exc)
        peer.fail(CloseCode.TRY_AGAIN_LATER, "the document could not be loaded")
        await peer.stop()
        return
    bucket = TokenBucket(limits.rate_per_second, limits.rate_burst)

    def handle(data: bytes | None) -> None:
        """One message from the client (through ASGI or straight from the protocol)."""
        if peer.closing:
            return
        if data is None:
            log.warning("malformed frame from %s in %s: a text frame", peer.label, room_name)
            peer.fail(CloseCode.BAD_MESSAGE, "frames must be binary")
        elif len(data) > limits.max_message_bytes:
            peer.fail(CloseCode.MESSAGE_TOO_BIG, "message too big")
        elif not bucket.take():
            peer.fail(CloseCode.RATE_LIMITED, "too many messages")
        else:
            traced = TRACE.enabled
            if traced:
                TRACE.begin_receive()
            try:
                room.receive(peer, data)
            except ProtocolError as exc:
                log.warning("malformed frame from %s in %s: %s", peer.label, room_name, exc)
                peer.fail(CloseCode.BAD_MESSAGE, "malformed message")
            except Exception:  # a bug must cost this connection, never the server's loop
                log.exception("message from %s in %s failed", peer.label, room_name)
                peer.fail(CloseCode.INTERNAL_ERROR, "the server could not handle a message")
            finally:
                if traced:
                    TRACE.end_receive()

    detached = False
    try:
        room.connect(peer)
        dropped = hub.dropped(peer.link)
        if dropped is not None:  # revoked while this connection was being set up
            peer.fail(*dropped)
        if answered:
            room.send_changes_since_load(peer)
        for message in held:
            if message["type"] == "websocket.disconnect":
                return
            handle(message.get("bytes"))
        if direct is not None:
            direct.on_bytes = handle  # from now on binary messages skip the ASGI queue
            if not peer.closing and direct.detach(lambda: _leave(hub, room, peer)):
                # This coroutine (and the ASGI chain above it) ends here; the connection
                # lives on in callbacks, writing and closing through the protocol.
                peer.start(direct.send, direct.aclose)
                detached = True
                return
        while not peer.closing:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
            handle(message.get("bytes"))
    except (WebSocketDisconnect, RuntimeError) as exc:
        log.debug("connection %s ended: %s", peer.label, exc)
    finally:
        if not detached:
            if direct is not None:
                direct.on_bytes = None
            room.disconnect(peer)
            hub.release(room)
            await peer.stop()


def _leave(hub: Hub, room: Room, peer: Peer) -> None:
    """A detached connection ended: what the end of :func:`serve` does for the others."""
    peer.direct = None
    peer.fail(CloseCode.NORMAL, "")  # no-op when closing already; stops a stuck writer
    room.disconnect(peer)
    hub.release(room)


async def _answer_early(
    websocket: WebSocket,
    early: EarlyJoin,
    acquiring: "asyncio.Future[Room]",
    peer: Peer,
    held: list[Message],
) -> bool:
    """While the room loads: answer a client that holds nothing with the stored bytes.

    Reads the client's first message (kept in ``held`` unless answered here). True when the
    client got the stored state (see app/realtime/early.py).
    """
    receiving = asyncio.ensure_future(websocket.receive())
    first: set[asyncio.Future[Any]] = {receiving, acquiring}
    await asyncio.wait(first, return_when=asyncio.FIRST_COMPLETED)
    if not receiving.done():  # the room is ready first (or failed): the ordinary path
        receiving.cancel()
        await asyncio.gather(receiving, return_exceptions=True)
        return False
    message = receiving.result()
    held.append(message)
    data = message.get("bytes") if message["type"] == "websocket.receive" else None
    if data is None or not asks_for_everything(data):
        return False
    state: set[asyncio.Future[Any]] = {early.stored, acquiring}
    await asyncio.wait(state, return_when=asyncio.FIRST_COMPLETED)
    if not early.stored.done() or early.stored.cancelled():
        return False
    held.pop()
    step2, *updates = stored_frames(early.stored.result())
    await websocket.send_bytes(step2)
    for frame in updates:
        peer.offer(frame)
    # uvicorn's send waits until the socket has taken what was written before: once this
    # keepalive goes out, the state has left, and the room may block the loop applying it.
    await websocket.send_bytes(KEEPALIVE_FRAME)
    log.info("%s got the stored state while its room loaded", peer.label)
    return True
