"""The y-websocket endpoint ``/yjs/{room}``: handshake checks, then the realtime layer."""

import anyio
from fastapi import APIRouter, WebSocket

from app.deps import EngineDep, HubDep, SettingsDep, token_from
from app.errors import (
    AppError,
    CloseCode,
    Forbidden,
    NotFound,
    ServiceUnavailable,
    Unauthenticated,
    refusals,
)
from app.models.names import RoomName
from app.realtime.connection import ConnectionLimits, serve
from app.realtime.transport import Peer
from app.security import hash_token
from app.services.room_access import Access, check_connection, identity

router = APIRouter()

_CLOSE_FOR = {
    Unauthenticated: CloseCode.UNAUTHENTICATED,
    NotFound: CloseCode.NOT_FOUND,
    Forbidden: CloseCode.FORBIDDEN,
    ServiceUnavailable: CloseCode.TRY_AGAIN_LATER,
}


@router.websocket("/yjs/{room}")
async def yjs(
    websocket: WebSocket,
    room: str,
    settings: SettingsDep,
    engine: EngineDep,
    hub: HubDep,
) -> None:
    """Speak the y-websocket protocol for one room (see docs/protocol.md)."""
    origin = websocket.headers.get("origin")
    if origin is not None and origin.rstrip("/") not in settings.origins():
        # Closing before accept makes the server answer the handshake with HTTP 403.
        refusals.refused("WS", f"/yjs/{room}", 403, "foreign_origin", _client(websocket))
        await websocket.close(CloseCode.FORBIDDEN)
        return
    await websocket.accept()
    token = websocket.query_params.get("token") or token_from(
        dict(websocket.headers), dict(websocket.cookies)
    )
    parsed = RoomName.parse(room)
    try:
        actor, access = await anyio.to_thread.run_sync(check_connection, engine, token, parsed)
    except AppError as exc:
        code = next((c for kind, c in _CLOSE_FOR.items() if isinstance(exc, kind)), None)
        # Logged once at WARNING like a REST refusal (the room's name, never the token).
        close = int(code or CloseCode.FORBIDDEN)
        refusals.refused("WS", f"/yjs/{room}", close, exc.code, _client(websocket))
        await websocket.close(close, exc.detail[:120])
        return
    if hub is None:  # an app that is not serving
        await websocket.close(CloseCode.TRY_AGAIN_LATER, "the rooms are not running")
        return
    if hub.writers_refused is not None and access is Access.WRITE:
        await websocket.close(CloseCode.TRY_AGAIN_LATER, hub.writers_refused)
        return
    peer = Peer(
        identity=identity(actor),
        participant_id=actor.participant_id,
        can_write=access is Access.WRITE,
        max_queue=settings.ws_send_queue_frames,
        label=f"participant {actor.participant_id}",
        link=hash_token(token) if token else None,
    )
    limits = ConnectionLimits(
        max_message_bytes=settings.ws_max_message_bytes,
        rate_per_second=settings.ws_rate_per_second,
        rate_burst=settings.ws_rate_burst,
    )
    await serve(websocket, hub, str(parsed), peer, limits)


def _client(websocket: WebSocket) -> str:
    return websocket.client.host if websocket.client is not None else "?"
