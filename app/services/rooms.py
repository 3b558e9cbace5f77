"""What each room of a document gets when it loads (the hub's ``on_load``, wired by
``create_app``): a document room publishes its sections, a board room gets its write rules,
and every room of an adopted document refuses writers; each kind gets the top-level types a
client may write (``app/realtime/owned.py``)."""

from collections.abc import Callable
from datetime import datetime

import anyio
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.board import rules as board
from app.board.columns import ColumnInfo, reconcile_columns
from app.board.limits import BoardLimits
from app.board.rounds import publish_round
from app.models.document import Document
from app.models.names import (
    BOARD_SERVER_MAPS,
    DRAFT_TEXT,
    NOTES_MAP,
    PROJECTOR_MAP,
    SECTIONS_MAP,
    RoomName,
    section_id_of,
    section_text,
)
from app.realtime.adoption import AdoptedDocuments
from app.realtime.hub import OnLoad
from app.realtime.owned import ServerOwned
from app.realtime.room import Room
from app.realtime.structure import SectionInfo, reconcile, sections_map
from app.services import board_rounds
from app.services.board_columns import ordered_columns
from app.services.sections import ordered_sections
from app.store.base import StoredRoom


def read_adopted_at(engine: Engine, document_id: int) -> datetime | None:
    """The document's ``adopted_at`` from the database (call in a worker thread)."""
    with Session(engine) as session:
        document = session.get(Document, document_id)
        return None if document is None else document.adopted_at


def section_infos(engine: Engine, document_id: int) -> list[SectionInfo]:
    """The document's sections from the database, in order (call in a worker thread)."""
    with Session(engine) as session:
        return [SectionInfo.of(s) for s in ordered_sections(session, document_id)]


def column_infos(engine: Engine, document_id: int) -> list[ColumnInfo]:
    """The board's columns from the database, in order (call in a worker thread)."""
    with Session(engine) as session:
        return [ColumnInfo.of(c) for c in ordered_columns(session, document_id)]


DOCUMENT_ROOTS_REASON = (
    "roots: a document room holds only sections and the section:{id} texts of its sections"
)
GROUP_ROOTS_REASON = "roots: a group room holds only its draft"


def document_roots(room: Room) -> Callable[[str], bool]:
    """The top-level names a client may write in a document room: the text of a section the
    server's own ``sections`` map holds (read when asked: sections come and go)."""

    def allowed(name: str) -> bool:
        section_id = section_id_of(name)
        return (
            section_id is not None
            and name == section_text(section_id)  # not "section:007"
            and str(section_id) in sections_map(room.doc)
        )

    return allowed


def structure_on_load(
    engine: Engine,
    adopted: AdoptedDocuments | None = None,
    board_limits: BoardLimits | None = None,
) -> OnLoad:
    """The hub's ``on_load``: publish a document room's sections (and seed new texts); a
    board room gets its write rules (``app/board/rules.py``); every room of a document
    refuses writers while the document is adopted (``app/realtime/adoption.py``)."""

    async def on_load(room: Room, _stored: StoredRoom) -> None:
        name = RoomName.parse(room.name)
        if name is not None and adopted is not None:
            if not adopted.known(name.document_id):
                at = await anyio.to_thread.run_sync(read_adopted_at, engine, name.document_id)
                adopted.learn(name.document_id, at)
            room.read_only = adopted.check_for(name.document_id)
        if name is not None and name.is_board:
            room.server_owned = ServerOwned(
                room.doc,
                BOARD_SERVER_MAPS,
                board.PROMOTED_REASON,
                allowed=lambda root: root == NOTES_MAP,
                roots_reason=board.ROOTS_REASON,
            )
            board.attach(room, board_limits)
            columns = await anyio.to_thread.run_sync(column_infos, engine, name.document_id)
            entry = await anyio.to_thread.run_sync(
                board_rounds.round_entry, engine, name.document_id
            )
            room.edit(lambda doc: reconcile_columns(doc, columns))
            if entry is not None:
                room.edit(lambda doc: publish_round(doc, entry))
            return
        if name is not None and name.is_group:
            room.server_owned = ServerOwned(
                room.doc,
                frozenset(),
                allowed=lambda root: root == DRAFT_TEXT,
                roots_reason=GROUP_ROOTS_REASON,
            )
            return
        if name is None or not name.is_document:
            return
        room.server_owned = ServerOwned(
            room.doc,
            frozenset({SECTIONS_MAP, PROJECTOR_MAP}),
            allowed=document_roots(room),
            roots_reason=DOCUMENT_ROOTS_REASON,
        )
        infos = await anyio.to_thread.run_sync(section_infos, engine, name.document_id)
        room.edit(lambda doc: reconcile(doc, infos))

    return on_load
