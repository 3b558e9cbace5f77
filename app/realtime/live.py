"""REST and realtime agree: the REST routes read and change section texts through here.

Routes run in worker threads; each call hops onto the event loop that owns the rooms
(``anyio.from_thread.run``). Texts come from the loaded room, or else from the store (a
section the store does not know yet reads its ``Section.body``, exactly what loading would
seed). A store failure becomes a 503, never a guessed text.
"""

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

import anyio
from pycrdt import Doc
from sqlalchemy.engine import Engine

from app.errors import ServiceUnavailable
from app.realtime import board
from app.realtime.adoption import AdoptedDocuments, read_adopted_at
from app.realtime.hub import Hub, OnLoad
from app.realtime.names import PROMOTED_MAP, SECTIONS_MAP, RoomName, board_room, document_room
from app.realtime.owned import ServerOwned
from app.realtime.protocol import is_panic
from app.realtime.room import Room
from app.realtime.structure import (
    SectionInfo,
    load_sections,
    read_texts,
    reconcile,
    set_section_text,
)
from app.store.base import StoredRoom, StoreError

T = TypeVar("T")


def doc_from(stored: StoredRoom) -> Doc[Any]:
    """A fresh Doc holding a stored room's state."""
    doc: Doc[Any] = Doc()
    try:
        if stored.snapshot is not None:
            doc.apply_update(stored.snapshot)
        for update in stored.updates:
            doc.apply_update(update)
    except BaseException as exc:
        if isinstance(exc, Exception) or is_panic(exc):
            raise StoreError(f"stored state does not apply: {exc}") from exc
        raise
    return doc


def structure_on_load(engine: Engine, adopted: AdoptedDocuments | None = None) -> OnLoad:
    """The hub's ``on_load``: publish a document room's sections (and seed new texts); a
    board room gets its write rules (``app/realtime/board.py``); every room of a document
    refuses writers while the document is adopted (``app/realtime/adoption.py``)."""

    async def on_load(room: Room, _stored: StoredRoom) -> None:
        name = RoomName.parse(room.name)
        if name is not None and adopted is not None:
            if not adopted.known(name.document_id):
                at = await anyio.to_thread.run_sync(read_adopted_at, engine, name.document_id)
                adopted.learn(name.document_id, at)
            room.read_only = adopted.check_for(name.document_id)
        if name is not None and name.is_board:
            owned = frozenset({PROMOTED_MAP})
            room.server_owned = ServerOwned(room.doc, owned, board.PROMOTED_REASON)
            board.attach(room)
            return
        if name is None or not name.is_document:
            return
        room.server_owned = ServerOwned(room.doc, frozenset({SECTIONS_MAP}))
        infos = await anyio.to_thread.run_sync(load_sections, engine, name.document_id)
        room.edit(lambda doc: reconcile(doc, infos))

    return on_load


def run_on_loop(fn: Callable[..., Coroutine[Any, Any, T]], *args: Any) -> T:
    """Run ``fn(*args)`` on the rooms' event loop from a worker thread; a store failure is 503."""
    try:
        return anyio.from_thread.run(fn, *args)
    except StoreError as exc:
        raise ServiceUnavailable(
            "The live document is unavailable right now; try again shortly."
        ) from exc


class LiveDocuments:
    """The live text and structure of document rooms, for REST routes."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    async def texts(self, document_id: int, sections: list[SectionInfo]) -> dict[int, str]:
        """Each section's current text (room if loaded, else store, else its body)."""
        room = self.hub.peek(document_room(document_id))
        if room is not None and not room.broken:
            await room.flushed()
            return read_texts(room.doc, sections)
        stored = await self.hub.store.load(document_room(document_id))
        return read_texts(doc_from(stored), sections)

    async def replace_text(
        self,
        document_id: int,
        section_id: int,
        body: str,
        sections: list[SectionInfo],
        participant_id: int | None = None,
    ) -> None:
        """Apply a REST body as a minimal CRDT edit (and publish the new structure)."""

        def change(doc: Doc[Any]) -> None:
            reconcile(doc, sections)
            set_section_text(doc, section_id, body)

        room = await self.hub.acquire(document_room(document_id))
        try:
            room.edit(change, participant_id=participant_id)
            await room.flushed()
        finally:
            self.hub.release(room)
        if room.users == 0 and not room.peers:
            # Nobody is connected: do not keep (and later snapshot) a room only REST touched.
            await self.hub.unload(room)

    async def edit_text(
        self,
        document_id: int,
        section_id: int,
        transform: Callable[[str], str],
        sections: list[SectionInfo],
        participant_id: int | None = None,
    ) -> str:
        """Replace a section's text by ``transform(current)`` in one transaction, as a minimal
        CRDT edit (nothing can change in between); returns the new text."""
        result: list[str] = []

        def change(doc: Doc[Any]) -> None:
            reconcile(doc, sections)
            new = transform(read_texts(doc, sections)[section_id])
            set_section_text(doc, section_id, new)
            result.append(new)

        room = await self.hub.acquire(document_room(document_id))
        try:
            room.edit(change, participant_id=participant_id)
            await room.flushed()
        finally:
            # Kept loaded (the hub unloads it when idle): a revision of this edit is usually
            # taken next, and an unload now would record it as a plain "edit" first.
            self.hub.release(room)
        return result[0]

    async def publish(self, document_id: int, sections: list[SectionInfo]) -> None:
        """Update the ``sections`` map of a loaded room (an unloaded one catches up on load)."""
        room = self.hub.peek(document_room(document_id))
        if room is None or room.broken or room.closing:
            return
        room.edit(lambda doc: reconcile(doc, sections))
        await room.flushed()

    def call(self, fn: Callable[..., Coroutine[Any, Any, T]], *args: Any) -> T:
        """Run ``fn(*args)`` on the rooms' event loop from a route's worker thread."""
        return run_on_loop(fn, *args)


@dataclass(frozen=True)
class BoardState:
    """A board's notes and promotions (plain values, as the maps hold them)."""

    notes: dict[str, Any]
    promoted: dict[str, Any]


class LiveBoards:
    """The participants' boards (``board-{id}`` rooms), for REST routes."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    async def read(self, document_id: int) -> BoardState:
        """The board as it is now (room if loaded, else store)."""
        name = board_room(document_id)
        room = self.hub.peek(name)
        if room is not None and not room.broken:
            await room.flushed()
            doc = room.doc
        else:
            doc = doc_from(await self.hub.store.load(name))
        return BoardState(board.notes_of(doc), board.promoted_of(doc))

    async def claim(
        self, document_id: int, note_id: str, entry: dict[str, Any], participant_id: int | None
    ) -> BoardState:
        """Write ``promoted[note_id] = entry`` unless the note is missing or already promoted
        (checked and written in one step of the event loop, so a note is claimed once); the
        returned state is the board just before, for the caller to tell which case it was."""
        room = await self.hub.acquire(board_room(document_id))
        try:
            before = BoardState(board.notes_of(room.doc), board.promoted_of(room.doc))
            if note_id in before.notes and note_id not in before.promoted:
                room.edit(
                    lambda doc: board.promote_in(doc, note_id, entry),
                    participant_id=participant_id,
                )
                await room.flushed()
        finally:
            self.hub.release(room)
        return before

    async def unclaim(self, document_id: int, note_id: str, entry: dict[str, Any]) -> None:
        """Undo :meth:`claim` (the text could not be inserted)."""
        async with self.hub.use(board_room(document_id)) as room:
            room.edit(lambda doc: board.unpromote_in(doc, note_id, entry))
            await room.flushed()

    def call(self, fn: Callable[..., Coroutine[Any, Any, T]], *args: Any) -> T:
        """Run ``fn(*args)`` on the rooms' event loop from a route's worker thread."""
        return run_on_loop(fn, *args)
