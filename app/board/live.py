"""The participants' boards (``board-{id}`` rooms) as REST routes read and change them.

Like :class:`~app.realtime.live.LiveDocuments`: routes run in worker threads and hop onto the
rooms' event loop through :meth:`LiveBoards.call`; a board not loaded is read from the store.
"""

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

import anyio

from app.board import rules as board
from app.board.columns import ColumnInfo, columns_of, reconcile_columns
from app.board.moderation import merged_of
from app.board.rounds import publish_round
from app.models.names import board_room
from app.realtime.docs import doc_from
from app.realtime.hub import Hub
from app.realtime.live import run_on_loop

T = TypeVar("T")


@dataclass(frozen=True)
class BoardState:
    """A board's notes and promotions (plain values, as the maps hold them) and columns."""

    notes: dict[str, Any]
    promoted: dict[str, Any]
    columns: list[ColumnInfo]
    merged: dict[str, Any]


class LiveBoards:
    """The participants' boards (``board-{id}`` rooms), for REST routes."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self._timers: set[asyncio.Task[None]] = set()  # closes running in a worker thread
        self._waiting: set[asyncio.TimerHandle] = set()  # closes not due yet
        self._closed = False

    async def read(self, document_id: int) -> BoardState:
        """The board as it is now (room if loaded, else store)."""
        name = board_room(document_id)
        room = self.hub.peek(name)
        if room is not None and not room.broken:
            await room.flushed()
            doc = room.doc
        else:
            doc = doc_from(await self.hub.store.load(name))
        return _state(doc)

    async def claim(
        self, document_id: int, note_id: str, entry: dict[str, Any], participant_id: int | None
    ) -> BoardState:
        """Write ``promoted[note_id] = entry`` unless the note is missing or already promoted
        (checked and written in one step of the event loop, so a note is claimed once); the
        returned state is the board just before, for the caller to tell which case it was."""
        room = await self.hub.acquire(board_room(document_id))
        try:
            before = _state(room.doc)
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

    async def publish_columns(self, document_id: int, columns: list[ColumnInfo]) -> list[str]:
        """Give the board room its columns as they now are (loading it if need be: a board
        loads its columns itself, so this only matters for one loaded already); notes of a
        removed column go to "Unsorted". Returns the ids of the notes moved."""
        async with self.hub.use(board_room(document_id)) as room:
            moved: list[str] = room.edit(lambda doc: reconcile_columns(doc, columns))
            await room.flushed()
        return moved

    async def change(self, document_id: int, fn: Callable[[Any], T]) -> T:
        """Run ``fn(doc)`` as one server edit of the board room (loaded if need be)."""
        async with self.hub.use(board_room(document_id)) as room:
            result: T = room.edit(fn)
            await room.flushed()
        return result

    async def publish_round(self, document_id: int, entry: dict[str, Any]) -> None:
        """Show the round ``entry`` in the board room (``app/board/rounds.py``)."""
        async with self.hub.use(board_room(document_id)) as room:
            room.edit(lambda doc: publish_round(doc, entry))
            await room.flushed()

    async def close_later(
        self, delay: float, closer: Callable[[], None]
    ) -> asyncio.TimerHandle | None:
        """Run ``closer`` in a worker thread ``delay`` seconds from now (a round's end);
        the timer, or None once :meth:`aclose` ran.

        Not kept across restarts: a round past its end is closed when its board loads
        and whenever a vote or a read finds it so (``app/services/board_rounds.py``)."""
        if self._closed:
            return None
        loop = asyncio.get_running_loop()

        def fire() -> None:
            self._waiting.discard(handle)
            task = loop.create_task(anyio.to_thread.run_sync(closer))
            self._timers.add(task)
            task.add_done_callback(self._timers.discard)

        handle = loop.call_later(max(0.0, delay), fire)
        self._waiting.add(handle)
        return handle

    async def aclose(self) -> None:
        """At shutdown, before the rooms and the database go: rounds not yet due are left
        to the next start (see :meth:`close_later`); a close already running is finished,
        so a round is never left half closed."""
        self._closed = True
        for handle in self._waiting:
            handle.cancel()
        self._waiting.clear()
        if self._timers:
            await asyncio.gather(*self._timers, return_exceptions=True)

    def call(self, fn: Callable[..., Coroutine[Any, Any, T]], *args: Any) -> T:
        """Run ``fn(*args)`` on the rooms' event loop from a route's worker thread."""
        return run_on_loop(fn, *args)


def _state(doc: Any) -> BoardState:
    return BoardState(board.notes_of(doc), board.promoted_of(doc), columns_of(doc), merged_of(doc))
