"""Who may read or write which room (checked once, when a connection opens)."""

from dataclasses import replace
from enum import Enum

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from app.errors import Forbidden, NotFound, ServiceUnavailable, Unauthenticated
from app.models.document import Document
from app.models.meeting import BreakoutGroup
from app.models.names import RoomName
from app.models.participant import Role
from app.services import links
from app.services.actor import Actor


class Access(Enum):
    """What a connection may do in its room."""

    READ = "read"
    WRITE = "write"


def rights(actor: Actor, room: RoomName) -> Access | None:
    """The actor's rights in a room of its own meeting (None: no access at all).

    Document room: the secretariat writes; chair, rapporteurs, participants and the
    projector read. Group room: the group's rapporteur and participants with its code write;
    the secretariat and the chair read; nobody else (the projector included) may connect.
    Board room: participants (with or without a group), rapporteurs and the secretariat
    write (within the board's rules, ``app/board/rules.py``); chair and projector read.
    """
    if actor.role is None:
        return Access.WRITE
    if actor.is_organiser:  # only ever here for a meeting it created: its secretariat
        actor = replace(actor, role=Role.SECRETARIAT)
    if room.is_board:
        if actor.role in (Role.PARTICIPANT, Role.RAPPORTEUR, Role.SECRETARIAT):
            return Access.WRITE
        return Access.READ
    if room.group_code is None:
        return Access.WRITE if actor.role is Role.SECRETARIAT else Access.READ
    if actor.role in (Role.RAPPORTEUR, Role.PARTICIPANT) and actor.group_code == room.group_code:
        return Access.WRITE
    if actor.role in (Role.SECRETARIAT, Role.CHAIR):
        return Access.READ
    return None


def authorize(session: Session, actor: Actor, room: RoomName) -> Access:
    """Check the room exists in the actor's meeting (404) and the actor may use it (403)."""
    document = session.get(Document, room.document_id)
    if document is None:
        raise NotFound("No such room.")
    try:
        actor.check_meeting(document.meeting_id)
    except NotFound:
        raise NotFound("No such room.") from None
    if room.group_code is not None:
        group = session.exec(
            select(BreakoutGroup.id).where(
                BreakoutGroup.meeting_id == document.meeting_id,
                BreakoutGroup.code == room.group_code,
            )
        ).first()
        if group is None:
            raise NotFound("No such room.")
    access = rights(actor, room)
    if access is None:
        raise Forbidden(f"A {actor.role} cannot open this room.")
    return access


def check_connection(
    engine: Engine, token: str | None, room: RoomName | None
) -> tuple[Actor, Access]:
    """Who opens a room connection with ``token`` and what they may do there (401 without a
    valid token, 404 for an unknown room, 403 without rights, 503 when the database cannot
    be reached: the client is told to try again later); call in a worker thread."""
    if token is None:
        raise Unauthenticated("A join token is required (?token= or the join cookie).")
    try:
        with Session(engine) as session:
            actor = links.authenticate(session, token)
            if room is None:
                raise NotFound("No such room.")
            return actor, authorize(session, actor, room)
    except SQLAlchemyError as exc:
        raise ServiceUnavailable(
            f"storage is unavailable; reconnect later ({exc.__class__.__name__})"
        ) from exc


def identity(actor: Actor) -> dict[str, str]:
    """The ``user`` field the server stamps on the actor's awareness states."""
    return {"name": actor.name, "role": str(actor.role or "operator"), "color": actor.color}
