"""The revision keeper: section trackers on document rooms, and what REST asks of them.

It wraps the hub's ``on_load`` so every ``doc-{id}`` room gets a
:class:`~app.revisions.tracker.SectionTracker` before anyone sees it; what a crash left
pending is recovered by the tracker's catch-up in the background (peers are served at once;
REST calls about revisions, and the room's unload, wait for it). At start-up it loads, one
after another, every document room whose index lags its log. Routes call its coroutines
from worker threads through :meth:`RevisionKeeper.call`.
"""

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import anyio
from pycrdt import Doc
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.models.names import RoomName, document_room
from app.models.revision import RevisionCursor, SectionRevision
from app.realtime.hub import Hub, OnLoad
from app.realtime.live import run_on_loop
from app.realtime.room import Room
from app.realtime.structure import SectionInfo, reconcile, set_section_text
from app.revisions.ledger import Take
from app.revisions.tracker import AgreedEdit, SectionTracker
from app.store.base import StoredRoom, StoreError
from app.store.log import last_seqs

log = logging.getLogger(__name__)

T = TypeVar("T")


class RevisionKeeper:
    """Owns the section trackers of a hub's document rooms."""

    def __init__(self, hub: Hub, engine: Engine, idle_seconds: float) -> None:
        self.hub = hub
        self.engine = engine
        self.idle_seconds = idle_seconds
        self.trackers: dict[str, SectionTracker] = {}
        # Given to every tracker: what a change to an Agreed section's text does (create_app).
        self.on_agreed_edit: AgreedEdit | None = None
        self._startup: asyncio.Task[None] | None = None

    # -- lifecycle -------------------------------------------------------------------------

    def wrap_on_load(self, structure: OnLoad) -> OnLoad:
        """An ``on_load`` that attaches a tracker, runs ``structure``, then starts the catch-up."""

        async def on_load(room: Room, stored: StoredRoom) -> None:
            name = RoomName.parse(room.name)
            if name is not None and name.is_document:
                self._prune()
                tracker = SectionTracker(room, name.document_id, self.engine, self.idle_seconds)
                tracker.on_agreed_edit = self.on_agreed_edit
                tracker.on_closed = self._forget
                tracker.attach()
                self.trackers[room.name] = tracker
                await structure(room, stored)
                # Started last so that its worker threads do not slow the load down.
                tracker.start_catch_up(stored)
            else:
                await structure(room, stored)

        return on_load

    def _forget(self, tracker: SectionTracker) -> None:
        """A tracker closed with its room: drop it, or it would keep the unloaded room's
        doc (and its mirror) in memory until the room loads again (issue 16)."""
        if self.trackers.get(tracker.room.name) is tracker:
            del self.trackers[tracker.room.name]

    def _prune(self) -> None:
        # A room that broke (its store failed) closes without closing its tracker.
        for name, tracker in list(self.trackers.items()):
            if tracker.room.closed.is_set():
                del self.trackers[name]

    async def _caught_up(self, room: Room) -> None:
        tracker = self.trackers.get(room.name)
        if tracker is not None and tracker.room is room:
            await tracker.caught_up()

    def start(self) -> None:
        """Recover lagging rooms in the background."""
        self._startup = asyncio.get_running_loop().create_task(self._recover_all())

    async def aclose(self) -> None:
        """Stop the start-up recovery and every catch-up still running, so that shutting
        down does not wait for them (the next start resumes them from the cursor); rooms
        flush their trackers when the hub closes."""
        for tracker in self.trackers.values():
            tracker.stop_catch_up()
        if self._startup is not None:
            self._startup.cancel()
            try:
                await self._startup
            except (asyncio.CancelledError, Exception):
                pass

    async def _recover_all(self) -> None:
        try:
            lagging = await anyio.to_thread.run_sync(self._lagging_rooms)
            for name in lagging:
                async with self._room_named(name) as room:
                    try:
                        await self._caught_up(room)
                    except StoreError:
                        pass  # logged by the tracker; the next load tries again
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("start-up revision recovery failed: %s", exc)

    def _lagging_rooms(self, prefix: str = "doc-") -> list[str]:
        seqs = last_seqs(self.engine, prefix=prefix)
        with Session(self.engine) as session:
            cursors = dict(session.exec(select(RevisionCursor.room, RevisionCursor.seq)).all())
        # Only rooms that get a tracker: loading any other "doc-…" log would index nothing
        # and only hold the event loop while its state is applied.
        return sorted(
            r
            for r, seq in seqs.items()
            if cursors.get(r, 0) < seq and (n := RoomName.parse(r)) is not None and n.is_document
        )

    # -- rooms -------------------------------------------------------------------------------

    def tracker(self, room: Room) -> SectionTracker:
        """The live tracker of a loaded document room."""
        tracker = self.trackers.get(room.name)
        if tracker is None or tracker.room is not room or tracker.closed:
            raise StoreError(f"room {room.name} has no revision tracker")
        return tracker

    @asynccontextmanager
    async def _room_named(self, name: str) -> AsyncIterator[Room]:
        room = await self.hub.acquire(name)
        try:
            yield room
        finally:
            self.hub.release(room)
        if room.users == 0 and not room.peers and not room.closing:
            # Nobody is connected: do not keep a room only REST touched.
            await self.hub.unload(room)

    def _room(self, document_id: int) -> Any:
        return self._room_named(document_room(document_id))

    # -- what REST asks ----------------------------------------------------------------------

    async def recovered(self, document_id: int) -> None:
        """Make sure what a crash left pending is indexed and revised (a loaded room's
        catch-up started at load: wait for it; an unloaded one is loaded when its index lags
        its log). StoreError when the catch-up failed."""
        name = document_room(document_id)
        room = self.hub.peek(name)
        if room is not None and not room.closing and not room.broken:
            await self._caught_up(room)
            return
        if name in await anyio.to_thread.run_sync(self._lagging_rooms, name):
            async with self._room_named(name) as loaded:
                await self._caught_up(loaded)

    async def sync(self, document_id: int) -> None:
        """Bring the section-change index up to every update so far (all durable)."""
        await self.recovered(document_id)
        room = self.hub.peek(document_room(document_id))
        if room is not None and not room.closing and not room.broken:
            await self.tracker(room).flush([])

    async def record(self, document_id: int, section_id: int, reason: str) -> SectionRevision:
        """Take a revision of the section's live text now, whatever changed."""
        async with self._room(document_id) as room:
            committed = await self.tracker(room).flush([Take(section_id, "", reason, True)])
        return committed.revisions[section_id]

    async def restore(
        self,
        document_id: int,
        section_id: int,
        text: str,
        sections: list[SectionInfo],
        participant_id: int | None,
        reason: str,
    ) -> SectionRevision:
        """Make the section read ``text`` by a minimal CRDT edit, then take a revision."""

        def change(doc: Doc[Any]) -> None:
            reconcile(doc, sections)
            set_section_text(doc, section_id, text)

        async with self._room(document_id) as room:
            tracker = self.tracker(room)
            room.edit(change, participant_id=participant_id)
            committed = await tracker.flush([Take(section_id, "", reason, True)])
        return committed.revisions[section_id]

    async def checkpoint(self, document_id: int, name: str, participant_id: int | None) -> int:
        """Record every section's revision (taking one where the text moved); its id."""
        async with self._room(document_id) as room:
            tracker = self.tracker(room)
            takes = [Take(s, "", f"checkpoint: {name}") for s in sorted(tracker.watch.watched)]
            committed = await tracker.flush(takes, checkpoint=(name, participant_id))
        assert committed.checkpoint_id is not None
        return committed.checkpoint_id

    def call(self, fn: Callable[..., Coroutine[Any, Any, T]], *args: Any) -> T:
        """Run ``fn(*args)`` on the rooms' event loop from a route's worker thread."""
        return run_on_loop(fn, *args)
