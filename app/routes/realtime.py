"""The y-websocket endpoint ``/yjs/{room}``: handshake checks, then the realtime layer."""

import logging

import anyio
from fastapi import APIRouter, WebSocket
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.config import Settings
from app.deps import token_from
from app.errors import AppError, CloseCode, Forbidden, NotFound, Unauthenticated
from app.models.names import RoomName
from app.realtime.connection import ConnectionLimits, serve
from app.realtime.hub import Hub
from app.realtime.transport import Peer
from app.security import hash_token
from app.services import links
from app.services.actor import Actor
from app.services.room_access import Access, authorize, identity

log = logging.getLogger(__name__)

router = APIRouter()

_CLOSE_FOR = {
    Unauthenticated: CloseCode.UNAUTHENTICATED,
    NotFound: CloseCode.NOT_FOUND,
    Forbidden: CloseCode.FORBIDDEN,
}


def _check(engine: Engine, token: str | None, room: RoomName | None) -> tuple[Actor, Access]:
    if token is None:
        raise Unauthenticated("A join token is required (?token= or the join cookie).")
    with Session(engine) as session:
        actor = links.authenticate(session, token)
        if room is None:
            raise NotFound("No such room.")
        return actor, authorize(session, actor, room)


@router.websocket("/yjs/{room}")
async def yjs(websocket: WebSocket, room: str) -> None:
    """Speak the y-websocket protocol for one room (see docs/protocol.md)."""
    settings: Settings = websocket.app.state.settings
    origin = websocket.headers.get("origin")
    if origin is not None and origin.rstrip("/") not in settings.origins():
        # Closing before accept makes the server answer the handshake with HTTP 403.
        log.warning("refused a websocket from origin %s", origin)
        await websocket.close(CloseCode.FORBIDDEN)
        return
    await websocket.accept()
    token = websocket.query_params.get("token") or token_from(
        dict(websocket.headers), dict(websocket.cookies)
    )
    parsed = RoomName.parse(room)
    try:
        actor, access = await anyio.to_thread.run_sync(
            _check, websocket.app.state.engine, token, parsed
        )
    except AppError as exc:
        code = next((c for kind, c in _CLOSE_FOR.items() if isinstance(exc, kind)), None)
        await websocket.close(code or CloseCode.FORBIDDEN, exc.detail[:120])
        return
    hub: Hub = websocket.app.state.hub
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
        send_queue_frames=settings.ws_send_queue_frames,
    )
    await serve(websocket, hub, str(parsed), peer, limits)
