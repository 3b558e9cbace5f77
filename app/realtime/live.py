"""REST and realtime agree: the REST routes read and change section texts through here.

Routes run in worker threads; each call hops onto the event loop that owns the rooms
(``anyio.from_thread.run``). Texts come from the loaded room, or else from the store (a
section the store does not know yet reads its ``Section.body``, exactly what loading would
seed). A store failure becomes a 503, never a guessed text.
"""

from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import anyio
from pycrdt import Doc, Map

from app.errors import ServiceUnavailable
from app.models.names import PROJECTOR_MAP, document_room
from app.realtime.docs import doc_from
from app.realtime.hub import Hub
from app.realtime.structure import SectionInfo, read_texts, reconcile, set_section_text
from app.store.base import StoreError

T = TypeVar("T")


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

    async def set_projector(self, document_id: int, settings: dict[str, Any]) -> None:
        """Write the projectors' settings into the room's server-owned ``projector`` map (it
        reaches every projector as a Yjs update, and is stored with the room)."""

        def change(doc: Doc[Any]) -> None:
            ymap: Map[Any] = doc.get(PROJECTOR_MAP, type=Map)
            for key, value in settings.items():
                if ymap.get(key) != value:
                    ymap[key] = value

        room = await self.hub.acquire(document_room(document_id))
        try:
            room.edit(change)
            await room.flushed()
        finally:
            self.hub.release(room)
        if room.users == 0 and not room.peers:
            await self.hub.unload(room)

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
